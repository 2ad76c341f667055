import { loadBuiltinSnapshot } from './builtin-snapshot.js'
import type {
  CatalogConfig,
  ModelCompat,
  ModelDefinitionConfig,
  ModelProviderConfig,
  ModelsJsonDocument,
} from './schemas.js'
import { formatConfigPath, joinConfigPath } from './config-path.js'
import { mergeCost, ZERO_COST } from './cost.js'
import { configError } from './errors.js'
import { modelKey, normalizeProviderId, parseModelRef, type ModelRef } from './model-ref.js'
import { PROVIDER_REGISTRY, type ModelApi } from './provider-registry.js'
import { getRegisteredProvider } from './providers.js'
import type { SnapshotModel } from './snapshot-types.js'

/** Prices in USD per million tokens. @public */
export interface ModelCost {
  readonly input: number
  readonly output: number
  readonly cacheRead: number
  readonly cacheWrite: number
}

/** @public */
export type ModelInputKind = 'text' | 'image'

/** Where a catalog entry came from. @public */
export type CatalogSource = 'builtin' | 'models.json' | 'config'

/**
 * One model in the catalog.
 *
 * @public
 */
export interface CatalogModel {
  readonly provider: string
  readonly id: string
  /** `provider/id`. */
  readonly key: string
  readonly name: string
  readonly api: ModelApi
  /** The provider's base URL (empty when unknown). */
  readonly baseUrl: string
  readonly reasoning: boolean
  readonly toolCall: boolean
  readonly input: readonly ModelInputKind[]
  readonly cost: ModelCost
  readonly contextWindow: number
  readonly maxTokens: number
  readonly headers?: Readonly<Record<string, string>>
  readonly compat?: ModelCompat
  readonly releaseDate?: string
  readonly source: CatalogSource
}

/**
 * One provider in the catalog.
 *
 * @public
 */
export interface CatalogProvider {
  readonly id: string
  readonly name: string
  readonly api: ModelApi
  readonly baseUrl: string
  /** Credential env var names in precedence order. */
  readonly envVars: readonly string[]
  readonly modelCount: number
  /** True when claw's provider registry knows how to authenticate this provider. */
  readonly known: boolean
  readonly source: CatalogSource
}

/** @public */
export interface ModelCatalog {
  /**
   * Looks a model up by `provider/id` (or a {@link ModelRef}); case-insensitive on both parts and
   * applying model-id normalisation. Bare ids without a provider return `undefined`.
   */
  find(refOrKey: string | ModelRef): CatalogModel | undefined
  /** All models, or one provider's, sorted by provider, then name. */
  list(options?: { readonly provider?: string }): readonly CatalogModel[]
  /** All providers that have models or are known to the registry, sorted by id. */
  providers(): readonly CatalogProvider[]
}

/** @public */
export interface CreateModelCatalogOptions {
  /**
   * The application config, validated with {@link parseCatalogConfig}; its `models.providers` are
   * merged over the built-in data (`models.mode`: `merge` (default) keeps built-in models after
   * the configured ones, `replace` drops the built-in models of each configured provider).
   */
  readonly config?: CatalogConfig | undefined
  /** A `models.json` document validated with {@link parseModelsJson}, merged before the config. */
  readonly modelsJson?: ModelsJsonDocument | undefined
  /**
   * Leave out the built-in snapshot (only registry providers, `modelsJson` and config). For
   * embedders with their own model list.
   */
  readonly builtin?: boolean
}

/** Defaults for user-defined models the built-in data does not know. @public */
export const CUSTOM_MODEL_DEFAULTS = Object.freeze({
  contextWindow: 128_000,
  maxTokens: 16_384,
})

/** A model before provider-level fields (API, base URL, headers) are applied. */
interface ModelSpec {
  readonly id: string
  readonly name: string
  /** Model-specific API; the provider's applies when absent. */
  readonly api?: ModelApi
  readonly reasoning: boolean
  readonly toolCall: boolean
  readonly input: readonly ModelInputKind[]
  readonly cost: ModelCost
  readonly contextWindow: number
  readonly maxTokens: number
  /** Model-specific headers, merged over the provider's. */
  readonly headers?: Readonly<Record<string, string>>
  readonly compat?: ModelCompat
  readonly releaseDate?: string
  readonly source: CatalogSource
}

interface ProviderSpec {
  readonly id: string
  name: string
  api: ModelApi
  baseUrl: string
  envVars: readonly string[]
  headers: Readonly<Record<string, string>>
  models: Map<string, ModelSpec>
  readonly known: boolean
  source: CatalogSource
}

