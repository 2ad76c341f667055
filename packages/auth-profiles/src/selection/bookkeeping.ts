// Over 400 lines: the bookkeeping writes share one locked update path.
import { normalizeProviderId } from '@claw/model-catalog'
import { resolveCooldownSettings, type ClawConfig } from '../config.js'
import {
  calculateAuthProfileCooldownMs,
  calculateBillingDisableMs,
  clearExpiredFromStats,
  omitKeys,
  isCooldownBypassProvider,
  MAX_RETRY_AFTER_COOLDOWN_MS,
  MAX_USAGE_LIMIT_COOLDOWN_MS,
  MODEL_SCOPED_REASONS,
} from './cooldowns.js'
import { AuthProfilesError } from '../errors.js'
import { updateStoreEntry } from '../store/memory-store.js'
import { statsAfterSuccess, successEndsWindow } from './success-stats.js'
import { writeBehindOf, type WriteBehind } from '../store/write-behind.js'
import { resolveClock, type Clock } from '../runtime.js'
import { resolveAuthStoreBackend, type AuthStoreOptions } from '../store/store.js'
import {
  isAuthStoreBackend,
  type AuthStoreBackend,
  type AuthStoreUpdateOptions,
  type AuthStoreUpdateResult,
} from '../store/store-backend.js'
import type {
  AuthProfileFailureReason,
  AuthProfileStore,
  ModelCooldown,
  ProfileUsageStats,
  UsageLimitWindow,
} from '../types.js'

type MutableStats = { -readonly [K in keyof ProfileUsageStats]: ProfileUsageStats[K] }

/**
 * Where a bookkeeping change is persisted, for the deprecated form that passes a loaded store
 * object as `store`: an agent dir or a store handle.
 *
 * @public
 */
export type UsagePersistence = Partial<AuthStoreOptions>

/** @public */
export interface UsageUpdateOptions {
  /**
   * The store handle the change is recorded through: `openAuthStore({ agentDir })` (persisted),
   * `createMemoryAuthStore(…)` (in memory only), or a fleet backend. A loaded store object (what
   * `loadAuthProfileStore` returns) is refused with `ERR_INVALID_ARGUMENT` unless the deprecated
   * `persist` says where to record the change.
   */
  readonly store: AuthStoreBackend | AuthProfileStore
  readonly profileId: string
  readonly now?: Clock
  /**
   * @deprecated Pass the store handle as `store` instead. Where to persist the change when `store`
   * is a loaded store object (whose `usageStats` is then replaced by the fresh ones, unless it is a
   * frozen snapshot). Ignored when `store` is a handle.
   */
  readonly persist?: UsagePersistence | undefined
}

/**
 * What happened to a bookkeeping change. Persistence failures never throw: the error is returned
 * for logging (and nothing was recorded).
 *
 * @public
 */
export interface UsageUpdateResult {
  readonly changed: boolean
  /** Written to the store before the call returned. */
  readonly persisted: boolean
  /**
   * Soft bookkeeping held back (write-behind): the handle's loads show it now, the store gets it
   * within a second and on a clean exit (`store.flush()` / `flushAuthStores()` write it at once).
   */
  readonly deferred?: boolean
  readonly error?: AuthProfilesError
}

const UNCHANGED: UsageUpdateResult = Object.freeze({ changed: false, persisted: false })

function hasPersistence(persist: UsagePersistence | undefined): persist is AuthStoreOptions {
  return (
    persist !== undefined && ('store' in persist || 'backend' in persist || 'agentDir' in persist)
  )
}

/**
 * The handle a bookkeeping call records through: `store` when it is one, else the deprecated
 * `persist` target; a loaded store object alone is a mistake that used to lose every change.
 */
function recordingStore(
  options: { readonly store: AuthStoreBackend | AuthProfileStore; readonly persist?: unknown },
  caller: string,
): AuthStoreBackend {
  if (isAuthStoreBackend(options.store)) return options.store
  const persist = options.persist as UsagePersistence | undefined
  if (hasPersistence(persist)) return resolveAuthStoreBackend(persist)
  throw new AuthProfilesError(
    'ERR_INVALID_ARGUMENT',
    `${caller} needs the store handle as \`store\`, not a loaded store object: pass openAuthStore({ agentDir }) to record the change in the store file, or createMemoryAuthStore(store) to keep it in memory only.`,
  )
}

