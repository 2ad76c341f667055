// `claw onboard`: first-run setup — credentials for a provider and a default model. A wizard on a
// terminal; flags (the seeds' `--anthropic-api-key`, `--openai-codex`, `--auth-choice … --token …`,
// plus `--*-stdin` variants that keep secrets off the command line) everywhere else.
import { storeSetupToken, validateAnthropicSetupToken } from '@claw/auth-profiles/oauth'
import { normalizeProviderId } from '@claw/model-catalog'
import { loginAndRecord } from './auth-login.js'
import { recordProfile, storeProfile } from './auth-paste.js'
import { configuredDefaultModel, recommendedModel, setDefaultModel } from '../auth/default-model.js'
import { configuredOAuthProviders } from '../auth/oauth-settings.js'
import { requireKnownProvider } from '../auth/provider-id.js'
import { confirmReplace, reportReplaced, type Replacing } from '../auth/replace-profile.js'
import { AGENT_OPTION, flag, stringOption, type CommandSpec, type ParsedArgs } from '../command.js'
import type { Context } from '../context.js'
import { usageError } from '../errors.js'
import { configUpdatedLine } from '../model-config/config-updated.js'
import { warnArgvSecret } from '../argv-secret.js'
import { readSecret } from '../secret-input.js'
import { safe } from '../text.js'
import { pickModel } from '../prompts/pick-model.js'
import { select } from '../prompts/prompt.js'
import { providerChoices } from '../prompts/provider-choices.js'

/** Where a secret comes from: the command line (warned about), piped stdin, or a hidden prompt. */
type SecretSource =
  | { readonly from: 'argv'; readonly value: string }
  | { readonly from: 'stdin' }
  | { readonly from: 'prompt' }

/** One thing to set up. */
type Step =
  | {
      readonly kind: 'secret'
      readonly provider: string
      readonly mode: 'api_key' | 'token'
      /** Validate as an Anthropic setup-token. */
      readonly setupToken: boolean
      readonly source: SecretSource
    }
  | { readonly kind: 'oauth'; readonly provider: string }

/** `--auth-choice` provider prefixes that are not provider ids. */
const CHOICE_PROVIDER_ALIASES: Readonly<Record<string, string>> = { gemini: 'google' }

const NEEDS_FLAGS =
  'onboard needs a terminal for the wizard. Without one, pass flags: --anthropic-api-key-stdin, ' +
  '--openai-api-key-stdin, --auth-choice <id> --token-stdin, or --openai-codex (and --model <ref> ' +
  'to pick the default model). See `claw onboard --help`.'

type Choice = { kind: 'skip' } | Omit<Extract<Step, { kind: 'secret' }>, 'source'> | Step

/** Parses an auth choice id (`openrouter-api-key`, `setup-token`, `openai-codex`, `skip`, …). */
async function parseAuthChoice(context: Context, raw: string): Promise<Choice> {
  const id = raw.trim().toLowerCase()
  if (id === 'skip') return { kind: 'skip' }
  if (id === 'setup-token' || id === 'anthropic-setup-token') {
    return { kind: 'secret', provider: 'anthropic', mode: 'token', setupToken: true }
  }
  if (id === 'token' || id === 'anthropic-token') {
    return { kind: 'secret', provider: 'anthropic', mode: 'token', setupToken: false }
  }
  const config = await context.config()
  if (id.endsWith('-api-key')) {
    const prefix = id.slice(0, -'-api-key'.length)
    const provider = requireKnownProvider(CHOICE_PROVIDER_ALIASES[prefix] ?? prefix, config)
    return { kind: 'secret', provider, mode: 'api_key', setupToken: false }
  }
  const { providers } = configuredOAuthProviders(config)
  const oauthId = normalizeProviderId(id.replace(/-oauth$/, ''))
  const adapter = providers.get(oauthId)
  if (adapter && adapter.flow !== 'setup_token') return { kind: 'oauth', provider: adapter.id }
  throw usageError(
    `Unknown --auth-choice "${safe(raw)}". Use <provider>-api-key (e.g. openrouter-api-key), setup-token, token, an OAuth provider (${providers
      .list()
      .map((entry) => entry.id)
      .sort()
      .join(', ')}) or skip.`,
  )
}

