import { getProvider, normalizeProviderId } from '@claw/model-catalog'
import type { ClawConfig, CooldownSettings } from '../config.js'
import { resolveClock } from '../runtime.js'
import type { AuthProfileFailureReason, AuthProfileStore, ProfileUsageStats } from '../types.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** Reasons whose cooldown applies only to the model that failed. @public */
export const MODEL_SCOPED_REASONS: ReadonlySet<AuthProfileFailureReason> = new Set([
  'rate_limit',
  'timeout',
  'model_not_found',
])

/**
 * Whether `provider` never cools down: aggregators such as OpenRouter and Kilo Code route each
 * request to one of many upstreams, so a window recorded on them says nothing about the next
 * request. The registry's `cooldownBypass` flag decides, unless config
 * `auth.cooldowns.cooldownBypassProviders` lists the providers itself (then only those bypass).
 * Failures on them are counted but open no cooldown, and ordering and failover never skip or
 * demote them for a cooldown or disable window.
 *
 * @public
 */
export function isCooldownBypassProvider(
  provider: string,
  config?: Pick<ClawConfig, 'auth'>,
): boolean {
  const configured = config?.auth?.cooldowns?.cooldownBypassProviders
  const key = normalizeProviderId(provider)
  if (configured) return configured.some((entry) => normalizeProviderId(entry) === key)
  return getProvider(key)?.cooldownBypass ?? false
}

/** Longest cooldown a provider's Retry-After hint may set. @public */
export const MAX_RETRY_AFTER_COOLDOWN_MS = 24 * HOUR

/**
 * Longest cooldown a used-up subscription window may set: a weekly window plus a day of margin
 * (a reset further out is treated as a mistake and capped).
 *
 * @public
 */
export const MAX_USAGE_LIMIT_COOLDOWN_MS = 8 * 24 * HOUR

/**
 * The cooldown after `errorCount` consecutive failures: `min(1 h, 1 min × 5^min(n−1, 3))` with
 * `n = max(1, errorCount)`, i.e. 1, 5, 25, 60, 60 … minutes.
 *
 * @public
 */
export function calculateAuthProfileCooldownMs(errorCount: number): number {
  const n = Math.max(1, Number.isFinite(errorCount) ? Math.floor(errorCount) : 1)
  return Math.min(HOUR, MINUTE * 5 ** Math.min(n - 1, 3))
}

/**
 * The billing disable after `billingCount` billing failures:
 * `min(cap, max(1 min, base) × 2^min(n−1, 10))`, i.e. 5, 10, 20, 24, 24 … hours by default.
 *
 * @public
 */
export function calculateBillingDisableMs(
  billingCount: number,
  settings: Pick<CooldownSettings, 'billingBackoffMs' | 'billingMaxMs'>,
): number {
  const n = Math.max(1, Number.isFinite(billingCount) ? Math.floor(billingCount) : 1)
  const base = Math.max(MINUTE, settings.billingBackoffMs)
  const cap = Math.max(base, settings.billingMaxMs)
  return Math.min(cap, base * 2 ** Math.min(n - 1, 10))
}

function activeValue(value: number | undefined, now: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > now
}

/** @public */
export interface UnusableOptions {
  /** The model about to be used: model-scoped cooldowns of other models do not count. */
  readonly model?: string | undefined
}

/**
 * When a profile becomes usable again: the latest of its disable window, its profile-wide
 * cooldown and (for `model`) its model-scoped cooldown. `undefined` when nothing blocks it. A
 * model-scoped cooldown of another model does not count; without `model`, none do.
 *
 * @public
 */
export function resolveProfileUnusableUntil(
  stats: ProfileUsageStats | undefined,
  options: UnusableOptions = {},
): number | undefined {
  if (!stats) return undefined
  // Called per profile and per candidate on every run: no temporary arrays.
  let until = latest(undefined, stats.disabledUntil)
  if (stats.cooldownModel === undefined || stats.cooldownModel === options.model) {
    until = latest(until, stats.cooldownUntil)
  }
  if (options.model !== undefined)
    until = latest(until, stats.modelCooldowns?.[options.model]?.until)
  return until
}

