// Failure classification: why did a model call fail, as far as failover is concerned?
//
// The error-object steps and the message table keep OpenClaw's order and precedence, so an error
// classified there is classified the same here; on top of them come the reasons OpenClaw lacks:
// `overloaded`, `context_overflow`, `model_not_found`, `server_error` and `auth_permanent`. Where
// we classify differently from OpenClaw on purpose, the comment says "Unlike OpenClaw".

import { redactSecretsInText } from '@claw/auth-profiles'
import { FailoverError } from '../errors.js'
import type { FailoverReason } from '../reasons.js'
import { resolveFailoverStatus } from '../reasons.js'
import { parseRetryAfter, type RetryAfterHeaders } from '../retry-after.js'
import { resolveClock, type Clock } from '../runtime.js'
import {
  parseUsageLimitBody,
  parseUsageLimitHeaders,
  parseUsageLimitMessage,
  type UsageLimitReport,
} from '../usage-limit.js'

// ---------------------------------------------------------------------------------------------
// Small readers that never throw on hostile values (getters, proxies, odd shapes).

type UnknownRecord = Readonly<Record<string, unknown>>

function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function read(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined
  try {
    return (value as UnknownRecord)[key]
  } catch {
    return undefined
  }
}

function readString(value: unknown, key: string): string | undefined {
  const found = read(value, key)
  return typeof found === 'string' ? found : undefined
}

/** Only this much of a message is classified: error pages can be huge, and the signal is early. */
const MAX_CLASSIFIED_CHARS = 20_000
/** JSON bodies larger than this are not parsed. */
const MAX_JSON_CHARS = 100_000
/** How far a `cause` chain is followed. */
const MAX_CAUSE_DEPTH = 4

// ---------------------------------------------------------------------------------------------
// The message table.

/** Rule 0: image-size and image-dimension errors become user messages, never failover. */
const IMAGE_ERROR = /image dimensions exceed max allowed size|image exceeds \d+(?:\.\d+)?\s*mb/

/**
 * Rule 1. Unlike OpenClaw, `429` must not touch other digits (matched anywhere, "maximum context
 * length is 4290 tokens" would read as a rate limit), and `rate-limit` with a hyphen counts too.
 */
const RATE_LIMIT =
  /rate[-_ ]limit|too many requests|(?<!\d)429(?!\d)|exceeded your current quota|resource has been exhausted|quota exceeded|resource_exhausted|usage limit/
/** Rule 2. OpenClaw maps these to `rate_limit`; they stay apart as `overloaded` (same policy). */
const OVERLOADED = /overloaded/
/** Rule 3 (image-dimension errors never get here: rule 0 returns first). */
const FORMAT = /string should match pattern|tool_use\.id|tool_use_id|invalid request format/
/** Rule 4. */
const BILLING = /\b402\b|payment required|insufficient credits|credit balance|plans & billing/
const BILLING_WORD = /billing/
const BILLING_COMPANION = /upgrade|credits|payment|plan/
/** Rule 5 (`context deadline exceeded` is covered by `deadline exceeded`). */
const TIMEOUT = /timeout|timed out|deadline exceeded/
/**
 * Ours, after rule 5. `too many tokens` is not an overflow when it is a throughput limit
 * ("too many tokens per minute", Bedrock's "too many tokens, please wait").
 */
const CONTEXT_OVERFLOW =
  /request_too_large|prompt is too long|maximum context length|context length exceeded|context_length_exceeded|\b413\b[^\n]{0,200}?too large|input is too long|too many tokens(?![^.\n]{0,40}(?:\bper\b|wait|try again|retry))|(?:exceeds?|exceeded)\b[^\n]{0,40}\bcontext window|input token count[^\n]{0,80}exceeds the maximum/
/** Ours. `not_found` (Google's `NOT_FOUND`, Anthropic's `not_found_error`) counts only next to "model". */
const MODEL_NOT_FOUND =
  /model_not_found|\bmodels?\b[^\n]{0,160}?\b(?:does not exist|not found)|unknown model|no such model|\bthe model\b[^\n]{0,160}?\bis not available/
