import { normalizeProviderId } from '@claw/model-catalog'
import { AuthProfilesError } from '../errors.js'
import { resolveClock, type Clock } from '../runtime.js'
import { isTokenExchangeProvider } from '../credentials/token-exchange.js'
import type {
  AuthProfileCredential,
  AuthProfileCredentialType,
  AuthProfileStore,
} from '../types.js'

/** OAuth and expiring tokens count as `expiring` within this window: 24 hours. @public */
export const DEFAULT_OAUTH_WARN_MS = 24 * 60 * 60 * 1000

/**
 * Health of one credential or provider:
 *
 * - `ok`: valid for longer than the warning window;
 * - `expiring`: valid, but expires within the warning window;
 * - `expired`: expired, or (OAuth) marked `needs_reauth`;
 * - `missing`: an OAuth credential or expiring token without a usable expiry, or (providers) no
 *   profile at all;
 * - `static`: an API key or a token without an expiry, which never expires.
 *
 * @public
 */
export type AuthHealthStatus = 'ok' | 'expiring' | 'expired' | 'missing' | 'static'

/** Health of one stored profile. @public */
export interface AuthProfileHealth {
  readonly profileId: string
  /** Normalised provider id. */
  readonly provider: string
  readonly type: AuthProfileCredentialType
  readonly status: AuthHealthStatus
  /** Epoch milliseconds; set when the credential has a valid expiry. */
  readonly expiresAt?: number
  /** `expiresAt - now`; negative once expired. Set together with `expiresAt`. */
  readonly remainingMs?: number
  readonly source: 'store'
  /** `profileId (email)` when an email is known, else the profile id. */
  readonly label: string
  /** True when a refresh failed for good (`status: 'needs_reauth'`): the user must log in again. */
  readonly needsReauth: boolean
  /**
   * `exchange`: the stored token is exchanged for a short-lived API token on every use (GitHub
   * Copilot), so it is `ok` without an expiry of its own.
   */
  readonly renewal?: 'exchange'
}

/** Health of one provider, over its profiles. @public */
export interface AuthProviderHealth {
  /** Normalised provider id. */
  readonly provider: string
  readonly status: AuthHealthStatus
  /** The earliest expiry among the provider's OAuth and expiring-token profiles. */
  readonly expiresAt?: number
  /** `expiresAt - now`; negative once expired. */
  readonly remainingMs?: number
  /** Profile ids of this provider, sorted. */
  readonly profiles: readonly string[]
}

/** The result of {@link buildAuthHealthSummary}. @public */
export interface AuthHealthSummary {
  /** The time the summary was computed at (epoch milliseconds). */
  readonly now: number
  readonly warnAfterMs: number
  /** Sorted by provider, then profile id. */
  readonly profiles: readonly AuthProfileHealth[]
  /** Sorted by provider. */
  readonly providers: readonly AuthProviderHealth[]
}

/**
 * The config slice the health summary reads: profile emails from `auth.profiles`. Any config
 * with this shape (such as the parsed `AuthConfig`) is accepted.
 *
 * @public
 */
export interface AuthHealthConfig {
  readonly auth?:
    | {
        readonly profiles?:
          | Readonly<
              Record<
                string,
                {
                  readonly provider: string
                  readonly mode: string
                  readonly email?: string | undefined
                }
              >
            >
          | undefined
      }
    | undefined
}

/** @public */
export interface BuildAuthHealthSummaryOptions {
  readonly store: AuthProfileStore
  readonly config?: AuthHealthConfig | undefined
  /**
   * Only report these providers (normalised, so `Z.AI` means `zai`). Providers in this list
   * without any profile are reported as `missing`.
   */
  readonly providers?: readonly string[]
  /** Clock; default `Date.now`. */
  readonly now?: Clock
  /** The `expiring` window in milliseconds; default {@link DEFAULT_OAUTH_WARN_MS}. */
  readonly warnAfterMs?: number
}

/**
 * Formats a remaining duration compactly, as `models status` prints it: `undefined` (or `NaN`,
 * `Infinity`) → `unknown`; `≤ 0` → `0m`; otherwise whole minutes `m = max(1, round(ms / 60000))`
 * → `Nm` below 60, else hours `h = round(m / 60)` → `Nh` below 48, else `round(h / 24)` days.
 *
 * @example
 * ```ts
 * formatRemainingShort(90 * 60_000) // '2h'
 * formatRemainingShort(3 * 86_400_000) // '3d'
 * ```
 * @deprecated The `claw` CLI's own output format; it moved into the CLI and leaves this package in
 *   the next minor version.
 * @public
 */