interface CatalogIndex {
  readonly byKey: ReadonlyMap<string, CatalogModel>
  readonly all: readonly CatalogModel[]
  readonly byProvider: ReadonlyMap<string, readonly CatalogModel[]>
  readonly providers: readonly CatalogProvider[]
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function compareModels(a: CatalogModel, b: CatalogModel): number {
  return compareText(a.name.toLowerCase(), b.name.toLowerCase()) || compareText(a.id, b.id)
}

function providerSpec(id: string, source: CatalogSource): ProviderSpec {
  const info = getRegisteredProvider(id)
  return {
    id,
    name: info?.displayName ?? id,
    api: info?.api ?? 'openai-completions',
    baseUrl: info?.baseUrl ?? '',
    envVars: info?.envVars.map((envVar) => envVar.name) ?? [],
    headers: info?.headers ?? {},
    models: new Map(),
    known: info !== undefined,
    source,
  }
}

function snapshotModelSpec(model: SnapshotModel): ModelSpec {
  return {
    id: model.id,
    name: model.name,
    ...(model.api ? { api: model.api } : {}),
    reasoning: model.reasoning,
    toolCall: model.toolCall,
    input: model.input,
    cost: model.cost,
    contextWindow: model.contextWindow,
    maxTokens: model.maxTokens,
    ...(model.releaseDate ? { releaseDate: model.releaseDate } : {}),
    source: 'builtin',
  }
}

function stringHeaders(headers: ModelProviderConfig['headers']): Record<string, string> {
  const result: Record<string, string> = {}
  // SecretRef-valued headers are resolved at request time by the auth layer, never stored here.
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') result[name] = value
  }
  return result
}

/** A user definition over the built-in entry of the same id: explicit fields win. */
function userModelSpec(
  definition: ModelDefinitionConfig,
  base: ModelSpec | undefined,
  source: CatalogSource,
): ModelSpec {
  const api = definition.api ?? base?.api
  const headers = { ...base?.headers, ...stringHeaders(definition.headers) }
  const compat = definition.compat ?? base?.compat
  return {
    id: definition.id,
    name: definition.name ?? base?.name ?? definition.id,
    ...(api ? { api } : {}),
    reasoning: definition.reasoning ?? base?.reasoning ?? false,
    toolCall: definition.toolCall ?? base?.toolCall ?? false,
    input: definition.input ?? base?.input ?? ['text'],
    cost: mergeCost(base?.cost ?? ZERO_COST, definition.cost),
    contextWindow:
      definition.contextWindow ?? base?.contextWindow ?? CUSTOM_MODEL_DEFAULTS.contextWindow,
    maxTokens: definition.maxTokens ?? base?.maxTokens ?? CUSTOM_MODEL_DEFAULTS.maxTokens,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(compat ? { compat } : {}),
    ...(base?.releaseDate ? { releaseDate: base.releaseDate } : {}),
    source,
  }
}

function applyProviderLayer(
  providers: Map<string, ProviderSpec>,
  layer: Readonly<Record<string, ModelProviderConfig>>,
  mode: 'merge' | 'replace',
  source: CatalogSource,
  pathPrefix: string,
): void {
  for (const [rawId, config] of Object.entries(layer)) {
    const id = normalizeProviderId(rawId)
    const provider = providers.get(id) ?? providerSpec(id, source)
    if (!providers.has(id) && !provider.known && config.baseUrl === undefined) {
      throw configError('Invalid config', [
        {
          path: joinConfigPath(joinConfigPath(pathPrefix, formatConfigPath([rawId])), 'baseUrl'),
          message: 'required for a provider claw does not know',
        },
      ])
    }
    if (config.baseUrl !== undefined) provider.baseUrl = config.baseUrl
    if (config.api !== undefined) provider.api = config.api
    provider.headers = { ...provider.headers, ...stringHeaders(config.headers) }
    provider.source = source
    const models = new Map<string, ModelSpec>()
    for (const definition of config.models ?? []) {
      models.set(
        definition.id,
        userModelSpec(definition, provider.models.get(definition.id), source),
      )
    }
    if (mode === 'merge') {
      for (const [modelId, model] of provider.models)
        if (!models.has(modelId)) models.set(modelId, model)
    }
    provider.models = models
    providers.set(id, provider)
  }
}

