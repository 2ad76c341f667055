// Provider JSON error bodies (Anthropic, OpenAI, Google shapes): their type, code and status
// fields, read before the message table.

import type { FailoverReason } from '../reasons.js'
import { toHttpStatus } from './error-codes.js'
import {
  AUTH_PERMANENT,
  BILLING,
  BILLING_COMPANION,
  BILLING_WORD,
  CONTEXT_OVERFLOW,
  IMAGE_ERROR,
  MENTIONS_MODEL,
  MODEL_NOT_FOUND,
  normalizeText,
  NOT_FOUND_CODE,
  OVERLOADED,
  QUOTA_EXHAUSTED,
} from './message-rules.js'
import { isRecord, read, readString, type UnknownRecord } from './safe-read.js'

/** JSON bodies larger than this are not parsed. */
export const MAX_JSON_CHARS = 100_000

export interface ProviderErrorInfo {
  readonly type: string | undefined
  readonly code: string | undefined
  readonly numericCode: number | undefined
  readonly status: string | undefined
  readonly message: string
  readonly detailReasons: readonly string[]
}

export function parseJsonObject(text: string): UnknownRecord | undefined {
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
export function readProviderInfo(body: UnknownRecord): ProviderErrorInfo | undefined {
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

export function providerBodies(err: unknown): UnknownRecord[] {
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

export function isBillingText(text: string): boolean {
  return BILLING.test(text) || (BILLING_WORD.test(text) && BILLING_COMPANION.test(text))
}

export function isModelNotFoundText(text: string): boolean {
  return MODEL_NOT_FOUND.test(text) || (NOT_FOUND_CODE.test(text) && MENTIONS_MODEL.test(text))
}

/** Wording that makes an invalid-request error more specific than `format`. */
export function refineInvalidRequest(text: string): FailoverReason | undefined {
  if (CONTEXT_OVERFLOW.test(text)) return 'context_overflow'
  if (isModelNotFoundText(text)) return 'model_not_found'
  if (isBillingText(text)) return 'billing'
  return undefined
}

/** Wording that makes a permission error (403) more specific than `auth`. */
export function refinePermission(text: string): FailoverReason | undefined {
  if (isBillingText(text) || QUOTA_EXHAUSTED.test(text)) return 'billing'
  if (AUTH_PERMANENT.test(text)) return 'auth_permanent'
  if (isModelNotFoundText(text)) return 'model_not_found'
  return undefined
}

/** `null`: definitely not failover-worthy. `undefined`: this body has no opinion. */
export function reasonFromProviderInfo(info: ProviderErrorInfo): FailoverReason | null | undefined {
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

export function reasonFromBodies(
  bodies: readonly UnknownRecord[],
): FailoverReason | null | undefined {
  for (const body of bodies) {
    const info = readProviderInfo(body)
    if (info === undefined) continue
    const reason = reasonFromProviderInfo(info)
    if (reason !== undefined) return reason
  }
  return undefined
}

export interface StatusEvidence {
  /** Lowercased message and body text. */
  readonly text: string
  /** The provider body's verdict, computed on demand. */
  readonly body: () => FailoverReason | null | undefined
}

/**
 * OpenClaw's status map (402, 429, 401/403, 408) plus ours (404, 413, 529, 5xx), each
 * refined by what the body says. `null` ends classification; `undefined` moves on.
 */
export function reasonFromStatus(
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