/** The deprecated form: the caller's own (unfrozen) store object follows the recorded state. */
function refreshCallerStore(
  options: { readonly store: AuthStoreBackend | AuthProfileStore },
  fresh: AuthProfileStore,
  section: 'usageStats' | 'lastGood',
): void {
  const { store } = options
  if (isAuthStoreBackend(store) || Object.isFrozen(store)) return
  // The caller's own object stays mutable: it gets a copy, never the frozen snapshot's part.
  if (fresh[section]) store[section] = structuredClone(fresh[section]) as never
  else delete store[section]
}

function persistError(error: unknown, message: string, profileId: string): AuthProfilesError {
  return AuthProfilesError.isInstance(error)
    ? error
    : new AuthProfilesError('ERR_STORE_WRITE', message, { cause: error, profileId })
}

type StatsChange = (
  stats: ProfileUsageStats | undefined,
  store: AuthProfileStore,
) => ProfileUsageStats | undefined

/** Applies `change` to `target`'s stats for `profileId`; true when it changed them. */
function applyStatsChange(
  target: AuthProfileStore,
  profileId: string,
  change: StatsChange,
): boolean {
  const current = target.usageStats?.[profileId]
  const next = change(current, target)
  if (next === current || next === undefined) return false
  target.usageStats = { ...target.usageStats, [profileId]: next }
  return true
}

/**
 * How request-path bookkeeping (failures, successes, last-good) is written: a fleet whose Redis is
 * unreachable records it locally rather than fail the request. Operator changes (a manual cooldown
 * clear) are written without it, so an unreachable fleet refuses them instead.
 */
const BOOKKEEPING: AuthStoreUpdateOptions = Object.freeze({ localFallback: true })

/** A locked update of the whole store applying `change` (backends without entry updates). */
function updateWholeStore(
  backend: AuthStoreBackend,
  profileId: string,
  change: StatsChange,
  updateOptions: AuthStoreUpdateOptions | undefined,
): Promise<AuthStoreUpdateResult<boolean>> {
  return backend.update((target) => applyStatsChange(target, profileId, change), updateOptions)
}

/**
 * Applies a change to one profile's stats through the store handle (under the store's lock, on
 * a fresh read, so concurrent processes lose no update). `makeChange` gets the store as loaded
 * (whose profiles include a sub-agent's read-through ones); a profile that is not in it is left
 * alone.
 */
async function updateStats(
  options: UsageUpdateOptions,
  updateOptions: AuthStoreUpdateOptions | undefined,
  caller: string,
  makeChange: (view: AuthProfileStore) => StatsChange,
): Promise<UsageUpdateResult> {
  const backend = recordingStore(options, caller)
  const { profileId } = options
  try {
    const view = await backend.load()
    if (!(profileId in view.profiles)) return UNCHANGED
    const change = makeChange(view)
    const updated = await (updateStoreEntry(backend, 'usageStats', profileId, change) ??
      updateWholeStore(backend, profileId, change, updateOptions))
    refreshCallerStore(options, updated.store, 'usageStats')
    return { changed: updated.result, persisted: updated.written }
  } catch (error) {
    const wrapped = persistError(
      error,
      `Could not persist usage stats for ${profileId}.`,
      profileId,
    )
    return { changed: false, persisted: false, error: wrapped }
  }
}