const NOT_FOUND_CODE = /not_found/
const MENTIONS_MODEL = /\bmodels?\b/
/** Ours: the credential itself is dead, and only a new login helps. */
const AUTH_PERMANENT = /revoked|invalid_grant|refresh_token_reused/
/** Ours. A bare 500/502/503/504 counts only right next to the word "error". */
const SERVER_ERROR = /internal server error|server_error|bad gateway|service unavailable/
const SERVER_STATUS_NEAR_ERROR = /\b50[0234]\b[^\n]{0,16}\berror\b|\berror\b[^\n]{0,16}\b50[0234]\b/
/** Rule 6 (`token has expired` is covered by `expired`). */
const AUTH =
  /invalid[_ ]?api[_ ]?key|incorrect api key|invalid token|authentication|re-authenticate|oauth token refresh failed|unauthorized|forbidden|access denied|expired|\b401\b|\b403\b|no credentials found|no api key found/

/** Quota wording that means an account is out of money rather than throttled (used for 403s). */
const QUOTA_EXHAUSTED =
  /insufficient_quota|quota[ _](?:exceeded|exhausted)|exceeded (?:your )?(?:current )?quota|out of quota/

/** `'ignore'` is rule 0: a definite "not failover-worthy". */
type MessageMatch = FailoverReason | 'ignore' | undefined

function normalizeText(text: string): string {
  return (
    text.length > MAX_CLASSIFIED_CHARS ? text.slice(0, MAX_CLASSIFIED_CHARS) : text
  ).toLowerCase()
}

/** The table on already-lowercased text. */
function matchLowerText(text: string): MessageMatch {
  if (text === '') return undefined
  if (IMAGE_ERROR.test(text)) return 'ignore'
  if (RATE_LIMIT.test(text)) return 'rate_limit'
  if (OVERLOADED.test(text)) return 'overloaded'
  if (FORMAT.test(text)) return 'format'
  if (BILLING.test(text)) return 'billing'
  if (BILLING_WORD.test(text) && BILLING_COMPANION.test(text)) return 'billing'
  if (TIMEOUT.test(text)) return 'timeout'
  // Ours: after OpenClaw's rules 1-5, which keep their precedence, and before its auth rule, whose
  // broad words (`expired`, `forbidden`, `401`) would otherwise claim these messages.
  if (CONTEXT_OVERFLOW.test(text)) return 'context_overflow'
  if (MODEL_NOT_FOUND.test(text)) return 'model_not_found'
  if (NOT_FOUND_CODE.test(text) && MENTIONS_MODEL.test(text)) return 'model_not_found'
  if (AUTH_PERMANENT.test(text)) return 'auth_permanent'
  if (SERVER_ERROR.test(text) || SERVER_STATUS_NEAR_ERROR.test(text)) return 'server_error'
  if (AUTH.test(text)) return 'auth'
  return undefined
}

/**
 * Classifies a provider error message, first match wins (OpenClaw's rules, in its order):
 *
 * 0. image-dimension or image-size errors → `null` (they become user messages, not failover);
 * 1. rate limits, quotas, `429` → `rate_limit`;
 * 2. `overloaded` → `overloaded` (OpenClaw says `rate_limit`; the policy treats both alike);
 * 3. tool-use id and schema-pattern errors → `format`;
 * 4. `402`, payment and credit wording → `billing`;
 * 5. timeouts and exceeded deadlines → `timeout`;
 * then ours, before the auth rule: context-window overflows → `context_overflow`,
 * unknown models → `model_not_found`, revoked grants → `auth_permanent`, 5xx wording →
 * `server_error`;
 * 6. keys, tokens, `401`/`403`, missing credentials → `auth`;
 * anything else (e.g. `bad request`) → `null`.
 *
 * @example
 * ```ts
 * classifyFailoverReason('429 Too Many Requests') // 'rate_limit'
 * classifyFailoverReason('bad request') // null
 * ```
 * @public
 */
export function classifyFailoverReason(message: string): FailoverReason | null {
  if (typeof message !== 'string') return null
  const match = matchLowerText(normalizeText(message))
  return match === undefined || match === 'ignore' ? null : match
}

/**
 * True when {@link classifyFailoverReason} finds a reason, i.e. the message is failover-worthy.
 *
 * @public
 */
export function isFailoverErrorMessage(message: string): boolean {
  return classifyFailoverReason(message) !== null
}

// ---------------------------------------------------------------------------------------------
// Timeouts and aborts.

const TIMEOUT_MESSAGE = /timeout|timed out|deadline exceeded/i
const ABORTED_REQUEST = /request was aborted|request aborted/i

function carriesTimeoutHint(value: unknown, depth: number): boolean {
  if (depth > MAX_CAUSE_DEPTH || value === undefined || value === null) return false
  if (typeof value === 'string') return TIMEOUT_MESSAGE.test(value)
  if (typeof value !== 'object') return false
  if (read(value, 'name') === 'TimeoutError') return true
  const message = readString(value, 'message')
  if (message !== undefined && TIMEOUT_MESSAGE.test(message)) return true
  return (
    carriesTimeoutHint(read(value, 'cause'), depth + 1) ||
    carriesTimeoutHint(read(value, 'reason'), depth + 1)
  )
}

