// `claw models auth token --profile <id> | --provider <id>`: the credential a profile or provider
// resolves to, printed for another program (`OPENAI_API_KEY=$(claw models auth token …) tool`),
// like `gh auth token` and `llm keys get`. An OAuth token is refreshed first when it has expired.
import { resolveApiKeyForProvider } from '@claw/auth-profiles'
import { requireKnownProvider } from '../auth/provider-id.js'
import { AGENT_OPTION, flag, stringOption, type CommandSpec } from '../command.js'
import { CliError, usageError } from '../errors.js'
import { safe } from '../text.js'

export const tokenCommand: CommandSpec = {
  summary: 'Print the credential a profile or provider resolves to, for another program.',
  description:
    'Prints the secret alone on stdout, refreshing an expired OAuth token first (the refreshed ' +
    'token is stored as any refresh is). --provider picks the credential claw would use for the ' +
    'provider (profile order, cooldowns, then env vars and config); --profile uses exactly that ' +
    'profile. On a terminal it refuses unless --show is given: the secret would stay in the ' +
    'scrollback. The secret is written nowhere else.',
  options: {
    profile: { type: 'string', value: 'id', description: 'Use exactly this auth profile.' },
    provider: {
      type: 'string',
      value: 'id',
      description: 'The credential claw would use for this provider now.',
    },
    show: { type: 'boolean', description: 'Print it even when stdout is a terminal.' },
    ...AGENT_OPTION,
  },
  examples: [
    'OPENAI_API_KEY="$(claw models auth token --provider openai)" some-tool',
    'claw models auth token --profile anthropic:work | pbcopy',
  ],
  async run(context, args) {
    const profileId = stringOption(args, 'profile')?.trim() || undefined
    const rawProvider = stringOption(args, 'provider')
    if (profileId === undefined && rawProvider === undefined) {
      throw usageError('Pass --profile <id> or --provider <id>.')
    }
    if (context.io.stdout.isTTY && !flag(args, 'show')) {
      throw usageError(
        'Refusing to print a credential to the terminal (it would stay in the scrollback). Pipe it into the program that needs it, or pass --show.',
      )
    }
    const store = await context.storeHandle()
    const config = await context.config()
    let provider: string
    if (profileId !== undefined) {
      const stored = (await store.load()).profiles[profileId]
      if (!stored) {
        throw new CliError(
          `No auth profile ${safe(profileId)}. See \`claw models auth list\` for the stored ones.`,
        )
      }
      provider = stored.provider
      const wanted =
        rawProvider === undefined ? provider : requireKnownProvider(rawProvider, config)
      if (wanted !== provider) {
        throw usageError(
          `Auth profile ${safe(profileId)} belongs to ${safe(provider)}, not ${safe(wanted)}.`,
        )
      }
    } else {
      provider = requireKnownProvider(rawProvider, config)
    }
    const resolved = await resolveApiKeyForProvider({
      provider,
      store,
      config,
      env: context.env,
      now: context.now,
      agentDir: await context.agentDir(),
      fetch: context.io.fetch,
      oauth: await context.refreshSettings(),
      ...(profileId === undefined ? {} : { profileId }),
    })
    if (resolved.apiKey === undefined) {
      throw new CliError(
        `${safe(provider)} uses ${safe(resolved.source)}, which has no secret claw can print.`,
      )
    }
    context.io.stdout.write(`${resolved.apiKey}\n`)
  },
}
