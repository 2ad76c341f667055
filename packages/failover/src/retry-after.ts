// Retry hints from response headers, and the default retry backoff.
//
// Rules: the most precise hint wins. `retry-after-ms` first, then `Retry-After` as
// seconds or an HTTP-date, then the providers' rate-limit reset headers (Anthropic's RFC 3339
// timestamps, OpenAI's Go-style durations). Anything malformed, negative or in the past gives no
// hint; huge hints are capped. A retry *sleep* honours a hint only within 0–60 s (the Stainless
// SDK rule); longer hints are for cooldowns, not for waiting.

import { resolveClock, type Clock } from './runtime.js'

/** Which header a retry hint came from. @public */
export type RetryAfterSource =
  'retry-after-ms' | 'retry-after' | 'anthropic-ratelimit-reset' | 'x-ratelimit-reset'

/** A provider's retry hint: how long to wait, in ms from when the response was received. @public */
export interface RetryAfterHint {
  readonly retryAfterMs: number
  readonly source: RetryAfterSource
}

/**
 * Anything with a `get(name)` method whose lookup is case-insensitive, such as the Fetch API
 * `Headers` class or axios' `AxiosHeaders`.
 *
 * @public
 */
export interface HeadersLike {
  get(name: string): string | null | undefined
}

/**
 * Response headers in any of the shapes SDKs expose them: a `Headers`-like object, a `Map`, or a
 * plain object. Map and object keys are matched case-insensitively; array values use their first
 * element and numbers are read as their decimal text.
 *
 * @public
 */
export type RetryAfterHeaders =
  HeadersLike | ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>

/** Options for {@link parseRetryAfter}. @public */
export interface ParseRetryAfterOptions {
  /** The clock used to turn dates and reset timestamps into a delay; defaults to the wall clock. */
  readonly now?: Clock | undefined
  /** Hints above this are capped to it. Default {@link DEFAULT_MAX_RETRY_AFTER_MS} (1 h). */
  readonly maxMs?: number | undefined
}

/** The default cap on a parsed retry hint: one hour. @public */
export const DEFAULT_MAX_RETRY_AFTER_MS = 3_600_000

/** The longest hint a retry sleep honours (the Stainless SDK rule): 60 s. @public */
export const MAX_HONOURED_RETRY_HINT_MS = 60_000

type HeaderReader = (name: string) => string | undefined

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim()
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (Array.isArray(value)) return headerText(value[0] as unknown)
  return undefined
}

function lowerCaseEntries(entries: Iterable<readonly [unknown, unknown]>): HeaderReader {
  const byName = new Map<string, unknown>()
  for (const [key, value] of entries) {
    if (typeof key !== 'string') continue
    const name = key.toLowerCase()
    if (!byName.has(name)) byName.set(name, value)
  }
  return (name) => headerText(byName.get(name))
}

function createHeaderReader(
  headers: RetryAfterHeaders | null | undefined,
): HeaderReader | undefined {
  if (headers === null || typeof headers !== 'object') return undefined
  if (headers instanceof Map) return lowerCaseEntries(headers as ReadonlyMap<unknown, unknown>)
  const get = (headers as Partial<HeadersLike>).get
  if (typeof get === 'function') {
    return (name) => {
      try {
        return headerText(get.call(headers, name))
      } catch {
        return undefined
      }
    }
  }
  return lowerCaseEntries(Object.entries(headers))
}

/** A non-negative decimal number: `5`, `1.5`, `.5`. No sign, exponent or unit. */
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/

function parseDecimal(text: string | undefined): number | undefined {
  if (text === undefined || !DECIMAL.test(text)) return undefined
  const value = Number(text)
  return Number.isFinite(value) ? value : undefined
}

/** IMF-fixdate, RFC 850 and asctime dates all start with a day name. */
const HTTP_DATE_PREFIX = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i
const HAS_ZONE = /\b(?:gmt|utc|ut|z)\b|[+-]\d{4}$/i

