export { FAILOVER_REASONS, resolveFailoverStatus } from './reasons.js'
export type { FailoverReason } from './reasons.js'
export { FailoverError, FailoverSummaryError } from './errors.js'
export type { FailoverAttempt, FailoverErrorOptions } from './errors.js'

export {
  isApiKeyRateLimitError,
  isRateLimitErrorForKeyRotation,
  resolveFailoverReasonFromError,
} from './classify/classify.js'
export { coerceToFailoverError, describeFailoverError } from './classify/describe-error.js'
export type { FailoverErrorContext, FailoverErrorDescription } from './classify/describe-error.js'
export { classifyFailoverReason, isFailoverErrorMessage } from './classify/message-rules.js'
export { isTimeoutError, isUserAbortError } from './classify/timeouts.js'
export {
  computeBackoffMs,
  DEFAULT_MAX_RETRY_AFTER_MS,
  MAX_HONOURED_RETRY_HINT_MS,
  parseRetryAfter,
  retryDelayFromHint,
} from './retry-after.js'
export type {
  BackoffOptions,
  HeadersLike,
  ParseRetryAfterOptions,
  RetryAfterHeaders,
  RetryAfterHint,
  RetryAfterSource,
  RetryDelayOptions,
} from './retry-after.js'

export { parseUsageLimitHeaders } from './usage-limit.js'
export type { UsageLimitReport, UsageWindow } from './usage-limit.js'

export { FAILOVER_POLICY } from './policy.js'
export type { FailoverPolicyEntry } from './policy.js'
export { buildFallbackCandidates } from './candidates.js'
export type { BuildFallbackCandidatesOptions, FallbackCandidate } from './candidates.js'
export { DEFAULT_MAX_ATTEMPTS, DEFAULT_MIN_RETRY_GAP_MS } from './engine/engine.js'
export type { FailoverEvent } from './events.js'
export type { FailoverRunObserver, FailoverTelemetry } from './failover-telemetry.js'
export type { FailoverTraceEntry } from './trace.js'
export { runWithFailover } from './run.js'
export type { FailoverCallContext, RunWithFailoverOptions, RunWithFailoverResult } from './run.js'
export { createFailoverFetch, getFailoverFetchResult } from './fetch/failover-fetch.js'
export type {
  CreateFailoverFetchOptions,
  FailoverFetch,
  FailoverFetchResult,
} from './fetch/failover-fetch.js'
export { resolveOAuthSettings } from './oauth-settings.js'
export { ANTHROPIC_OAUTH_BETA, ANTHROPIC_VERSION, presentCredential } from './request-auth.js'
export type {
  CredentialHeader,
  CredentialPresentation,
  PresentCredentialOptions,
} from './request-auth.js'
export { runWithModelFallback } from './model-fallback.js'
export type { RunWithModelFallbackOptions, RunWithModelFallbackResult } from './model-fallback.js'
export { planFailover } from './plan.js'
export type { FailoverPlan, PlanFailoverOptions } from './plan.js'
export type { FailoverTargetOptions } from './target-options.js'
export type { Clock, Sleep } from './runtime.js'

export { computeSessionAuthProfileOverride, resolveSessionAuthProfileOverride } from './session.js'
export type {
  ComputeSessionAuthProfileOverrideOptions,
  ResolveSessionAuthProfileOverrideOptions,
  SessionAuthProfileOverrideResult,
  SessionAuthProfileSource,
  SessionAuthState,
} from './session.js'
export { MODEL_TYPO_MAX_DISTANCE, resolveModelSelection } from './selection.js'
export type {
  ModelSelectionFailure,
  ModelSelectionResult,
  ModelSelectionSuccess,
  ResolveModelSelectionOptions,
} from './selection.js'
export {
  collectProviderApiKeysForExecution,
  DEFAULT_TRANSIENT_RETRY,
  executeWithApiKeyRotation,
  isTransientApiKeyError,
} from './key-rotation.js'
export type {
  ApiKeyAttemptContext,
  ApiKeyRetryEvent,
  ApiKeyRetryInfo,
  CollectProviderApiKeysForExecutionOptions,
  ExecuteWithApiKeyRotationOptions,
  ResolvedTransientRetryPolicy,
  TransientErrorOptions,
  TransientRetryPolicy,
} from './key-rotation.js'
