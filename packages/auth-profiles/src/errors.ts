/**
 * Error codes raised by `@claw/auth-profiles`. Codes are public API: renaming one is a breaking
 * change.
 *
 * @public
 */
export type AuthProfilesErrorCode =
  | 'ERR_INVALID_ID'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_INVALID_CONFIG'
  | 'ERR_STORE_INVALID'
  | 'ERR_STORE_UNSUPPORTED_VERSION'
  | 'ERR_STORE_NOT_REGULAR_FILE'
  | 'ERR_STORE_SYMLINK'
  | 'ERR_STORE_TOO_LARGE'
  | 'ERR_STORE_READ'
  | 'ERR_STORE_BUSY'
  | 'ERR_STORE_WRITE'
  | 'ERR_LOCK_TIMEOUT'
  | 'ERR_LOCK_COMPROMISED'
  | 'ERR_PROFILE_NOT_FOUND'
  | 'ERR_NO_CREDENTIALS'
  | 'ERR_NO_API_KEY'
  | 'ERR_REFRESH_UNAVAILABLE'
  | 'ERR_SECRET_REF'
  | 'ERR_REAUTH_REQUIRED'
  | 'ERR_REFRESH_FAILED'
  | 'ERR_OAUTH'
  | 'ERR_ABORTED'
  | 'ERR_FLEET_UNAVAILABLE'
  | 'ERR_FLEET_EMPTY'

/**
 * One problem in a stored file or config value: `path` is a JSON/config path such as
 * `profiles["anthropic:default"].expires`; `message` never contains the value.
 *
 * @public
 */
export interface AuthProfilesIssue {
  readonly path: string
  readonly message: string
}

const clawErrorMarker = Symbol.for('claw.error')
const packageMarker = Symbol.for('claw.error.auth-profiles')

function hasMarker(value: unknown, marker: symbol): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[marker] === true
  )
}

/** @public */
export interface AuthProfilesErrorOptions {
  readonly cause?: unknown
  /** Absolute path of the file involved, if any. */
  readonly path?: string
  readonly issues?: readonly AuthProfilesIssue[]
  /** The profile involved, if any. */
  readonly profileId?: string
  /** The provider involved, if any. */
  readonly provider?: string
  /** Whether retrying later can succeed (transient network/server trouble). */
  readonly retryable?: boolean
}

/**
 * The one error class of `@claw/auth-profiles`. Branch on `code`. Messages name the file, profile
 * or provider involved and never contain secret values. `AuthProfilesError.isInstance(value)`
 * works across duplicate installs of the package, unlike `instanceof`.
 *
 * @public
 */
export class AuthProfilesError extends Error {
  override readonly name: string = 'AuthProfilesError'
  readonly code: AuthProfilesErrorCode
  /** Absolute path of the file involved. */
  readonly path: string | undefined
  readonly issues: readonly AuthProfilesIssue[]
  readonly profileId: string | undefined
  readonly provider: string | undefined
  /** True when retrying later can succeed (network trouble, 5xx, timeouts). */
  readonly retryable: boolean

  constructor(
    code: AuthProfilesErrorCode,
    message: string,
    options: AuthProfilesErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.path = options.path
    this.issues = options.issues ?? []
    this.profileId = options.profileId
    this.provider = options.provider
    this.retryable = options.retryable ?? false
    Object.defineProperty(this, clawErrorMarker, { value: true })
    Object.defineProperty(this, packageMarker, { value: true })
  }

  /** True for any `AuthProfilesError`, including one thrown by another copy of this package. */
  static isInstance(value: unknown): value is AuthProfilesError {
    return hasMarker(value, packageMarker)
  }
}

/**
 * A login is needed: the provider rejected the refresh token for good (`invalid_grant`,
 * `refresh_token_reused`, …) and no other process holds a newer credential. The stored credential
 * is kept as it was (only marked `needs_reauth`); `loginCommand` says how to fix it.
 *
 * @public
 */
export class ReauthRequiredError extends AuthProfilesError {
  override readonly name: string = 'ReauthRequiredError'
  /** The command that replaces the credential, e.g. `claw models auth login --provider openai-codex`. */
  readonly loginCommand: string

  constructor(options: { profileId: string; provider: string; reason: string; cause?: unknown }) {
    const loginCommand = `claw models auth login --provider ${options.provider}`
    super(
      'ERR_REAUTH_REQUIRED',
      `Profile ${options.profileId} (${options.provider}) needs a new login: ${options.reason}. Run \`${loginCommand}\`.`,
      {
        profileId: options.profileId,
        provider: options.provider,
        ...(options.cause === undefined ? {} : { cause: options.cause }),
      },
    )
    this.loginCommand = loginCommand
  }

  /** True for a `ReauthRequiredError`, including one from another copy of this package. */
  static override isInstance(value: unknown): value is ReauthRequiredError {
    return AuthProfilesError.isInstance(value) && value.code === 'ERR_REAUTH_REQUIRED'
  }
}

/** True when `value` is an `AuthProfilesError` with the given code. @public */
export function isAuthProfilesError(
  value: unknown,
  code?: AuthProfilesErrorCode,
): value is AuthProfilesError {
  return AuthProfilesError.isInstance(value) && (code === undefined || value.code === code)
}

/** Formats issues as `- path: message` lines. @internal */
export function formatIssues(issues: readonly AuthProfilesIssue[]): string {
  return issues.map((issue) => `- ${issue.path}: ${issue.message}`).join('\n')
}
