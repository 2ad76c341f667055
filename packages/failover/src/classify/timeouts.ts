// Timeouts and the caller's own aborts, told apart.

import { FailoverError } from '../errors.js'
import { MAX_CAUSE_DEPTH } from './error-codes.js'
import { read, readString } from './safe-read.js'

export const TIMEOUT_MESSAGE = /timeout|timed out|deadline exceeded/i
export const ABORTED_REQUEST = /request was aborted|request aborted/i

export function carriesTimeoutHint(value: unknown, depth: number): boolean {
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