/** @public */
export interface MarkAuthProfileFailureOptions extends UsageUpdateOptions {
  readonly reason: AuthProfileFailureReason
  /** The model that failed: `rate_limit`, `timeout` and `model_not_found` cool down only it. */
  readonly model?: string | undefined
  /**
   * The provider's own retry hint (Retry-After or reset headers), in ms from now. It sets the
   * cooldown deadline precisely (capped at 24 h) instead of the backoff ladder.
   */
  readonly retryAfterMs?: number | undefined
  /**
   * A subscription usage window that ran out (see {@link UsageLimitWindow}): the whole profile, not
   * one model, cools down until it resets (capped at 8 days), and the window is recorded in the
   * stats so status can show it. Ignored when its reset is not in the future.
   */
  readonly usageLimit?: UsageLimitWindow | undefined
  /** For `auth.cooldowns` (billing backoff, failure window, bypass providers). */
  readonly config?: ClawConfig | undefined
}

function retryDeadline(now: number, retryAfterMs: number | undefined): number | undefined {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs < 0)
    return undefined
  return now + Math.min(retryAfterMs, MAX_RETRY_AFTER_COOLDOWN_MS)
}

/**
 * Records a failure:
 *
 * - Counters older than the failure window (`auth.cooldowns.failureWindowHours`, default 24 h)
 *   restart, together with the windows that have ended. A window's end alone restarts nothing: a
 *   key that fails again right after each window backs off 1, 5, 25, 60, 60 … min (claw's
 *   deliberate difference from OpenClaw, which restarted the counters when a window ended).
 * - `errorCount` and `failureCounts[reason]` go up; `lastFailureAt` = now.
 * - `billing` disables the profile for 5 h doubling to 24 h (per-provider base configurable);
 *   `auth_permanent` disables it for the billing cap until it is replaced.
 * - `rate_limit`, `timeout` and `model_not_found` with a `model` cool down only that model.
 * - Everything else cools the whole profile: 1, 5, 25, 60 min by consecutive failures.
 * - `usageLimit` (a used-up subscription window) cools the whole profile down until the window
 *   resets and records the window as `usageStats[id].usageLimit`.
 * - `retryAfterMs` sets the deadline instead of the ladder. A window that is already active is
 *   never extended by further failures inside it, except to honour a later provider deadline.
 * - Aggregators that never cool down (OpenRouter, or `auth.cooldowns.cooldownBypassProviders`)
 *   only count; disables still apply.
 *
 * A profile that is not in `store` is left alone. Persisting never throws (see the result).
 *
 * @public
 */
export async function markAuthProfileFailure(
  options: MarkAuthProfileFailureOptions,
): Promise<UsageUpdateResult> {
  const now = resolveClock(options)()
  const { reason, model } = options
  return updateStats(options, BOOKKEEPING, 'markAuthProfileFailure', (view) => (current, store) => {
    const credential = store.profiles[options.profileId] ?? view.profiles[options.profileId]
    const provider = credential?.provider ?? ''
    const settings = resolveCooldownSettings(options.config, provider)
    // The counters (and the ended windows that put a profile on probation) survive a window's end;
    // they restart on a success, or here, once the failure window passed without a failure.
    const windowOver =
      current?.lastFailureAt !== undefined && now - current.lastFailureAt > settings.failureWindowMs
    const cleared =
      current !== undefined && windowOver ? clearExpiredFromStats(current, now) : current
    let stats: MutableStats = omitKeys(cleared, windowOver ? ['failureCounts'] : [])
    if (windowOver) stats.errorCount = 0
    stats.errorCount = (stats.errorCount ?? 0) + 1
    stats.failureCounts = {
      ...stats.failureCounts,
      [reason]: (stats.failureCounts?.[reason] ?? 0) + 1,
    }
    stats.lastFailureAt = now
    const hinted = retryDeadline(now, options.retryAfterMs)

    if (reason === 'billing' || reason === 'auth_permanent') {
      const active = stats.disabledUntil !== undefined && stats.disabledUntil > now
      if (!active) {
        const duration =
          reason === 'billing'
            ? calculateBillingDisableMs(stats.failureCounts.billing ?? 1, settings)
            : settings.billingMaxMs
        stats.disabledUntil = now + duration
        stats.disabledReason = reason
      }
      return stats
    }
    if (isCooldownBypassProvider(provider, options.config)) return stats

    const limit = options.usageLimit
    if (limit !== undefined && Number.isFinite(limit.resetsAt) && limit.resetsAt > now) {
      const until = Math.min(limit.resetsAt, now + MAX_USAGE_LIMIT_COOLDOWN_MS)
      const active =
        stats.cooldownUntil !== undefined &&
        stats.cooldownUntil > now &&
        stats.cooldownModel === undefined
      if (!active || until > (stats.cooldownUntil ?? 0)) {
        if (Object.hasOwn(stats, 'cooldownModel')) stats = omitKeys(stats, ['cooldownModel'])
        stats.cooldownUntil = until
        if (!active) stats.cooldownReason = reason
      }
      stats.usageLimit = limit
      return stats
    }

    if (model !== undefined && model !== '' && MODEL_SCOPED_REASONS.has(reason)) {
      const previous = stats.modelCooldowns?.[model]
      const active = previous !== undefined && previous.until > now
      // An ended window of this model still counts: the model's ladder goes on.
      const errorCount = (previous === undefined ? 0 : (previous.errorCount ?? 1)) + 1
      const until = active
        ? Math.max(previous.until, hinted ?? 0)
        : (hinted ?? now + calculateAuthProfileCooldownMs(errorCount))
      const entry: ModelCooldown = { until, reason: active ? previous.reason : reason, errorCount }
      stats.modelCooldowns = { ...stats.modelCooldowns, [model]: entry }
      return stats
    }
    const active =
      stats.cooldownUntil !== undefined &&
      stats.cooldownUntil > now &&
      stats.cooldownModel === undefined
    if (active) {
      if (hinted !== undefined && hinted > (stats.cooldownUntil ?? 0)) stats.cooldownUntil = hinted
    } else {
      stats.cooldownUntil = hinted ?? now + calculateAuthProfileCooldownMs(stats.errorCount)
      stats.cooldownReason = reason
      if (Object.hasOwn(stats, 'cooldownModel')) stats = omitKeys(stats, ['cooldownModel'])
    }
    return stats
  })
}