/**
 * True when an error is a timeout: its name is
 * `TimeoutError`; or its message says `timeout`, `timed out` or `deadline exceeded`; or it is an
 * `AbortError` saying "request was aborted"; or an `AbortError` whose `cause` or `reason`
 * carries a timeout (as `AbortSignal.timeout()` produces).
 *
 * @public
 */
export function isTimeoutError(err: unknown): boolean {
  if (typeof err === 'string') return TIMEOUT_MESSAGE.test(err)
  if (typeof err !== 'object' || err === null) return false
  const name = read(err, 'name')
  if (name === 'TimeoutError') return true
  const message = readString(err, 'message') ?? ''
  if (TIMEOUT_MESSAGE.test(message)) return true
  if (name !== 'AbortError') return false
  if (ABORTED_REQUEST.test(message)) return true
  return carriesTimeoutHint(read(err, 'cause'), 1) || carriesTimeoutHint(read(err, 'reason'), 1)
}

/**
 * True for a caller's own cancellation: an `AbortError` that is not a {@link FailoverError} and
 * shows no sign of a timeout. Failover rethrows these at once instead of trying another
 * candidate: the caller asked to stop.
 *
 * @public
 */
export function isUserAbortError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    read(err, 'name') === 'AbortError' &&
    !FailoverError.isInstance(err) &&
    !isTimeoutError(err)
  )
}

// ---------------------------------------------------------------------------------------------
// Status codes and error codes.

function toHttpStatus(value: unknown): number | undefined {
  if (typeof value === 'string' && /^\s*\d{3}\s*$/.test(value)) return toHttpStatus(Number(value))
  if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) {
    return value
  }
  return undefined
}

/**
 * The HTTP status an error carries: `status`, `statusCode`, `response.status`, or AWS SDK v3's
 * `$metadata.httpStatusCode`. The first one that is a valid status wins, not `status ??
 * statusCode`: Google SDKs put `"RESOURCE_EXHAUSTED"` in `status`.
 */
function readHttpStatus(err: unknown): number | undefined {
  return (
    toHttpStatus(read(err, 'status')) ??
    toHttpStatus(read(err, 'statusCode')) ??
    toHttpStatus(read(read(err, 'response'), 'status')) ??
    toHttpStatus(read(read(err, '$metadata'), 'httpStatusCode'))
  )
}

/** Network failures that OpenClaw treats as timeouts, plus undici's timeout codes. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ECONNRESET',
  'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
])
/** The provider could not be reached at all. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
])
/** AWS SDK error names (and codes) for throttling. */
const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  'THROTTLINGEXCEPTION',
  'TOOMANYREQUESTSEXCEPTION',
])

function readCode(err: unknown): string | undefined {
  const code = read(err, 'code')
  if (typeof code === 'string' && code.trim() !== '') return code.trim()
  if (typeof code === 'number' && Number.isFinite(code)) return String(code)
  return undefined
}

/** The error and its causes, outermost first (at most {@link MAX_CAUSE_DEPTH} deep, no cycles). */
function causeChain(err: unknown): object[] {
  const chain: object[] = []
  let current: unknown = err
  while (
    chain.length <= MAX_CAUSE_DEPTH &&
    typeof current === 'object' &&
    current !== null &&
    !chain.includes(current)
  ) {
    chain.push(current)
    current = read(current, 'cause')
  }
  return chain
}

/** The error's own code, then its causes' codes (`fetch failed` hides `ECONNRESET` in `cause`). */
function reasonFromCodes(err: unknown): FailoverReason | undefined {
  for (const current of causeChain(err)) {
    const code = readCode(current)?.toUpperCase()
    if (code !== undefined) {
      if (TIMEOUT_CODES.has(code)) return 'timeout'
      if (UNREACHABLE_CODES.has(code)) return 'server_error'
      if (THROTTLING_NAMES.has(code)) return 'rate_limit'
    }
    const name = readString(current, 'name')?.toUpperCase()
    if (name !== undefined && THROTTLING_NAMES.has(name)) return 'rate_limit'
  }
  return undefined
}

/** A failure to reach the provider at all: what the socket said, and its errno code. */
interface ConnectionFailure {
  readonly code: string
  readonly message: string
}