/** The steps the flags ask for (validated; nothing read or written yet). */
async function stepsFromFlags(context: Context, args: ParsedArgs): Promise<Step[]> {
  const steps: Step[] = []
  const stdinFlags: string[] = []
  const secretSource = (flagName: string, stdinFlag: string): SecretSource | undefined => {
    const value = stringOption(args, flagName)
    const fromStdin = flag(args, stdinFlag)
    if (value !== undefined && fromStdin) {
      throw usageError(`Use either --${flagName} or --${stdinFlag}, not both.`)
    }
    if (fromStdin) {
      stdinFlags.push(`--${stdinFlag}`)
      return { from: 'stdin' }
    }
    if (value === undefined) return undefined
    if (value.trim() === '') throw usageError(`--${flagName} is empty.`)
    warnArgvSecret(context.io, `--${flagName}`)
    return { from: 'argv', value: value.trim() }
  }
  for (const provider of ['anthropic', 'openai'] as const) {
    const source = secretSource(`${provider}-api-key`, `${provider}-api-key-stdin`)
    if (source) steps.push({ kind: 'secret', provider, mode: 'api_key', setupToken: false, source })
  }
  if (flag(args, 'openai-codex')) steps.push({ kind: 'oauth', provider: 'openai-codex' })
  const choice = stringOption(args, 'auth-choice')
  const tokenSource = secretSource('token', 'token-stdin')
  if (choice === undefined && tokenSource) {
    throw usageError('--token needs --auth-choice <id> (e.g. --auth-choice openrouter-api-key).')
  }
  if (choice !== undefined) {
    const parsed = await parseAuthChoice(context, choice)
    if (parsed.kind === 'secret') {
      const source: SecretSource | undefined =
        tokenSource ??
        (context.io.stdin.isTTY && !flag(args, 'non-interactive') ? { from: 'prompt' } : undefined)
      if (!source) {
        throw usageError(
          `--auth-choice ${safe(choice)} needs the secret: pass --token-stdin (piped) or run in a terminal.`,
        )
      }
      steps.push({ ...parsed, source })
    } else if (parsed.kind === 'oauth') {
      if (tokenSource)
        throw usageError(`--auth-choice ${safe(choice)} is an OAuth login: drop --token.`)
      steps.push(parsed)
    }
  }
  if (stdinFlags.length > 1) {
    throw usageError(`Only one of ${stdinFlags.join(', ')} can be used: stdin is read once.`)
  }
  return steps
}

const WIZARD_CHOICES: readonly { readonly label: string; readonly choice: string }[] = [
  { label: 'Anthropic API key', choice: 'anthropic-api-key' },
  {
    label: 'Anthropic setup-token (Claude Pro/Max, from `claude setup-token`)',
    choice: 'setup-token',
  },
  { label: 'OpenAI API key', choice: 'openai-api-key' },
  { label: 'OpenAI Codex (ChatGPT sign-in, OAuth)', choice: 'openai-codex' },
  { label: 'OpenRouter API key', choice: 'openrouter-api-key' },
  { label: 'Google Gemini API key', choice: 'gemini-api-key' },
  { label: 'GitHub Copilot (device login)', choice: 'github-copilot' },
  { label: "Another provider's API key", choice: 'other' },
  { label: 'Skip (set up credentials later)', choice: 'skip' },
]

async function wizardSteps(context: Context): Promise<Step[]> {
  context.out.warn('Welcome to claw. Set up credentials for a model provider.')
  let choiceId = await select(
    context.io,
    'What do you want to set up?',
    WIZARD_CHOICES.map((entry) => ({ label: entry.label, value: entry.choice })),
  )
  if (choiceId === 'other') {
    const config = await context.config()
    choiceId = `${await select(context.io, 'Provider', providerChoices(config))}-api-key`
  }
  const parsed = await parseAuthChoice(context, choiceId)
  if (parsed.kind === 'skip') return []
  if (parsed.kind === 'oauth') return [parsed]
  return [{ ...parsed, source: { from: 'prompt' } }]
}

async function readStepSecret(
  context: Context,
  step: Extract<Step, { kind: 'secret' }>,
): Promise<string> {
  let secret: string
  if (step.source.from === 'argv') {
    secret = step.source.value
  } else {
    if (step.setupToken && step.source.from === 'prompt') {
      context.out.warn('Run `claude setup-token` in another terminal, then paste the token here.')
    }
    const what = step.setupToken ? 'setup-token' : step.mode === 'token' ? 'token' : 'API key'
    secret = await readSecret(context.io, `Paste the ${what} for ${step.provider} (hidden): `)
  }
  const problem = step.setupToken ? validateAnthropicSetupToken(secret) : undefined
  if (problem) throw usageError(problem)
  return secret
}

/** The profile a secret step stores (the ids `paste-api-key`/`paste-token`/`setup-token` use). */
function stepProfileId(step: Extract<Step, { kind: 'secret' }>): string {
  if (step.setupToken) return 'anthropic:manual'
  return `${step.provider}:${step.mode === 'token' ? 'manual' : 'default'}`
}

async function runSecretStep(
  context: Context,
  step: Extract<Step, { kind: 'secret' }>,
  secret: string,
  replacing: Replacing,
): Promise<void> {
  const profileId = stepProfileId(step)
  if (step.setupToken) {
    await storeSetupToken({
      ...(await context.storeTarget()),
      env: context.env,
      token: secret,
    })
    await recordProfile(context, { profileId, provider: 'anthropic', mode: 'token' })
    reportReplaced(context, replacing, { type: 'token', provider: 'anthropic', token: secret })
    return
  }
  await storeProfile(
    context,
    { profileId, provider: step.provider, mode: step.mode },
    step.mode === 'token'
      ? { type: 'token', provider: step.provider, token: secret }
      : { type: 'api_key', provider: step.provider, key: secret },
    replacing,
  )
}

