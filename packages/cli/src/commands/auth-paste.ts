// `claw models auth paste-api-key | paste-token | setup-token`: store a secret read from stdin or
// a hidden prompt (never from argv) as a profile, and record it in config `auth.profiles`.
import { assertProfileId, upsertAuthProfile, type AuthProfileCredential } from '@claw/auth-profiles'
import {
  ANTHROPIC_SETUP_TOKEN_PREFIX,
  storeSetupToken,
  validateAnthropicSetupToken,
} from '@claw/auth-profiles/oauth'
import { normalizeProviderId } from '@claw/model-catalog'
import { applyAuthProfileConfig, type ProfileConfigEntry } from '../auth/config-edits.js'
import { parseDurationMs } from '../auth/duration.js'
import { confirmReplace, reportReplaced, type Replacing } from '../auth/replace-profile.js'
import { requireKnownProvider } from '../auth/provider-id.js'
import { AGENT_OPTION, flag, stringOption, type CommandSpec, type OptionSpec } from '../command.js'
import type { Context } from '../context.js'
import { CliError, usageError } from '../errors.js'
import { configUpdatedLine } from '../model-config/config-updated.js'
import { readSecret } from '../secret-input.js'
import { safe } from '../text.js'

const PROVIDER_OPTION: OptionSpec = {
  type: 'string',
  value: 'id',
  description: 'Provider id, e.g. anthropic, openai, openrouter (see `claw models list --all`).',
}

const PROFILE_ID_OPTION: OptionSpec = {
  type: 'string',
  value: 'id',
  description: 'Profile id to store the secret under.',
}

const YES_OPTION: OptionSpec = {
  type: 'boolean',
  description: 'Replace a profile with the same id without asking on a terminal.',
}

/** A profile id from `--profile-id`, validated before anything is read or written. */
function profileIdOption(raw: string | undefined, fallback: string): string {
  const profileId = raw?.trim() || fallback
  try {
    assertProfileId(profileId)
  } catch (error) {
    throw usageError((error as Error).message)
  }
  return profileId
}

/**
 * Upserts the credential, records it in config and prints OpenClaw's confirmation, then what it
 * replaced (`replacing` comes from {@link confirmReplace}, asked before the secret was read).
 */
export async function storeProfile(
  context: Context,
  entry: ProfileConfigEntry,
  credential: AuthProfileCredential,
  replacing: Replacing,
): Promise<void> {
  await upsertAuthProfile({
    ...(await context.storeTarget()),
    env: context.env,
    profileId: entry.profileId,
    credential,
  })
  await recordProfile(context, entry)
  reportReplaced(context, replacing, credential)
}

/** Records a stored profile in config and prints `Auth profile: <id> (<provider>/<mode>)`. */
export async function recordProfile(context: Context, entry: ProfileConfigEntry): Promise<void> {
  const loaded = await context.loadConfig()
  await context.updateConfig((raw) => applyAuthProfileConfig(raw, entry))
  context.out.line(
    `Auth profile: ${safe(entry.profileId)} (${safe(entry.provider)}/${entry.mode})`,
    configUpdatedLine(context, loaded.path),
  )
}

export const pasteApiKeyCommand: CommandSpec = {
  summary: 'Store an API key (read from stdin or a hidden prompt).',
  description:
    'The key is read from stdin when it is piped, else from a hidden prompt; it is never taken ' +
    'from the command line. It is stored as an api_key profile (default id <provider>:default) in ' +
    "the agent's auth-profiles.json, and config auth.profiles records {provider, mode: api_key}.",
  options: {
    provider: PROVIDER_OPTION,
    'profile-id': { ...PROFILE_ID_OPTION, description: 'Profile id (default <provider>:default).' },
    yes: YES_OPTION,
    ...AGENT_OPTION,
  },
  examples: [
    'printenv OPENAI_API_KEY | claw models auth paste-api-key --provider openai',
    'claw models auth paste-api-key --provider anthropic --profile-id anthropic:work',
  ],
  async run(context, args) {
    const provider = requireKnownProvider(stringOption(args, 'provider'), await context.config())
    const profileId = profileIdOption(stringOption(args, 'profile-id'), `${provider}:default`)
    const replacing = await confirmReplace(context, profileId, flag(args, 'yes'))
    const key = await readSecret(context.io, `Paste the API key for ${provider} (hidden): `)
    await storeProfile(
      context,
      { profileId, provider, mode: 'api_key' },
      { type: 'api_key', provider, key },
      replacing,
    )
  },
}

