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
  UsageLimitWindow,
} from './types.js'

export type { Clock, Env, RuntimeOptions } from './runtime.js'

export {
  assertAgentId,
  assertProfileId,
  checkAgentId,
  checkProfileId,
  compareAgentIds,
  DEFAULT_AGENT_ID,
} from './ids.js'
export {
  checkAgentDirLocation,
  resolveAgentDir,
  resolveAuthStorePath,
  resolveLegacyOAuthPath,
  resolveStateDir,
} from './store/paths.js'
export type { ResolveAgentDirOptions, ResolveStateDirOptions } from './store/paths.js'

export { writePrivateFileAtomic } from './store/atomic-write.js'
export type { WritePrivateFileOptions } from './store/atomic-write.js'
export { readCheckedFile, strictModesProblem } from './store/checked-file.js'
export type {
  CheckedFile,
  FileModeRule,
  FileOwnerRule,
  ReadCheckedFileOptions,
} from './store/checked-file.js'
export { findDuplicateJsonKeys } from './store/json-scan.js'
export { DEFAULT_FILE_LOCK_OPTIONS, withFileLock } from './store/file-lock.js'
export type { FileLockOptions, HeldFileLock, ResolvedFileLockOptions } from './store/file-lock.js'
export type { StoreDiagnostic } from './store/store-parse.js'
export { isAuthStoreBackend } from './store/store-backend.js'
export type {
  AuthStoreBackend,
  AuthStoreTarget,
  AuthStoreUpdater,
  AuthStoreUpdateOptions,
  AuthStoreUpdateResult,
} from './store/store-backend.js'
export { createFileAuthStore, DEFAULT_MAX_STORE_BYTES } from './store/file-store.js'
export type {
  AuthStoreFileCache,
  AuthStoreFileCacheEntry,
  FileAuthStoreOptions,
} from './store/file-store.js'
export { createMemoryAuthStore } from './store/memory-store.js'
export { flushAuthStores } from './store/write-behind.js'
export type { MemoryAuthStore } from './store/memory-store.js'
export { LEGACY_AUTH_FILENAME } from './store/legacy.js'
export {
  loadAuthProfileStore,
  migrateLegacyAuthStore,
  openAuthStore,
  removeAuthProfile,
  resolveAuthStoreBackend,
  updateAuthProfileStore,
  upsertAuthProfile,
} from './store/store.js'
export type {
  AuthStoreOptions,
  OpenAuthStoreOptions,
  RemoveAuthProfileOptions,
  UpsertAuthProfileOptions,
} from './store/store.js'

export { parseAuthProfilesConfig, resolveCooldownSettings } from './config.js'
export type { ClawConfig, ConfiguredProfileMode, CooldownSettings } from './config.js'
export type {
  AuthConfig,
  AuthProfilesConfig,
  SecretProviderConfig,
  SecretsConfig,
  StateConfig,
} from './schemas.js'

export {
  calculateAuthProfileCooldownMs,
  calculateBillingDisableMs,
  clearExpiredCooldowns,
  isCooldownBypassProvider,
  isProfileInCooldown,
  MAX_RETRY_AFTER_COOLDOWN_MS,
  MAX_USAGE_LIMIT_COOLDOWN_MS,
  MODEL_SCOPED_REASONS,
  resolveProfileUnusableUntil,
  resolveProfileUnusableUntilForDisplay,
} from './selection/cooldowns.js'
export type { CooldownCheckOptions, UnusableOptions } from './selection/cooldowns.js'
export { resolveProfileUnusableCause } from './selection/unusable-reason.js'
export type { ProfileUnusableCause } from './selection/unusable-reason.js'
export { resolveProfileProbation } from './selection/probation.js'
export type { ProfileProbation, ResolveProfileProbationOptions } from './selection/probation.js'
export { DEFAULT_PROBE_LEASE_MS, probeLeasesFor } from './selection/probe-lease.js'
export type { ProbeLeaseResult, ProbeLeases, ProbeRequest } from './selection/probe-lease.js'

