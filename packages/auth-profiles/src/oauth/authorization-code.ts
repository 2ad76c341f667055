// The OAuth 2.0 authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636) for native apps
// (RFC 8252) on top of openid-client: build the authorization URL, receive the redirect on the
// loopback interface or as a paste, and exchange the code.
import type * as OpenIdClient from 'openid-client'
import { AuthProfilesError } from '../errors.js'
import { DEFAULT_LOGIN_TIMEOUT_MS, startLoopbackCallback, stateMismatchError } from './loopback.js'
import { raceCallbackAndPaste } from './redirect-paste.js'
import {
  createClientConfiguration,
  findAuthProfilesError,
  loadOpenIdClient,
  type OAuthClientSettings,
} from './openid.js'
import type { OAuthLoginCallbacks, OAuthRuntime } from './types.js'

/** @public */
export interface AuthorizationCodeFlowOptions {
  /** Client id, optional secret and endpoints (an issuer alone means OIDC discovery). */
  readonly settings: OAuthClientSettings
  /** The registered loopback redirect URI, sent verbatim as `redirect_uri`. */
  readonly redirectUri: string
  /** Sent space-separated as `scope` (omitted when empty). */
  readonly scopes: readonly string[]
  /**
   * Extra authorization request parameters (e.g. `access_type=offline`). They cannot replace
   * `state`, `redirect_uri` or the PKCE parameters.
   */
  readonly extraAuthorizationParams?: Readonly<Record<string, string>> | undefined
  /** Extra token request parameters, given the login's `state` (Anthropic wants it echoed). */
  readonly tokenEndpointParams?: ((state: string) => Readonly<Record<string, string>>) | undefined
  /** `onAuthUrl` shows the URL, `promptForRedirect` takes a pasted redirect, `onProgress` reports. */
  readonly callbacks: OAuthLoginCallbacks
  /** Network, clock, environment and abort signal. */
  readonly runtime: OAuthRuntime
  /** Time allowed for the person to finish in the browser; default 5 minutes. */
  readonly timeoutMs?: number | undefined
  /** Names the provider in messages, e.g. `OpenAI Codex`; default `OAuth`. */
  readonly label?: string | undefined
}

/** The token response of a completed authorization code flow. @public */
export interface AuthorizationCodeFlowResult {
  /**
   * The token endpoint's JSON as validated by openid-client (`access_token` and `token_type`
   * present; an ID token, if any, checked for issuer, audience and algorithm).
   */
  readonly tokens: OpenIdClient.TokenEndpointResponse & OpenIdClient.TokenEndpointResponseHelpers
  /** Epoch ms just before the token request (per `runtime.now`): add `expires_in` to it. */
  readonly issuedAt: number
  /** The openid-client configuration used (for userinfo or revocation calls). */
  readonly configuration: OpenIdClient.Configuration
}

const safeCode = /^[A-Za-z0-9_.-]{1,64}$/

function endpointName(url: string | undefined): string {
  if (!url) return 'the token endpoint'
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return 'the token endpoint'
  }
}

/**
 * Converts a failure of an OAuth request made during a login into an `AuthProfilesError` whose
 * message names the endpoint and the OAuth error code only. The original error is not attached:
 * openid-client errors can carry response bodies, which may hold tokens.
 *
 * @internal
 */
export function toLoginError(error: unknown, label: string, endpoint: string): AuthProfilesError {
  const ours = findAuthProfilesError(error)
  if (ours) {
    if (ours.code === 'ERR_ABORTED' || ours.code === 'ERR_OAUTH') return ours
    return new AuthProfilesError('ERR_OAUTH', `${label} login failed: ${ours.message}`, {
      retryable: ours.retryable,
    })
  }
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<
    string,
    unknown
  >
  const oauthError = typeof record['error'] === 'string' ? record['error'] : undefined
  const status = typeof record['status'] === 'number' ? record['status'] : undefined
  if (oauthError !== undefined || status !== undefined) {
    const detail = [
      oauthError !== undefined && safeCode.test(oauthError) ? oauthError : undefined,
      status !== undefined ? `HTTP ${status}` : undefined,
    ]
      .filter(Boolean)
      .join(', ')
    return new AuthProfilesError(
      'ERR_OAUTH',
      `${label} login failed: ${endpointName(endpoint)} rejected the request (${detail || 'error'}).`,
      { retryable: status !== undefined && (status === 429 || status >= 500) },
    )
  }
  const cause = record['cause']
  if (cause instanceof Response) {
    return new AuthProfilesError(
      'ERR_OAUTH',
      `${label} login failed: ${endpointName(endpoint)} answered HTTP ${cause.status}.`,
      { retryable: cause.status === 429 || cause.status >= 500 },
    )
  }
  const code =
    typeof record['code'] === 'string' && safeCode.test(record['code']) ? record['code'] : undefined
  // The inner (oauth4webapi) message names the failed check; the outer one is generic.
  const message =
    cause instanceof Error && cause.message.length < 200
      ? cause.message
      : error instanceof Error
        ? error.message
        : 'unexpected error'
  // openid-client messages describe the check that failed and never include values.
  return new AuthProfilesError(
    'ERR_OAUTH',
    `${label} login failed: the response from ${endpointName(endpoint)} was not accepted (${code ? `${code}: ` : ''}${message}).`,
  )
}

