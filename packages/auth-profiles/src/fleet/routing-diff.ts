// Routing state ⇄ Redis: decoding a READ_ROUTING_SCRIPT reply into store fields, and turning the
// difference between two stores into WRITE_ROUTING_SCRIPT operations.
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

/**
 * One WRITE_ROUTING_SCRIPT operation, with key names in place (see {@link encodeRoutingOps}).
 *
 * @internal
 */
export type RoutingOp = readonly (string | number)[]

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

const TIMESTAMPS = ['lastUsed', 'lastFailureAt', 'refreshFailedAt'] as const
const FAILURE = 'failure:'

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

/** Whether any profile (credential) differs between two stores. @internal */
export function profilesChanged(before: AuthProfileStore, after: AuthProfileStore): boolean {
  return changedProfileIds(before, after).length > 0
}

function changedProfileIds(before: AuthProfileStore, after: AuthProfileStore): string[] {
  const ids = new Set([...Object.keys(before.profiles), ...Object.keys(after.profiles)])
  return [...ids].filter(
    (id) => JSON.stringify(before.profiles[id]) !== JSON.stringify(after.profiles[id]),
  )
}

/**
 * Copies the profiles that changed from `before` to `after` onto `target` (the credentials
 * backend's fresh store). Returns whether anything was copied.
 *
 * @internal
 */
export function applyProfileChanges(
  target: AuthProfileStore,
  before: AuthProfileStore,
  after: AuthProfileStore,
): boolean {
  const changed = changedProfileIds(before, after)
  for (const id of changed) {
    const credential = after.profiles[id]
    if (credential === undefined) delete target.profiles[id]
    else target.profiles[id] = credential
  }
  return changed.length > 0
}

/** A counter: deltas as HINCRBY (concurrent increments add up); resets as explicit writes. */
function diffCounter(
  ops: RoutingOp[],
  key: string,
  field: string,
  before: number | undefined,
  after: number | undefined,
): void {
  if (before === after) return
  if (after === undefined) ops.push(['hdel', key, field])
  else if (after > (before ?? 0) && (before ?? 0) >= 0 && after !== 0)
    ops.push(['incr', key, field, after - (before ?? 0)])
  else ops.push(['hset', key, field, after])
}

interface Window {
  readonly until: number | undefined
  readonly value: string
}

/** Where a window lives: a key with a PX TTL, or a field of a hash (model cooldowns). */
type WindowPlace = { readonly key: string; readonly field?: string }

/** A window: monotonic set (plus its recorded deadline), explicit or expired-only clear. */
function diffWindow(
  ops: RoutingOp[],
  place: WindowPlace,
  usageKey: string,
  shadow: string,
  before: Window,
  after: Window,
  now: number,
  extraOnClear: readonly string[] = [],
): void {
  if (after.until === before.until) return
  const { key, field } = place
  if (after.until !== undefined && after.until > now) {
    const ttl = Math.ceil(after.until - now)
    ops.push(
      field === undefined ? ['win', key, after.value, ttl] : ['hwin', key, field, after.value, ttl],
    )
    ops.push(['max', usageKey, shadow, after.until])
  } else if (after.until !== undefined && !(before.until !== undefined && before.until > now)) {
    // A window that ended before it was written (a short retry hint, a slow write) is still
    // recorded, as the file store records it: the profile is on probation until a success.
    ops.push(['max', usageKey, shadow, after.until])
  } else if (before.until !== undefined && before.until > now) {
    ops.push(field === undefined ? ['del', key] : ['hdel', key, field])
    ops.push(['hdel', usageKey, shadow, ...extraOnClear])
  } else if (before.until !== undefined) {
    ops.push(goneOp(place, usageKey, [shadow, ...extraOnClear]))
  }
}

/** Clears `fields` of `usageKey` only once the window at `place` has expired. */
function goneOp(place: WindowPlace, usageKey: string, fields: readonly string[]): RoutingOp {
  return place.field === undefined
    ? ['gone', place.key, usageKey, ...fields]
    : ['hgone', place.key, place.field, usageKey, ...fields]
}

