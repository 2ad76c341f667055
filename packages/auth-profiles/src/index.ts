export { AuthProfilesError, isAuthProfilesError } from './errors.js'
export type {
  AuthProfilesErrorCode,
  AuthProfilesErrorOptions,
  AuthProfilesIssue,
} from './errors.js'

export { AUTH_PROFILE_FAILURE_REASONS, AUTH_PROFILE_FILENAME, AUTH_STORE_VERSION } from './types.js'
export type {
  ApiKeyCredential,
  AuthProfileCredential,
  AuthProfileCredentialType,
  AuthProfileFailureReason,
  AuthProfileStore,
  CredentialCommon,
  ModelCooldown,
  OAuthCredential,
  ProfileUsageStats,
  SecretRef,
  TokenCredential,
} from './types.js'

export type { Clock, Env, RuntimeOptions } from './runtime.js'

export {
  assertAgentId,
  assertProfileId,
  checkAgentId,
  checkProfileId,
  DEFAULT_AGENT_ID,
} from './ids.js'
export {
  resolveAgentDir,
  resolveAuthStorePath,
  resolveLegacyOAuthPath,
  resolveStateDir,
} from './paths.js'
export type { ResolveAgentDirOptions, ResolveStateDirOptions } from './paths.js'

export { DEFAULT_FILE_LOCK_OPTIONS } from './file-lock.js'
export type { FileLockOptions } from './file-lock.js'
export type { StoreDiagnostic } from './store-parse.js'
export type {
  AuthStoreBackend,
  AuthStoreTarget,
  AuthStoreUpdater,
  AuthStoreUpdateResult,
} from './store-backend.js'
export { createFileAuthStore, DEFAULT_MAX_STORE_BYTES } from './file-store.js'
export type { FileAuthStoreOptions } from './file-store.js'
export { createMemoryAuthStore } from './memory-store.js'
export type { MemoryAuthStore } from './memory-store.js'
export { LEGACY_AUTH_FILENAME } from './legacy.js'
export {
  loadAuthProfileStore,
  migrateLegacyAuthStore,
  removeAuthProfile,
  resolveAuthStoreBackend,
  updateAuthProfileStore,
  upsertAuthProfile,
} from './store.js'
export type {
  AuthStoreOptions,
  RemoveAuthProfileOptions,
  UpsertAuthProfileOptions,
} from './store.js'

export { parseAuthProfilesConfig, resolveCooldownSettings } from './config.js'
export type { ClawConfig, ConfiguredProfileMode, CooldownSettings } from './config.js'
export type {
  AuthConfig,
  AuthProfilesConfig,
  SecretProviderConfig,
  SecretsConfig,
} from './schemas.js'

export {
  calculateAuthProfileCooldownMs,
  calculateBillingDisableMs,
  clearExpiredCooldowns,
  isProfileInCooldown,
  MAX_RETRY_AFTER_COOLDOWN_MS,
  MODEL_SCOPED_REASONS,
  resolveProfileUnusableUntil,
  resolveProfileUnusableUntilForDisplay,
} from './cooldowns.js'
export type { CooldownCheckOptions, UnusableOptions } from './cooldowns.js'

export {
  evaluateProfileEligibility,
  listProfilesForProvider,
  resolveAuthProfileOrder,
  resolveExplicitOrder,
} from './order.js'
export type {
  EvaluateProfileEligibilityOptions,
  ProfileEligibility,
  ProfileEligibilityCode,
  ResolveAuthProfileOrderOptions,
} from './order.js'

export {
  clearAuthProfileCooldown,
  markAuthProfileFailure,
  markAuthProfileGood,
  markAuthProfileUsed,
} from './usage.js'
export type {
  MarkAuthProfileFailureOptions,
  MarkAuthProfileGoodOptions,
  MarkAuthProfileUsedOptions,
  UsagePersistence,
  UsageUpdateOptions,
  UsageUpdateResult,
} from './usage.js'

export { resolveApiKeyForProfile, resolveApiKeyForProvider } from './keys.js'
export type {
  CredentialMode,
  ResolveApiKeyForProfileOptions,
  ResolveApiKeyForProviderOptions,
  ResolvedProfileKey,
  ResolvedProviderKey,
} from './keys.js'

export { collectProviderApiKeys, resolveAmbientCredentials, resolveEnvApiKey } from './env-keys.js'
export type {
  AmbientCredentials,
  CollectProviderApiKeysOptions,
  EnvApiKey,
  EnvKeyOptions,
} from './env-keys.js'

export { maskSecret, maskSecretsInText, redactSecretsInText } from './mask.js'
export type { MaskSecretOptions } from './mask.js'

export {
  authHealthExitCode,
  buildAuthHealthSummary,
  DEFAULT_OAUTH_WARN_MS,
  formatRemainingShort,
} from './health.js'
export type {
  AuthHealthConfig,
  AuthHealthExitCodeOptions,
  AuthHealthStatus,
  AuthHealthSummary,
  AuthProfileHealth,
  AuthProviderHealth,
  BuildAuthHealthSummaryOptions,
} from './health.js'

export {
  DEFAULT_SECRET_MAX_BYTES,
  DEFAULT_SECRET_PROVIDER,
  DEFAULT_SECRET_TIMEOUT_MS,
  resolveSecretRef,
  resolveSecretRefs,
  secretRefKey,
  validateSecretRef,
} from './secret-refs.js'
export type { ResolveSecretRefOptions, ResolveSecretRefsResult } from './secret-refs.js'

export { ReauthRequiredError } from './errors.js'
export type { FetchFunction, HttpLimits } from './oauth/http.js'
export type {
  AuthUrlInfo,
  DeviceCodeInfo,
  OAuthEndpoints,
  OAuthLoginCallbacks,
  OAuthLoginOptions,
  OAuthProviderAdapter,
  OAuthRuntime,
  OAuthTokenSet,
} from './oauth/types.js'
export { createOAuthProviderRegistry } from './oauth/registry.js'
export type { OAuthProviderRegistry } from './oauth/registry.js'
export { getOAuthProvider, listOAuthProviders, registerOAuthProvider } from './oauth/providers.js'
export {
  DEFAULT_REFRESH_LOCK_OPTIONS,
  DEFAULT_REFRESH_SKEW_MS,
  REFRESH_FAILURE_THROTTLE_MS,
  refreshOAuthCredential,
} from './oauth/refresh.js'
export type {
  CredentialsUpdatedEvent,
  OAuthRefreshSettings,
  RefreshOAuthCredentialOptions,
  RefreshOAuthCredentialResult,
} from './oauth/refresh.js'
