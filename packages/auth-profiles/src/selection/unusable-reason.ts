import type { UnusableOptions } from './cooldowns.js'
import type { AuthProfileFailureReason, ProfileUsageStats } from '../types.js'

/** Why a profile is unusable until a given time. @public */
export interface ProfileUnusableCause {
  /** `disabled` (billing, auth_permanent: long windows) or a `cooldown`. */
  readonly kind: 'disabled' | 'cooldown'
  /** The failure reason recorded with the window, when there is one. */
  readonly reason?: AuthProfileFailureReason
  /** Set for a model-scoped cooldown. */
  readonly model?: string
}

/**
 * The window that ends at `until` (as returned by `resolveProfileUnusableUntil` for the same
 * `model`), and the failure reason recorded with it: so a trace or a status line can say "cooling
 * down until T (rate_limit)" or "disabled until T (billing)". `undefined` when no window of the
 * stats ends at `until`.
 *
 * @example
 * ```ts
 * const until = resolveProfileUnusableUntil(stats, { model })
 * const cause = until === undefined ? undefined : resolveProfileUnusableCause(stats, until, { model })
 * ```
 * @public
 */
export function resolveProfileUnusableCause(
  stats: ProfileUsageStats | undefined,
  until: number,
  options: UnusableOptions = {},
): ProfileUnusableCause | undefined {
  if (!stats) return undefined
  if (stats.disabledUntil === until) {
    return stats.disabledReason
      ? { kind: 'disabled', reason: stats.disabledReason }
      : { kind: 'disabled' }
  }
  const modelCooldown =
    options.model === undefined ? undefined : stats.modelCooldowns?.[options.model]
  if (modelCooldown?.until === until) {
    return { kind: 'cooldown', reason: modelCooldown.reason, model: options.model! }
  }
  if (stats.cooldownUntil === until) {
    return stats.cooldownReason
      ? { kind: 'cooldown', reason: stats.cooldownReason }
      : { kind: 'cooldown' }
  }
  return undefined
}
