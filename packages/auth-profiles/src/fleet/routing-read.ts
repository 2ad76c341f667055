// Routing state from Redis: the READ_ROUTING_SCRIPT keys of an agent, its reply decoded into store
// fields, and the merged view of credentials and routing state.
import type {
  AuthProfileFailureReason,
  AuthProfileStore,
  ModelCooldown,
  ProfileUsageStats,
  UsageLimitWindow,
} from '../types.js'
import type { FleetKeys } from './key-layout.js'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** The routing part of a store, as read from Redis. @internal */
export interface RoutingState {
  readonly usageStats: Record<string, ProfileUsageStats>
  readonly order: Record<string, string[]>
  readonly lastGood: Record<string, string>
  /** Profile ids marked `needs_reauth`. */
  readonly reauth: ReadonlySet<string>
}

interface RawProfile {
  readonly u: Record<string, string> | unknown[]
  readonly c: string | false
  readonly cp: number
  readonly d: string | false
  readonly dp: number
  readonly m: Record<string, [string | false, number]> | unknown[]
}
interface RawRouting {
  readonly p: RawProfile[] | Record<string, never>
  readonly o: Record<string, string> | unknown[]
  readonly g: Record<string, string> | unknown[]
  readonly r: Record<string, boolean> | unknown[]
}

/** cjson encodes an empty table as `{}`; an empty array may come back too. */
function record<V>(value: Record<string, V> | unknown[] | undefined): Record<string, V> {
  return value === undefined || Array.isArray(value) ? {} : value
}

export const TIMESTAMPS = ['lastUsed', 'lastFailureAt', 'refreshFailedAt'] as const
export const FAILURE = 'failure:'

function num(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const parsed = Number(value)
  return Number.isFinite(parsed) ? parsed : undefined
}

function parseWindow(value: string | false): {
  reason?: AuthProfileFailureReason
  model?: string
  usage?: UsageLimitWindow
} {
  if (value === false) return {}
  try {
    const parsed = JSON.parse(value) as { reason?: unknown; model?: unknown; usage?: unknown }
    const usage = parsed.usage as Partial<UsageLimitWindow> | undefined
    return {
      ...(typeof parsed.reason === 'string'
        ? { reason: parsed.reason as AuthProfileFailureReason }
        : {}),
      ...(typeof parsed.model === 'string' ? { model: parsed.model } : {}),
      ...(typeof usage?.window === 'string' && typeof usage.resetsAt === 'number'
        ? { usage: usage as UsageLimitWindow }
        : {}),
    }
  } catch {
    return {}
  }
}

/**
 * A window's deadline: `now + PTTL` while the key lives (Redis measures it); once it has expired
 * the last recorded deadline, capped at `now`, so the bookkeeping sees an expired window and
 * restarts its counters exactly as with the file backend.
 */
function deadline(
  value: string | false,
  pttl: number,
  shadow: number | undefined,
  now: number,
): number | undefined {
  if (value !== false && pttl > 0) return now + pttl
  if (value !== false && pttl === -1) return shadow
  return shadow === undefined ? undefined : Math.min(shadow, now)
}

