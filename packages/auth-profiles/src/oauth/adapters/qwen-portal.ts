// Qwen Portal (chat.qwen.ai): a device-code login with PKCE, refresh by form POST, and the
// account's API base URL taken from the token response's `resource_url`.
import { AuthProfilesError } from '../../errors.js'
import type { OAuthCredential } from '../../types.js'
import { runDeviceFlow } from '../login-flows.js'
import type { OAuthEndpoints, OAuthProviderAdapter, OAuthRuntime, OAuthTokenSet } from '../types.js'
import { checkAdapterOptions } from './options.js'

/** The provider id of Qwen Portal profiles. @public */
export const QWEN_PORTAL_PROVIDER_ID = 'qwen-portal'
/** The public OAuth client id of Qwen Code. @public */
export const QWEN_PORTAL_CLIENT_ID = 'f0304373b74a44d2b584a3fb70ca9e56'
/** The scopes requested at login. @public */
export const QWEN_PORTAL_SCOPES: readonly string[] = Object.freeze([
  'openid',
  'profile',
  'email',
  'model.completion',
])
/** The default Qwen Portal endpoints. @public */
export const QWEN_PORTAL_ENDPOINTS: OAuthEndpoints = Object.freeze({
  deviceAuthorizationEndpoint: 'https://chat.qwen.ai/api/v1/oauth2/device/code',
  tokenEndpoint: 'https://chat.qwen.ai/api/v1/oauth2/token',
})

const LABEL = 'Qwen Portal'

/** Overrides for {@link createQwenPortalOAuthAdapter} (a proxy, tests). @public */
export interface QwenPortalOAuthOverrides {
  readonly clientId?: string
  /** Replace the device authorization and token endpoints (e.g. a local test server). */
  readonly endpoints?: OAuthEndpoints
}

/**
 * A Qwen token endpoint failure, shaped for `classifyTokenError`: `status`/`error` are set only
 * when they decide the outcome (HTTP 400 → `invalid_grant`, permanent; 429/5xx → transient); every
 * other failure carries just a `code`, which classifies as transient. Never holds a body.
 */
class QwenTokenError extends Error {
  override readonly name = 'QwenTokenError'
  readonly status: number | undefined
  readonly error: string | undefined
  readonly code: string

  constructor(message: string, fields: { status?: number; error?: string; code: string }) {
    super(message)
    this.status = fields.status
    this.error = fields.error
    this.code = fields.code
  }
}

/**
 * The API base URL for a `resource_url`: a bare host (`portal.qwen.ai`) becomes
 * `https://portal.qwen.ai/v1`; a full https URL is kept as given (without a trailing slash);
 * anything else is ignored.
 *
 * @internal
 */
export function qwenBaseUrlFromResource(resourceUrl: unknown): string | undefined {
  if (typeof resourceUrl !== 'string') return undefined
  const value = resourceUrl.trim()
  if (value === '') return undefined
  if (/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/i.test(value)) {
    return `https://${value.toLowerCase()}/v1`
  }
  try {
    const url = new URL(value)
    if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return undefined
    return `${url.origin}${url.pathname}`.replace(/\/+$/, '')
  } catch {
    return undefined
  }
}

function withResource(tokens: OAuthTokenSet, resourceUrl: unknown): OAuthTokenSet {
  const enterpriseUrl = qwenBaseUrlFromResource(resourceUrl)
  return enterpriseUrl === undefined ? tokens : { ...tokens, enterpriseUrl }
}

function positiveSeconds(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? seconds
    : undefined
}

