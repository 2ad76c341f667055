import { buildModelAliasIndex, resolveModelRefFromString, type ModelAliasIndex } from './aliases.js'
import { resolveAgentModelFallbacks, resolveAgentModelPrimary } from './config-schema.js'
import type { AgentModelConfig, CatalogConfig } from './schemas.js'
import { normalizeModelId, type ModelRef } from './model-ref.js'

/** The provider used when nothing is configured. @public */
export const DEFAULT_PROVIDER = 'anthropic'
/** The model used when nothing is configured. @public */
export const DEFAULT_MODEL = 'claude-opus-4-5'
/** Context window assumed for the default model. @public */
export const DEFAULT_CONTEXT_TOKENS = 200_000

/** @public */
export interface ResolveConfiguredModelRefOptions {
  readonly config?: CatalogConfig | undefined
  /** Defaults to {@link DEFAULT_PROVIDER}. */
  readonly defaultProvider?: string
  /** Defaults to {@link DEFAULT_MODEL}. */
  readonly defaultModel?: string
  /** Use `agents.list[<agentId>].model` instead of the global default when that agent sets one. */
  readonly agentId?: string
  /** A prebuilt alias index; built from `config` when omitted. */
  readonly aliasIndex?: ModelAliasIndex
  /**
   * Receives deprecation warnings (a model configured without a provider). Nothing is printed
   * when omitted.
   */
  readonly warn?: (message: string) => void
}

function agentEntry(config: CatalogConfig | undefined, agentId: string | undefined) {
  if (agentId === undefined) return undefined
  const wanted = agentId.trim()
  return config?.agents?.list?.find((entry) => entry.id.trim() === wanted)
}

/**
 * The configured primary model `agents.defaults.model` (a string or `{ primary }`), or the
 * agent's own `agents.list[].model` when `agentId` is given and that agent sets one.
 *
 * - Blank or unset: `{ defaultProvider, defaultModel }`.
 * - No `/`: an alias match wins; otherwise OpenClaw's deprecated behaviour applies (configs written for it keep working) —
 *   provider `anthropic` is assumed and `warn` receives a message containing
 *   `Falling back to "anthropic/<model>"`.
 * - With `/`: parsed as a model ref; an unparsable value falls back to the defaults.
 *
 * @public
 */
export function resolveConfiguredModelRef(
  options: ResolveConfiguredModelRefOptions = {},
): ModelRef {
  const defaultProvider = options.defaultProvider ?? DEFAULT_PROVIDER
  const defaultModel = options.defaultModel ?? DEFAULT_MODEL
  const fallback: ModelRef = { provider: defaultProvider, model: defaultModel }
  const raw =
    resolveAgentModelPrimary(agentEntry(options.config, options.agentId)?.model) ??
    resolveAgentModelPrimary(options.config?.agents?.defaults?.model)
  if (raw === undefined) return fallback
  const aliasIndex =
    options.aliasIndex ?? buildModelAliasIndex({ config: options.config, defaultProvider })
  if (!raw.includes('/')) {
    const entry = aliasIndex.byAlias.get(raw.toLowerCase())
    if (entry) return entry.ref
    const model = normalizeModelId(DEFAULT_PROVIDER, raw)
    options.warn?.(
      `Model "${raw}" is configured without a provider. Falling back to "${DEFAULT_PROVIDER}/${model}"; ` +
        `write "${DEFAULT_PROVIDER}/${model}" in the config to silence this warning.`,
    )
    return { provider: DEFAULT_PROVIDER, model }
  }
  return resolveModelRefFromString(raw, { defaultProvider, aliasIndex })?.ref ?? fallback
}

/**
 * The configured fallback list for the default model: `agents.list[<agentId>].model.fallbacks`
 * when that agent sets a model object with fallbacks, else `agents.defaults.model.fallbacks`.
 * Entries are returned as written (resolve them with {@link resolveModelRefFromString}).
 *
 * @public
 */
export function resolveConfiguredFallbacks(
  options: Pick<ResolveConfiguredModelRefOptions, 'config' | 'agentId'> = {},
): readonly string[] {
  const agentModel: AgentModelConfig | undefined = agentEntry(
    options.config,
    options.agentId,
  )?.model
  if (agentModel !== undefined && typeof agentModel !== 'string' && agentModel.fallbacks) {
    return agentModel.fallbacks
  }
  return resolveAgentModelFallbacks(options.config?.agents?.defaults?.model)
}
