import type { AuthProfileFailureReason } from '@claw/auth-profiles'
import type { FailoverReason } from './reasons.js'

/**
 * What failover does after a failure of a given reason.
 *
 * @public
 */
export interface FailoverPolicyEntry {
  /** Record the failure on the profile (cooldown or disable). */
  readonly mark: boolean
  /** Where the cooldown applies when marked. */
  readonly scope: 'profile' | 'model'
  /** `profile`: try the next credential of the provider; `model`: move to the next model; `surface`: stop and rethrow. */
  readonly next: 'profile' | 'model' | 'surface'
  /** Retries of the same credential before moving on (transient trouble). */
  readonly retrySameCredential: number
  /** For people: what happens. */
  readonly summary: string
}

/**
 * The failover policy per reason.
 *
 * | reason | action |
 * | --- | --- |
 * | `auth` | cool the profile down (1 → 5 → 25 → 60 min), next profile; an OAuth token gets one forced refresh first |
 * | `auth_permanent` | disable the profile until it is replaced, next profile |
 * | `billing` | disable the profile 5 h doubling to 24 h, next profile |
 * | `rate_limit` | cool this model down on the profile (Retry-After sets the deadline), next profile |
 * | `overloaded` | cool the profile down (Retry-After sets the deadline), next profile |
 * | `model_not_found` | next model; the credential is not penalised |
 * | `context_overflow`, `format` | no failover: the error is the caller's to handle |
 * | `timeout` | retry the same credential once, then cool this model down, next profile |
 * | `server_error` | retry the same credential once, then cool the profile down, next profile |
 * | `unknown` | cool the profile down, next profile |
 *
 * @public
 */
export const FAILOVER_POLICY: Readonly<Record<FailoverReason, FailoverPolicyEntry>> = Object.freeze(
  {
    auth: {
      mark: true,
      scope: 'profile',
      next: 'profile',
      retrySameCredential: 0,
      summary: 'cool the profile down, try the next profile',
    },
    auth_permanent: {
      mark: true,
      scope: 'profile',
      next: 'profile',
      retrySameCredential: 0,
      summary: 'disable the profile until it is replaced, try the next profile',
    },
    billing: {
      mark: true,
      scope: 'profile',
      next: 'profile',
      retrySameCredential: 0,
      summary: 'disable the profile (5 h doubling to 24 h), try the next profile',
    },
    rate_limit: {
      mark: true,
      scope: 'model',
      next: 'profile',
      retrySameCredential: 0,
      summary: 'cool this model down on the profile, try the next profile',
    },
    overloaded: {
      mark: true,
      scope: 'profile',
      next: 'profile',
      retrySameCredential: 0,
      summary: 'cool the profile down, try the next profile',
    },
    model_not_found: {
      mark: false,
      scope: 'model',
      next: 'model',
      retrySameCredential: 0,
      summary: 'try the next model; the credential is not penalised',
    },
    context_overflow: {
      mark: false,
      scope: 'profile',
      next: 'surface',
      retrySameCredential: 0,
      summary: 'no failover: surfaced to the caller',
    },
    format: {
      mark: false,
      scope: 'profile',
      next: 'surface',
      retrySameCredential: 0,
      summary: 'no failover: surfaced to the caller',
    },
    timeout: {
      mark: true,
      scope: 'model',
      next: 'profile',
      retrySameCredential: 1,
      summary: 'retry the same credential once, then cool this model down and try the next profile',
    },
    server_error: {
      mark: true,
      scope: 'profile',
      next: 'profile',
      retrySameCredential: 1,
      summary:
        'retry the same credential once, then cool the profile down and try the next profile',
    },
    unknown: {
      mark: true,
      scope: 'profile',
      next: 'profile',
      retrySameCredential: 0,
      summary: 'cool the profile down, try the next profile',
    },
  },
)

/** The auth-profiles failure reason recorded for a failover reason. @internal */
export function toProfileFailureReason(reason: FailoverReason): AuthProfileFailureReason {
  return reason === 'context_overflow' ? 'format' : reason
}