export {
  evaluateProfileEligibility,
  findOrphanOrders,
  listProfilesForProvider,
  resolveAuthProfileOrder,
  resolveExplicitOrder,
} from './selection/order.js'
export type {
  EvaluateProfileEligibilityOptions,
  OrderDiagnostic,
  ProfileEligibility,
  ProfileEligibilityCode,
  ResolveAuthProfileOrderOptions,
} from './selection/order.js'

export {
  clearAuthProfileCooldown,
  markAuthProfileFailure,
  markAuthProfileGood,
  markAuthProfileUsed,
} from './selection/bookkeeping.js'
export type {
  MarkAuthProfileFailureOptions,
  MarkAuthProfileGoodOptions,
  MarkAuthProfileUsedOptions,
  UsagePersistence,
  UsageUpdateOptions,
  UsageUpdateResult,
} from './selection/bookkeeping.js'

export { resolveApiKeyForProfile } from './credentials/resolve-api-key.js'
export type {
  CredentialMode,
  ResolveApiKeyForProfileOptions,
  ResolvedProfileKey,
} from './credentials/resolve-api-key.js'
export { resolveApiKeyForProvider } from './credentials/resolve-provider-key.js'
export type {
  ResolveApiKeyForProviderOptions,
  ResolvedProviderKey,
} from './credentials/resolve-provider-key.js'

export {
  collectProviderApiKeys,
  resolveAmbientCredentials,
  resolveEnvApiKey,
} from './credentials/env-keys.js'
export type {
  AmbientCredentials,
  CollectProviderApiKeysOptions,
  EnvApiKey,
  EnvKeyOptions,
} from './credentials/env-keys.js'

export { createSecretMasker, maskSecret, maskSecretsInText, redactSecretsInText } from './mask.js'
export type { SecretMasker } from './mask.js'
export type { MaskSecretOptions } from './mask.js'

export {
  authHealthExitCode,
  buildAuthHealthSummary,
  DEFAULT_OAUTH_WARN_MS,
  formatRemainingShort,
} from './selection/health.js'
export type {
  AuthHealthConfig,
  AuthHealthExitCodeOptions,
  AuthHealthStatus,
  AuthHealthSummary,
  AuthProfileHealth,
  AuthProviderHealth,
  BuildAuthHealthSummaryOptions,
} from './selection/health.js'
export { buildCredentialAlerts } from './selection/credential-alerts.js'
export type {
  BuildCredentialAlertsOptions,
  CredentialAlerts,
  DisabledProfileAlert,
  ExpiringCredentialAlert,
  ReauthAlert,
} from './selection/credential-alerts.js'

export {
  DEFAULT_SECRET_MAX_BYTES,
  DEFAULT_SECRET_TIMEOUT_MS,
  MAX_SECRET_MAX_BYTES,
  MAX_SECRET_TIMEOUT_MS,
} from './credentials/secret-refs/secret-limits.js'
export type {
  ResolveSecretRefOptions,
  ResolveSecretRefsResult,
} from './credentials/secret-refs/index.js'

