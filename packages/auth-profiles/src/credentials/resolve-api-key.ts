import {
  findProviderConfig,
  formatConfigPath,
  getProvider,
  normalizeProviderId,
} from '@claw/model-catalog'
import type { ClawConfig } from '../config.js'
import { resolveAmbientCredentials, resolveEnvApiKey } from './env-keys.js'
import { AuthProfilesError, ReauthRequiredError } from '../errors.js'
import { describeId } from '../ids.js'
import {
  listProfilesForProvider,
  profileEligibility,
  resolveAuthProfileOrder,
} from '../selection/order.js'
import { resolveAuthStorePath } from '../store/paths.js'
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

/** Secret refs (file, exec and env sources) load when a profile or config entry uses one. */
async function resolveSecretRefLazily(
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

/** Where a provider credential came from. @public */
export interface ResolvedProviderKey {
  /** Absent for ambient credentials (`aws-sdk`, `gcloud-adc`), resolved by the vendor SDK. */
  readonly apiKey?: string
  readonly profileId?: string
  /**
   * `profile:<id>`, `env: VAR`, `config: models.providers.<id>.apiKey`, or an ambient label such
   * as `env: AWS_PROFILE` / `aws-sdk default chain` / `gcloud adc`.
   */
  readonly source: string
  readonly mode: CredentialMode
  readonly provider: string
  /** Where to send requests when the credential decides it (GitHub Copilot's API host). */
  readonly baseUrl?: string
  /** Profiles that could not be used on the way, with the reason (never a secret). */
  readonly skipped?: readonly { readonly profileId: string; readonly reason: string }[]
}

/** @public */
export interface ResolveApiKeyForProviderOptions {
  readonly provider: string
  /** The store handle, or loaded store data (see {@link ResolveApiKeyForProfileOptions.store}). */
  readonly store: AuthProfileStore | AuthStoreBackend
  readonly config?: ClawConfig | undefined
  readonly env?: Env
  readonly now?: Clock
  /** Use exactly this profile (no fallback to others or to env). */
  readonly profileId?: string | undefined
  /** Try this profile first. */
  readonly preferredProfile?: string | undefined
  /** The model about to be used (model-scoped cooldowns). */
  readonly model?: string | undefined
  /** The agent dir whose store was searched: named in errors, and where OAuth refreshes persist. */
  readonly agentDir?: string | undefined
  readonly mainAgentDir?: string | null | undefined
  readonly signal?: AbortSignal
  /** `fetch` for OAuth token requests. */
  readonly fetch?: FetchFunction
  /** OAuth refresh settings. */
  readonly oauth?: OAuthRefreshSettings
  /** See {@link ResolveApiKeyForProfileOptions.deriveCopilotToken}. */
  readonly deriveCopilotToken?: boolean
  readonly copilotTokenCache?: DerivedTokenCache<CopilotToken>
}

const envName = /^[A-Z_][A-Z0-9_]*$/

/**
 * A credential for a provider, trying in order:
 *
 * 1. an explicit `profileId` (and nothing else: `No credentials found for profile "<id>".`);
 * 2. `aws-sdk` auth configured for the provider (ambient AWS credentials);
 * 3. the provider's profiles in {@link resolveAuthProfileOrder} order;
 * 4. the provider's env vars (e.g. `ANTHROPIC_OAUTH_TOKEN`, then `ANTHROPIC_API_KEY`);
 * 5. `models.providers.<id>.apiKey` in config (an env var name, a literal or a SecretRef);
 * 6. ambient credentials (Bedrock's AWS chain, Vertex's gcloud ADC).
 *
 * The result says which source won. Profiles that failed on the way (e.g. an unresolvable
 * SecretRef) are listed in `skipped` rather than silently dropped.
 *
 * @throws {AuthProfilesError} `ERR_NO_CREDENTIALS` for an explicit profile that does not resolve;
 *   `ERR_NO_API_KEY` naming the env vars to set and the command to add a profile.
 * @public
 */
export async function resolveApiKeyForProvider(
  options: ResolveApiKeyForProviderOptions,
): Promise<ResolvedProviderKey> {
  const store = isBackend(options.store) ? await options.store.load() : options.store
  const provider = normalizeProviderId(options.provider)
  const env = resolveEnv(options)
  // A handle stays the profile lookups' store: an OAuth refresh persists through it.
  const profileOptions = isBackend(options.store) ? options : { ...options, store }

  if (options.profileId !== undefined) {
    const resolved = await resolveApiKeyForProfile({
      ...profileOptions,
      profileId: options.profileId,
    })
    if (!resolved) {
      throw new AuthProfilesError(
        'ERR_NO_CREDENTIALS',
        `No credentials found for profile ${JSON.stringify(options.profileId)}.`,
        {
          profileId: options.profileId,
          provider,
        },
      )
    }
    return {
      apiKey: resolved.apiKey,
      profileId: resolved.profileId,
      source: `profile:${resolved.profileId}`,
      mode: resolved.mode,
      provider,
    }
  }

  const configured = findProviderConfig(options.config, provider)
  if (configured?.entry.auth === 'aws-sdk') {
    const ambient = resolveAmbientCredentials('amazon-bedrock', { env })
    return { source: ambient?.source ?? 'aws-sdk default chain', mode: 'aws-sdk', provider }
  }

  const skipped: { profileId: string; reason: string }[] = []
  const order = resolveAuthProfileOrder({
    store,
    provider,
    config: options.config,
    preferredProfile: options.preferredProfile,
    model: options.model,
    ...(options.now ? { now: options.now } : {}),
  })
  for (const profileId of order) {
    try {
      const resolved = await resolveApiKeyForProfile({ ...profileOptions, profileId })
      if (resolved) {
        return {
          apiKey: resolved.apiKey,
          profileId,
          source: `profile:${profileId}`,
          mode: resolved.mode,
          provider,
          ...(resolved.baseUrl ? { baseUrl: resolved.baseUrl } : {}),
          ...(skipped.length > 0 ? { skipped } : {}),
        }
      }
      skipped.push({ profileId, reason: 'no usable credential' })
    } catch (error) {
      if (!AuthProfilesError.isInstance(error)) throw error
      skipped.push({ profileId, reason: error.code })
    }
  }
  const withSkipped = skipped.length > 0 ? { skipped } : {}

  const fromEnv = resolveEnvApiKey(provider, { env })
  if (fromEnv)
    return {
      apiKey: fromEnv.apiKey,
      source: fromEnv.source,
      mode: fromEnv.mode,
      provider,
      ...withSkipped,
    }

  if (configured?.entry.apiKey !== undefined) {
    const source = `config: models.providers.${configured.id}.apiKey`
    const raw = configured.entry.apiKey
    if (typeof raw === 'string') {
      const trimmed = raw.trim()
      const value = envName.test(trimmed)
        ? env[trimmed]?.trim()
        : resolveStoredSecret(trimmed, {
            env,
            where: formatConfigPath(['models', 'providers', configured.id, 'apiKey']),
          })
      if (value)
        return {
          apiKey: value,
          source: envName.test(trimmed) ? `env: ${trimmed}` : source,
          mode: 'api-key',
          provider,
          ...withSkipped,
        }
    } else {
      const value = await resolveSecretRefLazily(raw, {
        secrets: options.config?.secrets,
        env,
        ...(options.signal ? { signal: options.signal } : {}),
      })
      return { apiKey: value, source, mode: 'api-key', provider, ...withSkipped }
    }
  }

  const ambient = resolveAmbientCredentials(provider, { env })
  if (ambient) return { source: ambient.source, mode: ambient.mode, provider, ...withSkipped }

  const hasCodexProfile =
    provider === 'openai' && listProfilesForProvider(store, 'openai-codex').length > 0
  if (hasCodexProfile) {
    throw new AuthProfilesError(
      'ERR_NO_API_KEY',
      'No API key found for provider "openai". You are authenticated with OpenAI Codex OAuth: use openai-codex/<model> (ChatGPT OAuth), or set OPENAI_API_KEY for openai/<model>.',
      { provider },
    )
  }
  const envVars = getProvider(provider)?.envVars.map((envVar) => envVar.name) ?? []
  const setEnv = envVars.length > 0 ? `Set ${envVars.join(' or ')}, or add` : 'Add'
  const storePath = options.agentDir
    ? ` Auth store: ${resolveAuthStorePath(options.agentDir)}.`
    : ''
  const skippedNote =
    skipped.length > 0
      ? ` Profiles skipped: ${skipped.map((entry) => `${entry.profileId} (${entry.reason})`).join(', ')}.`
      : ''
  throw new AuthProfilesError(
    'ERR_NO_API_KEY',
    `No API key found for provider ${JSON.stringify(provider)}. ${setEnv} a profile with \`claw models auth paste-api-key --provider ${provider}\`.${storePath}${skippedNote}`,
    { provider },
  )
}
