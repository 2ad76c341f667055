// The key for a provider, from an ordered chain of sources: an explicit profile, \`aws-sdk\` auth,
// the provider's profiles in order, env vars, the config's \`apiKey\`, ambient credentials. The first
// that yields a key wins and says which it was.
import {
  findProviderConfig,
  formatConfigPath,
  getProvider,
  normalizeProviderId,
} from '@claw/model-catalog'
import type { ClawConfig } from '../config.js'
import { AuthProfilesError } from '../errors.js'
import type { CopilotToken } from '../oauth/copilot-token.js'
import type { FetchFunction } from '../oauth/http.js'
import type { OAuthRefreshSettings } from '../oauth/refresh.js'
import type { DerivedTokenCache } from '../oauth/token-cache.js'
import { resolveEnv, type Clock, type Env } from '../runtime.js'
import { listProfilesForProvider, resolveAuthProfileOrder } from '../selection/order.js'
import { resolveAuthStorePath } from '../store/paths.js'
import { isAuthStoreBackend as isBackend, type AuthStoreBackend } from '../store/store-backend.js'
import type { AuthProfileStore } from '../types.js'
import { resolveAmbientCredentials, resolveEnvApiKey } from './env-keys.js'
import {
  resolveApiKeyForProfile,
  resolveSecretRefLazily,
  type CredentialMode,
} from './resolve-api-key.js'
import { resolveStoredSecret } from './stored-secret.js'

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
  /** The store handle, or loaded store data (see `ResolveApiKeyForProfileOptions.store`). */
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
  /** See `ResolveApiKeyForProfileOptions.deriveCopilotToken`. */
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