/**
 * The connection error in `err` or its causes (an errno-coded error such as fetch's `cause`
 * `connect ECONNREFUSED 127.0.0.1:8080`), or `undefined` when the failure is not one: its message
 * (else the messages of an AggregateError's `errors`, as Node reports a refused dual-stack connect)
 * and its code. The first code in the chain decides.
 */
function connectionFailure(err: unknown): ConnectionFailure | undefined {
  for (const current of causeChain(err)) {
    const code = readCode(current)
    if (code === undefined) continue
    const upper = code.toUpperCase()
    if (!TIMEOUT_CODES.has(upper) && !UNREACHABLE_CODES.has(upper)) return undefined
    const own = readString(current, 'message')
    const errors = read(current, 'errors')
    const nested = Array.isArray(errors)
      ? errors.map((inner) => readString(inner, 'message')).filter((text) => text !== undefined)
      : []
    const message = own !== undefined && own !== '' ? own : nested.join('; ')
    return { code, message: message === '' ? code : message }
  }
  return undefined
}

/**
 * The message of a connection failure: the socket's own words. A wrapper's message is kept in
 * front of them unless it says nothing more (fetch's "fetch failed").
 */
function connectionMessage(err: unknown, connection: ConnectionFailure): string {
  const outer = rawMessage(err)
  if (outer === connection.message || outer.includes(connection.message)) return outer
  if (GENERIC_WRAPPERS.has(outer.toLowerCase())) return connection.message
  return `${outer} (${connection.message})`
}

/** Wrapper messages that add nothing to the connection error they carry. */
const GENERIC_WRAPPERS: ReadonlySet<string> = new Set(['fetch failed', 'error', 'typeerror'])

// ---------------------------------------------------------------------------------------------
// Provider JSON error bodies.

interface ProviderErrorInfo {
  readonly type: string | undefined
  readonly code: string | undefined
  readonly numericCode: number | undefined
  readonly status: string | undefined
  readonly message: string
  readonly detailReasons: readonly string[]
}

function parseJsonObject(text: string): UnknownRecord | undefined {
  const start = text.indexOf('{')
  const end = text.lastIndexOf('}')
  if (start < 0 || end <= start || end - start > MAX_JSON_CHARS) return undefined
  try {
    const value: unknown = JSON.parse(text.slice(start, end + 1))
    return isRecord(value) ? value : undefined
  } catch {
    return undefined
  }
}

/**
 * Reads `{"type":"error","error":{…}}` (Anthropic), `{"error":{"type","code"}}` (OpenAI),
 * `{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}` (Google), or the inner object alone
 * (the OpenAI SDK's `err.error`).
 */
function readProviderInfo(body: UnknownRecord): ProviderErrorInfo | undefined {
  const nested = read(body, 'error')
  const inner = isRecord(nested) ? nested : body
  const outerType = readString(body, 'type')
  const type =
    readString(inner, 'type') ??
    (inner !== body && outerType !== undefined && outerType !== 'error' ? outerType : undefined)
  const rawCode = read(inner, 'code')
  const code = typeof rawCode === 'string' && rawCode !== '' ? rawCode : undefined
  const numericCode = toHttpStatus(rawCode)
  const status = readString(inner, 'status')
  const message = readString(inner, 'message') ?? (typeof nested === 'string' ? nested : '')
  const details = read(inner, 'details')
  const detailReasons = Array.isArray(details)
    ? details
        .map((detail) => readString(detail, 'reason'))
        .filter((r): r is string => r !== undefined)
    : []
  if (
    type === undefined &&
    code === undefined &&
    numericCode === undefined &&
    status === undefined
  ) {
    return undefined
  }
  return { type, code, numericCode, status, message, detailReasons }
}

function providerBodies(err: unknown): UnknownRecord[] {
  const bodies: UnknownRecord[] = []
  const sources = [
    read(err, 'error'),
    read(err, 'body'),
    read(err, 'responseBody'),
    read(read(err, 'response'), 'data'),
    read(err, 'message'),
    // Last, the error itself: the OpenAI SDK copies `code` and `type` onto its errors.
    err,
  ]
  for (const source of sources) {
    if (isRecord(source)) bodies.push(source)
    else if (typeof source === 'string') {
      const parsed = parseJsonObject(source)
      if (parsed !== undefined) bodies.push(parsed)
    }
  }
  return bodies
}

function isBillingText(text: string): boolean {
  return BILLING.test(text) || (BILLING_WORD.test(text) && BILLING_COMPANION.test(text))
}