export function formatRemainingShort(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return 'unknown'
  if (ms <= 0) return '0m'
  if (!Number.isFinite(ms)) return 'unknown'
  const minutes = Math.max(1, Math.round(ms / 60_000))
  if (minutes < 60) return `${minutes}m`
  const hours = Math.round(minutes / 60)
  if (hours < 48) return `${hours}h`
  return `${Math.round(hours / 24)}d`
}

interface ExpiryHealth {
  readonly status: AuthHealthStatus
  readonly expiresAt?: number
  readonly remainingMs?: number
}

function validExpiry(expires: unknown): number | undefined {
  return typeof expires === 'number' && Number.isFinite(expires) && expires > 0
    ? expires
    : undefined
}

function expiryHealth(expires: unknown, now: number, warnAfterMs: number): ExpiryHealth {
  const expiresAt = validExpiry(expires)
  if (expiresAt === undefined) return { status: 'missing' }
  const remainingMs = expiresAt - now
  const status: AuthHealthStatus =
    remainingMs <= 0 ? 'expired' : remainingMs <= warnAfterMs ? 'expiring' : 'ok'
  return { status, expiresAt, remainingMs }
}

function credentialHealth(
  credential: AuthProfileCredential,
  now: number,
  warnAfterMs: number,
): ExpiryHealth & { readonly needsReauth: boolean; readonly renewal?: 'exchange' } {
  switch (credential.type) {
    case 'api_key':
      return { status: 'static', needsReauth: false }
    case 'token':
      if (validExpiry(credential.expires) === undefined) {
        return isTokenExchangeProvider(normalizeProviderId(credential.provider))
          ? { status: 'ok', needsReauth: false, renewal: 'exchange' }
          : { status: 'static', needsReauth: false }
      }
      return { ...expiryHealth(credential.expires, now, warnAfterMs), needsReauth: false }
    case 'oauth': {
      const health = expiryHealth(credential.expires, now, warnAfterMs)
      // Ours: a refresh that failed for good means the profile is dead whatever its expiry says
      // (OpenClaw reported such Codex profiles as `ok`, bug #66952).
      if (credential.status === 'needs_reauth') {
        return { ...health, status: 'expired', needsReauth: true }
      }
      return { ...health, needsReauth: false }
    }
  }
}

