// Routing state to Redis: the difference between two stores as WRITE_ROUTING_SCRIPT operations.
import type {
  AuthProfileFailureReason,
  AuthProfileStore,
  ProfileUsageStats,
  UsageLimitWindow,
} from '../types.js'
import type { FleetKeys } from './key-layout.js'
import { FAILURE, TIMESTAMPS } from './routing-read.js'

/**
 * One WRITE_ROUTING_SCRIPT operation, with key names in place (see {@link encodeRoutingOps}).
 *
 * @internal
 */
export type RoutingOp = readonly (string | number)[]

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
