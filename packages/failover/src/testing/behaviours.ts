// What the fake provider does with a request, per key (and model): the behaviour types and the
// `behave` shorthands that build them.
import type { ProviderReply } from './provider-wire.js'

/** How a 429 tells the client when to come back. @public */
export type RetryHint =
  | { readonly format: 'seconds'; readonly seconds: number }
  | { readonly format: 'http-date'; readonly seconds: number }
  | { readonly format: 'ms'; readonly ms: number }

/** Options any behaviour can have. @public */
export interface BehaviourOptions {
  /** Wait this long before answering (cut short when the client disconnects). */
  readonly delayMs?: number
  /**
   * Apply the behaviour only between these offsets (ms) from `setBehaviour`; outside the window
   * the key answers `ok` (after `delayMs`).
   */
  readonly window?: { readonly fromMs?: number; readonly toMs?: number }
  /** Apply the behaviour to this many requests from `setBehaviour`; after them the key answers `ok`. */
  readonly times?: number
  /** What a success contains (default: the server's `reply`, else the text `ok`). */
  readonly reply?: ProviderReply
}

/** What the server does with one request. @public */
export type ProviderBehaviour = (
  | { readonly kind: 'ok' }
  | { readonly kind: 'rate_limit'; readonly retry?: RetryHint }
  | { readonly kind: 'insufficient_quota' }
  | {
      readonly kind: 'unauthorized'
      /** Repeat the key in full in the error message, as some providers and proxies do. */
      readonly echoKey?: boolean
    }
  | { readonly kind: 'payment_required' }
  | { readonly kind: 'model_not_found' }
  | { readonly kind: 'server_error' }
  | { readonly kind: 'overloaded' }
  /** A 200 stream whose first event is the provider's overloaded error (no content). */
  | { readonly kind: 'stream_error' }
  /** A 200 stream that sends its first text chunk, then the connection drops. */
  | { readonly kind: 'stream_dies' }
  | { readonly kind: 'hang' }
) &
  BehaviourOptions

/** Shorthands for the behaviours. @public */
export const behave = {
  ok: (options: BehaviourOptions = {}): ProviderBehaviour => ({ ...options, kind: 'ok' }),
  /** A success with this text. */
  text: (text: string, options: BehaviourOptions = {}): ProviderBehaviour => ({
    ...options,
    kind: 'ok',
    reply: { text },
  }),
  /** A success that calls the tool `name` with `input`. */
  toolCall: (
    name: string,
    input: Readonly<Record<string, unknown>>,
    options: BehaviourOptions = {},
  ): ProviderBehaviour => ({ ...options, kind: 'ok', reply: { toolCall: { name, input } } }),
  latency: (ms: number): ProviderBehaviour => ({ kind: 'ok', delayMs: ms }),
  rateLimit: (retry?: RetryHint, options: BehaviourOptions = {}): ProviderBehaviour => ({
    ...options,
    kind: 'rate_limit',
    ...(retry ? { retry } : {}),
  }),
  /** OpenAI's "no credit left": a 429 with `insufficient_quota` (billing, not a rate limit). */
  insufficientQuota: (options: BehaviourOptions = {}): ProviderBehaviour => ({
    ...options,
    kind: 'insufficient_quota',
  }),
  unauthorized: (
    options: BehaviourOptions & { readonly echoKey?: boolean } = {},
  ): ProviderBehaviour => ({
    ...options,
    kind: 'unauthorized',
  }),
  paymentRequired: (options: BehaviourOptions = {}): ProviderBehaviour => ({
    ...options,
    kind: 'payment_required',
  }),
  modelNotFound: (options: BehaviourOptions = {}): ProviderBehaviour => ({
    ...options,
    kind: 'model_not_found',
  }),
  serverError: (options: BehaviourOptions = {}): ProviderBehaviour => ({
    ...options,
    kind: 'server_error',
  }),
  overloaded: (options: BehaviourOptions = {}): ProviderBehaviour => ({
    ...options,
    kind: 'overloaded',
  }),
  streamError: (options: BehaviourOptions = {}): ProviderBehaviour => ({
    ...options,
    kind: 'stream_error',
  }),
  streamDies: (options: BehaviourOptions = {}): ProviderBehaviour => ({
    ...options,
    kind: 'stream_dies',
  }),
  hang: (options: BehaviourOptions = {}): ProviderBehaviour => ({ ...options, kind: 'hang' }),
}