function decodeProfile(raw: RawProfile, now: number): ProfileUsageStats | undefined {
  const usage = record<string>(raw.u)
  const stats: Mutable<ProfileUsageStats> = {}
  for (const field of TIMESTAMPS) {
    const value = num(usage[field])
    if (value !== undefined) stats[field] = value
  }
  const errorCount = num(usage.errorCount)
  if (errorCount !== undefined) stats.errorCount = errorCount
  let failureCounts: Record<string, number> | undefined
  for (const field in usage) {
    if (!field.startsWith(FAILURE)) continue
    const value = num(usage[field])
    if (value !== undefined) (failureCounts ??= {})[field.slice(FAILURE.length)] = value
  }
  if (failureCounts) stats.failureCounts = failureCounts
  const cooldownUntil = deadline(raw.c, raw.cp, num(usage.cooldownUntil), now)
  if (cooldownUntil !== undefined) {
    stats.cooldownUntil = cooldownUntil
    const window = parseWindow(raw.c)
    if (window.reason) stats.cooldownReason = window.reason
    if (window.model !== undefined) stats.cooldownModel = window.model
    // The used-up subscription window rides on the cooldown key and expires with it.
    if (window.usage !== undefined) stats.usageLimit = window.usage
  }
  const disabledUntil = deadline(raw.d, raw.dp, num(usage.disabledUntil), now)
  if (disabledUntil !== undefined) {
    stats.disabledUntil = disabledUntil
    const { reason } = parseWindow(raw.d)
    if (reason) stats.disabledReason = reason
  }
  const models = record<[string | false, number]>(raw.m)
  let modelCooldowns: Record<string, ModelCooldown> | undefined
  for (const model in models) {
    const [value, pttl] = models[model] as [string | false, number]
    const until = deadline(value, pttl, num(usage[`model:${model}:until`]), now)
    if (until === undefined) continue
    const count = num(usage[`model:${model}:errorCount`])
    ;(modelCooldowns ??= {})[model] = {
      until,
      reason: parseWindow(value).reason ?? 'unknown',
      ...(count ? { errorCount: count } : {}),
    }
  }
  if (modelCooldowns) stats.modelCooldowns = modelCooldowns
  return Object.keys(stats).length === 0 ? undefined : stats
}

/**
 * Decodes a READ_ROUTING_SCRIPT reply for `profileIds` (in the order they were sent); deadlines
 * are `now + PTTL`.
 *
 * @internal
 */
export function decodeRouting(
  reply: string,
  profileIds: readonly string[],
  now: number,
): RoutingState {
  const raw = JSON.parse(reply) as RawRouting
  const profiles = Array.isArray(raw.p) ? raw.p : []
  const usageStats: Record<string, ProfileUsageStats> = {}
  profileIds.forEach((profileId, index) => {
    const entry = profiles[index]
    const stats = entry ? decodeProfile(entry, now) : undefined
    if (stats) usageStats[profileId] = stats
  })
  const order: Record<string, string[]> = {}
  const orderRaw = record<string>(raw.o)
  for (const provider in orderRaw) {
    try {
      const parsed = JSON.parse(orderRaw[provider] as string) as unknown
      if (Array.isArray(parsed)) order[provider] = parsed.filter((id) => typeof id === 'string')
    } catch {
      // a malformed entry is ignored, like a malformed store field
    }
  }
  return {
    usageStats,
    order,
    lastGood: { ...record<string>(raw.g) },
    reauth: new Set(Object.keys(record<boolean>(raw.r))),
  }
}

/** The READ_ROUTING_SCRIPT keys for `profileIds` (all in the agent's hash slot). @internal */
export function readRoutingKeys(
  keys: FleetKeys,
  agentId: string,
  profileIds: readonly string[],
): string[] {
  const names: string[] = []
  for (const profileId of profileIds) {
    names.push(
      keys.usage(agentId, profileId),
      keys.cooldown(agentId, profileId),
      keys.disabled(agentId, profileId),
      keys.modelCooldowns(agentId, profileId),
    )
  }
  names.push(keys.order(agentId), keys.lastGood(agentId), keys.reauth(agentId))
  return names
}

/**
 * The merged view: `credentials` with the routing state of Redis in place of its own (profiles
 * in the re-auth set carry `status: 'needs_reauth'`).
 *
 * @internal
 */
export function mergeRouting(
  credentials: AuthProfileStore,
  routing: RoutingState,
): AuthProfileStore {
  let profiles = credentials.profiles
  for (const profileId of routing.reauth) {
    const credential = profiles[profileId]
    if (!credential || credential.status === 'needs_reauth') continue
    if (profiles === credentials.profiles) profiles = { ...profiles }
    profiles[profileId] = { ...credential, status: 'needs_reauth' }
  }
  const merged: AuthProfileStore = { version: 1, profiles }
  if (Object.keys(routing.order).length > 0) merged.order = routing.order
  if (Object.keys(routing.lastGood).length > 0) merged.lastGood = routing.lastGood
  if (Object.keys(routing.usageStats).length > 0) merged.usageStats = routing.usageStats
  return merged
}
