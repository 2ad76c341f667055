// openid-client integration: configurations built from endpoint data (or OIDC discovery), with
// our bounded fetch injected into every request, plus token-response handling and error
// classification shared by the adapters. openid-client loads on first use.
import type * as OpenIdClient from 'openid-client'
import { AuthProfilesError } from '../errors.js'
import type { OAuthCredential } from '../types.js'
import type { OAuthEndpoints, OAuthRuntime, OAuthTokenSet } from './types.js'

type OpenIdModule = typeof OpenIdClient
let openIdModule: Promise<OpenIdModule> | undefined

/** openid-client (and jose under it), loaded on the first OAuth network call. @internal */
export function loadOpenIdClient(): Promise<OpenIdModule> {
  openIdModule ??= import('openid-client')
  return openIdModule
}

/** The client side of an OAuth configuration (for {@link refreshWithTokenEndpoint}). @public */
export interface OAuthClientSettings {
  readonly endpoints: OAuthEndpoints
  readonly clientId: string
  /** For confidential/installed-app clients (sent as `client_secret_post`). */
  readonly clientSecret?: string | undefined
  /** Where discovery documents are kept (see {@link OidcDiscoveryCache}); default one per process. */
  readonly discoveryCache?: OidcDiscoveryCache | undefined
}

/** A discovered issuer's metadata and when it goes stale (epoch ms). @public */
export interface OidcDiscoveryCacheEntry {
  readonly expiresAt: number
  /** The discovery document as openid-client validated it. */
  readonly metadata: object
}

/**
 * Discovery documents by issuer URL, each reused for an hour. The default is one map per process;
 * pass your own (`new Map()`) to an adapter to keep its discoveries to itself.
 *
 * @public
 */
export type OidcDiscoveryCache = Map<string, OidcDiscoveryCacheEntry>

/**
 * openid-client rejects a token response whose `expires_in` is negative or not a number, which
 * would throw away tokens the provider has already rotated. Such a value is dropped before
 * openid-client sees it, so {@link expiresAtFrom} applies its documented fallback instead.
 */
function withTolerantTokenResponses(fetchImpl: OAuthRuntime['fetch']): OAuthRuntime['fetch'] {
  return async (input, init) => {
    const response = await fetchImpl(input, init)
    if (!(response.headers.get('content-type') ?? '').includes('json')) return response
    const text = await response.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return new Response(text, response)
    }
    if (typeof body === 'object' && body !== null && 'expires_in' in body) {
      const expiresIn = (body as { expires_in?: unknown }).expires_in
      if (!(typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0)) {
        const { expires_in: _dropped, ...rest } = body as Record<string, unknown>
        return new Response(JSON.stringify(rest), response)
      }
    }
    return new Response(text, response)
  }
}

const defaultDiscoveryCache: OidcDiscoveryCache = new Map()
const DISCOVERY_TTL_MS = 60 * 60 * 1000

/**
 * An openid-client `Configuration` for these settings: discovered from `endpoints.issuer` when no
 * token endpoint is given (cached for an hour per issuer in `settings.discoveryCache`), otherwise built from the endpoint data.
 * Every request goes through `runtime.fetch`.
 *
 * @internal
 */
export async function createClientConfiguration(
  settings: OAuthClientSettings,
  runtime: OAuthRuntime,
): Promise<OpenIdClient.Configuration> {
  const client = await loadOpenIdClient()
  const { endpoints } = settings
  const auth =
    settings.clientSecret === undefined
      ? client.None()
      : client.ClientSecretPost(settings.clientSecret)
  let metadata: OpenIdClient.ServerMetadata
  if (endpoints.tokenEndpoint === undefined) {
    if (endpoints.issuer === undefined) {
      throw new AuthProfilesError(
        'ERR_INVALID_ARGUMENT',
        'An OAuth provider needs an issuer (for discovery) or a token endpoint.',
      )
    }
    const discoveryCache = settings.discoveryCache ?? defaultDiscoveryCache
    const cached = discoveryCache.get(endpoints.issuer)
    if (cached && cached.expiresAt > runtime.now()) {
      metadata = cached.metadata as OpenIdClient.ServerMetadata
    } else {
      const discovered = await client.discovery(
        new URL(endpoints.issuer),
        settings.clientId,
        undefined,
        auth,
        {
          [client.customFetch]: runtime.fetch as OpenIdClient.CustomFetch,
          ...(runtime.allowInsecureRequests ? { execute: [client.allowInsecureRequests] } : {}),
        },
      )
      metadata = discovered.serverMetadata()
      discoveryCache.set(endpoints.issuer, {
        expiresAt: runtime.now() + DISCOVERY_TTL_MS,
        metadata,
      })
    }
  } else {
    const tokenUrl = new URL(endpoints.tokenEndpoint)
    metadata = {
      issuer: endpoints.issuer ?? tokenUrl.origin,
      token_endpoint: endpoints.tokenEndpoint,
      ...(endpoints.authorizationEndpoint
        ? { authorization_endpoint: endpoints.authorizationEndpoint }
        : {}),
      ...(endpoints.deviceAuthorizationEndpoint
        ? { device_authorization_endpoint: endpoints.deviceAuthorizationEndpoint }
        : {}),
      ...(endpoints.revocationEndpoint
        ? { revocation_endpoint: endpoints.revocationEndpoint }
        : {}),
      ...(endpoints.userinfoEndpoint ? { userinfo_endpoint: endpoints.userinfoEndpoint } : {}),
    }
  }
  const configuration = new client.Configuration(metadata, settings.clientId, undefined, auth)
  configuration[client.customFetch] = withTolerantTokenResponses(
    runtime.fetch,
  ) as OpenIdClient.CustomFetch
  if (runtime.allowInsecureRequests) client.allowInsecureRequests(configuration)
  return configuration
}

