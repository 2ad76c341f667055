/**
 * A reference to a secret held outside the store: an environment variable (`env`), a file
 * (`file`, a JSON pointer or the whole file) or a command (`exec`). `provider` names an entry of
 * the config's `secrets.providers` (`default` for the built-in env provider).
 *
 * @public
 */
export interface SecretRef {
  readonly source: 'env' | 'file' | 'exec'
  readonly provider: string
  readonly id: string
}

/** Fields every credential may carry. @public */
export interface CredentialCommon {
  readonly provider: string
  readonly email?: string
  /**
   * Compare-and-swap counter, raised on every rewrite of the credential. Optional and ignored by
   * older readers.
   */
  readonly generation?: number
  /** Set when a refresh failed for good; cleared when the profile is replaced. */
  readonly status?: 'needs_reauth'
}

/** A static API key (`key`), or a reference to one (`keyRef`). @public */
export interface ApiKeyCredential extends CredentialCommon {
  readonly type: 'api_key'
  readonly key?: string
  readonly keyRef?: SecretRef
  readonly metadata?: Readonly<Record<string, string>>
}

/**
 * A static bearer token (a PAT, an Anthropic setup-token, a GitHub token), never refreshed.
 * Expired once `expires > 0 && now >= expires`.
 *
 * @public
 */
export interface TokenCredential extends CredentialCommon {
  readonly type: 'token'
  readonly token?: string
  readonly tokenRef?: SecretRef
  /** Epoch milliseconds. */
  readonly expires?: number
}

/** A refreshable OAuth credential. @public */
export interface OAuthCredential extends CredentialCommon {
  readonly type: 'oauth'
  readonly access: string
  readonly refresh: string
  /** Epoch milliseconds when `access` expires. */
  readonly expires: number
  readonly accountId?: string
  readonly projectId?: string
  readonly enterpriseUrl?: string
  readonly clientId?: string
}

/** @public */
export type AuthProfileCredential = ApiKeyCredential | TokenCredential | OAuthCredential

/** @public */
export type AuthProfileCredentialType = AuthProfileCredential['type']

/**
 * Why a profile failed. OpenClaw's `auth | format | rate_limit | billing | timeout | unknown`
 * plus `auth_permanent` (revoked, needs re-login), `overloaded`, `model_not_found` and
 * `server_error`.
 *
 * @public
 */
export type AuthProfileFailureReason =
  | 'auth'
  | 'auth_permanent'
  | 'format'
  | 'rate_limit'
  | 'overloaded'
  | 'billing'
  | 'timeout'
  | 'model_not_found'
  | 'server_error'
  | 'unknown'

/** All failure reasons, in a stable order. @public */
export const AUTH_PROFILE_FAILURE_REASONS: readonly AuthProfileFailureReason[] = Object.freeze([
  'auth',
  'auth_permanent',
  'format',
  'rate_limit',
  'overloaded',
  'billing',
  'timeout',
  'model_not_found',
  'server_error',
  'unknown',
])

/** A cooldown that applies to one model only. @public */
export interface ModelCooldown {
  /** Epoch milliseconds. */
  readonly until: number
  readonly reason: AuthProfileFailureReason
  /** Consecutive failures of this model (drives its backoff). */
  readonly errorCount?: number
}

/**
 * A subscription usage window the provider reported as used up (Claude and ChatGPT plans meter use
 * in 5-hour and weekly windows). Recorded with the profile-wide cooldown that runs until
 * `resetsAt`, and removed with it. Older readers ignore the field.
 *
 * @public
 */
export interface UsageLimitWindow {
  /** The provider's name for the window: `5h`, `7d`, `7d_opus`, … (`usage` when unnamed). */
  readonly window: string
  /** When the window resets (epoch ms). */
  readonly resetsAt: number
  /** How much of the window was used (0–100), when the provider said. */
  readonly usedPercent?: number
}

/**
 * Round-robin and cooldown state of one profile. Times are epoch milliseconds.
 *
 * @public
 */
export interface ProfileUsageStats {
  /** Last successful use; the round-robin key (oldest first, missing counts as 0). */
  readonly lastUsed?: number
  /** Profile-wide cooldown (transient failures). */
  readonly cooldownUntil?: number
  readonly cooldownReason?: AuthProfileFailureReason
  /**
   * Upstream's single model-scoped cooldown: when set, `cooldownUntil` applies to this model only.
   * claw reads it; it writes model-scoped cooldowns to `modelCooldowns`.
   */
  readonly cooldownModel?: string
  /** Model-scoped cooldowns, keyed by model id. */
  readonly modelCooldowns?: Readonly<Record<string, ModelCooldown>>
  /** The long "disabled" window (billing, revoked credentials). */
  readonly disabledUntil?: number
  readonly disabledReason?: AuthProfileFailureReason
  /** Consecutive failures inside the failure window. */
  readonly errorCount?: number
  readonly failureCounts?: Readonly<Partial<Record<AuthProfileFailureReason, number>>>
  readonly lastFailureAt?: number
  /** When the last OAuth refresh attempt failed transiently (throttles retries across processes). */
  readonly refreshFailedAt?: number
  /** The used-up subscription window behind the current cooldown, when the provider named one. */
  readonly usageLimit?: UsageLimitWindow
}

/**
 * The credential store (`auth-profiles.json`, version 1). Maps are keyed by profile id
 * (`<provider>:<name>`) or by provider id.
 *
 * @public
 */
export interface AuthProfileStore {
  readonly version: 1
  readonly profiles: Record<string, AuthProfileCredential>
  /** Per-agent explicit order per provider; wins over config `auth.order`. */
  order?: Record<string, string[]>
  /** The last profile that completed a run, per provider. Informational. */
  lastGood?: Record<string, string>
  usageStats?: Record<string, ProfileUsageStats>
}

/** The store format version this package reads and writes. @public */
export const AUTH_STORE_VERSION = 1

/** The store file name inside an agent dir. @public */
export const AUTH_PROFILE_FILENAME = 'auth-profiles.json'
