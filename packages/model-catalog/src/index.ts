export { ModelCatalogError } from './errors.js'
export type { ConfigIssue, ModelCatalogErrorCode } from './errors.js'

export { PROVIDER_REGISTRY } from './provider-registry.js'
export type {
  KnownModelApi,
  ModelApi,
  ProviderAuthMode,
  ProviderEnvVar,
  ProviderInfo,
} from './provider-registry.js'
export {
  findProviderConfig,
  getProvider,
  listProviders,
  resolveProviderBaseUrl,
} from './providers.js'
export type { ListProvidersOptions } from './providers.js'

export {
  modelKey,
  normalizeModelId,
  normalizeProviderId,
  parseModelRef,
  parseModelSelection,
  requireModelRef,
} from './model-ref.js'
export type { ModelRef, ModelSelection, ParseModelRefOptions } from './model-ref.js'

export { buildModelAliasIndex, resolveModelRefFromString } from './aliases.js'
export type {
  BuildModelAliasIndexOptions,
  ModelAliasEntry,
  ModelAliasIndex,
  ResolvedModelRef,
  ResolveModelRefFromStringOptions,
} from './aliases.js'

export {
  DEFAULT_CONTEXT_TOKENS,
  DEFAULT_MODEL,
  DEFAULT_PROVIDER,
  resolveConfiguredFallbacks,
  resolveConfiguredModelRef,
} from './configured-model.js'
export type { ResolveConfiguredModelRefOptions } from './configured-model.js'

export {
  CLI_BACKEND_PROVIDERS,
  buildAllowedModelSet,
  formatModelNotAllowedMessage,
  resolveAllowedModelRef,
} from './allowlist.js'
export type {
  AllowedModelRefResult,
  AllowedModelSet,
  BuildAllowedModelSetOptions,
  CatalogLike,
  ResolveAllowedModelRefOptions,
} from './allowlist.js'

export { CUSTOM_MODEL_DEFAULTS, createModelCatalog } from './catalog.js'
export type {
  CatalogModel,
  CatalogProvider,
  CatalogSource,
  CreateModelCatalogOptions,
  ModelCatalog,
  ModelCost,
  ModelInputKind,
} from './catalog.js'

export { estimateCost, modelSupportsVision } from './cost.js'
export type { CostBreakdown, TokenUsage } from './cost.js'

export { buildModelsJson } from './models-json.js'
export type {
  BuildModelsJsonOptions,
  BuildModelsJsonResult,
  ModelsJsonModel,
  ModelsJsonProvider,
} from './models-json.js'

export {
  parseCatalogConfig,
  parseModelsJson,
  resolveAgentModelFallbacks,
  resolveAgentModelPrimary,
} from './config-schema.js'
export type { ParseCatalogConfigOptions } from './config-schema.js'
export type {
  AgentDefaultsConfig,
  AgentListEntry,
  AgentModelConfig,
  CatalogConfig,
  ModelCompat,
  ModelDefinitionConfig,
  ModelProviderConfig,
  ModelsConfig,
  ModelsJsonDocument,
  SecretRef,
} from './schemas.js'

export { MAX_CONFIG_DEPTH, findUnsafeKeys, formatConfigPath } from './config-path.js'
export { substituteEnvVars } from './env-substitution.js'
export type { SubstituteEnvVarsOptions } from './env-substitution.js'
