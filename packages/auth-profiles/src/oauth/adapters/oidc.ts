// A generic OpenID Connect provider: everything comes from the issuer's discovery document.
import { AuthProfilesError } from '../../errors.js'
import { runAuthorizationCodeFlow } from '../login-flows.js'
import {
  createClientConfiguration,
  loadOpenIdClient,
  refreshWithTokenEndpoint,
  type OAuthClientSettings,
  type OidcDiscoveryCache,
} from '../openid.js'
import type { OAuthEndpoints, OAuthProviderAdapter, OAuthRuntime } from '../types.js'
import { emailFromIdToken, plausibleEmail, tokenSetFromLogin } from './common.js'
import { checkAdapterOptions } from './options.js'

/** @public */
export interface OidcOAuthAdapterOptions {
  /** The provider id stored profiles get, e.g. `my-gateway`. */
  readonly id: string
  /** Default: the id. */
  readonly displayName?: string
  /** The OIDC issuer (discovery at `<issuer>/.well-known/openid-configuration`). */
  readonly issuer: string
  readonly clientId: string
  /** For confidential/installed-app clients (`client_secret_post`); omit for public clients. */
  readonly clientSecret?: string
  /** Include `offline_access` (or whatever your server needs) to get a refresh token. */
  readonly scopes: readonly string[]
  /** The registered loopback redirect URI, e.g. `http://127.0.0.1:8765/callback`. */
  readonly redirectUri: string
  readonly extraAuthorizationParams?: Readonly<Record<string, string>>
  /** Endpoint overrides; with a `tokenEndpoint` no discovery happens. */
  readonly endpoints?: Partial<OAuthEndpoints>
  /** Where the issuer's discovery document is kept; default: the package's one per process. */
  readonly discoveryCache?: OidcDiscoveryCache
}

async function userinfoEmail(
  settings: OAuthClientSettings,
  accessToken: string,
  subject: unknown,
  runtime: OAuthRuntime,
): Promise<string | undefined> {
  try {
    const client = await loadOpenIdClient()
    const configuration = await createClientConfiguration(settings, runtime)
    if (!configuration.serverMetadata().userinfo_endpoint) return undefined
    const info = await client.fetchUserInfo(
      configuration,
      accessToken,
      typeof subject === 'string' ? subject : client.skipSubjectCheck,
    )
    return plausibleEmail(info.email)
  } catch {
    return undefined
  }
}

const OIDC_OPTIONS = [
  'id',
  'displayName',
  'issuer',
  'clientId',
  'clientSecret',
  'scopes',
  'redirectUri',
  'extraAuthorizationParams',
  'endpoints',
] as const

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== ''
}

/** Unknown keys, and the required fields of the right type, before anything uses them. */
function checkOidcOptions(options: OidcOAuthAdapterOptions): void {
  const factory = 'createOidcOAuthAdapter'
  checkAdapterOptions(factory, options, OIDC_OPTIONS)
  const problems: string[] = []
  for (const field of ['id', 'issuer', 'clientId', 'redirectUri'] as const) {
    if (!isText(options[field])) problems.push(`${field} must be a non-empty string`)
  }
  const scopes: unknown = options.scopes
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every(isText)) {
    problems.push(
      'scopes must be a non-empty list of scope names (include offline_access to get a refresh token)',
    )
  }
  if (problems.length > 0) {
    throw new AuthProfilesError('ERR_INVALID_ARGUMENT', `${factory}: ${problems.join('; ')}.`)
  }
}

/**
 * An OAuth adapter for any OpenID Connect provider, configured by discovery: authorization code +
 * PKCE on a loopback redirect, refresh with the refresh token, revocation when the server
 * advertises a `revocation_endpoint`. With `offline_access` among the scopes, `prompt=consent` is
 * sent unless `extraAuthorizationParams` sets a prompt (OIDC Core §11). The email comes from the ID token's claims, else (best
 * effort) from the userinfo endpoint.
 *
 * @example
 * ```ts
 * registerOAuthProvider(
 *   createOidcOAuthAdapter({
 *     id: 'my-gateway',
 *     issuer: 'https://login.example.com',
 *     clientId: 'claw-cli',
 *     scopes: ['openid', 'email', 'offline_access'],
 *     redirectUri: 'http://127.0.0.1:8765/callback',
 *   }),
 * )
 * ```
 * @public
 */
export function createOidcOAuthAdapter(options: OidcOAuthAdapterOptions): OAuthProviderAdapter {
  checkOidcOptions(options)
  const endpoints: OAuthEndpoints = Object.freeze({ issuer: options.issuer, ...options.endpoints })
  const scopes = Object.freeze([...options.scopes])
  const settings: OAuthClientSettings = {
    endpoints,
    clientId: options.clientId,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    ...(options.discoveryCache === undefined ? {} : { discoveryCache: options.discoveryCache }),
  }
  const label = options.displayName ?? options.id
  // OIDC Core §11: `offline_access` is honoured only with `prompt=consent` (oidc-provider, for
  // one, drops the scope otherwise and issues no refresh token).
  const authorizationParams =
    scopes.includes('offline_access') && options.extraAuthorizationParams?.['prompt'] === undefined
      ? { ...options.extraAuthorizationParams, prompt: 'consent' }
      : options.extraAuthorizationParams
  return {
    id: options.id,
    displayName: label,
    flow: 'authorization_code',
    endpoints,
    clientId: options.clientId,
    scopes,
    redirectUri: options.redirectUri,
    async login(login) {
      const result = await runAuthorizationCodeFlow({
        settings,
        redirectUri: options.redirectUri,
        scopes,
        extraAuthorizationParams: authorizationParams,
        callbacks: login,
        runtime: login.runtime,
        timeoutMs: login.timeoutMs,
        label,
      })
      const tokens = tokenSetFromLogin(result)
      let subject: unknown
      try {
        subject = result.tokens.claims()?.sub
      } catch {
        subject = undefined
      }
      const email =
        emailFromIdToken(result) ??
        (await userinfoEmail(settings, tokens.access, subject, login.runtime))
      return email === undefined ? tokens : { ...tokens, email }
    },
    async refresh(credential, runtime) {
      return refreshWithTokenEndpoint(settings, credential, runtime)
    },
    async revoke(credential, runtime) {
      const client = await loadOpenIdClient()
      const configuration = await createClientConfiguration(settings, runtime)
      if (!configuration.serverMetadata().revocation_endpoint) return false
      const token = credential.refresh || credential.access
      await client.tokenRevocation(configuration, token, {
        token_type_hint: credential.refresh ? 'refresh_token' : 'access_token',
      })
      return true
    },
  }
}
