// A key for one stored profile: the profile's secret as it is sent (a ref resolved, an OAuth token
// refreshed, a Copilot token derived). The provider-level chain that falls back to env, config and
// ambient credentials is resolve-provider-key.ts.
import { formatConfigPath, normalizeProviderId } from '@claw/model-catalog'
import type { ClawConfig } from '../config.js'
import { AuthProfilesError, ReauthRequiredError } from '../errors.js'
import { describeId } from '../ids.js'
import { profileEligibility } from '../selection/order.js'
import { resolveClock, resolveEnv, resolveFetch, type Clock, type Env } from '../runtime.js'
import { resolveStoredSecret } from './stored-secret.js'
import { isTokenExchangeProvider } from './token-exchange.js'
import { isAuthStoreBackend as isBackend, type AuthStoreBackend } from '../store/store-backend.js'
import type { AuthProfileStore, OAuthCredential, SecretRef } from '../types.js'
import type { ResolveSecretRefOptions } from './secret-refs/index.js'
import type { CopilotToken } from '../oauth/copilot-token.js'
import type { FetchFunction } from '../oauth/http.js'
import type { DerivedTokenCache } from '../oauth/token-cache.js'
import type { OAuthRefreshSettings } from '../oauth/refresh.js'
import { DEFAULT_REFRESH_SKEW_MS } from '../oauth/refresh-skew.js'

/** How a resolved credential is sent. @public */
export type CredentialMode = 'api-key' | 'token' | 'oauth' | 'aws-sdk' | 'gcloud-adc'

/** @public */
export interface ResolvedProfileKey {
  readonly apiKey: string
  /** The stored profile's provider, normalised. */
  readonly provider: string
  readonly profileId: string
  readonly email?: string
  readonly mode: Exclude<CredentialMode, 'aws-sdk' | 'gcloud-adc'>
  /** Where to send requests when the credential decides it (GitHub Copilot's API host). */
  readonly baseUrl?: string
}

/** @public */
export interface ResolveApiKeyForProfileOptions {
  /**
   * The store handle (`openAuthStore(…)`; one `stat` per warm call), which is also where a
   * refreshed OAuth token is saved; or loaded store data (then pass `agentDir` for refreshes).
   */
  readonly store: AuthProfileStore | AuthStoreBackend
  readonly profileId: string
  readonly config?: ClawConfig | undefined
  readonly env?: Env
  readonly now?: Clock
  readonly signal?: AbortSignal
  /**
   * Where a refreshed OAuth credential is stored: the agent dir (sub-agents refresh into the main
   * agent's store when the profile lives there). Not needed when `store` is a backend.
   */
  readonly agentDir?: string | undefined
  readonly mainAgentDir?: string | null | undefined
  /** `fetch` for token requests (default `globalThis.fetch`). */
  readonly fetch?: FetchFunction
  /** OAuth refresh settings: refresh-ahead skew, timeouts, lock, adapters, update hook. */
  readonly oauth?: OAuthRefreshSettings
  /**
   * GitHub Copilot: exchange the stored GitHub token for a short-lived Copilot API token (default
   * true). The derived token is cached in `copilotTokenCache` (by default the package's one
   * process-wide Copilot token cache, shared with `resolveCopilotApiKey`), never stored in the
   * profile.
   */
  readonly deriveCopilotToken?: boolean
  readonly copilotTokenCache?: DerivedTokenCache<CopilotToken>
}

/** Providers whose "API key" is a JSON string of the access token and the Cloud project. */
const projectScopedOAuthProviders = new Set(['google-gemini-cli', 'google-antigravity'])

/**
 * Secret refs (file, exec and env sources) load when a profile or config entry uses one.
 *
 * @internal
 */
export async function resolveSecretRefLazily(
  ref: SecretRef,
  options: ResolveSecretRefOptions,
): Promise<string> {
  const { resolveSecretRef } = await import('./secret-refs/index.js')
  return resolveSecretRef(ref, options)
}

