// Pieces shared by the authorization-code adapters: the override options every factory accepts and
// the conversion of a login's token response into stored fields.
import type { AuthorizationCodeFlowResult } from '../authorization-code.js'
import { tokenSetFromResponse } from '../openid.js'
import type { OAuthEndpoints, OAuthTokenSet } from '../types.js'

/**
 * Overrides accepted by the built-in authorization-code adapter factories. Endpoints are merged
 * over the adapter's defaults, so a test can point just the token endpoint at a local server.
 *
 * @public
 */
export interface AuthorizationCodeOAuthOverrides {
  readonly endpoints?: Partial<OAuthEndpoints>
  readonly clientId?: string
  /** For installed-app clients that have a (public) secret; sent as `client_secret_post`. */
  readonly clientSecret?: string
  /** The registered loopback redirect URI. */
  readonly redirectUri?: string
  readonly scopes?: readonly string[]
}

/** The default endpoints with the overrides applied (frozen). @internal */
export function mergeEndpoints(
  defaults: OAuthEndpoints,
  overrides: Partial<OAuthEndpoints> | undefined,
): OAuthEndpoints {
  return Object.freeze({ ...defaults, ...overrides })
}

/** An adapter's defaults for the overridable settings. @internal */
export interface AdapterDefaults {
  readonly endpoints: OAuthEndpoints
  readonly clientId: string
  readonly scopes: readonly string[]
  readonly redirectUri: string
}

/** The defaults with the caller's overrides applied (endpoints merged field by field). @internal */
export function applyOverrides(
  defaults: AdapterDefaults,
  overrides: AuthorizationCodeOAuthOverrides,
): AdapterDefaults {
  return {
    endpoints: mergeEndpoints(defaults.endpoints, overrides.endpoints),
    clientId: overrides.clientId ?? defaults.clientId,
    scopes: Object.freeze([...(overrides.scopes ?? defaults.scopes)]),
    redirectUri: overrides.redirectUri ?? defaults.redirectUri,
  }
}

/** The stored fields of a completed login (expiry = issue time + `expires_in`). @internal */
export function tokenSetFromLogin(result: AuthorizationCodeFlowResult): OAuthTokenSet {
  return tokenSetFromResponse(
    result.tokens,
    result.issuedAt,
    result.configuration.serverMetadata().token_endpoint ?? 'token endpoint',
  )
}

/** The `email` claim of the login's ID token, if it has a plausible one. @internal */
export function emailFromIdToken(result: AuthorizationCodeFlowResult): string | undefined {
  let claims: Record<string, unknown> | undefined
  try {
    claims = result.tokens.claims()
  } catch {
    return undefined
  }
  return plausibleEmail(claims?.['email'])
}

/** `value` when it looks like an email address (used in profile ids), else `undefined`. @internal */
export function plausibleEmail(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 160 && /^[^\s@/\\]+@[^\s@/\\]+$/.test(value)
    ? value
    : undefined
}