function nonEmpty(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const trimmed = value.trim()
  return trimmed === '' ? undefined : trimmed
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** True for profiles whose status can change with time (OAuth, tokens with an expiry). */
function isExpiringProfile(profile: AuthProfileHealth): boolean {
  return profile.type === 'oauth' || (profile.type === 'token' && profile.status !== 'static')
}

function providerHealth(
  provider: string,
  profiles: readonly AuthProfileHealth[],
  now: number,
): AuthProviderHealth {
  const profileIds = profiles.map((profile) => profile.profileId)
  if (profiles.length === 0) return { provider, status: 'missing', profiles: profileIds }
  const expiring = profiles.filter(isExpiringProfile)
  if (expiring.length === 0) return { provider, status: 'static', profiles: profileIds }
  const statuses = new Set(expiring.map((profile) => profile.status))
  const status: AuthHealthStatus =
    statuses.has('expired') || statuses.has('missing')
      ? 'expired'
      : statuses.has('expiring')
        ? 'expiring'
        : 'ok'
  const expiries = expiring
    .map((profile) => profile.expiresAt)
    .filter((value): value is number => value !== undefined)
  if (expiries.length === 0) return { provider, status, profiles: profileIds }
  const expiresAt = Math.min(...expiries)
  return { provider, status, expiresAt, remainingMs: expiresAt - now, profiles: profileIds }
}

/**
 * Summarises the expiry health of every stored profile and of each provider, as
 * `models status` shows it.
 *
 * Profiles: `api_key` → `static`; `token` without a positive finite `expires` → `static` (`ok`
 * with `renewal: 'exchange'` for GitHub Copilot, whose token is exchanged on every use); a token
 * with an expiry or an `oauth` credential → `missing` without a valid expiry, `expired` when
 * `expires - now ≤ 0`, `expiring` when it is `≤ warnAfterMs`, else `ok`. An OAuth profile marked
 * `needs_reauth` is `expired` with `needsReauth: true` whatever its expiry.
 *
 * Providers: no profiles → `missing`; only API keys and static tokens → `static`; otherwise, over
 * the OAuth and expiring-token profiles, any `expired`/`missing` → `expired`, else any `expiring`
 * → `expiring`, else `ok`, with `expiresAt` the earliest of their expiries.
 *
 * @throws `AuthProfilesError` `ERR_INVALID_ARGUMENT` when `warnAfterMs` is negative or not finite,
 *   or when the clock returns a non-finite time.
 * @example
 * ```ts
 * const summary = buildAuthHealthSummary({ store, providers: ['anthropic'] })
 * summary.providers[0]?.status // 'ok' | 'expiring' | 'expired' | 'missing' | 'static'
 * ```
 * @public
 */
export function buildAuthHealthSummary(options: BuildAuthHealthSummaryOptions): AuthHealthSummary {
  const warnAfterMs = options.warnAfterMs ?? DEFAULT_OAUTH_WARN_MS
  if (!Number.isFinite(warnAfterMs) || warnAfterMs < 0) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      `warnAfterMs must be a finite number ≥ 0, got ${String(warnAfterMs)}.`,
    )
  }
  const now = resolveClock(options)()
  if (!Number.isFinite(now)) {
    throw new AuthProfilesError('ERR_INVALID_ARGUMENT', 'The clock returned a non-finite time.')
  }
  const filter =
    options.providers === undefined
      ? undefined
      : new Set(
          options.providers
            .map((provider) => normalizeProviderId(provider))
            .filter((provider) => provider !== ''),
        )
  const configProfiles = options.config?.auth?.profiles

  const profiles: AuthProfileHealth[] = []
  for (const [profileId, credential] of Object.entries(options.store.profiles)) {
    const provider = normalizeProviderId(credential.provider)
    if (filter !== undefined && !filter.has(provider)) continue
    const configEmail =
      configProfiles !== undefined && Object.hasOwn(configProfiles, profileId)
        ? configProfiles[profileId]?.email
        : undefined
    const email = nonEmpty(configEmail) ?? nonEmpty(credential.email)
    const health = credentialHealth(credential, now, warnAfterMs)
    profiles.push({
      profileId,
      provider,
      type: credential.type,
      status: health.status,
      ...(health.expiresAt === undefined ? {} : { expiresAt: health.expiresAt }),
      ...(health.remainingMs === undefined ? {} : { remainingMs: health.remainingMs }),
      source: 'store',
      label: email === undefined ? profileId : `${profileId} (${email})`,
      needsReauth: health.needsReauth,
      ...(health.renewal ? { renewal: health.renewal } : {}),
    })
  }
  profiles.sort(
    (a, b) => compareStrings(a.provider, b.provider) || compareStrings(a.profileId, b.profileId),
  )

  const providerIds = new Set(filter ?? profiles.map((profile) => profile.provider))
  const providers = [...providerIds].sort(compareStrings).map((provider) =>
    providerHealth(
      provider,
      profiles.filter((profile) => profile.provider === provider),
      now,
    ),
  )
  return { now, warnAfterMs, profiles, providers }
}

/** @public */
export interface AuthHealthExitCodeOptions {
  /**
   * Providers the configuration uses (default model, fallbacks, image model and its fallbacks).
   * Each must have auth, or the exit code is 1.
   */
  readonly providersInUse?: readonly string[]
  /**
   * Whether a provider has auth outside the store (an env key, a `models.json` key, ambient
   * credentials). Called with the normalised provider id for in-use providers without stored
   * profiles in the summary. Without it, only stored profiles count.
   */
  readonly hasAuth?: (provider: string) => boolean
}

/**
 * The exit code of `models status --check`:
 *
 * - `1` when any OAuth or expiring-token profile is `expired` or `missing`, or when any in-use
 *   provider has no auth (no profile in `summary` and `hasAuth` does not return true);
 * - `2` when any OAuth or expiring-token profile is `expiring`;
 * - `0` otherwise.
 *
 * @example
 * ```ts
 * const code = authHealthExitCode(summary, { providersInUse: ['anthropic', 'openai'], hasAuth })
 * ```
 * @deprecated The exit code of `claw models status --check`; it moved into the CLI and leaves this
 *   package in the next minor version. Read `summary.profiles` / `summary.providers` instead.
 * @public
 */
export function authHealthExitCode(
  summary: AuthHealthSummary,
  options: AuthHealthExitCodeOptions = {},
): 0 | 1 | 2 {
  const expiring = summary.profiles.filter(isExpiringProfile)
  if (expiring.some((profile) => profile.status === 'expired' || profile.status === 'missing')) {
    return 1
  }
  const providersWithProfiles = new Set(summary.profiles.map((profile) => profile.provider))
  for (const raw of options.providersInUse ?? []) {
    const provider = normalizeProviderId(raw)
    if (provider === '' || providersWithProfiles.has(provider)) continue
    if (options.hasAuth?.(provider) !== true) return 1
  }
  if (expiring.some((profile) => profile.status === 'expiring')) return 2
  return 0
}
