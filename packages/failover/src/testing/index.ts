// Helpers for testing code that uses @claw/failover: provider errors shaped like the SDKs' ones,
// and a fake model provider on loopback. Import from `@claw/failover/testing`.
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
export { chatCompletionsCall } from './chat-call.js'
export { behave } from './behaviours.js'
export type { BehaviourOptions, ProviderBehaviour, RetryHint } from './behaviours.js'
export { startProviderServer } from './provider-server.js'
export type {
  KeyScheme,
  KeyStats,
  ProviderServer,
  ProviderStats,
  RecordedRequest,
  StartProviderServerOptions,
} from './provider-server.js'
export { FAKE_USAGE } from './provider-wire.js'
export type { ProviderReply, ProviderWireApi } from './provider-wire.js'
