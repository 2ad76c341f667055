import type { AuthProfileFailureReason, ProfileUsageStats } from '../types.js'

/**
 * A profile whose cooldown or disable window has ended but that has not succeeded since: it is on
 * probation (a circuit breaker's "half-open" state). The first run that wants it probes it alone;
 * the others keep to the remaining credentials until the probe succeeds (which clears the ended
 * window) or fails (which opens the next, longer window).
 *
 * @public
 */
export interface ProfileProbation {
  /**
   * `model`: only a model-scoped window of `model` ended, so only that model is probed; `profile`:
   * a profile-wide cooldown or a disable ended, so the profile is probed whatever the model.
   */
  readonly scope: 'profile' | 'model'
  /** With scope `model`: the model. */
  readonly model?: string
  /** When the latest ended window ended (epoch ms). */
  readonly endedAt: number
  /** `disabled` when the latest ended window was a disable (billing, revoked). */
  readonly kind: 'cooldown' | 'disabled'
  /** The failure recorded with that window, when there is one. */
  readonly reason?: AuthProfileFailureReason
}

/** @public */
export interface ResolveProfileProbationOptions {
  /** The model about to be used: ended windows of other models do not count. */
  readonly model?: string | undefined
  readonly now: number
}

function ended(value: number | undefined, now: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= now
}

function active(value: number | undefined, now: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value > now
}

/**
 * Whether a profile is on probation for `model` (see {@link ProfileProbation}): a window that
 * applies to `model` has ended and is still recorded (windows stay recorded until the next
 * success), and no window that applies to it is active. `undefined` otherwise — also while a
 * window is active (that is a cooldown, not a probation).
 *
 * @public
 */
export function resolveProfileProbation(
  stats: ProfileUsageStats | undefined,
  options: ResolveProfileProbationOptions,
): ProfileProbation | undefined {
  // Called per credential on every run: the common "nothing recorded" case allocates nothing.
  if (stats === undefined) return undefined
  const { now, model } = options
  const profileWideCooldown = stats.cooldownModel === undefined || stats.cooldownModel === model
  const modelEntry = model === undefined ? undefined : stats.modelCooldowns?.[model]
  if (
    active(stats.disabledUntil, now) ||
    (profileWideCooldown && active(stats.cooldownUntil, now)) ||
    active(modelEntry?.until, now)
  )
    return undefined
  let probation: ProfileProbation | undefined
  if (ended(stats.disabledUntil, now)) {
    probation = {
      scope: 'profile',
      endedAt: stats.disabledUntil,
      kind: 'disabled',
      ...(stats.disabledReason ? { reason: stats.disabledReason } : {}),
    }
  }
  if (
    profileWideCooldown &&
    ended(stats.cooldownUntil, now) &&
    (probation === undefined || stats.cooldownUntil > probation.endedAt)
  ) {
    probation = {
      scope: stats.cooldownModel === undefined ? 'profile' : 'model',
      ...(stats.cooldownModel === undefined ? {} : { model: stats.cooldownModel }),
      endedAt: stats.cooldownUntil,
      kind: 'cooldown',
      ...(stats.cooldownReason ? { reason: stats.cooldownReason } : {}),
    }
  }
  if (model !== undefined && modelEntry !== undefined && ended(modelEntry.until, now)) {
    // A profile-wide probation covers the model's too; only a model's own window is model-scoped.
    if (probation === undefined)
      probation = {
        scope: 'model',
        model,
        endedAt: modelEntry.until,
        kind: 'cooldown',
        reason: modelEntry.reason,
      }
  }
  return probation
}