function parseHttpDate(text: string): number | undefined {
  if (!HTTP_DATE_PREFIX.test(text)) return undefined
  // asctime dates carry no zone but are GMT by definition; `Date.parse` would read them as local.
  const time = Date.parse(HAS_ZONE.test(text) ? text : `${text} GMT`)
  return Number.isFinite(time) ? time : undefined
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/

function parseRfc3339(text: string | undefined): number | undefined {
  if (text === undefined || !RFC3339.test(text)) return undefined
  const time = Date.parse(text.replace(' ', 'T'))
  return Number.isFinite(time) ? time : undefined
}

const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  μs: 0.001,
  ns: 0.000_001,
}

/** One `<number><unit>` part; `ms` and the micro units come before `m` and `s`. */
const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|μs|ms|h|m|s)/y

/** A Go-style duration (`1s`, `6m0s`, `2h3m4.5s`, `120ms`) in ms; anything else is undefined. */
function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined
  let position = 0
  let total = 0
  while (position < text.length) {
    DURATION_PART.lastIndex = position
    const match = DURATION_PART.exec(text)
    if (match === null) return undefined
    total += Number(match[1]) * (DURATION_UNIT_MS[match[2] ?? ''] ?? Number.NaN)
    position = DURATION_PART.lastIndex
  }
  return Number.isFinite(total) ? total : undefined
}

function parseRemaining(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined
}

interface ResetEntry {
  readonly value: number
  readonly remaining: number | undefined
}

/**
 * The limits that are exhausted (`remaining` 0) decide: the latest of their resets. When none is
 * known to be exhausted, the earliest reset is the conservative guess.
 */
function pickReset(entries: readonly ResetEntry[]): number | undefined {
  if (entries.length === 0) return undefined
  const exhausted = entries.filter((entry) => entry.remaining === 0)
  return exhausted.length > 0
    ? Math.max(...exhausted.map((entry) => entry.value))
    : Math.min(...entries.map((entry) => entry.value))
}

const ANTHROPIC_LIMITS = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const
const OPENAI_LIMITS = ['requests', 'tokens'] as const

function anthropicResetAt(read: HeaderReader): number | undefined {
  const entries: ResetEntry[] = []
  for (const limit of ANTHROPIC_LIMITS) {
    const value = parseRfc3339(read(`anthropic-ratelimit-${limit}-reset`))
    if (value === undefined) continue
    entries.push({
      value,
      remaining: parseRemaining(read(`anthropic-ratelimit-${limit}-remaining`)),
    })
  }
  return pickReset(entries)
}

function openAiResetMs(read: HeaderReader): number | undefined {
  const entries: ResetEntry[] = []
  for (const limit of OPENAI_LIMITS) {
    const value = parseDuration(read(`x-ratelimit-reset-${limit}`))
    if (value === undefined) continue
    entries.push({ value, remaining: parseRemaining(read(`x-ratelimit-remaining-${limit}`)) })
  }
  return pickReset(entries)
}

/**
 * Reads a provider's retry hint from response headers. First match wins:
 *
 * 1. `retry-after-ms`: a non-negative number of milliseconds (decimals allowed);
 * 2. `Retry-After`: non-negative seconds (decimals allowed) or an HTTP-date, relative to `now`;
 * 3. `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-reset` (RFC 3339): the
 *    latest reset among the limits whose `-remaining` header is `0`, else the earliest reset;
 * 4. OpenAI's `x-ratelimit-reset-{requests,tokens}` durations (`1s`, `6m0s`, `120ms`): the
 *    longest among the limits whose `x-ratelimit-remaining-*` is `0`, else the shortest.
 *
 * A malformed, negative or past value gives no hint from that header and the next rule is tried;
 * when nothing usable is found the result is `undefined`. Hints above `maxMs` (default 1 h) are
 * capped to it.
 *
 * @example
 * ```ts
 * parseRetryAfter(new Headers({ 'retry-after': '2.5' })) // { retryAfterMs: 2500, source: 'retry-after' }
 * ```
 * @public
 */