export const pasteTokenCommand: CommandSpec = {
  summary: 'Store a static token (read from stdin or a hidden prompt).',
  description:
    'For tokens that are not refreshed (for example an Anthropic setup-token). The token is read ' +
    'from stdin when it is piped, else from a hidden prompt; never from the command line. ' +
    '--expires-in takes <number>[ms|s|m|h|d] (default unit d) and stores an absolute expiry.',
  options: {
    provider: PROVIDER_OPTION,
    'profile-id': { ...PROFILE_ID_OPTION, description: 'Profile id (default <provider>:manual).' },
    'expires-in': {
      type: 'string',
      value: 'duration',
      description: 'When the token expires, e.g. 365d, 12h, 90m (default unit: days).',
    },
    yes: YES_OPTION,
    ...AGENT_OPTION,
  },
  examples: [
    'claw models auth paste-token --provider anthropic',
    'pbpaste | claw models auth paste-token --provider anthropic --expires-in 365d',
  ],
  async run(context, args) {
    const provider = requireKnownProvider(stringOption(args, 'provider'), await context.config())
    const profileId = profileIdOption(stringOption(args, 'profile-id'), `${provider}:manual`)
    const expiresIn = stringOption(args, 'expires-in')
    const durationMs = expiresIn === undefined ? undefined : parseDurationMs(expiresIn)
    const replacing = await confirmReplace(context, profileId, flag(args, 'yes'))
    const token = await readSecret(context.io, `Paste the token for ${provider} (hidden): `)
    await storeProfile(
      context,
      { profileId, provider, mode: 'token' },
      {
        type: 'token',
        provider,
        token,
        ...(durationMs === undefined ? {} : { expires: context.now() + durationMs }),
      },
      replacing,
    )
  },
}

export const setupTokenCommand: CommandSpec = {
  summary: 'Store an Anthropic setup token (from `claude setup-token`).',
  description:
    'Run `claude setup-token` (Claude Code) on any machine, then paste the token it prints at the ' +
    `hidden prompt. Headless: pipe it on stdin instead. The token must start with ${ANTHROPIC_SETUP_TOKEN_PREFIX} ` +
    'and is stored as the static token profile anthropic:manual (config mode token).',
  options: {
    provider: {
      type: 'string',
      value: 'name',
      description: 'Provider (only anthropic is supported; the default).',
    },
    'profile-id': { ...PROFILE_ID_OPTION, description: 'Profile id (default anthropic:manual).' },
    yes: YES_OPTION,
    ...AGENT_OPTION,
  },
  examples: [
    'claw models auth setup-token',
    'printenv CLAUDE_SETUP_TOKEN | claw models auth setup-token',
  ],
  async run(context, args) {
    const raw = stringOption(args, 'provider')
    if (raw !== undefined && normalizeProviderId(raw) !== 'anthropic') {
      throw usageError('Only --provider anthropic is supported for setup-token.')
    }
    const profileId = profileIdOption(stringOption(args, 'profile-id'), 'anthropic:manual')
    const target = await context.storeTarget()
    const replacing = await confirmReplace(context, profileId, flag(args, 'yes'))
    if (context.io.stdin.isTTY) {
      context.out.warn('Run `claude setup-token` in another terminal, then paste the token here.')
    }
    let token: string
    try {
      token = await readSecret(context.io, 'Paste the setup-token (hidden): ')
    } catch (error) {
      if (context.io.stdin.isTTY) throw error
      throw new CliError(
        'setup-token requires an interactive TTY. Or pipe the token on stdin: `printenv CLAUDE_SETUP_TOKEN | claw models auth setup-token`.',
        { cause: error },
      )
    }
    const problem = validateAnthropicSetupToken(token)
    if (problem) throw usageError(problem)
    await storeSetupToken({ ...target, env: context.env, token, profileId })
    await recordProfile(context, { profileId, provider: 'anthropic', mode: 'token' })
    reportReplaced(context, replacing, { type: 'token', provider: 'anthropic', token })
  },
}
