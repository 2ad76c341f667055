// The model side of `models status` / `models list`: the configured default, fallbacks, image
// model, aliases and allowlist, resolved the way OpenClaw does (aliases, default provider).
import type { ClawConfig } from '@claw/auth-profiles'
import {
  buildModelAliasIndex,
  DEFAULT_PROVIDER,
  modelKey,
  resolveAgentModelFallbacks,
  resolveAgentModelPrimary,
  resolveConfiguredModelRef,
  resolveModelRefFromString,
  type ModelAliasIndex,
  type ModelRef,
} from '@claw/model-catalog'

/** What the config says about models, for one agent. */
export interface ModelConfigSummary {
  /** The primary as written, or the resolved key when nothing is configured. */
  readonly defaultModel: string
  /** `provider/model` of the primary after aliases and defaults. */
  readonly resolvedDefault: string
  /** The fallbacks as written (agent override when the agent sets one). */
  readonly fallbacks: readonly string[]
  readonly imageModel: string | null
  readonly imageFallbacks: readonly string[]
  /** `alias → key` from `agents.defaults.models[key].alias`. */
  readonly aliases: Readonly<Record<string, string>>
  /** The keys of `agents.defaults.models` as written (empty: any model is allowed). */
  readonly allowed: readonly string[]
  /** Set when `--agent` was given: where the default and fallbacks come from. */
  readonly modelConfig?: {
    readonly defaultSource: 'agent' | 'defaults'
    readonly fallbacksSource: 'agent' | 'defaults'
  }
  readonly aliasIndex: ModelAliasIndex
  /** Providers of the default, fallbacks, image model and image fallbacks (normalised). */
  readonly providersInUse: readonly string[]
  /** Providers of every model ref above plus the allowlist (normalised). */
  readonly providersFromModels: readonly string[]
  /** Resolved `provider/model` keys of every configured ref, in OpenClaw's order, deduplicated. */
  readonly candidateKeys: readonly string[]
}

function agentModel(config: ClawConfig, agentId: string | undefined) {
  if (agentId === undefined) return undefined
  return config.agents?.list?.find((entry) => entry.id.trim() === agentId)?.model
}

/**
 * Summarises the model config. `agentId` is set only when the user chose an agent explicitly
 * (`--agent`): then `agents.list[].model` overrides the defaults, as in OpenClaw.
 */
export function summarizeModelConfig(
  config: ClawConfig,
  agentId: string | undefined,
  warn?: (message: string) => void,
): ModelConfigSummary {
  const aliasIndex = buildModelAliasIndex({ config, defaultProvider: DEFAULT_PROVIDER })
  const agentValue = agentModel(config, agentId)
  const agentPrimary = resolveAgentModelPrimary(agentValue)
  const agentFallbacks =
    agentValue !== undefined && typeof agentValue !== 'string' && agentValue.fallbacks
      ? agentValue.fallbacks
      : undefined
  const resolved: ModelRef = resolveConfiguredModelRef({
    config,
    aliasIndex,
    ...(agentId === undefined ? {} : { agentId }),
    ...(warn ? { warn } : {}),
  })
  const resolvedDefault = modelKey(resolved)
  const rawDefault = agentPrimary ?? resolveAgentModelPrimary(config.agents?.defaults?.model)
  const defaultModel = rawDefault ?? resolvedDefault
  const fallbacks = agentFallbacks ?? resolveAgentModelFallbacks(config.agents?.defaults?.model)
  const imageModel = resolveAgentModelPrimary(config.agents?.defaults?.imageModel) ?? null
  const imageFallbacks = resolveAgentModelFallbacks(config.agents?.defaults?.imageModel)
  const aliases: Record<string, string> = {}
  for (const [key, entry] of Object.entries(config.agents?.defaults?.models ?? {})) {
    const alias = entry.alias?.trim()
    if (alias) aliases[alias] = key
  }
  const allowed = Object.keys(config.agents?.defaults?.models ?? {})

  // Aliases resolve first (OpenClaw parsed `fast` as `anthropic/fast` here, which named no model).
  const providerOf = (raw: string) =>
    resolveModelRefFromString(raw, { defaultProvider: DEFAULT_PROVIDER, aliasIndex })?.ref.provider
  const inUse = [defaultModel, ...fallbacks, ...(imageModel ? [imageModel] : []), ...imageFallbacks]
  const providersInUse = unique(inUse.map(providerOf))
  const providersFromModels = unique([...inUse, ...allowed].map(providerOf))
  const candidateKeys = unique(
    [...inUse, ...allowed].map((raw) => {
      const ref = resolveModelRefFromString(raw, { defaultProvider: DEFAULT_PROVIDER, aliasIndex })
      return ref ? modelKey(ref.ref) : undefined
    }),
  )
  return {
    defaultModel,
    resolvedDefault,
    fallbacks,
    imageModel,
    imageFallbacks,
    aliases,
    allowed,
    ...(agentId === undefined
      ? {}
      : {
          modelConfig: {
            defaultSource: agentPrimary ? 'agent' : 'defaults',
            fallbacksSource: agentFallbacks ? 'agent' : 'defaults',
          },
        }),
    aliasIndex,
    providersInUse,
    providersFromModels,
    candidateKeys,
  }
}

function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => Boolean(value)))]
}
