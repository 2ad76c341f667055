// `claw route`: the dry-run failover plan for a model, optionally after simulated failures that
// are applied to an in-memory copy of the store (the store file never changes).
import {
  AUTH_PROFILE_FAILURE_REASONS,
  createMemoryAuthStore,
  markAuthProfileFailure,
  type AuthProfileFailureReason,
  type AuthProfileStore,
  type ClawConfig,
  type ProbeLeases,
} from '@claw/auth-profiles'
import type { FailoverPlan, FailoverTraceEntry } from '@claw/failover'
import {
  buildModelAliasIndex,
  DEFAULT_PROVIDER,
  getProvider,
  modelKey,
  normalizeProviderId,
  resolveModelRefFromString,
} from '@claw/model-catalog'
import { usageError } from '../errors.js'
import { unusableState } from './auth-overview.js'

export interface RouteModel {
  readonly input: string
  readonly provider: string
  readonly model: string
  readonly key: string
  readonly alias?: string
}

export interface SimulatedFailure {
  readonly profileId: string
  readonly reason: AuthProfileFailureReason
  /** When the profile is usable again after the simulated failure (if it cools down). */
  readonly until?: number
}

/** A trace entry (a cooldown skip names its cause in `cooldownReason`). */
export type RouteTraceEntry = FailoverTraceEntry

/** What the plan went through, counted from its trace. */
export interface RouteSummary {
  /** Models (candidates) the plan looked at. */
  readonly models: number
  /** Credentials it looked at, over all those models. */
  readonly credentials: number
  readonly skipped: number
  readonly failed: number
  /** Skipped credentials by why: `cooldown` (cooling down or disabled), `unavailable` (no key), … */
  readonly skippedBy: Readonly<Record<string, number>>
}

export interface RoutePlan {
  readonly model: RouteModel
  readonly profile?: string
  readonly simulated: readonly SimulatedFailure[]
  readonly chosen: FailoverPlan['chosen'] | null
  readonly trace: readonly RouteTraceEntry[]
  readonly error?: FailoverPlan['error']
  readonly summary: RouteSummary
}

/** Counts what a plan's trace went through (every entry is one credential of one model). */
export function summarizeRoute(trace: readonly RouteTraceEntry[]): RouteSummary {
  const models = new Set<string>()
  const skippedBy: Record<string, number> = {}
  let skipped = 0
  let failed = 0
  for (const entry of trace) {
    models.add(`${entry.provider}/${entry.model}`)
    if (entry.outcome === 'failed') failed += 1
    if (entry.outcome !== 'skipped') continue
    skipped += 1
    const why = entry.reason ?? 'other'
    skippedBy[why] = (skippedBy[why] ?? 0) + 1
  }
  return { models: models.size, credentials: trace.length, skipped, failed, skippedBy }
}

/** Resolves the model argument: an alias or `provider/model` of a known or configured provider. */
export function resolveRouteModel(raw: string, config: ClawConfig): RouteModel {
  const input = raw.trim()
  const aliasIndex = buildModelAliasIndex({ config, defaultProvider: DEFAULT_PROVIDER })
  if (input !== '' && !input.includes('/') && !aliasIndex.byAlias.has(input.toLowerCase())) {
    const known = [...aliasIndex.byAlias.values()].map((entry) => entry.alias)
    throw usageError(
      `Unknown model alias: ${input}. Use <provider>/<model>${known.length ? ` or one of: ${known.join(', ')}` : ''}.`,
    )
  }
  const resolved = resolveModelRefFromString(input, {
    defaultProvider: DEFAULT_PROVIDER,
    aliasIndex,
  })
  if (!resolved) throw usageError(`Invalid model reference: ${raw}`)
  const { provider, model } = resolved.ref
  const configured = Object.keys(config.models?.providers ?? {}).some(
    (id) => normalizeProviderId(id) === provider,
  )
  if (!configured && getProvider(provider) === undefined) {
    throw usageError(
      `Unknown provider: ${provider}. Add it under models.providers in the config, or use a provider from \`claw models list --all\`.`,
    )
  }
  return {
    input,
    provider,
    model,
    key: modelKey(resolved.ref),
    ...(resolved.alias ? { alias: resolved.alias } : {}),
  }
}

/** Parses `--simulate <profileId>=<reason>` values against the store. */
export function parseSimulations(
  values: readonly string[],
  store: AuthProfileStore,
): { readonly profileId: string; readonly reason: AuthProfileFailureReason }[] {
  return values.map((value) => {
    const at = value.lastIndexOf('=')
    const profileId = at > 0 ? value.slice(0, at).trim() : ''
    const reason = at > 0 ? value.slice(at + 1).trim() : ''
    if (profileId === '' || reason === '') {
      throw usageError(`Invalid --simulate value: ${value}. Expected <profileId>=<reason>.`)
    }
    if (!(AUTH_PROFILE_FAILURE_REASONS as readonly string[]).includes(reason)) {
      throw usageError(
        `Invalid reason "${reason}" in --simulate ${profileId}=${reason}. Valid reasons: ${AUTH_PROFILE_FAILURE_REASONS.join(', ')}.`,
      )
    }
    if (!Object.hasOwn(store.profiles, profileId)) {
      throw usageError(`Auth profile "${profileId}" not found.`)
    }
    return { profileId, reason: reason as AuthProfileFailureReason }
  })
}

export interface PlanRouteOptions {
  readonly model: RouteModel
  readonly profile?: string
  readonly simulate: readonly {
    readonly profileId: string
    readonly reason: AuthProfileFailureReason
  }[]
  readonly store: AuthProfileStore
  readonly config: ClawConfig
  readonly env: Readonly<Record<string, string | undefined>>
  readonly agentId: string
  readonly now: () => number
  /** Where other processes' probes are visible (the fleet's Redis); a plan never takes one. */
  readonly probeLeases?: ProbeLeases | undefined
}

/** Applies the simulated failures to a memory copy of the store and plans the route. */
export async function planRoute(options: PlanRouteOptions): Promise<RoutePlan> {
  const { model, config } = options
  // A private memory store: the simulated failures never reach the store file.
  const working = createMemoryAuthStore(options.store)
  const simulated: SimulatedFailure[] = []
  for (const { profileId, reason } of options.simulate) {
    const provider = normalizeProviderId(options.store.profiles[profileId]?.provider ?? '')
    await markAuthProfileFailure({
      store: working,
      profileId,
      reason,
      ...(provider === model.provider ? { model: model.model } : {}),
      config,
      now: options.now,
    })
  }
  const store = await working.load()
  const now = options.now()
  for (const { profileId, reason } of options.simulate) {
    const state = unusableState(store.usageStats?.[profileId], now)
    simulated.push({ profileId, reason, ...(state ? { until: state.until } : {}) })
  }
  const { planFailover } = await import('@claw/failover')
  const plan = await planFailover({
    config,
    store,
    provider: model.provider,
    model: model.model,
    agentId: options.agentId,
    env: options.env,
    now: () => now,
    ...(options.profile ? { sessionProfile: { profileId: options.profile, source: 'user' } } : {}),
    ...(options.probeLeases ? { probeLeases: options.probeLeases } : {}),
  })
  const trace: readonly RouteTraceEntry[] = plan.trace
  return {
    model,
    ...(options.profile ? { profile: options.profile } : {}),
    simulated,
    chosen: plan.chosen ?? null,
    trace,
    ...(plan.error ? { error: plan.error } : {}),
    summary: summarizeRoute(trace),
  }
}