/** Throws for an authorization error response (`error=access_denied`, …) or a wrong state. */
function checkAuthorizationResponse(url: URL, expectedState: string, label: string): void {
  if (url.searchParams.get('state') !== expectedState) throw stateMismatchError()
  const error = url.searchParams.get('error')
  if (error !== null) {
    const code = safeCode.test(error) ? error : 'invalid error code'
    const hint =
      error === 'access_denied' ? ' The login was declined or cancelled in the browser.' : ''
    throw new AuthProfilesError(
      'ERR_OAUTH',
      `${label} login failed: the authorization server returned an error (${code}).${hint}`,
    )
  }
  if (!url.searchParams.get('code')) {
    throw new AuthProfilesError(
      'ERR_OAUTH',
      `${label} login failed: the redirect carries no authorization code.`,
    )
  }
}

/**
 * Runs an authorization code login with PKCE (S256):
 *
 * 1. a random PKCE verifier and an independent random `state` (never the verifier);
 * 2. the authorization URL (`buildAuthorizationUrl`), shown through `onAuthUrl` together with
 *    whether the loopback server is listening (when the port is busy, the redirect is pasted);
 * 3. the redirect, from the loopback callback or `promptForRedirect`, whichever comes first — as a
 *    URL rebuilt from the registered redirect URI, so `redirect_uri` matches by construction;
 * 4. the code exchange (`authorizationCodeGrant`) with the verifier and expected state.
 *
 * @throws {AuthProfilesError} `ERR_OAUTH` (state mismatch, `access_denied` or another error in the
 *   redirect, timeout, token endpoint rejection), `ERR_ABORTED`, `ERR_INVALID_ARGUMENT`.
 * @public
 */
export async function runAuthorizationCodeFlow(
  options: AuthorizationCodeFlowOptions,
): Promise<AuthorizationCodeFlowResult> {
  const { runtime, callbacks, redirectUri } = options
  const label = options.label ?? 'OAuth'
  if (runtime.signal?.aborted) {
    throw new AuthProfilesError('ERR_ABORTED', `The ${label} login was aborted.`)
  }
  const client = await loadOpenIdClient()
  let configuration: OpenIdClient.Configuration
  try {
    configuration = await createClientConfiguration(options.settings, runtime)
  } catch (error) {
    throw toLoginError(
      error,
      label,
      options.settings.endpoints.issuer ?? options.settings.endpoints.tokenEndpoint ?? '',
    )
  }
  const metadata = configuration.serverMetadata()
  if (!metadata.authorization_endpoint) {
    throw new AuthProfilesError(
      'ERR_OAUTH',
      `${label} login is not possible: no authorization endpoint is configured or advertised.`,
    )
  }

  const codeVerifier = client.randomPKCECodeVerifier()
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier)
  const state = client.randomState()
  const authorizationUrl = client.buildAuthorizationUrl(configuration, {
    ...options.extraAuthorizationParams,
    redirect_uri: redirectUri,
    ...(options.scopes.length > 0 ? { scope: options.scopes.join(' ') } : {}),
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
  })

  const callback = await startLoopbackCallback({
    redirectUri,
    expectedState: state,
    signal: runtime.signal,
    timeoutMs: options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS,
  })
  let callbackUrl: URL
  try {
    if (!callback.listening && callback.reason) {
      callbacks.onProgress?.(`Cannot listen for the browser redirect (${callback.reason}).`)
    }
    await callbacks.onAuthUrl?.({
      url: authorizationUrl.href,
      redirectUri,
      listening: callback.listening,
      instructions: callback.listening
        ? `Open the URL in a browser and approve the login; claw is waiting for the redirect to ${redirectUri}. If the browser cannot reach it, paste the URL it ends up on.`
        : `Open the URL in a browser and approve the login, then paste the URL the browser ends up on (the page itself may fail to load; that is expected).`,
    })
    callbacks.onProgress?.('Waiting for the browser login…')
    callbackUrl = await raceCallbackAndPaste({
      callback,
      redirectUri,
      expectedState: state,
      promptForRedirect: callbacks.promptForRedirect,
    })
  } finally {
    await callback.close()
  }

  checkAuthorizationResponse(callbackUrl, state, label)
  // A pasted `code#state` or bare code lacks the RFC 9207 `iss` parameter that servers advertising
  // support always add: the code was obtained from this issuer, so supply it.
  if (
    metadata.authorization_response_iss_parameter_supported === true &&
    !callbackUrl.searchParams.has('iss')
  ) {
    callbackUrl.searchParams.set('iss', metadata.issuer)
  }

  callbacks.onProgress?.('Exchanging the authorization code…')
  const issuedAt = runtime.now()
  let tokens: AuthorizationCodeFlowResult['tokens']
  try {
    tokens = await client.authorizationCodeGrant(
      configuration,
      callbackUrl,
      { pkceCodeVerifier: codeVerifier, expectedState: state, idTokenExpected: false },
      options.tokenEndpointParams ? { ...options.tokenEndpointParams(state) } : undefined,
    )
  } catch (error) {
    throw toLoginError(error, label, metadata.token_endpoint ?? '')
  }
  return { tokens, issuedAt, configuration }
}
