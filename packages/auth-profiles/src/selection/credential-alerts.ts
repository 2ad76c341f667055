// What an operator must be told about a store, whether they read it through OpenTelemetry gauges
// or a cron job over `claw … --json`: credentials about to expire, credentials only a new login
// can fix, and profiles disabled for a long window (billing). One computation for both.
import { buildAuthHealthSummary, DEFAULT_OAUTH_WARN_MS } from './health.js'
import { resolveClock, type Clock } from '../runtime.js'
import type {
  AuthProfileCredentialType,
  AuthProfileFailureReason,
  AuthProfileStore,
} from '../types.js'

/** A credential that expires within the warning window (still valid now). @public */
export interface ExpiringCredentialAlert {
  readonly profileId: string
  /** Normalised provider id. */
  readonly provider: string
  readonly type: AuthProfileCredentialType
  /** Epoch milliseconds. */
  readonly expiresAt: number
  readonly remainingMs: number
  /**
   * True for an OAuth credential with a refresh token: claw refreshes it by itself when it is
   * used, so it needs attention only if refreshing fails. A token without one needs a person.
   */
  readonly refreshable: boolean
}

/**
 * A credential only a person can fix: `refresh_rejected` (the provider rejected the OAuth refresh
 * token: log in again) or `token_expired` (a token that cannot be refreshed has expired).
 *
 * @public
 */
export interface ReauthAlert {
  readonly profileId: string
  readonly provider: string
  readonly reason: 'refresh_rejected' | 'token_expired'
}

/** A profile disabled for a long window (`billing`, `auth_permanent`). @public */
export interface DisabledProfileAlert {
  readonly profileId: string
  readonly provider: string
  /** The failure reason recorded with the window, `unknown` when none was. */
  readonly reason: AuthProfileFailureReason | 'unknown'
  /** Epoch milliseconds. */
  readonly until: number
  readonly remainingMs: number
}

/** The result of {@link buildCredentialAlerts}; every list is sorted by provider, then profile id. @public */
export interface CredentialAlerts {
  /** When the alerts were computed (epoch milliseconds). */
  readonly now: number
  readonly warnAfterMs: number
  readonly expiring: readonly ExpiringCredentialAlert[]
  readonly reauthRequired: readonly ReauthAlert[]
  readonly disabled: readonly DisabledProfileAlert[]
}

/** @public */
export interface BuildCredentialAlertsOptions {
  readonly store: AuthProfileStore
  readonly now?: Clock
  /** The `expiring` window in milliseconds; default 24 hours ({@link DEFAULT_OAUTH_WARN_MS}). */
  readonly warnAfterMs?: number
}

/**
 * What needs an operator's attention in a store: credentials expiring within `warnAfterMs` (the
 * `expiring` status of {@link buildAuthHealthSummary}), credentials that need a new login, and
 * profiles disabled right now. Secrets are never read into the result.
 *
 * @throws `AuthProfilesError` `ERR_INVALID_ARGUMENT` for a negative or non-finite `warnAfterMs`.
 * @example
 * ```ts
 * const alerts = buildCredentialAlerts({ store: await backend.load() })
 * const billing = alerts.disabled.filter((alert) => alert.reason === 'billing')
 * ```
 * @public
 */
export function buildCredentialAlerts(options: BuildCredentialAlertsOptions): CredentialAlerts {
  const now = resolveClock(options)()
  const health = buildAuthHealthSummary({
    store: options.store,
    now: () => now,
    warnAfterMs: options.warnAfterMs ?? DEFAULT_OAUTH_WARN_MS,
  })
  const expiring: ExpiringCredentialAlert[] = []
  const reauthRequired: ReauthAlert[] = []
  for (const profile of health.profiles) {
    const { profileId, provider } = profile
    if (profile.needsReauth) {
      reauthRequired.push({ profileId, provider, reason: 'refresh_rejected' })
    } else if (profile.type === 'token' && profile.status === 'expired') {
      reauthRequired.push({ profileId, provider, reason: 'token_expired' })
    } else if (profile.status === 'expiring' && profile.expiresAt !== undefined) {
      const credential = options.store.profiles[profileId]
      expiring.push({
        profileId,
        provider,
        type: profile.type,
        expiresAt: profile.expiresAt,
        remainingMs: profile.expiresAt - now,
        refreshable: credential?.type === 'oauth' && credential.refresh.trim() !== '',
      })
    }
  }
  // The health summary's order (provider, then profile id) is the order of every list.
  const disabled: DisabledProfileAlert[] = []
  for (const profile of health.profiles) {
    const stats = options.store.usageStats?.[profile.profileId]
    const until = stats?.disabledUntil
    if (until === undefined || !Number.isFinite(until) || until <= now) continue
    disabled.push({
      profileId: profile.profileId,
      provider: profile.provider,
      reason: stats?.disabledReason ?? 'unknown',
      until,
      remainingMs: until - now,
    })
  }
  return {
    now,
    warnAfterMs: health.warnAfterMs,
    expiring,
    reauthRequired,
    disabled,
  }
}