function isModelNotFoundText(text: string): boolean {
  return MODEL_NOT_FOUND.test(text) || (NOT_FOUND_CODE.test(text) && MENTIONS_MODEL.test(text))
}

/** Wording that makes an invalid-request error more specific than `format`. */
function refineInvalidRequest(text: string): FailoverReason | undefined {
  if (CONTEXT_OVERFLOW.test(text)) return 'context_overflow'
  if (isModelNotFoundText(text)) return 'model_not_found'
  if (isBillingText(text)) return 'billing'
  return undefined
}

/** Wording that makes a permission error (403) more specific than `auth`. */
function refinePermission(text: string): FailoverReason | undefined {
  if (isBillingText(text) || QUOTA_EXHAUSTED.test(text)) return 'billing'
  if (AUTH_PERMANENT.test(text)) return 'auth_permanent'
  if (isModelNotFoundText(text)) return 'model_not_found'
  return undefined
}

/** `null`: definitely not failover-worthy. `undefined`: this body has no opinion. */
function reasonFromProviderInfo(info: ProviderErrorInfo): FailoverReason | null | undefined {
  const text = normalizeText(info.message)
  if (IMAGE_ERROR.test(text)) return null

  switch (info.code?.toLowerCase()) {
    case 'rate_limit_exceeded':
      return 'rate_limit'
    case 'insufficient_quota':
      return 'billing'
    case 'model_not_found':
      return 'model_not_found'
    case 'context_length_exceeded':
      return 'context_overflow'
    case 'invalid_api_key':
      return 'auth'
  }

  switch (info.type?.toLowerCase()) {
    case 'rate_limit_error':
      return 'rate_limit'
    case 'overloaded_error':
      return 'overloaded'
    case 'authentication_error':
      return AUTH_PERMANENT.test(text) ? 'auth_permanent' : 'auth'
    case 'permission_error':
      return refinePermission(text) ?? 'auth'
    case 'not_found_error':
      return MENTIONS_MODEL.test(text) ? 'model_not_found' : null
    case 'invalid_request_error':
      return refineInvalidRequest(text) ?? 'format'
    case 'request_too_large':
      return 'context_overflow'
    case 'api_error':
    case 'server_error':
      return OVERLOADED.test(text) ? 'overloaded' : 'server_error'
    case 'insufficient_quota':
    case 'billing_error':
      return 'billing'
    case 'timeout_error':
      return 'timeout'
  }

  switch (info.status?.toUpperCase()) {
    case 'RESOURCE_EXHAUSTED':
      return 'rate_limit'
    case 'NOT_FOUND':
      return MENTIONS_MODEL.test(text) ? 'model_not_found' : null
    case 'PERMISSION_DENIED':
      return refinePermission(text) ?? 'auth'
    case 'UNAUTHENTICATED':
      return AUTH_PERMANENT.test(text) ? 'auth_permanent' : 'auth'
    case 'INVALID_ARGUMENT':
      if (info.detailReasons.some((reason) => /^API_KEY_(?:INVALID|EXPIRED)$/i.test(reason))) {
        return 'auth'
      }
      return refineInvalidRequest(text) ?? 'format'
    case 'UNAVAILABLE':
      return OVERLOADED.test(text) ? 'overloaded' : 'server_error'
    case 'DEADLINE_EXCEEDED':
      return 'timeout'
    case 'INTERNAL':
      return 'server_error'
  }

  if (info.numericCode !== undefined) {
    return reasonFromStatus(info.numericCode, { text, body: () => undefined })
  }
  return undefined
}

