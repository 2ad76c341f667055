// What a success does to a profile's stats, shared by the locked write of markAuthProfileUsed and
// the write-behind of the same bookkeeping (see store/write-behind.ts).
import { omitKeys } from './cooldowns.js'
import type { ProfileUsageStats } from '../types.js'

type MutableStats = { -readonly [K in keyof ProfileUsageStats]: ProfileUsageStats[K] }

/** What a success clears (`lastFailureAt` stays). */
const clearedOnSuccess = [
  'cooldownUntil',
  'cooldownReason',
  'cooldownModel',
  'usageLimit',
  'disabledUntil',
  'disabledReason',
  'failureCounts',
]

/**
 * The stats after a success at `now` with `model`: `lastUsed` = now, the error counters, the
 * profile-wide cooldown, the disable window, the failure counts and `model`'s own cooldown cleared
 * (`lastFailureAt` and the cooldowns of other models stay).
 *
 * @internal
 */
export function statsAfterSuccess(
  current: ProfileUsageStats | undefined,
  now: number,
  model: string | undefined,
): ProfileUsageStats {
  // The model's own cooldown goes too; the cooldowns of other models stay.
  const otherModels =
    model !== undefined && current?.modelCooldowns?.[model]
      ? omitKeys(current.modelCooldowns, [model])
      : undefined
  const emptied = otherModels !== undefined && Object.keys(otherModels).length === 0
  const stats: MutableStats = omitKeys(
    current,
    emptied ? [...clearedOnSuccess, 'modelCooldowns'] : clearedOnSuccess,
  )
  if (otherModels && !emptied) stats.modelCooldowns = otherModels
  stats.lastUsed = now
  stats.errorCount = 0
  return stats
}

/**
 * Whether a success ends a window: a disable, a profile-wide cooldown (also one an older writer
 * scoped to a model) or `model`'s own cooldown, still open or run out. Such a success is written
 * at once: other processes skip the profile while a window is open, and after it has run out they
 * hold the profile on probation (one probe per fleet) until they read the probe's success. Any
 * other success only moves `lastUsed` and resets counters, and may be written behind. A window
 * ends once, so this costs one write per window, not one per success.
 *
 * @internal
 */
export function successEndsWindow(
  stats: ProfileUsageStats | undefined,
  model: string | undefined,
): boolean {
  if (stats === undefined) return false
  if (stats.disabledUntil !== undefined || stats.cooldownUntil !== undefined) return true
  return model !== undefined && stats.modelCooldowns?.[model] !== undefined
}

/**
 * A success recorded at `at` and written later, merged into stats read at write time (another
 * process may have written since). A failure recorded after the success wins: only `lastUsed`
 * moves forward, the failure's counters and window stay. Otherwise the success applies as it
 * would have at `at`. `lastUsed` never moves back.
 *
 * @internal
 */
export function mergeDeferredSuccess(
  current: ProfileUsageStats | undefined,
  at: number,
  model: string | undefined,
): ProfileUsageStats {
  const failedSince = current?.lastFailureAt !== undefined && current.lastFailureAt > at
  const lastUsed = Math.max(at, current?.lastUsed ?? at)
  if (failedSince) {
    if (current.lastUsed === lastUsed) return current
    return { ...current, lastUsed }
  }
  const stats: MutableStats = statsAfterSuccess(current, at, model)
  stats.lastUsed = lastUsed
  return stats
}