async function chooseDefaultModel(
  context: Context,
  explicit: string | undefined,
  providers: readonly string[],
  interactive: boolean,
): Promise<void> {
  const current = await configuredDefaultModel(context)
  let wanted = explicit
  if (wanted === undefined) {
    const suggested = providers[0] === undefined ? undefined : await recommendedModel(providers[0])
    if (interactive) {
      if ((current ?? suggested) === undefined) return
      wanted = await pickModel(context, providers[0], { current, recommended: suggested })
      if (wanted === current) {
        context.out.line(`Default model: ${safe(current)} (unchanged)`)
        return
      }
    } else if (current !== undefined) {
      context.out.line(`Default model: ${safe(current)} (unchanged)`)
      return
    } else {
      wanted = suggested
    }
  }
  if (wanted === undefined) return
  const loaded = await context.loadConfig()
  const key = await setDefaultModel(context, wanted, providers[0])
  context.out.line(`Default model: ${safe(key)}`, configUpdatedLine(context, loaded.path))
}

export const onboardCommand: CommandSpec = {
  summary: 'Set up credentials and a default model (interactive, or with flags).',
  description:
    'On a terminal without auth flags, a wizard asks for a provider (arrow keys, or type to ' +
    'filter), reads the key at a hidden prompt and picks the default model from the catalog (or ' +
    'takes a typed ref, checked like `claw models set`); Esc or Ctrl-C cancels. Otherwise the flags say what to set up; secrets are best ' +
    'piped with the --*-stdin flags. The argv forms (--anthropic-api-key, --openai-api-key, --token) ' +
    'are accepted for compatibility with a warning: other users and shell history can see them. ' +
    '--auth-choice takes <provider>-api-key (anthropic-api-key, openai-api-key, openrouter-api-key, ' +
    'gemini-api-key, …), setup-token, token (Anthropic), an OAuth provider (openai-codex, ' +
    'github-copilot, qwen-portal, google-gemini-cli) or skip. When no default model is configured, ' +
    "the first provider's recommended model becomes the default (or --model).",
  options: {
    'anthropic-api-key': {
      type: 'string',
      value: 'key',
      description: 'Anthropic API key (visible in argv; prefer -stdin).',
    },
    'anthropic-api-key-stdin': {
      type: 'boolean',
      description: 'Read the Anthropic API key from stdin.',
    },
    'openai-api-key': {
      type: 'string',
      value: 'key',
      description: 'OpenAI API key (visible in argv; prefer -stdin).',
    },
    'openai-api-key-stdin': { type: 'boolean', description: 'Read the OpenAI API key from stdin.' },
    'openai-codex': {
      type: 'boolean',
      description: 'Log in to OpenAI Codex (ChatGPT) with OAuth.',
    },
    'auth-choice': {
      type: 'string',
      value: 'id',
      description: 'What to set up, e.g. openrouter-api-key, setup-token, openai-codex.',
    },
    token: {
      type: 'string',
      value: 'secret',
      description: 'The secret for --auth-choice (visible in argv; prefer --token-stdin).',
    },
    'token-stdin': {
      type: 'boolean',
      description: 'Read the secret for --auth-choice from stdin.',
    },
    model: {
      type: 'string',
      value: 'ref',
      description: 'Default model to set (provider/model or alias).',
    },
    'non-interactive': {
      type: 'boolean',
      description: 'Never prompt; fail if something is missing.',
    },
    ...AGENT_OPTION,
  },
  examples: [
    'claw onboard',
    'printenv ANTHROPIC_API_KEY | claw onboard --anthropic-api-key-stdin',
    'printenv OPENROUTER_API_KEY | claw onboard --auth-choice openrouter-api-key --token-stdin',
    'claw onboard --openai-codex',
  ],
  async run(context, args) {
    const nonInteractive = flag(args, 'non-interactive')
    const explicitModel = stringOption(args, 'model')?.trim() || undefined
    await context.config()
    let steps = await stepsFromFlags(context, args)
    const interactive = steps.length === 0 && context.io.stdin.isTTY === true && !nonInteractive
    if (steps.length === 0 && !interactive && explicitModel === undefined) {
      throw usageError(NEEDS_FLAGS)
    }
    if (interactive) steps = await wizardSteps(context)
    // Read every secret before writing anything, so a bad input leaves no half-done setup.
    const secrets = new Map<Step, { secret: string; replacing: Replacing }>()
    for (const step of steps) {
      if (step.kind !== 'secret') continue
      const replacing = await confirmReplace(context, stepProfileId(step), nonInteractive)
      secrets.set(step, { secret: await readStepSecret(context, step), replacing })
    }
    for (const step of steps) {
      const read = secrets.get(step)
      if (step.kind === 'secret' && read) {
        await runSecretStep(context, step, read.secret, read.replacing)
      } else if (step.kind === 'oauth') await loginAndRecord(context, { provider: step.provider })
    }
    await chooseDefaultModel(
      context,
      explicitModel,
      steps.map((step) => step.provider),
      interactive,
    )
    context.out.line('Next: `claw models status` shows what is configured.')
  },
}