function reasonFromBodies(bodies: readonly UnknownRecord[]): FailoverReason | null | undefined {
  for (const body of bodies) {
    const info = readProviderInfo(body)
    if (info === undefined) continue
    const reason = reasonFromProviderInfo(info)
    if (reason !== undefined) return reason
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Putting it together.

interface StatusEvidence {
  /** Lowercased message and body text. */
  readonly text: string
  /** The provider body's verdict, computed on demand. */
  readonly body: () => FailoverReason | null | undefined
}

/**
 * OpenClaw's status map (402, 429, 401/403, 408) plus ours (404, 413, 529, 5xx), each
 * refined by what the body says. `null` ends classification; `undefined` moves on.
 */
function reasonFromStatus(
  status: number,
  evidence: StatusEvidence,
): FailoverReason | null | undefined {
  switch (status) {
    case 402:
      return 'billing'
    case 429:
      // Unlike OpenClaw: OpenAI sends `insufficient_quota` (no credit left) as a 429; that is billing.
      return evidence.body() === 'billing' ? 'billing' : 'rate_limit'
    case 401:
      return AUTH_PERMANENT.test(evidence.text) || evidence.body() === 'auth_permanent'
        ? 'auth_permanent'
        : 'auth'
    case 403: {
      const body = evidence.body()
      if (body === 'billing' || body === 'model_not_found' || body === 'auth_permanent') return body
      return refinePermission(evidence.text) ?? 'auth'
    }
    case 408:
      return 'timeout'
    case 404:
      return evidence.body() === 'model_not_found' || MENTIONS_MODEL.test(evidence.text)
        ? 'model_not_found'
        : null
    case 413:
      return 'context_overflow'
    case 529:
      return 'overloaded'
    case 500:
    case 502:
    case 503:
    case 504:
      return OVERLOADED.test(evidence.text) || evidence.body() === 'overloaded'
        ? 'overloaded'
        : 'server_error'
    default:
      return undefined
  }
}

function stringifyBounded(value: unknown): string {
  try {
    const text = JSON.stringify(value)
    return typeof text === 'string' ? text.slice(0, MAX_CLASSIFIED_CHARS) : ''
  } catch {
    return ''
  }
}

/** The error's message, or the value itself when it is a string. */
function readMessage(err: unknown): string | undefined {
  if (typeof err === 'string') return err
  return readString(err, 'message')
}

/** Message plus any body text, lowercased, for wording checks. */
function evidenceText(err: unknown): string {
  const parts: string[] = []
  const message = readMessage(err)
  if (message !== undefined) parts.push(message)
  for (const source of [read(err, 'error'), read(err, 'body'), read(err, 'responseBody')]) {
    if (typeof source === 'string') parts.push(source)
    else if (isRecord(source)) parts.push(stringifyBounded(source))
  }
  return normalizeText(parts.join('\n'))
}

/**
 * Works out why a call failed, first match wins:
 *
 * 1. a {@link FailoverError} → its `reason`; a user abort ({@link isUserAbortError}) → `null`;
 * 2. the HTTP status (`status`, `statusCode`, `response.status`; a number or a digit string):
 *    402 billing; 429 rate_limit (billing for OpenAI's `insufficient_quota`); 401/403 auth
 *    (403 with billing or quota wording → billing, with a model-not-found body → model_not_found;
 *    revoked grants → auth_permanent); 408 timeout; 404 → model_not_found only when a model is
 *    mentioned, else `null`; 413 context_overflow; 529 overloaded; 500/502/503/504 server_error
 *    (overloaded wording → overloaded);
 * 3. `code` (on the error or its causes): `ETIMEDOUT`, `ESOCKETTIMEDOUT`, `ECONNRESET`,
 *    `ECONNABORTED` → timeout; `ECONNREFUSED`, `ENOTFOUND`, `EAI_AGAIN` → server_error;
 *    AWS `ThrottlingException` → rate_limit;
 * 4. {@link isTimeoutError} → timeout;
 * 5. a provider JSON error body in `error`, `body`, `responseBody` or the message (Anthropic,
 *    OpenAI and Google shapes);
 * 6. the message table ({@link classifyFailoverReason}) on the message and body text;
 *    no text → `null`.
 *
 * Image-size errors on a 400 or 413 (or without a status) are `null` before any of this.
 *
 * @example
 * ```ts
 * resolveFailoverReasonFromError(Object.assign(new Error('nope'), { status: 429 })) // 'rate_limit'
 * ```
 * @public
 */
export function resolveFailoverReasonFromError(err: unknown): FailoverReason | null {
  if (FailoverError.isInstance(err)) return err.reason
  if (err === null || err === undefined) return null
  if (isUserAbortError(err)) return null

  const text = evidenceText(err)
  const status = readHttpStatus(err)
  if (IMAGE_ERROR.test(text) && (status === undefined || status === 400 || status === 413))
    return null

  let bodiesReason: FailoverReason | null | undefined
  let bodiesRead = false
  const body = (): FailoverReason | null | undefined => {
    if (!bodiesRead) {
      bodiesReason = reasonFromBodies(providerBodies(err))
      bodiesRead = true
    }
    return bodiesReason
  }

  if (status !== undefined) {
    const fromStatus = reasonFromStatus(status, { text, body })
    if (fromStatus !== undefined) return fromStatus
  }

  const fromCodes = reasonFromCodes(err)
  if (fromCodes !== undefined) return fromCodes

  if (isTimeoutError(err)) return 'timeout'

  const fromBody = body()
  if (fromBody !== undefined) return fromBody

  const match = matchLowerText(text)
  return match === undefined || match === 'ignore' ? null : match
}

// ---------------------------------------------------------------------------------------------
// Description and coercion.

/** What {@link describeFailoverError} returns. @public */
export interface FailoverErrorDescription {
  /**
   * The error's message with secrets redacted. For a connection failure, the socket's words from
   * its causes (`connect ECONNREFUSED 127.0.0.1:8080` rather than fetch's `fetch failed`).
   */
  readonly message: string
  readonly reason?: FailoverReason
  /**
   * The error's own HTTP status, else the status that goes with `reason`; none for a connection
   * failure (no response came).
   */
  readonly status?: number
  /** The error's own code, else (connection failures) the errno code of its cause: `ECONNREFUSED`. */
  readonly code?: string
}

function rawMessage(err: unknown): string {
  if (typeof err === 'string') return err
  if (typeof err === 'object' && err !== null) {
    const message = readString(err, 'message')
    if (message !== undefined && message !== '') return message
    const name = readString(err, 'name')
    if (name !== undefined && name !== '') return name
    if (!(err instanceof Error)) {
      const json = stringifyBounded(err)
      if (json !== '' && json !== '{}') return json
    }
  }
  try {
    return String(err)
  } catch {
    return 'Unknown error'
  }
}

/**
 * Describes any thrown value for logs and attempt records: its message (secrets redacted with
 * `redactSecretsInText`), the failover reason, the HTTP status (its own, else the reason's) and
 * its code. Non-Error values are stringified (`123` → `"123"`).
 *
 * @public
 */
export function describeFailoverError(err: unknown): FailoverErrorDescription {
  const own = FailoverError.isInstance(err)
  const connection = own ? undefined : connectionFailure(err)
  const message = redactSecretsInText(
    connection === undefined ? rawMessage(err) : connectionMessage(err, connection),
  )
  const reason = resolveFailoverReasonFromError(err) ?? undefined
  const httpStatus = own ? err.status : readHttpStatus(err)
  // No status is made up for a call that got no response.
  const status =
    httpStatus ??
    (reason === undefined || connection !== undefined ? undefined : resolveFailoverStatus(reason))
  const code = own ? err.code : (readCode(err) ?? connection?.code)
  return {
    message,
    ...(reason === undefined ? {} : { reason }),
    ...(status === undefined ? {} : { status }),
    ...(code === undefined ? {} : { code }),
  }
}

/** Where a failure happened, copied onto the {@link FailoverError}. @public */
export interface FailoverErrorContext {
  readonly provider?: string | undefined
  readonly model?: string | undefined
  readonly profileId?: string | undefined
  /** The clock that turns HTTP-date retry hints into delays; defaults to the wall clock. */
  readonly now?: Clock | undefined
}

function readRetryAfterMs(err: unknown, now: Clock | undefined): number | undefined {
  const options = now === undefined ? {} : { now }
  for (const headers of responseHeaders(err)) {
    if (typeof headers !== 'object' || headers === null) continue
    const hint = parseRetryAfter(headers as RetryAfterHeaders, options)
    if (hint !== undefined) return hint.retryAfterMs
  }
  const own = read(err, 'retryAfterMs')
  return typeof own === 'number' && Number.isFinite(own) && own >= 0 ? own : undefined
}

function responseHeaders(err: unknown): unknown[] {
  return [
    read(err, 'headers'),
    read(read(err, 'response'), 'headers'),
    read(err, 'responseHeaders'),
  ]
}

/**
 * A subscription usage window that ran out, from the error's response headers, its body, or its
 * message (see `usage-limit.ts` for what is covered). Only reports with an exhausted window count.
 */
function readUsageLimit(err: unknown, now: () => number): UsageLimitReport | undefined {
  for (const headers of responseHeaders(err)) {
    if (typeof headers !== 'object' || headers === null) continue
    const found = parseUsageLimitHeaders(headers as RetryAfterHeaders, { now })
    if (found?.limiting) return found
  }
  for (const body of providerBodies(err)) {
    const found = parseUsageLimitBody(body, { now })
    if (found?.limiting) return found
  }
  const message = readMessage(err)
  return message === undefined ? undefined : parseUsageLimitMessage(message, { now })
}

/** What {@link coerceToFailoverError} puts on its error. @internal */
export interface FailureClassification {
  readonly reason: FailoverReason
  readonly message: string
  readonly status: number | undefined
  readonly code: string | undefined
  readonly retryAfterMs: number | undefined
  /** A subscription usage window that ran out (its reset sets `retryAfterMs`). */
  readonly usageLimit?: UsageLimitReport | undefined
}

/**
 * The fields of {@link coerceToFailoverError}'s result without building the error (and capturing
 * its stack), or `null` when the value has no failover reason.
 *
 * @internal
 */
export function classifyFailure(
  err: unknown,
  now: Clock | undefined,
): FailureClassification | null {
  if (FailoverError.isInstance(err)) return err
  const described = describeFailoverError(err)
  const clock = resolveClock({ now })
  const usageLimit =
    described.reason === undefined || described.reason === 'rate_limit'
      ? readUsageLimit(err, clock)
      : undefined
  // An error that reports a used-up subscription window is a rate limit until it resets.
  const reason = usageLimit?.limiting ? 'rate_limit' : described.reason
  if (reason === undefined) return null
  const resetsAt = usageLimit?.limiting?.resetsAt
  // The window's reset is the provider's own deadline: it wins over a (capped) Retry-After.
  const retryAfterMs =
    resetsAt !== undefined && resetsAt > clock() ? resetsAt - clock() : readRetryAfterMs(err, now)
  return {
    reason,
    message: described.message,
    // describeFailoverError gave the reason's status already (none for a connection failure);
    // a used-up usage window it did not classify gets the status of the rate limit it is.
    status:
      described.status ??
      (described.reason === undefined ? resolveFailoverStatus(reason) : undefined),
    code: described.code,
    retryAfterMs,
    ...(usageLimit ? { usageLimit } : {}),
  }
}

/**
 * Turns any thrown value into a {@link FailoverError}, or `null` when it has no failover reason
 * (the caller should then rethrow the original). A `FailoverError` is returned as it is.
 * Otherwise the result has the described (redacted) message, the error's own status or the
 * reason's, its code, the context's provider/model/profile, the retry hint from its response
 * headers (`headers`, `response.headers` or `responseHeaders`) as `retryAfterMs`, and the
 * original as `cause`.
 *
 * @public
 */
export function coerceToFailoverError(
  err: unknown,
  context: FailoverErrorContext = {},
): FailoverError | null {
  if (FailoverError.isInstance(err)) return err
  const classified = classifyFailure(err, context.now)
  if (!classified) return null
  return new FailoverError(classified.reason, classified.message, {
    provider: context.provider,
    model: context.model,
    profileId: context.profileId,
    status: classified.status,
    code: classified.code,
    retryAfterMs: classified.retryAfterMs,
    usageLimit: classified.usageLimit,
    cause: err,
  })
}

// ---------------------------------------------------------------------------------------------
// Key rotation.

/**
 * The words of a rate limit that another API key of the same provider may avoid. Narrower than
 * the classifier's table: "exceeded your current quota" and plan "usage limit" messages are about
 * the account, which the next key often shares; wider by AWS's `ThrottlingException` and
 * "concurrency limit reached". `429` must stand apart from other digits ("4290 tokens").
 */
const KEY_ROTATION_RATE_LIMIT =
  /rate_limit|rate limit|(?<!\d)429(?!\d)|quota exceeded|quota_exceeded|resource exhausted|resource_exhausted|too many requests|throttlingexception|concurrency limit reached/

/**
 * Whether an error is a rate limit, so the call should move on to the next API key. True for HTTP
 * status 429 (`status`, `statusCode`, `response.status` or AWS's `$metadata.httpStatusCode`) and
 * for an error whose name, code or message contains (case-insensitively) `rate_limit`,
 * `rate limit`, `429` (as a whole number), `quota exceeded` / `quota_exceeded`,
 * `resource exhausted` / `resource_exhausted`, `too many requests`, `ThrottlingException` or
 * `concurrency limit reached`. Only the error itself is inspected, not its `cause`.
 *
 * @public
 */
export function isApiKeyRateLimitError(error: unknown): boolean {
  if (readHttpStatus(error) === 429) return true
  const parts = [readString(error, 'name'), readCode(error), rawMessage(error)]
  return KEY_ROTATION_RATE_LIMIT.test(normalizeText(parts.filter((p) => p !== undefined).join(' ')))
}

/**
 * The same rule as {@link isApiKeyRateLimitError}.
 *
 * @deprecated Use `isApiKeyRateLimitError`; this name goes in the next minor version.
 * @public
 */
export const isRateLimitErrorForKeyRotation: (error: unknown) => boolean = isApiKeyRateLimitError
