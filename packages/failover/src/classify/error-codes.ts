// What an error object says besides its message: its HTTP status, its errno-style codes (also
// on its causes) and, for a provider that could not be reached, what the socket said.

import type { FailoverReason } from '../reasons.js'
import { rawMessage, read, readString } from './safe-read.js'

/** How far a `cause` chain is followed. */
export const MAX_CAUSE_DEPTH = 4

export function toHttpStatus(value: unknown): number | undefined {
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
export function readHttpStatus(err: unknown): number | undefined {
  return (
    toHttpStatus(read(err, 'status')) ??
    toHttpStatus(read(err, 'statusCode')) ??
    toHttpStatus(read(read(err, 'response'), 'status')) ??
    toHttpStatus(read(read(err, '$metadata'), 'httpStatusCode'))
  )
}

/** Network failures that OpenClaw treats as timeouts, plus undici's timeout codes. */
export const TIMEOUT_CODES: ReadonlySet<string> = new Set([
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
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
])
/** AWS SDK error names (and codes) for throttling. */
export const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  'THROTTLINGEXCEPTION',
  'TOOMANYREQUESTSEXCEPTION',
])

export function readCode(err: unknown): string | undefined {
  const code = read(err, 'code')
  if (typeof code === 'string' && code.trim() !== '') return code.trim()
  if (typeof code === 'number' && Number.isFinite(code)) return String(code)
  return undefined
}

/** The error and its causes, outermost first (at most {@link MAX_CAUSE_DEPTH} deep, no cycles). */
export function causeChain(err: unknown): object[] {
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
export function reasonFromCodes(err: unknown): FailoverReason | undefined {
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
export interface ConnectionFailure {
  readonly code: string
  readonly message: string
}

/**
 * The connection error in `err` or its causes (an errno-coded error such as fetch's `cause`
 * `connect ECONNREFUSED 127.0.0.1:8080`), or `undefined` when the failure is not one: its message
 * (else the messages of an AggregateError's `errors`, as Node reports a refused dual-stack connect)
 * and its code. The first code in the chain decides.
 */
export function connectionFailure(err: unknown): ConnectionFailure | undefined {
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
export function connectionMessage(err: unknown, connection: ConnectionFailure): string {
  const outer = rawMessage(err)
  if (outer === connection.message || outer.includes(connection.message)) return outer
  if (GENERIC_WRAPPERS.has(outer.toLowerCase())) return connection.message
  return `${outer} (${connection.message})`
}

/** Wrapper messages that add nothing to the connection error they carry. */
export const GENERIC_WRAPPERS: ReadonlySet<string> = new Set(['fetch failed', 'error', 'typeerror'])
