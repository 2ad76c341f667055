// Anthropic (Claude Pro/Max): the long-lived setup-token (`claude setup-token`) validation, and the
// authorization code + PKCE login at claude.ai with JSON token requests.
import { runAuthorizationCodeFlow } from '../login-flows.js'
import type { FetchFunction } from '../http.js'
import { refreshWithTokenEndpoint, type OAuthClientSettings } from '../openid.js'
import type { OAuthEndpoints, OAuthProviderAdapter, OAuthRuntime } from '../types.js'
import {
  applyOverrides,
  tokenSetFromLogin,
  type AuthorizationCodeOAuthOverrides,
} from './common.js'
import { AUTHORIZATION_CODE_OPTIONS, checkAdapterOptions } from './options.js'

/** The provider id of Anthropic profiles. @public */
export const ANTHROPIC_PROVIDER_ID = 'anthropic'
/** Claude Code's public OAuth client id. @public */
export const ANTHROPIC_OAUTH_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e'
/**
 * The scopes requested at login, versioned because changing them has broken downstream apps that
 * refresh tokens obtained elsewhere (refreshes send no scope). Version 1: the original three.
 *
 * @public
 */
export const ANTHROPIC_OAUTH_SCOPES: readonly string[] = Object.freeze([
  'org:create_api_key',
  'user:profile',
  'user:inference',
])
/** The version of {@link ANTHROPIC_OAUTH_SCOPES}. @public */
export const ANTHROPIC_OAUTH_SCOPES_VERSION = 1
/** The registered redirect URI. @public */
export const ANTHROPIC_OAUTH_REDIRECT_URI = 'http://localhost:53692/callback'
/** Default endpoints (the token host has moved before: keep it data). @public */
export const ANTHROPIC_OAUTH_ENDPOINTS: OAuthEndpoints = Object.freeze({
  authorizationEndpoint: 'https://claude.ai/oauth/authorize',
  tokenEndpoint: 'https://platform.claude.com/v1/oauth/token',
})
/** The prefix of a Claude setup-token. @public */
export const ANTHROPIC_SETUP_TOKEN_PREFIX = 'sk-ant-oat01-'
/** The shortest plausible setup-token. @public */
export const ANTHROPIC_SETUP_TOKEN_MIN_LENGTH = 80

/**
 * Why a pasted Anthropic setup-token (from `claude setup-token`) is not acceptable, or `undefined`
 * when it is. Surrounding whitespace is ignored; the token must start with `sk-ant-oat01-`, be at
 * least 80 characters long and contain no whitespace. The message never contains the token.
 *
 * @public
 */
export function validateAnthropicSetupToken(token: string): string | undefined {
  const trimmed = token.trim()
  if (trimmed === '') return 'The setup-token is empty.'
  if (!trimmed.startsWith(ANTHROPIC_SETUP_TOKEN_PREFIX)) {
    return `A setup-token starts with ${ANTHROPIC_SETUP_TOKEN_PREFIX} (run \`claude setup-token\` to create one).`
  }
  if (/\s/.test(trimmed)) return 'The setup-token must not contain spaces or line breaks.'
  if (trimmed.length < ANTHROPIC_SETUP_TOKEN_MIN_LENGTH) {
    return `The setup-token is too short (${trimmed.length} characters; at least ${ANTHROPIC_SETUP_TOKEN_MIN_LENGTH} expected). Was it copied completely?`
  }
  return undefined
}

function requestUrl(input: string | URL | Request): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
}

/**
 * Wraps `fetch` so form-encoded requests to the token endpoint are sent as JSON (Anthropic's token
 * endpoint takes JSON), and a JSON token response without `token_type` gets `Bearer`.
 */