/** The later of `until` and `value`, counting only finite positive numbers. */
function latest(until: number | undefined, value: unknown): number | undefined {
  return typeof value === 'number' &&
    Number.isFinite(value) &&
    value > 0 &&
    (until === undefined || value > until)
    ? value
    : until
}

/**
 * Like {@link resolveProfileUnusableUntil} but counting every model-scoped cooldown, for display.
 *
 * @public
 */
export function resolveProfileUnusableUntilForDisplay(
  stats: ProfileUsageStats | undefined,
): number | undefined {
  if (!stats) return undefined
  const values = [
    stats.disabledUntil,
    stats.cooldownUntil,
    ...Object.values(stats.modelCooldowns ?? {}).map((entry) => entry.until),
  ].filter(
    (value): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0,
  )
  return values.length === 0 ? undefined : Math.max(...values)
}

/** @public */
export interface CooldownCheckOptions extends UnusableOptions {
  readonly now?: number
}

/**
 * True when the profile cannot be used now (for `model`, when given).
 *
 * @public
 */
export function isProfileInCooldown(
  store: AuthProfileStore,
  profileId: string,
  options: CooldownCheckOptions = {},
): boolean {
  const until = resolveProfileUnusableUntil(store.usageStats?.[profileId], options)
  return until !== undefined && (options.now ?? resolveClock({})()) < until
}

/**
 * A copy of `record` without `keys` (no `delete`, which would turn the copy into a slow
 * dictionary object). An own `__proto__` key is copied as an own property, as a spread does.
 *
 * @internal
 */
export function omitKeys<T extends object>(record: T | undefined, keys: readonly string[]): T {
  const entries = Object.entries(record ?? {}).filter(([key]) => !keys.includes(key))
  return Object.fromEntries(entries) as T
}

/**
 * Removes windows that have ended from one profile's stats (profile-wide, disabled and
 * model-scoped, independently). The counters stay: they restart on a success or once the failure
 * window passes without a failure, so a key that fails again right after each window keeps backing
 * off. Returns the new stats, or the same object when nothing ended.
 *
 * @internal
 */
export function clearExpiredFromStats(stats: ProfileUsageStats, now: number): ProfileUsageStats {
  const cooldownExpired =
    stats.cooldownUntil !== undefined && !activeValue(stats.cooldownUntil, now)
  const disableExpired = stats.disabledUntil !== undefined && !activeValue(stats.disabledUntil, now)
  // The model cooldowns still running, and whether any ran out.
  const models = Object.entries(stats.modelCooldowns ?? {})
  const running = models.filter(([, entry]) => activeValue(entry.until, now))
  const modelExpired = running.length < models.length
  const activeModels = running.length > 0 ? Object.fromEntries(running) : undefined
  if (!cooldownExpired && !disableExpired && !modelExpired) return stats

  const dropped: string[] = []
  if (cooldownExpired)
    dropped.push('cooldownUntil', 'cooldownReason', 'cooldownModel', 'usageLimit')
  if (disableExpired) dropped.push('disabledUntil', 'disabledReason')
  if (stats.modelCooldowns && activeModels === undefined) dropped.push('modelCooldowns')
  const next = omitKeys<{ -readonly [K in keyof ProfileUsageStats]: ProfileUsageStats[K] }>(
    stats,
    dropped,
  )
  if (activeModels) next.modelCooldowns = activeModels
  return next
}

/**
 * Removes the cooldown and disable windows of every profile in `store` (in memory) that have
 * ended. Counters are kept (they restart on a success or after the failure window). An ended window
 * that is still recorded puts its profile on probation: the next run probes it alone before the
 * others use it again (see the failover engine); clearing it skips that probe. Returns whether
 * anything changed.
 *
 * Unlike OpenClaw, claw never resets `errorCount` when a window ends: see the cooldown ladder
 * in the package README.
 *
 * @public
 */
export function clearExpiredCooldowns(
  store: AuthProfileStore,
  options: { readonly now: number },
): boolean {
  if (!store.usageStats) return false
  let changed = false
  for (const [profileId, stats] of Object.entries(store.usageStats)) {
    const next = clearExpiredFromStats(stats, options.now)
    if (next !== stats) {
      store.usageStats[profileId] = next
      changed = true
    }
  }
  return changed
}
