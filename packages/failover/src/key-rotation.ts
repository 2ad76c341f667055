import {
  collectProviderApiKeys,
  createSecretMasker,
  redactSecretsInText,
  type Env,
} from '@claw/auth-profiles'
import { isApiKeyRateLimitError } from './classify/classify.js'
import { FailoverError } from './errors.js'
import { redactError } from './redact-error.js'
import { resolveSleep, type Sleep } from './runtime.js'

/** What `execute` is told about the current attempt (the key itself is its first argument). @public */
export interface ApiKeyAttemptContext {
  /** 0-based position of the key in the (deduplicated) key list. */
  readonly apiKeyIndex: number
  /** 1-based count of calls in this execution, across keys and same-key retries. */
  readonly attemptNumber: number
  /** The caller's signal, passed through. */
  readonly signal: AbortSignal | undefined
}

/**
 * A failed attempt, as shown to `shouldRetry` and `onRetry`. It never holds an API key: callbacks
 * are where keys leak into logs, so this SDK never passes one (OpenClaw did). `message` is the
 * error's message with every key of this execution masked and secret-looking fragments redacted;
 * `error` is what `execute` threw — or, when it shows one of the keys anywhere (message, stack,
 * properties, causes), a redacted copy of it with the same prototype and properties.
 *
 * @public
 */
export interface ApiKeyRetryInfo {
  readonly provider: string
  /** 0-based position of the key that failed. */
  readonly apiKeyIndex: number
  /** How many keys there are. */
  readonly apiKeyCount: number
  /** 1-based count of calls in this execution, including this one. */
  readonly attemptNumber: number
  readonly error: unknown
  /** The redacted error message. */
  readonly message: string
}

/** A retry about to happen. @public */
export interface ApiKeyRetryEvent extends ApiKeyRetryInfo {
  /** `rotate`: the next key, after a rate limit; `transient`: the same key again. */
  readonly kind: 'rotate' | 'transient'
  /** The key position the next attempt uses. */
  readonly nextApiKeyIndex: number
  /** The wait before the next attempt (0 for a rotation). */
  readonly delayMs: number
}

/** Same-key retries on transient failures (5xx, network resets, timeouts). @public */
export interface TransientRetryPolicy {
  /** Extra attempts per key; default 1. */
  readonly attempts?: number | undefined
  /** Wait before the first retry, doubled for each further one; default 250 ms. */
  readonly baseDelayMs?: number | undefined
  /** Upper bound for one wait; default 5 000 ms. */
  readonly maxDelayMs?: number | undefined
}

/** A {@link TransientRetryPolicy} with every field set. @public */
export interface ResolvedTransientRetryPolicy {
  readonly attempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

/** The policy that `transientRetry: true` stands for. @public */
export const DEFAULT_TRANSIENT_RETRY: ResolvedTransientRetryPolicy = Object.freeze({
  attempts: 1,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
})

/** @public */
export interface ExecuteWithApiKeyRotationOptions<T> {
  /** The provider, for messages and callbacks. */
  readonly provider: string
  /** Keys in the order to try them; blank entries and duplicates are ignored. */
  readonly apiKeys: readonly string[]
  /** Makes the call with one key. */
  readonly execute: (apiKey: string, context: ApiKeyAttemptContext) => Promise<T>
  /**
   * Whether a failure should move on to the next key; default {@link isApiKeyRateLimitError}.
   * Only rate limits should rotate: any other error is thrown unchanged.
   */
  readonly shouldRetry?: ((info: ApiKeyRetryInfo) => boolean | Promise<boolean>) | undefined
  /** Called (and awaited) before every retry, with the key's position but never the key. */
  readonly onRetry?: ((event: ApiKeyRetryEvent) => void | Promise<void>) | undefined
  /**
   * Retry the same key on transient failures (see {@link isTransientApiKeyError}). Off by
   * default; `true` means {@link DEFAULT_TRANSIENT_RETRY}. Exhausting these retries throws the
   * last error without rotating.
   */
  readonly transientRetry?: boolean | TransientRetryPolicy | undefined
  /** The caller's signal: once aborted, nothing is retried and the failure is thrown as is. */
  readonly signal?: AbortSignal | undefined
  /** Waits between same-key retries; defaults to a timer that keeps the process alive. */
  readonly sleep?: Sleep | undefined
}

const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504])

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])

/** How deep `cause` chains are followed. */
const MAX_CAUSE_DEPTH = 5

type ErrorLike = {
  readonly name?: unknown
  readonly message?: unknown
  readonly code?: unknown
  readonly status?: unknown
  readonly statusCode?: unknown
  readonly response?: unknown
  readonly cause?: unknown
}

function asErrorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? value : undefined
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function statusOf(error: ErrorLike): number | undefined {
  const response = asErrorLike(error.response)
  for (const value of [error.status, error.statusCode, response?.status]) {
    if (typeof value === 'number' && Number.isInteger(value)) return value
    if (typeof value === 'string' && /^\d{3}$/.test(value)) return Number(value)
  }
  return undefined
}

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error
  const like = asErrorLike(error)
  const message = like ? stringField(like.message) : undefined
  if (message !== undefined) return message
  try {
    return String(error)
  } catch {
    return 'Unknown error'
  }
}

/** @public */
export interface TransientErrorOptions {
  /** The caller's signal: when it is aborted, nothing is transient. */
  readonly signal?: AbortSignal | undefined
}

/**
 * Whether an error is worth retrying with the same API key: HTTP 500, 502, 503 or 504; a network
 * error code (`ECONNRESET`, `ECONNREFUSED`, `ETIMEDOUT`, `EPIPE`, `EAI_AGAIN`, undici socket and
 * timeout codes, …) on the error or anywhere in its `cause` chain; a `TimeoutError`; or an
 * `AbortError` whose message mentions a timeout while the caller's `signal` is not aborted.
 * Never transient: anything once the caller's signal is aborted, any other `AbortError`, and HTTP
 * 400, 401, 403, 404 and 429 (a 429 rotates keys instead).
 *
 * @public
 */
export function isTransientApiKeyError(
  error: unknown,
  options: TransientErrorOptions = {},
): boolean {
  if (options.signal?.aborted === true) return false
  const seen = new Set<unknown>()
  let current: unknown = error
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH; depth += 1) {
    const like = asErrorLike(current)
    if (like === undefined || seen.has(current)) return false
    seen.add(current)
    const status = statusOf(like)
    if (status !== undefined) {
      if (TRANSIENT_STATUSES.has(status)) return true
      if (status >= 400 && status < 500) return false
    }
    const code = stringField(like.code)
    if (code !== undefined && NETWORK_CODES.has(code)) return true
    const name = stringField(like.name)
    if (name === 'TimeoutError') return true
    if (name === 'AbortError') {
      return /time(?:d)?[ _-]?out/i.test(stringField(like.message) ?? '')
    }
    current = like.cause
  }
  return false
}

function resolveTransientPolicy(
  option: ExecuteWithApiKeyRotationOptions<unknown>['transientRetry'],
): ResolvedTransientRetryPolicy | undefined {
  if (option === undefined || option === false) return undefined
  if (option === true) return DEFAULT_TRANSIENT_RETRY
  const count = (value: number | undefined, fallback: number): number =>
    typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.floor(value)) : fallback
  const policy = {
    attempts: count(option.attempts, DEFAULT_TRANSIENT_RETRY.attempts),
    baseDelayMs: count(option.baseDelayMs, DEFAULT_TRANSIENT_RETRY.baseDelayMs),
    maxDelayMs: count(option.maxDelayMs, DEFAULT_TRANSIENT_RETRY.maxDelayMs),
  }
  return policy.attempts > 0 ? policy : undefined
}

function uniqueKeys(keys: readonly string[]): string[] {
  const result: string[] = []
  for (const key of keys) {
    if (typeof key !== 'string' || key.trim() === '' || result.includes(key)) continue
    result.push(key)
  }
  return result
}

/**
 * Calls `execute` with each API key in turn until one succeeds:
 *
 * - no keys → throws a `FailoverError` (reason `auth`):
 *   `No API keys configured for provider "<provider>".`;
 * - a failure that `shouldRetry` accepts (default: {@link isApiKeyRateLimitError}) moves on to
 *   the next key; on the last key, or for any other failure, the error is thrown (a redacted
 *   copy when it shows one of the keys, see {@link ApiKeyRetryInfo});
 * - with `transientRetry`, a transient failure ({@link isTransientApiKeyError}) is retried with
 *   the **same** key after a short wait, at most `attempts` times per key; running out throws the
 *   last error without rotating. A rate limit is never retried with the same key;
 * - once the caller's `signal` is aborted nothing is retried: the failure is thrown as is (and
 *   an already-aborted signal throws its reason before any call).
 *
 * `shouldRetry` and `onRetry` receive the key's position and a redacted message, never the key.
 *
 * @example
 * ```ts
 * const keys = collectProviderApiKeysForExecution({ provider: 'google', primaryApiKey })
 * const result = await executeWithApiKeyRotation({
 *   provider: 'google',
 *   apiKeys: keys,
 *   transientRetry: true,
 *   execute: (apiKey, { signal }) => embed(texts, { apiKey, signal }),
 *   onRetry: ({ kind, apiKeyIndex, message }) => log.warn(`key #${apiKeyIndex} ${kind}: ${message}`),
 * })
 * ```
 * @public
 */
