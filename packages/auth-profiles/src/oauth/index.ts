// `@claw/auth-profiles/oauth`: OAuth login flows, the provider adapters and their registry, token
// refresh and the Copilot token exchange, in one entry for apps with a login screen (the CLI).
// Hosts that only resolve keys and keep bookkeeping need none of it: the package root keeps only
// what key resolution needs (the refresh settings' registry, the Copilot headers) and loads the
// rest when a token must be refreshed or exchanged.
export type { FetchFunction, HttpLimits } from './http.js'
export type {
  AuthUrlInfo,
  DeviceCodeInfo,
  OAuthEndpoints,
  OAuthLoginCallbacks,
  OAuthLoginOptions,
  OAuthProviderAdapter,
  OAuthRuntime,
  OAuthTokenSet,
} from './types.js'
export { createOAuthProviderRegistry } from './registry.js'
export type { OAuthProviderRegistry } from './registry.js'
export { getOAuthProvider, listOAuthProviders, registerOAuthProvider } from './providers.js'
export {
  DEFAULT_REFRESH_LOCK_OPTIONS,
  DEFAULT_REFRESH_SKEW_MS,
  REFRESH_FAILURE_THROTTLE_MS,
  refreshOAuthCredential,
} from './refresh.js'
export { createFileRefreshLockProvider } from './refresh-lock.js'
export type {
  FileRefreshLockProviderOptions,
  RefreshFence,
  RefreshLock,
  RefreshLockKey,
  RefreshLockProvider,
} from './refresh-lock.js'
export type {
  CredentialsUpdatedEvent,
  OAuthRefreshSettings,
  RefreshOAuthCredentialOptions,
  RefreshOAuthCredentialResult,
} from './refresh.js'

export type { OAuthClientSettings, OidcDiscoveryCache, OidcDiscoveryCacheEntry } from './openid.js'
export { refreshWithTokenEndpoint } from './openid.js'
export { DEFAULT_LOGIN_TIMEOUT_MS, startLoopbackCallback } from './loopback.js'
export type { LoopbackCallback, LoopbackCallbackOptions } from './loopback.js'
export {
  DEFAULT_MAX_PASTE_ATTEMPTS,
  parseRedirectInput,
  raceCallbackAndPaste,
} from './redirect-paste.js'
export type {
  ParseRedirectInputOptions,
  RaceCallbackAndPasteOptions,
  RedirectPromptInfo,
} from './redirect-paste.js'
export { runAuthorizationCodeFlow } from './authorization-code.js'
export type {
  AuthorizationCodeFlowOptions,
  AuthorizationCodeFlowResult,
} from './authorization-code.js'
export { runDeviceFlow } from './device.js'
export type { DeviceFlowResult, RunDeviceFlowOptions } from './device.js'
export { createMemoryTokenCache } from './token-cache.js'
export type { DerivedTokenCache, MemoryTokenCacheOptions } from './token-cache.js'
export { loginWithOAuth, logoutOAuthProfile, storeSetupToken } from './login.js'
export type {
  LoginWithOAuthOptions,
  LoginWithOAuthResult,
  LogoutOAuthProfileOptions,
  LogoutOAuthProfileResult,
  OAuthRequestOptions,
  StoreSetupTokenOptions,
} from './login.js'
export type { AuthorizationCodeOAuthOverrides } from './adapters/common.js'
export { codexAccountIdFromAccessToken, OPENAI_CODEX_AUTH_CLAIM } from './codex-account.js'
export {
  createOpenAICodexOAuthAdapter,
  OPENAI_CODEX_AUTHORIZATION_PARAMS,
  OPENAI_CODEX_CLIENT_ID,
  OPENAI_CODEX_ENDPOINTS,
  OPENAI_CODEX_PROVIDER_ID,
  OPENAI_CODEX_REDIRECT_URI,
  OPENAI_CODEX_SCOPES,
} from './adapters/openai-codex.js'
export type { OpenAICodexOAuthOverrides } from './adapters/openai-codex.js'
export {
  ANTHROPIC_OAUTH_CLIENT_ID,
  ANTHROPIC_OAUTH_ENDPOINTS,
  ANTHROPIC_OAUTH_REDIRECT_URI,
  ANTHROPIC_OAUTH_SCOPES,
  ANTHROPIC_OAUTH_SCOPES_VERSION,
  ANTHROPIC_PROVIDER_ID,
  ANTHROPIC_SETUP_TOKEN_MIN_LENGTH,
  ANTHROPIC_SETUP_TOKEN_PREFIX,
  createAnthropicOAuthAdapter,
  validateAnthropicSetupToken,
} from './adapters/anthropic.js'
export type { AnthropicOAuthOverrides } from './adapters/anthropic.js'
export {
  CLOUD_CODE_ASSIST_BASE_URL,
  createGoogleGeminiCliOAuthAdapter,
  discoverGeminiProject,
  GOOGLE_CLOUD_PROJECT_ENV,
  GOOGLE_GEMINI_CLI_CLIENT_ID,
  GOOGLE_GEMINI_CLI_CLIENT_SECRET_ENV,
  GOOGLE_GEMINI_CLI_ENDPOINTS,
  GOOGLE_GEMINI_CLI_PROVIDER_ID,
  GOOGLE_GEMINI_CLI_REDIRECT_URI,
  GOOGLE_GEMINI_CLI_SCOPES,
} from './adapters/google-gemini-cli.js'
export type {
  DiscoverGeminiProjectOptions,
  GoogleGeminiCliOAuthOverrides,
} from './adapters/google-gemini-cli.js'
export { createOidcOAuthAdapter } from './adapters/oidc.js'
export type { OidcOAuthAdapterOptions } from './adapters/oidc.js'
export { createOAuthProvidersFromConfig } from './config-providers.js'
export type {
  ConfiguredOAuthProviders,
  OAuthProviderConfig,
  OAuthProvidersConfig,
} from './config-providers.js'
export {
  CHUTES_CLIENT_ID_ENV,
  CHUTES_CLIENT_SECRET_ENV,
  CHUTES_ENDPOINTS,
  CHUTES_PROVIDER_ID,
  CHUTES_REDIRECT_URI,
  CHUTES_SCOPES,
  createChutesOAuthAdapter,
} from './adapters/chutes.js'
export {
  COPILOT_DEFAULT_BASE_URL,
  COPILOT_EDITOR_HEADERS,
  GITHUB_COPILOT_PROVIDER_ID,
  GITHUB_DEFAULT_DOMAIN,
  normalizeGitHubDomain,
} from './copilot-api.js'
export {
  createGitHubCopilotOAuthAdapter,
  GITHUB_COPILOT_CLIENT_ID,
  GITHUB_COPILOT_SCOPES,
} from './adapters/github-copilot.js'
export type { GitHubCopilotOAuthOverrides } from './adapters/github-copilot.js'
export { exchangeCopilotToken, resolveCopilotApiKey } from './copilot-token.js'
export type {
  CopilotApiKey,
  CopilotExchangeRuntime,
  CopilotToken,
  ExchangeCopilotTokenOptions,
  ResolveCopilotApiKeyOptions,
} from './copilot-token.js'
export {
  createQwenPortalOAuthAdapter,
  QWEN_PORTAL_CLIENT_ID,
  QWEN_PORTAL_ENDPOINTS,
  QWEN_PORTAL_PROVIDER_ID,
  QWEN_PORTAL_SCOPES,
} from './adapters/qwen-portal.js'
export type { QwenPortalOAuthOverrides } from './adapters/qwen-portal.js'
