// OpenAI Codex (ChatGPT Plus/Pro sign-in): authorization code + PKCE at auth.openai.com with the
// Codex CLI's public client, and the ChatGPT account id read from the access token.
import { codexAccountIdFromAccessToken } from '../codex-account.js'
import { runAuthorizationCodeFlow } from '../login-flows.js'
import { refreshWithTokenEndpoint, type OAuthClientSettings } from '../openid.js'
import type { OAuthEndpoints, OAuthProviderAdapter, OAuthTokenSet } from '../types.js'
import {
  applyOverrides,
  tokenSetFromLogin,
  type AuthorizationCodeOAuthOverrides,
} from './common.js'
import { AUTHORIZATION_CODE_OPTIONS, checkAdapterOptions } from './options.js'

/** The provider id of OpenAI Codex profiles. @public */
export const OPENAI_CODEX_PROVIDER_ID = 'openai-codex'
/** The Codex CLI's public OAuth client id (no secret). @public */
export const OPENAI_CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann'
/** The scopes requested at login. @public */
export const OPENAI_CODEX_SCOPES: readonly string[] = Object.freeze([
  'openid',
  'profile',
  'email',
  'offline_access',
])
/** The registered redirect URI (OpenAI's client registration accepts only port 1455). @public */
export const OPENAI_CODEX_REDIRECT_URI = 'http://localhost:1455/auth/callback'
/** Default endpoints. @public */
export const OPENAI_CODEX_ENDPOINTS: OAuthEndpoints = Object.freeze({
  issuer: 'https://auth.openai.com',
  authorizationEndpoint: 'https://auth.openai.com/oauth/authorize',
  tokenEndpoint: 'https://auth.openai.com/oauth/token',
})
/** Extra authorization parameters the Codex flow sends (`originator` names the client). @public */
export const OPENAI_CODEX_AUTHORIZATION_PARAMS: Readonly<Record<string, string>> = Object.freeze({
  id_token_add_organizations: 'true',
  codex_cli_simplified_flow: 'true',
  originator: 'claw',
})

/** @public */
export interface OpenAICodexOAuthOverrides extends AuthorizationCodeOAuthOverrides {
  /** The `originator` authorization parameter; default `claw`. */
  readonly originator?: string
}

async function withAccountId(tokens: OAuthTokenSet): Promise<OAuthTokenSet> {
  const accountId = await codexAccountIdFromAccessToken(tokens.access)
  return accountId === undefined ? tokens : { ...tokens, accountId }
}

/**
 * The OpenAI Codex OAuth adapter: authorization code + PKCE at
 * `https://auth.openai.com/oauth/authorize` (extra parameters `id_token_add_organizations`,
 * `codex_cli_simplified_flow`, `originator=claw`), redirect `http://localhost:1455/auth/callback`,
 * scopes `openid profile email offline_access`. The stored `accountId` comes from the access token
 * and is re-derived on every refresh (refresh tokens rotate and are single-use).
 *
 * @example
 * ```ts
 * registerOAuthProvider(createOpenAICodexOAuthAdapter({ originator: 'my-app' }))
 * ```
 * @public
 */
export function createOpenAICodexOAuthAdapter(
  overrides: OpenAICodexOAuthOverrides = {},
): OAuthProviderAdapter {
  checkAdapterOptions('createOpenAICodexOAuthAdapter', overrides, [
    ...AUTHORIZATION_CODE_OPTIONS,
    'originator',
  ])
  const { endpoints, clientId, scopes, redirectUri } = applyOverrides(
    {
      endpoints: OPENAI_CODEX_ENDPOINTS,
      clientId: OPENAI_CODEX_CLIENT_ID,
      scopes: OPENAI_CODEX_SCOPES,
      redirectUri: OPENAI_CODEX_REDIRECT_URI,
    },
    overrides,
  )
  const settings: OAuthClientSettings = {
    endpoints,
    clientId,
    ...(overrides.clientSecret === undefined ? {} : { clientSecret: overrides.clientSecret }),
  }
  const authorizationParams = {
    ...OPENAI_CODEX_AUTHORIZATION_PARAMS,
    ...(overrides.originator === undefined ? {} : { originator: overrides.originator }),
  }
  return {
    id: OPENAI_CODEX_PROVIDER_ID,
    displayName: 'OpenAI Codex (ChatGPT)',
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
        extraAuthorizationParams: authorizationParams,
        callbacks: options,
        runtime: options.runtime,
        timeoutMs: options.timeoutMs,
        label: 'OpenAI Codex',
      })
      return withAccountId(tokenSetFromLogin(result))
    },
    async refresh(credential, runtime) {
      return withAccountId(await refreshWithTokenEndpoint(settings, credential, runtime))
    },
  }
}