// What key resolution and its refresh settings need from OAuth: the adapter registries (built from
// config by hosts that refresh through a proxy), the refresh lock, the Copilot headers. The login
// flows and the refresh itself are `@claw/auth-profiles/oauth`'s, loaded only when a token needs
// them.
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
export { createOAuthProvidersFromConfig } from './oauth/config-providers.js'
export type {
  ConfiguredOAuthProviders,
  OAuthProviderConfig,
  OAuthProvidersConfig,
} from './oauth/config-providers.js'
export { DEFAULT_REFRESH_SKEW_MS } from './oauth/refresh-skew.js'
export {
  createFileRefreshLockProvider,
  DEFAULT_REFRESH_LOCK_OPTIONS,
} from './oauth/refresh-lock.js'
export type {
  FileRefreshLockProviderOptions,
  RefreshFence,
  RefreshLock,
  RefreshLockKey,
  RefreshLockProvider,
} from './oauth/refresh-lock.js'
export type {
  CredentialsUpdatedEvent,
  OAuthRefreshSettings,
  RefreshOAuthCredentialOptions,
  RefreshOAuthCredentialResult,
} from './oauth/refresh.js'
export type {
  OAuthRefreshEvent,
  OAuthRefreshListener,
  OAuthRefreshOutcome,
} from './oauth/refresh-events.js'
export type {
  OAuthClientSettings,
  OidcDiscoveryCache,
  OidcDiscoveryCacheEntry,
} from './oauth/openid.js'
export { createMemoryTokenCache } from './oauth/token-cache.js'
export type { DerivedTokenCache, MemoryTokenCacheOptions } from './oauth/token-cache.js'
export { COPILOT_EDITOR_HEADERS } from './oauth/copilot-api.js'
export type {
  CopilotApiKey,
  CopilotExchangeRuntime,
  CopilotToken,
  ExchangeCopilotTokenOptions,
  ResolveCopilotApiKeyOptions,
} from './oauth/copilot-token.js'
export { codexAccountIdFromAccessToken, OPENAI_CODEX_AUTH_CLAIM } from './oauth/codex-account.js'

// Moved to subpaths; the types stay here for one minor version too.
export {
  checkSecretExecCommand,
  discoverGeminiProject,
  exchangeCopilotToken,
  importExternalCredentials,
  loginWithOAuth,
  logoutOAuthProfile,
  raceCallbackAndPaste,
  readExternalCredentials,
  refreshOAuthCredential,
  refreshWithTokenEndpoint,
  resolveCopilotApiKey,
  resolveSecretRef,
  resolveSecretRefs,
  runAuthorizationCodeFlow,
  runDeviceFlow,
  startLoopbackCallback,
  storeSetupToken,
} from './deprecated-exports.js'
export type { LoopbackCallback, LoopbackCallbackOptions } from './oauth/loopback.js'
export type {
  ParseRedirectInputOptions,
  RaceCallbackAndPasteOptions,
  RedirectPromptInfo,
} from './oauth/redirect-paste.js'
export type {
  AuthorizationCodeFlowOptions,
  AuthorizationCodeFlowResult,
} from './oauth/authorization-code.js'
export type { DeviceFlowResult, RunDeviceFlowOptions } from './oauth/device.js'
export type {
  LoginWithOAuthOptions,
  LoginWithOAuthResult,
  LogoutOAuthProfileOptions,
  LogoutOAuthProfileResult,
  OAuthRequestOptions,
  StoreSetupTokenOptions,
} from './oauth/login.js'
export type { AuthorizationCodeOAuthOverrides } from './oauth/adapters/common.js'
export type { OpenAICodexOAuthOverrides } from './oauth/adapters/openai-codex.js'
export type { AnthropicOAuthOverrides } from './oauth/adapters/anthropic.js'
export type {
  DiscoverGeminiProjectOptions,
  GoogleGeminiCliOAuthOverrides,
} from './oauth/adapters/google-gemini-cli.js'
export type { OidcOAuthAdapterOptions } from './oauth/adapters/oidc.js'
export type { GitHubCopilotOAuthOverrides } from './oauth/adapters/github-copilot.js'
export type { QwenPortalOAuthOverrides } from './oauth/adapters/qwen-portal.js'
export type {
  ExternalCliSource,
  ExternalCliSourceId,
  ExternalCredentials,
  ExternalCredentialsCache,
  ExternalCredentialsCacheEntry,
  ExternalImportResult,
  ExternalImportSkip,
  ExternalImportSkipReason,
  ImportExternalCredentialsOptions,
  ReadExternalCredentialsOptions,
  ResolveExternalCliPathOptions,
} from './credentials/external-cli/index.js'
