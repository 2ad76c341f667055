// Helpers for testing code that uses @claw/failover: provider errors shaped like the SDKs' ones.
// Import from `@claw/failover/testing`.
export {
  badRequest,
  connectionRefused,
  contextOverflow,
  modelNotFound,
  outOfCredit,
  overloaded,
  rateLimited,
  serverError,
  timedOut,
  unauthorized,
} from './provider-errors.js'
export type {
  ModelErrorOptions,
  ProviderApiError,
  ProviderConnectionError,
  ProviderErrorOptions,
  ProviderErrorShape,
  RateLimitedOptions,
} from './provider-errors.js'