/** @public */
export interface MarkAuthProfileUsedOptions extends UsageUpdateOptions {
  /** The model that succeeded: its model-scoped cooldown is cleared too. */
  readonly model?: string | undefined
}

/**
 * Records a success: `lastUsed` = now, and the error counters, profile-wide cooldown, disable
 * window and failure counts are cleared (`lastFailureAt` is kept). Model-scoped cooldowns of
 * other models stay.
 *
 * Through the file store or the Redis state backend handle this is written behind
 * (`deferred: true`; the deprecated `persist` form writes at once): the handle shows it at once,
 * the store gets it within a second (merged with what other processes wrote meanwhile: a failure
 * recorded after the success wins) and on a clean exit. A success that ends a window (a cooldown
 * or a disable, open or run out) is written before this returns: other processes skip the
 * profile, or hold it on probation, until they read it.
 *
 * @public
 */
export async function markAuthProfileUsed(
  options: MarkAuthProfileUsedOptions,
): Promise<UsageUpdateResult> {
  const now = resolveClock(options)()
  const writeBehind = isAuthStoreBackend(options.store) ? writeBehindOf(options.store) : undefined
  if (writeBehind !== undefined) return recordSuccessBehind(options, writeBehind, now)
  return recordSuccessNow(options, now)
}

function recordSuccessNow(
  options: MarkAuthProfileUsedOptions,
  now: number,
): Promise<UsageUpdateResult> {
  return updateStats(
    options,
    BOOKKEEPING,
    'markAuthProfileUsed',
    () => (current) => statsAfterSuccess(current, now, options.model),
  )
}

const DEFERRED: UsageUpdateResult = Object.freeze({
  changed: true,
  persisted: false,
  deferred: true,
})

