import { loadBuiltinSnapshot } from './builtin-snapshot.js'
import type {
  CatalogConfig,
  ModelDefinitionConfig,
  ModelProviderConfig,
  SecretRef,
} from './schemas.js'
import { formatConfigPath, joinConfigPath } from './config-path.js'
import { mergeCost, ZERO_COST } from './cost.js'
import { substituteEnvVars } from './env-substitution.js'
import { normalizeModelId, normalizeProviderId } from './model-ref.js'
import { getRegisteredProvider } from './providers.js'
import type { SnapshotModel } from './snapshot-types.js'

/**
 * A provider entry as written to `models.json` (`{ providers: { <id>: … } }`). `apiKey` holds an
 * env var **name** or a SecretRef, never a secret.
 *
 * @public
 */
export interface ModelsJsonProvider {
  readonly baseUrl: string
  readonly apiKey?: string | SecretRef
  readonly auth?: ModelProviderConfig['auth']
  readonly api?: string
  readonly headers?: Readonly<Record<string, string | SecretRef>>
  readonly authHeader?: boolean
  readonly models: readonly ModelsJsonModel[]
}

/** A model entry as written to `models.json` (OpenClaw's `ModelDefinition`, so its agents read it). @public */
export interface ModelsJsonModel {
  readonly id: string
  readonly name: string
  readonly api?: string
  readonly reasoning: boolean
  readonly input: readonly ('text' | 'image')[]
  readonly cost: {
    readonly input: number
    readonly output: number
    readonly cacheRead: number
    readonly cacheWrite: number
  }
  readonly contextWindow: number
  readonly maxTokens: number
  readonly headers?: Readonly<Record<string, string | SecretRef>>
  readonly compat?: ModelDefinitionConfig['compat']
}

/** @public */
export interface BuildModelsJsonOptions {
  /**
   * The application config as written (before `${VAR}` substitution), validated with
   * `parseCatalogConfig`.
   */
  readonly config?: CatalogConfig | undefined
  /** The current `models.json` text, if any: kept per provider in `merge` mode, and compared. */
  readonly existing?: string
  /** Whether credentials exist for a provider (a profile, an env var or ambient credentials). */
  readonly hasAuth: (provider: string) => boolean
  /**
   * The env var **name** that supplies a provider's credential, if one does. Written as `apiKey`
   * for providers that have models but no configured key. Never return a secret value.
   */
  readonly authEnvVar?: (provider: string) => string | undefined
  /**
   * Substitutes `${VAR}` in non-secret fields (`baseUrl`, names); `apiKey` and headers keep the
   * reference form. Omit to leave every `${VAR}` as written.
   */
  readonly env?: Readonly<Record<string, string | undefined>>
  /**
   * Facts the caller discovered at run time for implicit providers: the Copilot base URL from
   * its token exchange, Ollama's or Bedrock's model lists.
   */
  readonly discovered?: Readonly<
    Record<
      string,
      { readonly baseUrl?: string; readonly models?: readonly ModelDefinitionConfig[] }
    >
  >
}

/** @public */
export interface BuildModelsJsonResult {
  readonly providers: Readonly<Record<string, ModelsJsonProvider>>
  /** Pretty JSON with a trailing newline, or `null` when there is nothing to write. */
  readonly content: string | null
  /** True when `content` is non-null and differs from `existing`. */
  readonly changed: boolean
  /** Problems that did not stop the build (never containing secret values). */
  readonly warnings: readonly string[]
}

interface ImplicitProvider {
  readonly id: string
  /** Model ids taken from the built-in catalog; `'all'` takes every built-in model. */
  readonly models: readonly string[] | 'all'
  readonly apiKeyPlaceholder?: string
  readonly compat?: ModelDefinitionConfig['compat']
}

/** Providers added to `models.json` when credentials exist for them, as OpenClaw adds them. */
const implicitProviders: readonly ImplicitProvider[] = [
  { id: 'minimax', models: ['MiniMax-M2.1', 'MiniMax-VL-01'] },
  { id: 'moonshot', models: ['kimi-k2.5'] },
  { id: 'kimi-code', models: ['kimi-for-coding'], compat: { supportsDeveloperRole: false } },
  { id: 'synthetic', models: 'all' },
  { id: 'venice', models: 'all' },
  {
    id: 'qwen-portal',
    models: ['coder-model', 'vision-model'],
    apiKeyPlaceholder: 'qwen-oauth',
  },
  { id: 'ollama', models: [] },
  { id: 'amazon-bedrock', models: [] },
  { id: 'github-copilot', models: [] },
]

