import { probeLeasesFor } from '@claw/auth-profiles'
import { formatRemainingShort } from '../format-remaining.js'
import { AGENT_OPTION, flag, listOption, stringOption, type CommandSpec } from '../command.js'
import { usageError } from '../errors.js'
import { EXIT_CODES } from '../exit-codes.js'
import { summarizeModelConfig } from '../status/model-config.js'
import {
  parseSimulations,
  planRoute,
  resolveRouteModel,
  type RoutePlan,
  type RouteSummary,
  type RouteTraceEntry,
} from '../status/route-plan.js'
import { renderTable, safe, type Styles } from '../text.js'

export const routeCommand: CommandSpec = {
  summary: 'Show which model and credential a request would use now, and why.',
  description: [
    'A dry run of failover: the candidate models (the model, its fallbacks, the primary) and',
    'credentials in the order a request would try them, and why each one would be skipped',
    '(cooling down, excluded by auth.order, expired, no key, another run probing it after its',
    'window ended). Nothing is called or recorded.',
    '',
    '--simulate <profileId>=<reason> records a failure on an in-memory copy of the store first',
    '(repeatable), to ask "and if that key is rate-limited?". The store file is not changed.',
  ].join('\n'),
  positionals: [
    { name: 'model', description: 'provider/model or an alias (default: the configured primary).' },
  ],
  options: {
    profile: {
      type: 'string',
      value: 'id',
      description: 'Pin this auth profile (as /model …@id).',
    },
    simulate: {
      type: 'string',
      value: 'profileId=reason',
      multiple: true,
      description: 'Pretend this profile just failed (rate_limit, billing, auth, …).',
    },
    json: { type: 'boolean', description: 'The plan and its full trace as JSON.' },
    ...AGENT_OPTION,
  },
  examples: [
    'claw route openai/gpt-4o',
    'claw route fast --simulate openai:work=rate_limit',
    'claw route anthropic/claude-opus-4-5 --profile anthropic:personal --json',
  ],
  async run(context, args) {
    const config = await context.config()
    const store = await context.loadStore()
    const raw = args.positionals[0] ?? summarizeModelConfig(config, undefined).resolvedDefault
    const model = resolveRouteModel(raw, config)
    const profile = stringOption(args, 'profile')?.trim()
    if (profile) {
      const credential = store.profiles[profile]
      if (!credential || !Object.hasOwn(store.profiles, profile)) {
        throw usageError(`Auth profile "${profile}" not found.`)
      }
      const { normalizeProviderId } = await import('@claw/model-catalog')
      const provider = normalizeProviderId(credential.provider)
      if (provider !== model.provider) {
        throw usageError(`Auth profile "${profile}" is for ${provider}, not ${model.provider}.`)
      }
    }
    // The probes other runs hold now: in fleet mode every host's (in Redis), else this process's.
    const probeLeases = probeLeasesFor(await context.storeHandle())
    const plan = await planRoute({
      model,
      ...(profile ? { profile } : {}),
      simulate: parseSimulations(listOption(args, 'simulate'), store),
      store,
      config,
      env: context.env,
      agentId: context.agentId,
      now: context.now,
      probeLeases,
    })
    const exitCode = plan.chosen ? EXIT_CODES.ok : EXIT_CODES.error
    if (flag(args, 'json')) {
      context.out.json({ ...plan })
      return exitCode
    }
    context.out.line(...renderRoute(plan, context.now(), context.out.styles))
    return exitCode
  },
}

function why(entry: RouteTraceEntry, now: number): string {
  if (entry.reason === 'cooldown' && entry.until !== undefined) {
    const reason = entry.cooldownReason ? ` (${entry.cooldownReason})` : ''
    const what = entry.cooldownKind === 'disabled' ? 'disabled' : 'cooling down'
    return `${what} for ${formatRemainingShort(entry.until - now)}${reason}, until ${new Date(entry.until).toISOString()}`
  }
  if (entry.outcome === 'chosen') return entry.detail
  if (entry.reason && entry.reason !== 'unavailable' && entry.reason !== 'budget') {
    return `${entry.reason}: ${entry.detail}`
  }
  return entry.detail
}