function materialize(provider: ProviderSpec, model: ModelSpec): CatalogModel {
  const headers = { ...provider.headers, ...model.headers }
  return {
    provider: provider.id,
    id: model.id,
    key: modelKey(provider.id, model.id),
    name: model.name,
    api: model.api ?? provider.api,
    baseUrl: provider.baseUrl,
    reasoning: model.reasoning,
    toolCall: model.toolCall,
    input: model.input,
    cost: model.cost,
    contextWindow: model.contextWindow,
    maxTokens: model.maxTokens,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(model.compat ? { compat: model.compat } : {}),
    ...(model.releaseDate ? { releaseDate: model.releaseDate } : {}),
    source: model.source,
  }
}

function buildIndex(options: CreateModelCatalogOptions): CatalogIndex {
  const providers = new Map<string, ProviderSpec>()
  for (const info of PROVIDER_REGISTRY) providers.set(info.id, providerSpec(info.id, 'builtin'))
  if (options.builtin !== false) {
    for (const snapshotProvider of loadBuiltinSnapshot().providers) {
      const provider =
        providers.get(snapshotProvider.id) ?? providerSpec(snapshotProvider.id, 'builtin')
      if (!provider.known) {
        provider.name = snapshotProvider.name
        provider.api = snapshotProvider.api ?? provider.api
        provider.baseUrl = snapshotProvider.baseUrl ?? provider.baseUrl
        provider.envVars = snapshotProvider.env ?? provider.envVars
      }
      for (const model of snapshotProvider.models)
        provider.models.set(model.id, snapshotModelSpec(model))
      providers.set(provider.id, provider)
    }
  }
  if (options.modelsJson?.providers) {
    applyProviderLayer(providers, options.modelsJson.providers, 'merge', 'models.json', 'providers')
  }
  const config = options.config
  const configured = config?.models?.providers
  if (configured) {
    const mode = config.models?.mode ?? 'merge'
    applyProviderLayer(providers, configured, mode, 'config', 'models.providers')
  }

  const byKey = new Map<string, CatalogModel>()
  const byProvider = new Map<string, CatalogModel[]>()
  const all: CatalogModel[] = []
  const catalogProviders: CatalogProvider[] = []
  for (const provider of providers.values()) {
    const models = [...provider.models.values()].map((model) => materialize(provider, model))
    models.sort(compareModels)
    byProvider.set(provider.id, models)
    for (const model of models) {
      byKey.set(model.key.toLowerCase(), model)
      all.push(model)
    }
    catalogProviders.push({
      id: provider.id,
      name: provider.name,
      api: provider.api,
      baseUrl: provider.baseUrl,
      envVars: provider.envVars,
      modelCount: models.length,
      known: provider.known,
      source: provider.source,
    })
  }
  all.sort((a, b) => compareText(a.provider, b.provider) || compareModels(a, b))
  catalogProviders.sort((a, b) => compareText(a.id, b.id))
  return { byKey, all, byProvider, providers: catalogProviders }
}

/**
 * Creates a model catalog: the built-in snapshot (parsed on first use, not at import), merged with
 * a generated `models.json` and the user's `models.providers`. Validate both first with
 * {@link parseModelsJson} and {@link parseCatalogConfig}; the merge itself happens on first use.
 *
 * @throws {ModelCatalogError} `ERR_INVALID_CONFIG` (on first use) when a configured provider that
 *   claw does not know has no `baseUrl`.
 * @example
 * ```ts
 * const catalog = createModelCatalog({ config })
 * catalog.find('anthropic/claude-opus-4-5')?.contextWindow // 200000
 * ```
 * @public
 */
export function createModelCatalog(options: CreateModelCatalogOptions = {}): ModelCatalog {
  let index: CatalogIndex | undefined
  const load = (): CatalogIndex => (index ??= buildIndex(options))
  return {
    find(refOrKey) {
      if (typeof refOrKey === 'string') {
        const trimmed = refOrKey.trim()
        const slash = trimmed.indexOf('/')
        if (slash <= 0) return undefined
        const ref = parseModelRef(trimmed, { defaultProvider: '' })
        return ref ? load().byKey.get(modelKey(ref).toLowerCase()) : undefined
      }
      const ref = parseModelRef(`${refOrKey.provider}/${refOrKey.model}`, { defaultProvider: '' })
      return ref ? load().byKey.get(modelKey(ref).toLowerCase()) : undefined
    },
    list(listOptions) {
      if (listOptions?.provider === undefined) return load().all
      return load().byProvider.get(normalizeProviderId(listOptions.provider)) ?? []
    },
    providers() {
      return load().providers
    },
  }
}