async function secretFromRef(
  ref: SecretRef,
  profileId: string,
  options: ResolveApiKeyForProfileOptions,
): Promise<string> {
  try {
    return await resolveSecretRefLazily(ref, {
      secrets: options.config?.secrets,
      env: resolveEnv(options),
      ...(options.signal ? { signal: options.signal } : {}),
    })
  } catch (error) {
    const reason = AuthProfilesError.isInstance(error)
      ? error.message
      : 'the reference could not be resolved'
    throw new AuthProfilesError('ERR_SECRET_REF', `Profile ${describeId(profileId)}: ${reason}`, {
      cause: error,
      profileId,
    })
  }
}

/**
 * The credential of one profile, ready to send: `{ apiKey, provider, profileId, email?, mode }`,
 * or `null` when the profile cannot be used (unknown, contradicting its config entry, empty, or an
 * expired static token).
 *
 * - `api_key` → the key (or its `keyRef`, resolved); `token` → the trimmed token (or `tokenRef`)
 *   unless expired; `oauth` → the access token while it is valid — for `google-gemini-cli` and
 *   `google-antigravity` a JSON string `{"token", "projectId"}`.
 * - A config entry `auth.profiles[id]` must name the same provider (compared after normalisation)
 *   and a mode matching the stored type (mode `oauth` accepts a stored token).
 *
 * An OAuth profile within the refresh skew (5 min) of expiry is refreshed first (see
 * {@link refreshOAuthCredential}); the refreshed credential is persisted to the store that owns the
 * profile (the handle, or `agentDir`); loaded store data passed as `store` is not changed.
 *
 * @throws {ReauthRequiredError} when the provider rejected the refresh token (a login is needed).
 * @throws {AuthProfilesError} `ERR_REFRESH_FAILED` (retryable) when the refresh failed and the
 *   token has expired; `ERR_REFRESH_UNAVAILABLE` when the token expired and no store location was
 *   given to persist a refresh; `ERR_SECRET_REF` when a `keyRef`/`tokenRef` cannot be resolved.
 * @public
 */
export async function resolveApiKeyForProfile(
  options: ResolveApiKeyForProfileOptions,
): Promise<ResolvedProfileKey | null> {
  const store = isBackend(options.store) ? await options.store.load() : options.store
  const { profileId } = options
  const credential = store.profiles[profileId]
  if (!credential) return null
  const provider = normalizeProviderId(credential.provider)
  // The order's own eligibility rule (config entry, blank secrets, token expiry), so a profile the
  // order would drop never yields a key here either.
  const eligibility = profileEligibility(store, profileId, provider, options.config, () =>
    resolveClock(options)(),
  )
  if (eligibility.code === 'needs_reauth') {
    throw new ReauthRequiredError({
      profileId,
      provider,
      reason: 'a previous refresh was rejected',
    })
  }
  if (!eligibility.eligible) return null
  const configured = options.config?.auth?.profiles?.[profileId]
  const email = configured?.email ?? credential.email
  const result = (apiKey: string, mode: ResolvedProfileKey['mode']): ResolvedProfileKey =>
    email === undefined
      ? { apiKey, provider, profileId, mode }
      : { apiKey, provider, profileId, email, mode }

  const derive = async (
    secret: string,
    mode: ResolvedProfileKey['mode'],
  ): Promise<ResolvedProfileKey> => {
    if (!isTokenExchangeProvider(provider) || options.deriveCopilotToken === false)
      return result(secret, mode)
    const enterprise = credential.type === 'oauth' ? credential.enterpriseUrl : undefined
    const copilot = await deriveCopilotKey(secret, enterprise, profileId, options)
    return { ...result(copilot.apiKey, mode), baseUrl: copilot.baseUrl }
  }

  switch (credential.type) {
    case 'api_key': {
      const key = credential.keyRef
        ? (await secretFromRef(credential.keyRef, profileId, options)).trim()
        : storedSecret(credential.key, profileId, 'key', options)
      return key === '' ? null : result(key, 'api-key')
    }
    case 'token': {
      const token = credential.tokenRef
        ? (await secretFromRef(credential.tokenRef, profileId, options)).trim()
        : storedSecret(credential.token, profileId, 'token', options)
      return token === '' ? null : derive(token, 'token')
    }
    case 'oauth':
      return derive(await resolveOAuthAccess(credential, options), 'oauth')
  }
}

