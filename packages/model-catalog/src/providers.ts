import { loadBuiltinSnapshot } from './builtin-snapshot.js'
import { normalizeProviderId } from './model-ref.js'
import { PROVIDER_REGISTRY, type ProviderInfo } from './provider-registry.js'
import type { CatalogConfig, ModelProviderConfig } from './schemas.js'

const registryById: ReadonlyMap<string, ProviderInfo> = new Map(
  PROVIDER_REGISTRY.map((info) => [info.id, info]),
)

/**
 * The hand-kept registry entry for a provider (after id normalisation), without touching the
 * catalog data. @internal
 */
export function getRegisteredProvider(provider: string): ProviderInfo | undefined {
  return registryById.get(normalizeProviderId(provider))
}

let catalogOnly: ReadonlyMap<string, ProviderInfo> | undefined

function catalogOnlyProviders(): ReadonlyMap<string, ProviderInfo> {
  catalogOnly ??= new Map(
    loadBuiltinSnapshot()
      .providers.filter((entry) => !registryById.has(entry.id))
      .map((entry) => [
        entry.id,
        Object.freeze({
          id: entry.id,
          aliases: [],
          displayName: entry.name,
          envVars: (entry.env ?? []).map((name) => ({
            name,
            kind: name.includes('OAUTH_TOKEN') ? ('oauth-token' as const) : ('api-key' as const),
          })),
          ambientEnvVars: [],
          api: entry.api ?? 'openai-completions',
          baseUrl: entry.baseUrl ?? '',
          authModes: ['api-key'],
          cooldownBypass: false,
          local: false,
        } satisfies ProviderInfo),
      ]),
  )
  return catalogOnly
}

/**
 * Provider data by id (normalised first: `Z.AI` finds `zai`). The hand-kept registry answers
 * first; providers that only the built-in catalog knows are answered from its data (loaded on
 * first use).
 *
 * @example
 * ```ts
 * getProvider('anthropic')?.envVars.map((envVar) => envVar.name) // ['ANTHROPIC_OAUTH_TOKEN', 'ANTHROPIC_API_KEY']
 * ```
 * @public
 */
export function getProvider(provider: string): ProviderInfo | undefined {
  const id = normalizeProviderId(provider)
  return registryById.get(id) ?? catalogOnlyProviders().get(id)
}

/** @public */
export interface ListProvidersOptions {
  /** Also list providers known only from the built-in catalog data (default `true`). */
  readonly includeCatalog?: boolean
}

/**
 * Every known provider: the registry in its documented order, then catalog-only providers
 * sorted by id.
 *
 * @public
 */
export function listProviders(options: ListProvidersOptions = {}): readonly ProviderInfo[] {
  if (options.includeCatalog === false) return PROVIDER_REGISTRY
  return [
    ...PROVIDER_REGISTRY,
    ...[...catalogOnlyProviders().values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
  ]
}

/**
 * A provider's entry in `config.models.providers`, matched by normalised id (`Z.AI` finds `zai`),
 * with the key it is stored under.
 *
 * @public
 */
export function findProviderConfig(
  config: CatalogConfig | undefined,
  provider: string,
): { readonly id: string; readonly entry: ModelProviderConfig } | undefined {
  const providers = config?.models?.providers
  if (!providers) return undefined
  const exact = providers[provider]
  if (exact) return { id: provider, entry: exact }
  const wanted = normalizeProviderId(provider)
  for (const [id, entry] of Object.entries(providers)) {
    if (normalizeProviderId(id) === wanted) return { id, entry }
  }
  return undefined
}

/**
 * The base URL requests to a provider go to: `models.providers.<id>.baseUrl` from config, else
 * the provider's default from the registry or catalog, else `undefined` (an unknown provider with
 * no configured URL).
 *
 * @example
 * ```ts
 * resolveProviderBaseUrl('openai') // 'https://api.openai.com/v1'
 * resolveProviderBaseUrl('openai', { models: { providers: { openai: { baseUrl: 'http://127.0.0.1:8080/v1' } } } })
 * // 'http://127.0.0.1:8080/v1'
 * ```
 * @public
 */
export function resolveProviderBaseUrl(
  provider: string,
  config?: CatalogConfig,
): string | undefined {
  return findProviderConfig(config, provider)?.entry.baseUrl ?? getProvider(provider)?.baseUrl
}