async function refreshQwen(
  tokenEndpoint: string,
  clientId: string,
  credential: OAuthCredential,
  runtime: OAuthRuntime,
): Promise<OAuthTokenSet> {
  const issuedAt = runtime.now()
  const response = await runtime.fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credential.refresh,
      client_id: credential.clientId ?? clientId,
    }).toString(),
    ...(runtime.signal ? { signal: runtime.signal } : {}),
  })
  const status = response.status
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined)
    if (status === 400) {
      throw new QwenTokenError(`${LABEL} rejected the refresh token (HTTP 400).`, {
        status: 400,
        error: 'invalid_grant',
        code: 'invalid_grant',
      })
    }
    const decisive = status === 429 || status >= 500
    throw new QwenTokenError(`${LABEL} token refresh failed (HTTP ${status}).`, {
      ...(decisive ? { status } : {}),
      code: `HTTP ${status}`,
    })
  }
  let body: unknown
  try {
    body = await response.json()
  } catch {
    body = undefined
  }
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
  const access = record['access_token']
  const expiresIn = positiveSeconds(record['expires_in'])
  if (typeof access !== 'string' || access === '' || expiresIn === undefined) {
    throw new QwenTokenError(
      `${LABEL} token refresh returned an unexpected response (no access_token or expires_in).`,
      { code: 'unexpected response' },
    )
  }
  const refresh = record['refresh_token']
  return withResource(
    {
      access,
      ...(typeof refresh === 'string' && refresh !== '' ? { refresh } : {}),
      expires: issuedAt + expiresIn * 1000,
    },
    record['resource_url'],
  )
}

/**
 * The Qwen Portal OAuth adapter: device code at `https://chat.qwen.ai/api/v1/oauth2/device/code`
 * with PKCE (S256), tokens from `…/oauth2/token`, scope `openid profile email model.completion`.
 * The token response's `resource_url` becomes the profile's `enterpriseUrl` (the API base URL,
 * `https://<host>/v1` for a bare host).
 *
 * `refresh` posts `grant_type=refresh_token` as a form: HTTP 400 means the refresh token is dead
 * (a new login is needed); other failures and responses without `access_token` or `expires_in`
 * are transient. A response without a new refresh token keeps the old one.
 *
 * @public
 */
export function createQwenPortalOAuthAdapter(
  overrides: QwenPortalOAuthOverrides = {},
): OAuthProviderAdapter {
  checkAdapterOptions('createQwenPortalOAuthAdapter', overrides, ['clientId', 'endpoints'])
  const clientId = overrides.clientId ?? QWEN_PORTAL_CLIENT_ID
  const endpoints: OAuthEndpoints = { ...QWEN_PORTAL_ENDPOINTS, ...overrides.endpoints }
  const tokenEndpoint = endpoints.tokenEndpoint ?? QWEN_PORTAL_ENDPOINTS.tokenEndpoint ?? ''
  return {
    id: QWEN_PORTAL_PROVIDER_ID,
    displayName: LABEL,
    flow: 'device_code',
    endpoints,
    clientId,
    scopes: QWEN_PORTAL_SCOPES,
    async login(options): Promise<OAuthTokenSet> {
      const { onDeviceCode } = options
      if (onDeviceCode === undefined) {
        throw new AuthProfilesError(
          'ERR_INVALID_ARGUMENT',
          'The Qwen Portal login is a device-code flow: pass onDeviceCode to show the code.',
          { provider: QWEN_PORTAL_PROVIDER_ID },
        )
      }
      const { tokens, issuedAt } = await runDeviceFlow({
        settings: { endpoints, clientId },
        scopes: QWEN_PORTAL_SCOPES,
        pkce: true,
        callbacks: {
          onDeviceCode,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        },
        runtime: options.runtime,
        timeoutMs: options.timeoutMs,
        label: LABEL,
      })
      const expiresIn = positiveSeconds(tokens.expires_in)
      if (expiresIn === undefined) {
        throw new AuthProfilesError(
          'ERR_OAUTH',
          `${LABEL} login failed: the token response has no expires_in.`,
          { provider: QWEN_PORTAL_PROVIDER_ID },
        )
      }
      const refresh = typeof tokens.refresh_token === 'string' ? tokens.refresh_token : ''
      if (refresh === '') {
        throw new AuthProfilesError(
          'ERR_OAUTH',
          `${LABEL} login failed: the token response has no refresh_token.`,
          { provider: QWEN_PORTAL_PROVIDER_ID },
        )
      }
      return withResource(
        { access: tokens.access_token, refresh, expires: issuedAt + expiresIn * 1000 },
        tokens['resource_url'],
      )
    },
    refresh(credential, runtime) {
      return refreshQwen(tokenEndpoint, clientId, credential, runtime)
    },
  }
}