/** A stored `key`/`token` as it is sent (trimmed, `${VAR}` resolved); `''` when blank. */
function storedSecret(
  value: string | undefined,
  profileId: string,
  field: 'key' | 'token',
  options: ResolveApiKeyForProfileOptions,
): string {
  // Most keys hold no template: no path string is built for them.
  if (value === undefined || !value.includes('${')) return (value ?? '').trim()
  return resolveStoredSecret(value, {
    env: resolveEnv(options),
    where: formatConfigPath(['profiles', profileId, field]),
    profileId,
  })
}

/**
 * Exchanges a GitHub token for a Copilot API token (cached). A rejected GitHub token means the
 * profile needs a new login.
 */
async function deriveCopilotKey(
  githubToken: string,
  domain: string | undefined,
  profileId: string,
  options: Pick<ResolveApiKeyForProfileOptions, 'fetch' | 'now' | 'signal' | 'copilotTokenCache'>,
): Promise<{ apiKey: string; baseUrl: string }> {
  const [{ resolveCopilotApiKey }, { createBoundedFetch }] = await Promise.all([
    import('../oauth/copilot-token.js'),
    import('../oauth/http.js'),
  ])
  try {
    return await resolveCopilotApiKey({
      githubToken,
      domain,
      runtime: {
        fetch: createBoundedFetch(resolveFetch(options), {
          ...(options.signal ? { signal: options.signal } : {}),
        }),
        now: resolveClock(options),
        signal: options.signal,
      },
      // Without one, the adapter's default cache: the one a host calling it directly uses too.
      cache: options.copilotTokenCache,
    })
  } catch (error) {
    if (AuthProfilesError.isInstance(error) && error.code === 'ERR_OAUTH') {
      throw new ReauthRequiredError({
        profileId,
        provider: 'github-copilot',
        reason: error.message,
      })
    }
    throw error
  }
}

function oauthApiKey(provider: string, credential: OAuthCredential): string {
  const access = credential.access.trim()
  return projectScopedOAuthProviders.has(provider)
    ? JSON.stringify({ token: access, projectId: credential.projectId })
    : access
}

/**
 * A usable access token for an OAuth profile: the stored one while more than the refresh skew
 * remains, else a refreshed one (persisted to the store that owns the profile; the next load of
 * the handle returns it).
 */
async function resolveOAuthAccess(
  credential: OAuthCredential,
  options: ResolveApiKeyForProfileOptions,
): Promise<string> {
  const provider = normalizeProviderId(credential.provider)
  const { profileId } = options
  const now = resolveClock(options)()
  const skewMs = options.oauth?.skewMs ?? DEFAULT_REFRESH_SKEW_MS
  // A blank access token is no token: it is refreshed, never sent.
  const hasAccess = credential.access.trim() !== ''
  if (hasAccess && now < credential.expires - skewMs) return oauthApiKey(provider, credential)
  const target = isBackend(options.store)
    ? { backend: options.store }
    : options.agentDir !== undefined
      ? {
          agentDir: options.agentDir,
          ...(options.mainAgentDir === undefined ? {} : { mainAgentDir: options.mainAgentDir }),
        }
      : undefined
  if (!target) {
    if (hasAccess && now < credential.expires) return oauthApiKey(provider, credential)
    throw new AuthProfilesError(
      'ERR_REFRESH_UNAVAILABLE',
      `The OAuth access token of profile ${describeId(profileId)} (${provider}) has expired; pass the store handle (openAuthStore({ agentDir })) as \`store\`, or the store's agentDir, so claw can refresh it and save the new token.`,
      { profileId, provider },
    )
  }
  // The refresh machinery (token endpoints, adapters, locks) loads only when a token needs it.
  const { refreshOAuthCredential } = await import('../oauth/refresh.js')
  const refreshed = await refreshOAuthCredential({
    ...options.oauth,
    ...target,
    profileId,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  })
  return oauthApiKey(provider, refreshed.credential)
}