function windowValue(reason: string | undefined, model?: string, usage?: UsageLimitWindow): string {
  return JSON.stringify({
    ...(reason ? { reason } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(usage !== undefined ? { usage } : {}),
  })
}

function diffStats(
  ops: RoutingOp[],
  keys: FleetKeys,
  agentId: string,
  profileId: string,
  before: ProfileUsageStats,
  after: ProfileUsageStats,
  now: number,
): void {
  const usageKey = keys.usage(agentId, profileId)
  for (const field of TIMESTAMPS) {
    const next = after[field]
    if (next === before[field]) continue
    if (next === undefined) ops.push(['hdel', usageKey, field])
    else ops.push(['max', usageKey, field, next])
  }
  diffCounter(ops, usageKey, 'errorCount', before.errorCount, after.errorCount)
  const reasons = new Set([
    ...Object.keys(before.failureCounts ?? {}),
    ...Object.keys(after.failureCounts ?? {}),
  ])
  for (const reason of reasons) {
    const field = `${FAILURE}${reason}`
    const read = (stats: ProfileUsageStats) =>
      stats.failureCounts?.[reason as AuthProfileFailureReason]
    diffCounter(ops, usageKey, field, read(before), read(after))
  }
  diffWindow(
    ops,
    { key: keys.cooldown(agentId, profileId) },
    usageKey,
    'cooldownUntil',
    { until: before.cooldownUntil, value: '' },
    {
      until: after.cooldownUntil,
      value: windowValue(after.cooldownReason, after.cooldownModel, after.usageLimit),
    },
    now,
  )
  diffWindow(
    ops,
    { key: keys.disabled(agentId, profileId) },
    usageKey,
    'disabledUntil',
    { until: before.disabledUntil, value: '' },
    { until: after.disabledUntil, value: windowValue(after.disabledReason) },
    now,
  )
  const modelKey = keys.modelCooldowns(agentId, profileId)
  const models = new Set([
    ...Object.keys(before.modelCooldowns ?? {}),
    ...Object.keys(after.modelCooldowns ?? {}),
  ])
  for (const model of models) {
    const previous = before.modelCooldowns?.[model]
    const next = after.modelCooldowns?.[model]
    const countField = `model:${model}:errorCount`
    diffWindow(
      ops,
      { key: modelKey, field: model },
      usageKey,
      `model:${model}:until`,
      { until: previous?.until, value: '' },
      { until: next?.until, value: windowValue(next?.reason) },
      now,
    )
    if (next !== undefined || previous?.until === undefined || previous.until > now) {
      diffCounter(ops, usageKey, countField, previous?.errorCount, next?.errorCount)
    } else if (previous.errorCount !== undefined) {
      // An expired window's count goes with it (only if nobody opened a new window meanwhile).
      ops.push(goneOp({ key: modelKey, field: model }, usageKey, [countField]))
    }
  }
}

function diffMap(
  ops: RoutingOp[],
  key: string,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  encode: (value: unknown) => string,
): void {
  const fields = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])
  for (const field of fields) {
    const next = after?.[field]
    const previous = before?.[field]
    if (next === undefined) {
      if (previous !== undefined) ops.push(['hdel', key, field])
    } else if (previous === undefined || encode(previous) !== encode(next)) {
      ops.push(['hset', key, field, encode(next)])
    }
  }
}

/**
 * The WRITE_ROUTING_SCRIPT operations that turn the routing state of `before` into that of
 * `after` (both merged views, `now` the writer's clock).
 *
 * @internal
 */
export function diffRouting(
  keys: FleetKeys,
  agentId: string,
  before: AuthProfileStore,
  after: AuthProfileStore,
  now: number,
): RoutingOp[] {
  const ops: RoutingOp[] = []
  const ids = new Set([
    ...Object.keys(before.usageStats ?? {}),
    ...Object.keys(after.usageStats ?? {}),
  ])
  for (const profileId of ids) {
    const previous = before.usageStats?.[profileId] ?? {}
    const next = after.usageStats?.[profileId] ?? {}
    if (previous === next) continue
    diffStats(ops, keys, agentId, profileId, previous, next, now)
  }
  diffMap(ops, keys.order(agentId), before.order, after.order, (value) => JSON.stringify(value))
  diffMap(ops, keys.lastGood(agentId), before.lastGood, after.lastGood, (value) => String(value))
  const reauth = keys.reauth(agentId)
  const profileIds = new Set([...Object.keys(before.profiles), ...Object.keys(after.profiles)])
  for (const profileId of profileIds) {
    const was = before.profiles[profileId]?.status === 'needs_reauth'
    const is = after.profiles[profileId]?.status === 'needs_reauth'
    if (is && !was) ops.push(['sadd', reauth, profileId])
    else if (was && !is) ops.push(['srem', reauth, profileId])
  }
  return ops
}

/** The positions of the key names in each operation (the rest are values). */
const KEY_POSITIONS: Readonly<Record<string, readonly number[]>> = {
  gone: [1, 2],
  hgone: [1, 3],
  success: [1, 3, 4, 5],
}

/**
 * WRITE_ROUTING_SCRIPT's KEYS and ARGV for `ops`: every key name moves to KEYS (once), and the
 * operation refers to it by its index there (1-based, as Lua's).
 *
 * @internal
 */
export function encodeRoutingOps(ops: readonly RoutingOp[]): { keys: string[]; args: string[] } {
  const keys: string[] = []
  const index = new Map<string, number>()
  const encoded = ops.map((op) => {
    const out = [...op]
    for (const position of KEY_POSITIONS[op[0] as string] ?? [1]) {
      const name = String(op[position])
      let at = index.get(name)
      if (at === undefined) {
        at = keys.push(name)
        index.set(name, at)
      }
      out[position] = at
    }
    return out
  })
  return { keys, args: [JSON.stringify(encoded)] }
}