export async function executeWithApiKeyRotation<T>(
  options: ExecuteWithApiKeyRotationOptions<T>,
): Promise<T> {
  const { provider, signal } = options
  const keys = uniqueKeys(options.apiKeys)
  if (keys.length === 0) {
    throw new FailoverError('auth', `No API keys configured for provider "${provider}".`, {
      provider,
    })
  }
  const transient = resolveTransientPolicy(options.transientRetry)
  const sleep = resolveSleep(options)
  const masker = createSecretMasker(keys)
  const redact = (text: string): string => redactSecretsInText(masker.mask(text))
  let attemptNumber = 0

  for (let apiKeyIndex = 0; apiKeyIndex < keys.length; apiKeyIndex += 1) {
    const apiKey = keys[apiKeyIndex] as string
    let transientRetries = 0
    for (;;) {
      signal?.throwIfAborted()
      attemptNumber += 1
      try {
        return await options.execute(apiKey, { apiKeyIndex, attemptNumber, signal })
      } catch (thrown) {
        // A provider may echo the key in its error: from here on only a redacted copy is handed
        // on (the original when it shows none of the keys).
        const error = redactError(thrown, masker)
        if (signal?.aborted === true) throw error
        const info: ApiKeyRetryInfo = {
          provider,
          apiKeyIndex,
          apiKeyCount: keys.length,
          attemptNumber,
          error,
          message: redact(messageOf(error)),
        }
        const rotate = options.shouldRetry
          ? await options.shouldRetry(info)
          : isApiKeyRateLimitError(error)
        if (rotate) {
          if (apiKeyIndex + 1 >= keys.length) throw error
          await options.onRetry?.({
            ...info,
            kind: 'rotate',
            nextApiKeyIndex: apiKeyIndex + 1,
            delayMs: 0,
          })
          break
        }
        if (
          transient === undefined ||
          transientRetries >= transient.attempts ||
          !isTransientApiKeyError(error, { signal })
        ) {
          throw error
        }
        const delayMs = Math.min(
          transient.maxDelayMs,
          transient.baseDelayMs * 2 ** transientRetries,
        )
        transientRetries += 1
        await options.onRetry?.({
          ...info,
          kind: 'transient',
          nextApiKeyIndex: apiKeyIndex,
          delayMs,
        })
        await sleep(delayMs, signal)
      }
    }
  }
  // Unreachable: the last key either returns or throws.
  throw new FailoverError('unknown', `API key rotation for provider "${provider}" ended early.`, {
    provider,
  })
}

/** @public */
export interface CollectProviderApiKeysForExecutionOptions {
  readonly provider: string
  /** An already-resolved key (from a profile or config); it goes first. */
  readonly primaryApiKey?: string | undefined
  /** Environment variables; default `process.env`. */
  readonly env?: Env | undefined
}

function cleanKey(value: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined
  const trimmed = value.trim()
  return trimmed === '' || trimmed === 'undefined' || trimmed === 'null' ? undefined : trimmed
}

/**
 * The keys to hand to {@link executeWithApiKeyRotation}: `primaryApiKey` first, then the
 * provider's keys from the environment (`collectProviderApiKeys` of `@claw/auth-profiles`),
 * trimmed and deduplicated; blank values and the strings `undefined` / `null` are ignored. As
 * in OpenClaw, the primary key is kept even when a `CLAW_LIVE_<BASE>_KEY` makes the environment
 * contribute only that key.
 *
 * @example
 * ```ts
 * collectProviderApiKeysForExecution({
 *   provider: 'openai',
 *   primaryApiKey: 'sk-a',
 *   env: { OPENAI_API_KEYS: 'sk-a,sk-b' },
 * }) // ['sk-a', 'sk-b']
 * ```
 * @public
 */
export function collectProviderApiKeysForExecution(
  options: CollectProviderApiKeysForExecutionOptions,
): string[] {
  const keys: string[] = []
  const add = (value: string | undefined): void => {
    const key = cleanKey(value)
    if (key !== undefined && !keys.includes(key)) keys.push(key)
  }
  add(options.primaryApiKey)
  const collected =
    options.env === undefined
      ? collectProviderApiKeys(options.provider)
      : collectProviderApiKeys(options.provider, { env: options.env })
  for (const key of collected) add(key)
  return keys
}