/** Why a skipped credential was skipped, as the summary counts it. */
const SKIPPED_FOR: Readonly<Record<string, string>> = {
  cooldown: 'cooling down or disabled',
  unavailable: 'without a usable key',
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`

/**
 * The summary of a plan with nothing usable, counted from its trace: `all 3 credentials of 2 models
 * were skipped (2 cooling down or disabled, 1 without a usable key)`. A dry run calls nothing, so
 * it never says that models "failed" when they were only skipped.
 */
function nothingUsable(summary: RouteSummary): string {
  if (summary.credentials === 0) return 'no candidate model has a credential to try.'
  const parts = Object.entries(summary.skippedBy).map(
    ([why, count]) => `${count} ${SKIPPED_FOR[why] ?? why}`,
  )
  if (summary.failed > 0) parts.push(`${summary.failed} failed`)
  const all = summary.skipped === summary.credentials ? 'all ' : `${summary.skipped} of `
  const verb = summary.skipped === 1 && summary.credentials === 1 ? 'was' : 'were'
  return `${all}${plural(summary.credentials, 'credential')} of ${plural(summary.models, 'model')} ${verb} skipped (${parts.join(', ')}).`
}

function renderRoute(plan: RoutePlan, now: number, s: Styles): string[] {
  const lines = [
    `Route for ${s.bold(safe(plan.model.key))}${plan.model.alias ? ` (alias ${safe(plan.model.alias)})` : ''}${plan.profile ? `, pinned to ${safe(plan.profile)}` : ''}`,
  ]
  for (const failure of plan.simulated) {
    const until =
      failure.until === undefined
        ? ''
        : ` → unusable for ${formatRemainingShort(failure.until - now)}`
    lines.push(s.dim(`Simulated: ${safe(failure.profileId)} failed with ${failure.reason}${until}`))
  }
  lines.push('')
  if (plan.trace.length > 0) {
    const outcome = (entry: RouteTraceEntry) =>
      entry.outcome === 'chosen'
        ? s.green('chosen')
        : entry.outcome === 'failed'
          ? s.red('failed')
          : s.yellow(entry.outcome)
    const rows = plan.trace.map((entry) => [
      safe(`${entry.provider}/${entry.model}`),
      safe(entry.credential ?? (entry.profileId ? `profile:${entry.profileId}` : '-')),
      entry.outcome,
      safe(why(entry, now)),
    ])
    const table = renderTable(
      [
        { header: 'Candidate' },
        { header: 'Credential' },
        { header: 'Outcome', width: 8 },
        { header: 'Why' },
      ],
      rows,
    ).split('\n')
    lines.push(s.bold(table[0]!))
    table.slice(1).forEach((line, index) => {
      const entry = plan.trace[index]!
      lines.push(line.replace(entry.outcome, outcome(entry)))
    })
    lines.push('')
  }
  if (plan.chosen) {
    const credential = plan.chosen.profileId
      ? `profile ${plan.chosen.profileId}`
      : plan.chosen.credential
    const probe = plan.trace.at(-1)?.probe ? ', as the probe after its window ended' : ''
    lines.push(
      s.green(
        `Would use ${safe(`${plan.chosen.provider}/${plan.chosen.model}`)} with ${safe(credential)}${probe}.`,
      ),
    )
  } else {
    lines.push(s.red(`Nothing usable now: ${safe(nothingUsable(plan.summary))}`))
    if (plan.error?.retryAfterMs !== undefined) {
      lines.push(`Soonest retry in ${formatRemainingShort(plan.error.retryAfterMs)}.`)
    }
  }
  return lines
}