function createJsonTokenFetch(inner: FetchFunction, tokenEndpoint: string): FetchFunction {
  return async (input, init = {}) => {
    if (requestUrl(input) !== tokenEndpoint || !(init.body instanceof URLSearchParams)) {
      return inner(input, init)
    }
    const headers = new Headers(init.headers)
    headers.set('content-type', 'application/json')
    headers.set('accept', 'application/json')
    const response = await inner(input, {
      ...init,
      headers,
      body: JSON.stringify(Object.fromEntries(init.body)),
    })
    if (!response.ok || !/\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
      return response
    }
    const text = await response.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    const record =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined
    const patched =
      record && typeof record['access_token'] === 'string' && record['token_type'] === undefined
        ? JSON.stringify({ ...record, token_type: 'Bearer' })
        : text
    const outHeaders = new Headers(response.headers)
    outHeaders.delete('content-length')
    outHeaders.delete('content-encoding')
    return new Response(patched, {
      status: response.status,
      statusText: response.statusText,
      headers: outHeaders,
    })
  }
}

function jsonRuntime(runtime: OAuthRuntime, tokenEndpoint: string | undefined): OAuthRuntime {
  if (tokenEndpoint === undefined) return runtime
  let normalized: string
  try {
    // openid-client requests `URL#href`: compare in the same form.
    normalized = new URL(tokenEndpoint).href
  } catch {
    return runtime
  }
  return { ...runtime, fetch: createJsonTokenFetch(runtime.fetch, normalized) }
}

/** @public */
export interface AnthropicOAuthOverrides extends AuthorizationCodeOAuthOverrides {
  /**
   * How token requests are encoded: `json` (the default, what Claude Code sends) or `form`
   * (standard `application/x-www-form-urlencoded`).
   */
  readonly tokenRequestEncoding?: 'json' | 'form'
}

/**
 * The Anthropic OAuth adapter: authorization code + PKCE at `https://claude.ai/oauth/authorize`
 * (extra parameter `code=true`), token endpoint `https://platform.claude.com/v1/oauth/token` with
 * JSON bodies (or form bodies with `tokenRequestEncoding: 'form'`) and the `state` echoed, redirect `http://localhost:53692/callback`, scopes
 * {@link ANTHROPIC_OAUTH_SCOPES}. Refreshes send no `scope` (Anthropic answers `invalid_scope`).
 *
 * @public
 */
export function createAnthropicOAuthAdapter(
  overrides: AnthropicOAuthOverrides = {},
): OAuthProviderAdapter {
  checkAdapterOptions('createAnthropicOAuthAdapter', overrides, [
    ...AUTHORIZATION_CODE_OPTIONS,
    'tokenRequestEncoding',
  ])
  const { endpoints, clientId, scopes, redirectUri } = applyOverrides(
    {
      endpoints: ANTHROPIC_OAUTH_ENDPOINTS,
      clientId: ANTHROPIC_OAUTH_CLIENT_ID,
      scopes: ANTHROPIC_OAUTH_SCOPES,
      redirectUri: ANTHROPIC_OAUTH_REDIRECT_URI,
    },
    overrides,
  )
  const settings: OAuthClientSettings = {
    endpoints,
    clientId,
    ...(overrides.clientSecret === undefined ? {} : { clientSecret: overrides.clientSecret }),
  }
  const tokenRuntime = (runtime: OAuthRuntime): OAuthRuntime =>
    overrides.tokenRequestEncoding === 'form'
      ? runtime
      : jsonRuntime(runtime, endpoints.tokenEndpoint)
  return {
    id: ANTHROPIC_PROVIDER_ID,
    displayName: 'Anthropic (Claude Pro/Max)',
    flow: 'authorization_code',
    endpoints,
    clientId,
    scopes,
    redirectUri,
    async login(options) {
      const result = await runAuthorizationCodeFlow({
        settings,
        redirectUri,
        scopes,
        extraAuthorizationParams: { code: 'true' },
        tokenEndpointParams: (state) => ({ state }),
        callbacks: options,
        runtime: tokenRuntime(options.runtime),
        timeoutMs: options.timeoutMs,
        label: 'Anthropic',
      })
      return tokenSetFromLogin(result)
    },
    async refresh(credential, runtime) {
      return refreshWithTokenEndpoint(settings, credential, tokenRuntime(runtime))
    },
  }
}
