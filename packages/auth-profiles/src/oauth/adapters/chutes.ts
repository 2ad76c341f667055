// Chutes ("Sign in with Chutes"): authorization code + PKCE at api.chutes.ai/idp with an
// app-registered client id (stored on the credential so refreshes use the same client).
import { AuthProfilesError } from '../../errors.js'
import type { OAuthCredential } from '../../types.js'
import { runAuthorizationCodeFlow } from '../login-flows.js'
import { refreshWithTokenEndpoint, type OAuthClientSettings } from '../openid.js'
import type { OAuthEndpoints, OAuthProviderAdapter, OAuthRuntime } from '../types.js'
import {
  mergeEndpoints,
  tokenSetFromLogin,
  type AuthorizationCodeOAuthOverrides,
} from './common.js'
import { AUTHORIZATION_CODE_OPTIONS, checkAdapterOptions } from './options.js'

/** The provider id of Chutes profiles. @public */
export const CHUTES_PROVIDER_ID = 'chutes'
/** The environment variable naming the Chutes OAuth client id (when none is configured). @public */
export const CHUTES_CLIENT_ID_ENV = 'CHUTES_CLIENT_ID'
/** The environment variable holding the Chutes OAuth client secret, for confidential clients. @public */
export const CHUTES_CLIENT_SECRET_ENV = 'CHUTES_CLIENT_SECRET'
/** The scopes requested at login. @public */
export const CHUTES_SCOPES: readonly string[] = Object.freeze([
  'openid',
  'profile',
  'chutes:invoke',
])
/** The registered redirect URI. @public */
export const CHUTES_REDIRECT_URI = 'http://localhost:1456/callback'
/**
 * Default endpoints. The issuer (checked against an ID token's `iss`) is the one Chutes' discovery
 * document is served from.
 *
 * @public
 */
export const CHUTES_ENDPOINTS: OAuthEndpoints = Object.freeze({
  issuer: 'https://idp.chutes.ai',
  authorizationEndpoint: 'https://api.chutes.ai/idp/authorize',
  tokenEndpoint: 'https://api.chutes.ai/idp/token',
})

const LABEL = 'Chutes'

/**
 * The Chutes OAuth adapter. Chutes has no shared public client: the client id comes from the
 * override, else `CHUTES_CLIENT_ID` (login) — and for refreshes from the credential's stored
 * `clientId`, else `CHUTES_CLIENT_ID`. `CHUTES_CLIENT_SECRET` is sent when set. Login uses
 * authorization code + PKCE at `https://api.chutes.ai/idp/authorize` with redirect
 * `http://localhost:1456/callback` and stores the client id it used.
 *
 * @public
 */
export function createChutesOAuthAdapter(
  overrides: AuthorizationCodeOAuthOverrides = {},
): OAuthProviderAdapter {
  checkAdapterOptions('createChutesOAuthAdapter', overrides, AUTHORIZATION_CODE_OPTIONS)
  const endpoints = mergeEndpoints(CHUTES_ENDPOINTS, overrides.endpoints)
  const scopes = Object.freeze([...(overrides.scopes ?? CHUTES_SCOPES)])
  const redirectUri = overrides.redirectUri ?? CHUTES_REDIRECT_URI
  const settingsFor = (
    runtime: OAuthRuntime,
    credential?: OAuthCredential,
  ): OAuthClientSettings => {
    const clientId =
      credential?.clientId?.trim() ||
      overrides.clientId ||
      runtime.env[CHUTES_CLIENT_ID_ENV]?.trim()
    if (!clientId) {
      throw new AuthProfilesError(
        'ERR_OAUTH',
        `${LABEL} OAuth needs a client id: set ${CHUTES_CLIENT_ID_ENV} (and ${CHUTES_CLIENT_SECRET_ENV} for a confidential client).`,
        { provider: CHUTES_PROVIDER_ID },
      )
    }
    const clientSecret = overrides.clientSecret ?? runtime.env[CHUTES_CLIENT_SECRET_ENV]?.trim()
    return { endpoints, clientId, ...(clientSecret ? { clientSecret } : {}) }
  }
  return {
    id: CHUTES_PROVIDER_ID,
    displayName: 'Chutes',
    flow: 'authorization_code',
    endpoints,
    clientId: overrides.clientId ?? '',
    scopes,
    redirectUri,
    async login(options) {
      const settings = settingsFor(options.runtime)
      const result = await runAuthorizationCodeFlow({
        settings,
        redirectUri,
        scopes,
        callbacks: options,
        runtime: options.runtime,
        timeoutMs: options.timeoutMs,
        label: LABEL,
      })
      return { ...tokenSetFromLogin(result), clientId: settings.clientId }
    },
    async refresh(credential, runtime) {
      return refreshWithTokenEndpoint(settingsFor(runtime, credential), credential, runtime)
    },
  }
}
