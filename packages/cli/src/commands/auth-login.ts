// `claw models auth login --provider <id>` and `claw models auth login-github-copilot`: OAuth
// logins (browser with loopback callback, pasted redirect, or device code) stored as oauth profiles.
import { recordProfile } from './auth-paste.js'
import { configuredDefaultModel, recommendedModel, setDefaultModel } from '../auth/default-model.js'
import { parseLoginMethod, runOAuthLogin, type RunOAuthLoginOptions } from '../auth/oauth-login.js'
import { configuredOAuthProviders } from '../auth/oauth-settings.js'
import { AGENT_OPTION, flag, stringOption, type CommandSpec, type ParsedArgs } from '../command.js'
import type { Context } from '../context.js'
import { usageError } from '../errors.js'
import { ask } from '../secret-input.js'
import { safe } from '../text.js'

function timeoutOption(args: ParsedArgs): number | undefined {
  const raw = stringOption(args, 'timeout')
  if (raw === undefined) return undefined
  const seconds = Number(raw.trim())
  if (raw.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw usageError('--timeout must be a positive number of seconds.')
  }
  return Math.round(seconds * 1000)
}

async function chooseProvider(context: Context): Promise<string> {
  const ids = configuredOAuthProviders(await context.config())
    .providers.list()
    .filter((adapter) => adapter.flow !== 'setup_token')
    .map((adapter) => adapter.id)
    .sort()
  if (!context.io.stdin.isTTY) {
    throw usageError(`Missing --provider <id>. OAuth providers: ${ids.join(', ')}.`)
  }
  context.out.warn('Log in to which provider?')
  ids.forEach((id, index) => context.out.warn(`  ${index + 1}) ${id}`))
  const answer = await ask(context.io, 'Provider (number or id): ')
  const picked = /^\d+$/.test(answer) ? ids[Number(answer) - 1] : answer
  if (!picked) throw usageError('No provider chosen.')
  return picked
}

/** Runs a login, records it in config and prints the result (shared with onboard). */
export async function loginAndRecord(
  context: Context,
  options: RunOAuthLoginOptions,
): Promise<{ profileId: string; provider: string }> {
  const result = await runOAuthLogin(context, options)
  await recordProfile(context, {
    profileId: result.profileId,
    provider: result.provider,
    mode: 'oauth',
    email: result.email,
  })
  if (result.email) context.out.line(`Logged in as ${safe(result.email)}.`)
  return result
}

async function offerDefaultModel(
  context: Context,
  provider: string,
  apply: boolean,
): Promise<void> {
  const model = await recommendedModel(provider)
  if (model === undefined) return
  if (apply) {
    const key = await setDefaultModel(context, model, provider)
    context.out.line(`Default model: ${safe(key)}`)
    return
  }
  if ((await configuredDefaultModel(context)) !== model) {
    context.out.line(`Default model available: ${safe(model)} (use --set-default to apply)`)
  }
}

export const loginCommand: CommandSpec = {
  summary: 'Log in to a provider with OAuth (browser, paste or device flow).',
  description:
    'Browser providers (openai-codex, anthropic, google-gemini-cli, chutes): the authorization ' +
    'URL is printed (and opened when a desktop browser is available) and claw waits for the ' +
    'redirect on its loopback callback. On a remote or headless machine, open the URL anywhere ' +
    'and paste the URL the browser ends up on — at the prompt, or on stdin when it is piped ' +
    '(--method paste asks for it straight away). Device providers (github-copilot, qwen-portal) ' +
    'print a code to enter at the provider. Endpoints can be overridden, and generic OpenID ' +
    'Connect providers declared, in config auth.oauth.<provider>.',
  options: {
    provider: { type: 'string', value: 'id', description: 'OAuth provider id, e.g. openai-codex.' },
    method: {
      type: 'string',
      value: 'method',
      description: 'browser (default), paste, or device (device-code).',
    },
    'profile-id': {
      type: 'string',
      value: 'id',
      description: 'Profile id (default <provider>:<email>, else <provider>:default).',
    },
    'set-default': {
      type: 'boolean',
      description: "Also make the provider's recommended model the default model.",
    },
    timeout: {
      type: 'string',
      value: 'seconds',
      description: 'Give up after this long (default 300; device codes: their own lifetime).',
    },
    ...AGENT_OPTION,
  },
  examples: [
    'claw models auth login --provider openai-codex',
    'claw models auth login --provider openai-codex --method paste   # remote / headless',
    'echo "$REDIRECT_URL" | claw models auth login --provider anthropic --method paste',
  ],
  async run(context, args) {
    const method = parseLoginMethod(stringOption(args, 'method'))
    const timeoutMs = timeoutOption(args)
    await context.config()
    const provider = stringOption(args, 'provider')?.trim() || (await chooseProvider(context))
    const result = await loginAndRecord(context, {
      provider,
      method,
      profileId: stringOption(args, 'profile-id')?.trim() || undefined,
      timeoutMs,
    })
    await offerDefaultModel(context, result.provider, flag(args, 'set-default'))
  },
}

export const loginCopilotCommand: CommandSpec = {
  summary: 'Log in to GitHub Copilot with the device flow.',
  description:
    'Prints a code to enter at https://github.com/login/device (or your GitHub Enterprise host) ' +
    'and waits for the approval. Works headless: nothing is read from stdin. The long-lived GitHub ' +
    'token is stored; short-lived Copilot tokens are derived from it when used.',
  options: {
    'profile-id': {
      type: 'string',
      value: 'id',
      description: 'Profile id (default github-copilot:github).',
    },
    'github-host': {
      type: 'string',
      value: 'host',
      description: 'GitHub Enterprise host (default github.com).',
    },
    yes: {
      type: 'boolean',
      description: 'Accepted for compatibility (there is nothing to confirm).',
    },
    timeout: {
      type: 'string',
      value: 'seconds',
      description: 'Give up after this long (default: the device code’s lifetime).',
    },
    ...AGENT_OPTION,
  },
  examples: [
    'claw models auth login-github-copilot',
    'claw models auth login-github-copilot --github-host github.example.com',
  ],
  async run(context, args) {
    const timeoutMs = timeoutOption(args)
    void flag(args, 'yes')
    await loginAndRecord(context, {
      provider: 'github-copilot',
      method: 'device',
      profileId: stringOption(args, 'profile-id')?.trim() || 'github-copilot:github',
      githubHost: stringOption(args, 'github-host')?.trim() || undefined,
      timeoutMs,
    })
  },
}