const envReference = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/
const envName = /^[A-Z_][A-Z0-9_]*$/

function snapshotDefinition(model: SnapshotModel): ModelsJsonModel {
  return {
    id: model.id,
    name: model.name,
    ...(model.api ? { api: model.api } : {}),
    reasoning: model.reasoning,
    input: model.input,
    cost: model.cost,
    contextWindow: model.contextWindow,
    maxTokens: model.maxTokens,
  }
}

function toModelsJsonModel(definition: ModelDefinitionConfig): ModelsJsonModel {
  return {
    id: definition.id,
    name: definition.name ?? definition.id,
    ...(definition.api ? { api: definition.api } : {}),
    reasoning: definition.reasoning ?? false,
    input: definition.input ?? ['text'],
    cost: mergeCost(ZERO_COST, definition.cost),
    contextWindow: definition.contextWindow ?? 128_000,
    maxTokens: definition.maxTokens ?? 16_384,
    ...(definition.headers ? { headers: definition.headers } : {}),
    ...(definition.compat ? { compat: definition.compat } : {}),
  }
}

function implicitEntry(
  spec: ImplicitProvider,
  options: BuildModelsJsonOptions,
  region: string,
): Omit<ModelsJsonProvider, 'models'> & { models: ModelsJsonModel[] } {
  const info = getRegisteredProvider(spec.id)
  const discovered = options.discovered?.[spec.id]
  const builtin =
    loadBuiltinSnapshot().providers.find((entry) => entry.id === spec.id)?.models ?? []
  const fromCatalog =
    spec.models === 'all'
      ? builtin
      : builtin.filter((model) => (spec.models as readonly string[]).includes(model.id))
  const models = [
    ...fromCatalog.map((model) => ({
      ...snapshotDefinition(model),
      ...(spec.compat ? { compat: spec.compat } : {}),
    })),
    ...(discovered?.models ?? []).map(toModelsJsonModel),
  ]
  const baseUrl =
    discovered?.baseUrl ??
    (spec.id === 'amazon-bedrock'
      ? `https://bedrock-runtime.${region}.amazonaws.com`
      : (info?.baseUrl ?? ''))
  return {
    baseUrl,
    ...(info?.api ? { api: info.api } : {}),
    ...(spec.id === 'amazon-bedrock' ? { auth: 'aws-sdk' as const } : {}),
    ...(spec.apiKeyPlaceholder ? { apiKey: spec.apiKeyPlaceholder } : {}),
    ...(info?.headers ? { headers: { ...info.headers } } : {}),
    models,
  }
}

function normalizeApiKey(
  apiKey: string | SecretRef | undefined,
  path: string,
  warnings: string[],
): string | SecretRef | undefined {
  if (apiKey === undefined) return undefined
  if (typeof apiKey !== 'string') {
    // An env SecretRef is written as the variable name; file/exec refs stay references.
    return apiKey.source === 'env' ? apiKey.id : apiKey
  }
  const trimmed = apiKey.trim()
  const reference = envReference.exec(trimmed)
  if (reference) return reference[1]
  if (envName.test(trimmed)) return trimmed
  warnings.push(
    `${path} holds a literal key; it is not copied into models.json (use \${VAR}, an env var name or an auth profile)`,
  )
  return undefined
}

function parseExisting(existing: string | undefined, warnings: string[]): Record<string, unknown> {
  if (existing === undefined || existing.trim() === '') return {}
  try {
    const parsed: unknown = JSON.parse(existing)
    const providers =
      typeof parsed === 'object' && parsed !== null
        ? (parsed as { providers?: unknown }).providers
        : undefined
    if (typeof providers === 'object' && providers !== null && !Array.isArray(providers)) {
      const kept: Record<string, unknown> = {}
      for (const [id, entry] of Object.entries(providers)) {
        if (id === '__proto__' || id === 'prototype' || id === 'constructor') continue
        kept[id] = entry
      }
      return kept
    }
  } catch {
    // Reported below; an unreadable file only loses its old providers, which are regenerated.
  }
  warnings.push(
    'existing models.json is not a valid { "providers": { … } } document; its providers are not kept',
  )
  return {}
}