/** Bounds for `expires_in`: below a minute or above 30 days is treated as a provider mistake. */
export const EXPIRES_IN_BOUNDS_SECONDS = Object.freeze({
  min: 60,
  max: 30 * 24 * 3600,
  fallback: 3600,
})

/**
 * The expiry of a token response: issue time + `expires_in`, clamped to [60 s, 30 days]; a
 * missing, zero, negative or non-numeric `expires_in` means one hour.
 *
 * @internal
 */
export function expiresAtFrom(expiresIn: unknown, issuedAt: number): number {
  const seconds =
    typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
      ? expiresIn
      : EXPIRES_IN_BOUNDS_SECONDS.fallback
  const clamped = Math.min(
    EXPIRES_IN_BOUNDS_SECONDS.max,
    Math.max(EXPIRES_IN_BOUNDS_SECONDS.min, seconds),
  )
  return issuedAt + clamped * 1000
}

/**
 * Converts a token endpoint response into stored fields. An empty access token is an error (never
 * persisted); a missing refresh token keeps the previous one.
 *
 * @internal
 */
export function tokenSetFromResponse(
  response: OpenIdClient.TokenEndpointResponse,
  issuedAt: number,
  endpoint: string,
): OAuthTokenSet {
  const access = typeof response.access_token === 'string' ? response.access_token : ''
  if (access === '') {
    throw new AuthProfilesError(
      'ERR_REFRESH_FAILED',
      `The token endpoint ${endpoint} returned no access token.`,
      { retryable: true },
    )
  }
  const refresh =
    typeof response.refresh_token === 'string' && response.refresh_token !== ''
      ? response.refresh_token
      : undefined
  return {
    access,
    ...(refresh ? { refresh } : {}),
    expires: expiresAtFrom(response.expires_in, issuedAt),
  }
}

/** OAuth error codes that mean the refresh token is dead. */
const PERMANENT_ERRORS = new Set([
  'invalid_grant',
  'refresh_token_reused',
  'refresh_token_expired',
  'refresh_token_invalidated',
  'invalid_client',
  'unauthorized_client',
  'access_denied',
  'not_found_error',
])

/**
 * The first `AuthProfilesError` in an error's `cause` chain: our bounded fetch's network, timeout
 * and abort errors arrive wrapped in openid-client's own errors.
 *
 * @internal
 */
export function findAuthProfilesError(error: unknown): AuthProfilesError | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    if (AuthProfilesError.isInstance(current)) return current
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** How a failed token request should be treated. @internal */
export interface TokenErrorClass {
  readonly permanent: boolean
  /** The OAuth error code or HTTP status, for messages (never a body). */
  readonly reason: string
}

function findErrorCode(value: unknown, depth = 0): string | undefined {
  if (depth > 3 || typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  for (const key of ['error', 'code', 'type']) {
    const candidate = record[key]
    if (typeof candidate === 'string' && PERMANENT_ERRORS.has(candidate)) return candidate
  }
  for (const key of ['error', 'cause']) {
    const nested = findErrorCode(record[key], depth + 1)
    if (nested) return nested
  }
  return undefined
}

/**
 * Classifies a token-endpoint failure: `invalid_grant`, `refresh_token_reused`,
 * `refresh_token_expired/invalidated`, `invalid_client`, Anthropic's 404 `not_found_error` and
 * any other 400/401/403/404 are permanent (the refresh token is dead); 429, 5xx, network errors,
 * timeouts, non-JSON (HTML) or malformed bodies and 200-with-error responses are transient.
 *
 * @internal
 */
export function classifyTokenError(error: unknown): TokenErrorClass {
  const wrapped = findAuthProfilesError(error)
  if (wrapped) {
    return { permanent: false, reason: wrapped.retryable ? 'network or timeout' : wrapped.code }
  }
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<
    string,
    unknown
  >
  const code = findErrorCode(record) ?? findErrorCode(record['cause'])
  if (code) return { permanent: true, reason: code }
  // openid-client puts the HTTP response in `cause` when an error body is not RFC-shaped (e.g.
  // Anthropic's 404 `{"type":"error","error":{"type":"not_found_error"}}`).
  const cause = record['cause'] as { status?: unknown } | undefined
  const status =
    typeof record['status'] === 'number'
      ? record['status']
      : typeof cause?.status === 'number'
        ? cause.status
        : undefined
  if (status !== undefined) {
    if (status === 429 || status >= 500) return { permanent: false, reason: `HTTP ${status}` }
    if (status === 400 || status === 401 || status === 403 || status === 404) {
      return { permanent: true, reason: `HTTP ${status}` }
    }
  }
  const oauthCode = typeof record['code'] === 'string' ? record['code'] : 'unexpected response'
  return { permanent: false, reason: oauthCode }
}

/**
 * The standard refresh grant (RFC 6749 §6) through openid-client, for adapters whose provider has
 * a conforming token endpoint: no `scope` is sent, the previous refresh token is kept when none is
 * returned, `expires_in` is clamped to [60 s, 30 days] (missing or invalid: 1 h).
 *
 * @public
 */
export async function refreshWithTokenEndpoint(
  settings: OAuthClientSettings,
  credential: OAuthCredential,
  runtime: OAuthRuntime,
  parameters: Record<string, string> = {},
): Promise<OAuthTokenSet> {
  const client = await loadOpenIdClient()
  const configuration = await createClientConfiguration(settings, runtime)
  const issuedAt = runtime.now()
  const response = await client.refreshTokenGrant(configuration, credential.refresh, parameters)
  return tokenSetFromResponse(
    response,
    issuedAt,
    configuration.serverMetadata().token_endpoint ?? 'token endpoint',
  )
}