export function parseRetryAfter(
  headers: RetryAfterHeaders | null | undefined,
  options: ParseRetryAfterOptions = {},
): RetryAfterHint | undefined {
  const read = createHeaderReader(headers)
  if (read === undefined) return undefined
  const maxMs =
    options.maxMs !== undefined && Number.isFinite(options.maxMs) && options.maxMs >= 0
      ? options.maxMs
      : DEFAULT_MAX_RETRY_AFTER_MS
  const hint = (retryAfterMs: number, source: RetryAfterSource): RetryAfterHint => ({
    retryAfterMs: Math.min(retryAfterMs, maxMs),
    source,
  })
  let now: number | undefined
  const clock = (): number => (now ??= resolveClock(options)())

  const milliseconds = parseDecimal(read('retry-after-ms'))
  if (milliseconds !== undefined) return hint(milliseconds, 'retry-after-ms')

  const retryAfter = read('retry-after')
  if (retryAfter !== undefined) {
    const seconds = parseDecimal(retryAfter)
    if (seconds !== undefined) return hint(seconds * 1000, 'retry-after')
    const date = parseHttpDate(retryAfter)
    if (date !== undefined && date - clock() >= 0) return hint(date - clock(), 'retry-after')
  }

  const anthropicReset = anthropicResetAt(read)
  if (anthropicReset !== undefined && anthropicReset - clock() >= 0) {
    return hint(anthropicReset - clock(), 'anthropic-ratelimit-reset')
  }

  const openAiReset = openAiResetMs(read)
  if (openAiReset !== undefined) return hint(openAiReset, 'x-ratelimit-reset')

  return undefined
}

/** Options for {@link computeBackoffMs}. @public */
export interface BackoffOptions {
  /** The first delay, before jitter. Default 500 ms. */
  readonly baseMs?: number | undefined
  /** The largest delay, before jitter. Default 8000 ms. */
  readonly maxMs?: number | undefined
  /** The largest fraction taken off a delay at random (0–1). Default 0.25. */
  readonly jitter?: number | undefined
  /** A source of numbers in [0, 1). Default `Math.random`. */
  readonly random?: (() => number) | undefined
}

/** Options for {@link retryDelayFromHint}. @public */
export interface RetryDelayOptions extends BackoffOptions {
  /** The longest hint honoured; longer hints fall back to the backoff. Default 60 s. */
  readonly maxHintMs?: number | undefined
}

function nonNegative(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback
}

function clampUnit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0
}

/**
 * The default retry delay: `baseMs × 2^attempt`, capped at `maxMs`, minus up to `jitter` of it at
 * random (the Stainless SDK schedule: 0.5 s, 1 s, 2 s, 4 s, 8 s, 8 s, … each reduced by at most
 * 25 %). `attempt` counts retries already made, so the first retry is attempt 0. The result is a
 * whole number of milliseconds.
 *
 * @example
 * ```ts
 * computeBackoffMs(2, { random: () => 0 }) // 2000
 * ```
 * @public
 */
export function computeBackoffMs(attempt: number, options: BackoffOptions = {}): number {
  const baseMs = nonNegative(options.baseMs, 500)
  const maxMs = nonNegative(options.maxMs, 8000)
  const jitter = clampUnit(options.jitter ?? 0.25)
  const random = options.random ?? Math.random
  const exponent = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0
  const delay = Math.min(baseMs * 2 ** exponent, maxMs)
  return Math.round(delay * (1 - jitter * clampUnit(random())))
}

/**
 * How long to sleep before retry number `attempt` (0 for the first retry): the provider's hint
 * when it is above 0 and at most 60 s (`maxHintMs`), else {@link computeBackoffMs}. A hint of 0 is
 * treated as no hint, as the Stainless SDKs do, so a retry never runs hot.
 *
 * @example
 * ```ts
 * retryDelayFromHint(parseRetryAfter(response.headers), 0) // e.g. 2000 for `Retry-After: 2`
 * ```
 * @public
 */
export function retryDelayFromHint(
  hint: number | RetryAfterHint | undefined,
  attempt: number,
  options: RetryDelayOptions = {},
): number {
  const hintMs = typeof hint === 'number' ? hint : hint?.retryAfterMs
  const maxHintMs = nonNegative(options.maxHintMs, MAX_HONOURED_RETRY_HINT_MS)
  if (hintMs !== undefined && Number.isFinite(hintMs) && hintMs > 0 && hintMs <= maxHintMs) {
    return hintMs
  }
  return computeBackoffMs(attempt, options)
}
