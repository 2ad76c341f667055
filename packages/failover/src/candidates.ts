import {
  buildAllowedModelSet,
  buildModelAliasIndex,
  createModelCatalog,
  modelKey,
  normalizeProviderId,
  resolveConfiguredFallbacks,
  resolveConfiguredModelRef,
  resolveModelRefFromString,
  type CatalogConfig,
  type CatalogLike,
  type ModelAliasIndex,
  type ModelCatalog,
  type ModelRef,
} from '@claw/model-catalog'

/** One model to try, in order. @public */
export interface FallbackCandidate {
  readonly provider: string
  readonly model: string
  /** `provider/model`. */
  readonly key: string
  /** `requested` (the call's model), `fallback` (from the list) or `primary` (appended last). */
  readonly source: 'requested' | 'fallback' | 'primary'
}

/** @public */
export interface BuildFallbackCandidatesOptions {
  readonly config?: CatalogConfig | undefined
  /** The requested provider; with `model`, the first candidate. Blank: the configured primary. */
  readonly provider?: string | undefined
  /** The requested model (a ref, a bare id or an alias). */
  readonly model?: string | undefined
  /** Replaces the configured fallbacks, even when empty (`[]` disables fallback). */
  readonly fallbacksOverride?: readonly string[] | undefined
  /** Use this agent's model and fallbacks (`agents.list[]`). */
  readonly agentId?: string | undefined
  /** For the allowlist; a catalog built from `config` when omitted. */
  readonly catalog?: CatalogLike | undefined
}

const catalogs = new WeakMap<object, ModelCatalog>()
let defaultCatalog: ModelCatalog | undefined

/** One catalog per config object (building one indexes the built-in data). @internal */
export function catalogFor(config: CatalogConfig | undefined): ModelCatalog {
  if (!config) return (defaultCatalog ??= createModelCatalog())
  let catalog = catalogs.get(config)
  if (!catalog) {
    catalog = createModelCatalog({ config })
    catalogs.set(config, catalog)
  }
  return catalog
}

interface ConfigModels {
  readonly primary: ModelRef
  readonly aliasIndex: ModelAliasIndex
}

/** Per config object (or {@link NO_CONFIG}), per agent id (`''`: the defaults). */
const configModels = new WeakMap<object, Map<string, ConfigModels>>()
const NO_CONFIG = {}

/**
 * The primary model and the alias index of a config, built once per config object and agent:
 * runWithFailover calls buildFallbackCandidates on every run, and re-indexing the aliases was a
 * large part of what a run allocated. Like {@link catalogFor}, this treats config objects as
 * immutable inputs.
 */
function configModelsFor(config: CatalogConfig | undefined, agentId: string | undefined) {
  let byAgent = configModels.get(config ?? NO_CONFIG)
  if (!byAgent) {
    byAgent = new Map()
    configModels.set(config ?? NO_CONFIG, byAgent)
  }
  let entry = byAgent.get(agentId ?? '')
  if (!entry) {
    const primary = resolveConfiguredModelRef({ config, ...(agentId ? { agentId } : {}) })
    const aliasIndex = buildModelAliasIndex({ config, defaultProvider: primary.provider })
    entry = { primary, aliasIndex }
    byAgent.set(agentId ?? '', entry)
  }
  return entry
}

/**
 * The models to try, in order:
 *
 * 1. the requested model (the configured primary when blank); the allowlist does not apply to it;
 * 2. the fallbacks — `fallbacksOverride` when given (even `[]`), else the configured ones — each
 *    resolved through the aliases against the primary's provider, skipped when unparsable, and
 *    kept only when the allowlist (`agents.defaults.models`, when non-empty) allows it;
 * 3. without an override, the configured primary last, so runs that started elsewhere still end
 *    at the default model;
 * 4. duplicates removed.
 *
 * The config is treated as an immutable input: its primary model and alias index are cached per
 * config object (and agent), so pass a new object after changing one.
 *
 * @public
 */
export function buildFallbackCandidates(
  options: BuildFallbackCandidatesOptions = {},
): FallbackCandidate[] {
  const { config } = options
  const { primary, aliasIndex } = configModelsFor(config, options.agentId)
  const candidates: FallbackCandidate[] = []
  const seen = new Set<string>()
  const add = (provider: string, model: string, source: FallbackCandidate['source']) => {
    const key = modelKey(provider, model)
    if (seen.has(key)) return
    seen.add(key)
    candidates.push({ provider, model, key, source })
  }

  const requestedModel = options.model?.trim()
  const requestedProvider = options.provider?.trim()
  if (requestedModel) {
    const resolved = requestedProvider
      ? resolveModelRefFromString(`${requestedProvider}/${requestedModel}`, {
          defaultProvider: primary.provider,
        })
      : resolveModelRefFromString(requestedModel, { defaultProvider: primary.provider, aliasIndex })
    if (resolved) add(resolved.ref.provider, resolved.ref.model, 'requested')
  } else if (requestedProvider && normalizeProviderId(requestedProvider) !== primary.provider) {
    // A provider without a model: nothing to ask it for, so start at the primary.
    add(primary.provider, primary.model, 'requested')
  } else {
    add(primary.provider, primary.model, 'requested')
  }

  const hasAllowlist = Object.keys(config?.agents?.defaults?.models ?? {}).length > 0
  const allowed = hasAllowlist
    ? buildAllowedModelSet({
        config,
        catalog: options.catalog ?? catalogFor(config),
        defaultModel: primary,
      })
    : undefined
  const fallbacks =
    options.fallbacksOverride ??
    resolveConfiguredFallbacks({ config, ...(options.agentId ? { agentId: options.agentId } : {}) })
  for (const raw of fallbacks) {
    const resolved = resolveModelRefFromString(raw, {
      defaultProvider: primary.provider,
      aliasIndex,
    })
    if (!resolved) continue
    if (allowed && !allowed.has(modelKey(resolved.ref))) continue
    add(resolved.ref.provider, resolved.ref.model, 'fallback')
  }
  if (options.fallbacksOverride === undefined) add(primary.provider, primary.model, 'primary')
  return candidates
}
