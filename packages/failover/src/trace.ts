import type { AuthProfileFailureReason, ProfileEligibilityCode } from '@claw/auth-profiles'
import type { FailoverReason } from './reasons.js'

/**
 * One line of a failover decision trace: a candidate model × credential that was considered, and
 * why it was skipped, how it failed, or that it succeeded (or, in a plan, would be chosen).
 *
 * @public
 */
export interface FailoverTraceEntry {
  readonly provider: string
  readonly model: string
  readonly profileId?: string
  /** `profile:<id>`, `env key #2`, `env or config` — never a secret. */
  readonly credential?: string
  readonly outcome: 'skipped' | 'failed' | 'succeeded' | 'chosen'
  /**
   * For skips: `cooldown`, `unavailable`, `budget`, an eligibility code (`excluded_by_auth_order`,
   * `expired`, `missing_credential`, …), `orphan_order` (an id of an explicit order that names no
   * stored profile: the order was ignored and the provider's stored profiles used) or `probing`
   * (its window ended and another run is probing it); for failures: the classified reason.
   */
  readonly reason?:
    | FailoverReason
    | ProfileEligibilityCode
    | 'cooldown'
    | 'unavailable'
    | 'budget'
    | 'orphan_order'
    | 'probing'
  /** For a `cooldown` skip of a stored profile: the failure that started the window. */
  readonly cooldownReason?: AuthProfileFailureReason
  /**
   * For a `cooldown` skip of a stored profile: `disabled` (a long window after a billing or
   * permanent auth failure, `disabledUntil`) or `cooldown` (`cooldownUntil`, or a model's window).
   */
  readonly cooldownKind?: 'cooldown' | 'disabled'
  /** For people (never contains a secret). */
  readonly detail: string
  /** Epoch ms when a cooldown ends. */
  readonly until?: number
  /**
   * This call probed (or, in a plan, would probe) a credential whose cooldown or disable window
   * ended: the one run allowed to use it until it succeeds again.
   */
  readonly probe?: true
  readonly attempt?: number
  readonly status?: number
  readonly code?: string
}
