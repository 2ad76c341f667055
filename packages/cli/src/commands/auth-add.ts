// `claw models auth add`: the interactive "add a credential" picker. It asks for a provider and
// then how to authenticate (API key, static token, setup-token, OAuth login, import from another
// tool), and runs the command that does that (paste-api-key, paste-token, setup-token, login,
// login-github-copilot, import), so each way of storing a credential has one implementation.
import type { ClawConfig } from '@claw/auth-profiles'
import { EXTERNAL_CLI_SOURCES } from '@claw/auth-profiles/external-cli'
import { getProvider } from '@claw/model-catalog'
import { configuredOAuthProviders } from '../auth/oauth-settings.js'
import { requireKnownProvider } from '../auth/provider-id.js'
import { AGENT_OPTION, stringOption, type CommandSpec, type OptionValues } from '../command.js'
import type { Context } from '../context.js'
import { CliError } from '../errors.js'
import type { ExitCode } from '../exit-codes.js'
import { select, type Choice } from '../prompts/prompt.js'
import { providerChoices } from '../prompts/provider-choices.js'
import { COMMANDS } from '../registry.js'
import { safe } from '../text.js'

/** One way to add a credential: the command that does it and the flags it gets. */
interface Method {
  readonly label: string
  readonly hint?: string
  readonly command: readonly string[]
  readonly options: OptionValues
}

const NEEDS_TERMINAL =
  '`claw models auth add` asks on a terminal. Without one, use: ' +
  '`claw models auth paste-api-key --provider <id>` or `paste-token --provider <id>` (secret on ' +
  'stdin), `claw models auth setup-token`, `claw models auth login --provider <id>`, ' +
  '`claw models auth login-github-copilot`, or `claw import --from <source>`.'

/** The ways `provider` can get a credential here, in the order they are offered. */
function methodsFor(provider: string, config: ClawConfig): Method[] {
  // A provider only config declares takes what an OpenAI-compatible server takes.
  const modes = getProvider(provider)?.authModes ?? ['api-key', 'token']
  const methods: Method[] = []
  if (modes.includes('api-key')) {
    methods.push({
      label: 'API key',
      hint: '(pasted at a hidden prompt)',
      command: ['models', 'auth', 'paste-api-key'],
      options: { provider },
    })
  }
  if (provider === 'anthropic') {
    methods.push({
      label: 'Setup-token',
      hint: '(Claude Pro/Max, from `claude setup-token`)',
      command: ['models', 'auth', 'setup-token'],
      options: {},
    })
  }
  if (modes.includes('token') && provider !== 'github-copilot') {
    methods.push({
      label: 'Static token',
      hint: '(not refreshed; pasted at a hidden prompt)',
      command: ['models', 'auth', 'paste-token'],
      options: { provider },
    })
  }
  const adapter = configuredOAuthProviders(config).providers.get(provider)
  if (provider === 'github-copilot') {
    methods.push({
      label: 'Log in with GitHub',
      hint: '(device code)',
      command: ['models', 'auth', 'login-github-copilot'],
      options: {},
    })
  } else if (adapter && adapter.flow !== 'setup_token') {
    methods.push({
      label: 'OAuth login',
      hint: adapter.flow === 'device_code' ? '(device code)' : '(browser)',
      command: ['models', 'auth', 'login'],
      options: { provider },
    })
  }
  for (const source of EXTERNAL_CLI_SOURCES) {
    if (source.provider !== provider) continue
    methods.push({
      label: `Import from ${source.label}`,
      hint: `(${source.defaultPath})`,
      command: ['import'],
      options: { from: source.id },
    })
  }
  return methods
}

async function runMethod(context: Context, method: Method): Promise<ExitCode | void> {
  const entry = COMMANDS.find((command) => command.path.join(' ') === method.command.join(' '))
  const spec = await entry!.load()
  context.out.warn(`Running: claw ${method.command.join(' ')}${flagsText(method.options)}`)
  return spec.run!(context, {
    options: { ...method.options, agent: context.agentId },
    positionals: [],
  })
}

function flagsText(options: OptionValues): string {
  return Object.entries(options)
    .map(([name, value]) => ` --${name} ${safe(String(value))}`)
    .join('')
}

export const authAddCommand: CommandSpec = {
  summary: 'Add a credential: pick a provider and how to authenticate (interactive).',
  description:
    'On a terminal: pick a provider (arrow keys, or type to filter), then how to authenticate — ' +
    'an API key or static token pasted at a hidden prompt, an Anthropic setup-token, an OAuth ' +
    'login where the provider has one, or an import from a tool that already holds a credential ' +
    '(Claude Code, Codex, Qwen Code, Copilot). It then runs the matching command (shown), so it ' +
    'stores exactly what that command stores. Esc or Ctrl-C cancels with exit 1 and writes ' +
    'nothing. Without a terminal it exits 1 and names the non-interactive commands.',
  options: {
    provider: {
      type: 'string',
      value: 'id',
      description: 'Skip the provider list (e.g. openai).',
    },
    ...AGENT_OPTION,
  },
  examples: ['claw models auth add', 'claw models auth add --provider anthropic'],
  async run(context, args) {
    if (context.io.stdin.isTTY !== true) throw new CliError(NEEDS_TERMINAL)
    const config = await context.config()
    const raw = stringOption(args, 'provider')
    const provider =
      raw === undefined
        ? await select(
            context.io,
            'Provider',
            providerChoices(config).filter((choice) => methodsFor(choice.value, config).length > 0),
          )
        : requireKnownProvider(raw, config)
    const methods = methodsFor(provider, config)
    if (methods.length === 0) {
      throw new CliError(
        `${safe(provider)} authenticates with ambient credentials (${getProvider(provider)?.authModes.join(', ')}); claw stores none for it.`,
      )
    }
    const choices: Choice<Method>[] = methods.map((method) => ({
      label: method.label,
      value: method,
      ...(method.hint === undefined ? {} : { hint: method.hint }),
    }))
    const method = await select(
      context.io,
      `How do you authenticate with ${safe(provider)}?`,
      choices,
    )
    return runMethod(context, method)
  },
}