/** markAuthProfileUsed on a backend that writes soft bookkeeping behind. */
async function recordSuccessBehind(
  options: MarkAuthProfileUsedOptions,
  writeBehind: WriteBehind,
  now: number,
): Promise<UsageUpdateResult> {
  const backend = options.store as AuthStoreBackend
  const { profileId, model } = options
  let view: AuthProfileStore
  try {
    view = await backend.load()
  } catch (error) {
    const wrapped = persistError(error, `Could not record a success for ${profileId}.`, profileId)
    return { changed: false, persisted: false, error: wrapped }
  }
  if (!(profileId in view.profiles)) return UNCHANGED
  if (successEndsWindow(view.usageStats?.[profileId], model)) return recordSuccessNow(options, now)
  writeBehind.deferSuccess(profileId, model, now)
  return DEFERRED
}

/**
 * Manually clears a profile's cooldowns (profile-wide and model-scoped) and resets `errorCount`.
 * A billing or re-auth disable stays. No-op for a profile without stats. An operator's change: in a
 * fleet whose Redis is unreachable nothing is written and `error` is a retryable
 * `ERR_FLEET_UNAVAILABLE` (the bookkeeping functions record locally instead).
 *
 * @public
 */
export async function clearAuthProfileCooldown(
  options: UsageUpdateOptions,
): Promise<UsageUpdateResult> {
  return updateStats(options, undefined, 'clearAuthProfileCooldown', () => (current) => {
    if (!current) return current
    const stats: MutableStats = omitKeys(current, [
      'cooldownUntil',
      'cooldownReason',
      'cooldownModel',
      'usageLimit',
      'modelCooldowns',
    ])
    stats.errorCount = 0
    return stats
  })
}

/** @public */
export interface MarkAuthProfileGoodOptions {
  /** The store handle (see {@link UsageUpdateOptions.store}). */
  readonly store: AuthStoreBackend | AuthProfileStore
  readonly provider: string
  readonly profileId: string
  /** @deprecated See {@link UsageUpdateOptions.persist}. */
  readonly persist?: UsagePersistence | undefined
}

/**
 * Records the last profile that completed a run for its provider (`lastGood`, informational). Only
 * when the stored profile belongs to `provider` (compared after normalisation). Written behind
 * like a success (see {@link markAuthProfileUsed}).
 *
 * @public
 */
export async function markAuthProfileGood(
  options: MarkAuthProfileGoodOptions,
): Promise<UsageUpdateResult> {
  const backend = recordingStore(options, 'markAuthProfileGood')
  const providerKey = normalizeProviderId(options.provider)
  const { profileId } = options
  try {
    const view = await backend.load()
    const credential = view.profiles[profileId]
    if (!credential || normalizeProviderId(credential.provider) !== providerKey) return UNCHANGED
    // Already recorded (the common case on a healthy profile): no locked write.
    if (view.lastGood?.[providerKey] === profileId) return UNCHANGED
    // Informational: written behind where the backend can (see markAuthProfileUsed).
    const writeBehind = isAuthStoreBackend(options.store) ? writeBehindOf(backend) : undefined
    if (writeBehind !== undefined) {
      writeBehind.deferLastGood(providerKey, profileId)
      return DEFERRED
    }
    const updated = await updateLastGood(backend, providerKey, profileId)
    refreshCallerStore(options, updated.store, 'lastGood')
    return { changed: updated.result, persisted: updated.written }
  } catch (error) {
    const wrapped = persistError(error, `Could not persist lastGood for ${profileId}.`, profileId)
    return { changed: false, persisted: false, error: wrapped }
  }
}

/** Records `profileId` as `target.lastGood[providerKey]`; true when it changed. */
function applyLastGood(target: AuthProfileStore, providerKey: string, profileId: string): boolean {
  if (target.lastGood?.[providerKey] === profileId) return false
  target.lastGood = { ...target.lastGood, [providerKey]: profileId }
  return true
}

/** The locked update of `lastGood[providerKey]` (an entry update where the backend has one). */
function updateLastGood(
  backend: AuthStoreBackend,
  providerKey: string,
  profileId: string,
): Promise<AuthStoreUpdateResult<boolean>> {
  return (
    updateStoreEntry(backend, 'lastGood', providerKey, (recorded?: string) =>
      recorded === profileId ? recorded : profileId,
    ) ?? backend.update((target) => applyLastGood(target, providerKey, profileId), BOOKKEEPING)
  )
}