/**
 * The pure part of `models.json` generation: explicit providers from `models.providers`, plus
 * implicit providers for which credentials exist (MiniMax, Moonshot, Kimi Code, Synthetic,
 * Venice, Qwen Portal, Ollama, Bedrock, Copilot), merged (explicit fields win; explicit models
 * first, then implicit models with other ids). In `merge` mode (default) providers of the
 * existing file are kept unless regenerated; `replace` drops them.
 *
 * `${VAR}` keys are written as `VAR`; a provider with models and no key gets the env var name
 * that supplies its credential. The output never contains a resolved secret: literal keys in
 * config are left out with a warning.
 *
 * @throws {ModelCatalogError} `ERR_ENV_VAR_UNSET` when `env` is given and a non-secret field
 *   references an unset variable.
 * @public
 */
export function buildModelsJson(options: BuildModelsJsonOptions): BuildModelsJsonResult {
  const warnings: string[] = []
  const config = options.config
  const explicit = config?.models?.providers ?? {}
  const region = config?.models?.bedrockDiscovery?.region ?? 'us-east-1'
  const next = new Map<string, Omit<ModelsJsonProvider, 'models'> & { models: ModelsJsonModel[] }>()

  for (const spec of implicitProviders) {
    const wanted =
      options.hasAuth(spec.id) ||
      (spec.id === 'amazon-bedrock' && config?.models?.bedrockDiscovery?.enabled === true)
    if (wanted) next.set(spec.id, implicitEntry(spec, options, region))
  }

  for (const [rawId, provider] of Object.entries(explicit)) {
    const id = normalizeProviderId(rawId)
    const path = joinConfigPath('models.providers', formatConfigPath([rawId]))
    // Copilot's implicit entry never overrides an explicit one.
    const implicit = id === 'github-copilot' ? undefined : next.get(id)
    const explicitModels = (provider.models ?? []).map(toModelsJsonModel)
    const explicitIds = new Set(explicitModels.map((model) => model.id))
    const baseUrl =
      provider.baseUrl ?? implicit?.baseUrl ?? getRegisteredProvider(id)?.baseUrl ?? ''
    const apiKey =
      normalizeApiKey(provider.apiKey, joinConfigPath(path, 'apiKey'), warnings) ?? implicit?.apiKey
    const headers = provider.headers ?? implicit?.headers
    const api = provider.api ?? implicit?.api
    const auth = provider.auth ?? implicit?.auth
    const env = options.env
    next.set(id, {
      baseUrl: env
        ? substituteEnvVars(baseUrl, { env, pathPrefix: joinConfigPath(path, 'baseUrl') })
        : baseUrl,
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(auth ? { auth } : {}),
      ...(api ? { api } : {}),
      ...(headers ? { headers } : {}),
      ...(provider.authHeader === undefined ? {} : { authHeader: provider.authHeader }),
      models: [
        ...explicitModels,
        ...(implicit?.models ?? []).filter((model) => !explicitIds.has(model.id)),
      ],
    })
  }

  const providers: Record<string, ModelsJsonProvider> = {}
  const kept = config?.models?.mode === 'replace' ? {} : parseExisting(options.existing, warnings)
  const ids = new Set([...Object.keys(kept), ...next.keys()])
  for (const id of [...ids].sort()) {
    const generated = next.get(id)
    if (!generated) {
      providers[id] = kept[id] as ModelsJsonProvider
      continue
    }
    const models = generated.models.map((model) =>
      id === 'google' ? { ...model, id: normalizeModelId('google', model.id) } : model,
    )
    let apiKey = generated.apiKey
    if (apiKey === undefined && models.length > 0) {
      const aws = generated.auth === 'aws-sdk' || id === 'amazon-bedrock'
      const name = options.authEnvVar?.(id)
      if (name !== undefined && !envName.test(name)) {
        warnings.push(
          `authEnvVar returned something that is not an env var name for ${id}; left out`,
        )
      } else {
        apiKey = name ?? (aws ? 'AWS_PROFILE' : undefined)
      }
    }
    providers[id] = { ...generated, ...(apiKey === undefined ? {} : { apiKey }), models }
  }

  if (Object.keys(providers).length === 0) {
    return { providers, content: null, changed: false, warnings }
  }
  const content = `${JSON.stringify({ providers }, null, 2)}\n`
  return { providers, content, changed: content !== options.existing, warnings }
}
