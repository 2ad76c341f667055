// Describing and coercing any thrown value: a readable message (secrets redacted), the failover
// reason, the HTTP status and code, the provider's retry hint and used-up usage window.

import { redactSecretsInText } from '@claw/auth-profiles'
import { FailoverError } from '../errors.js'
import { type FailoverReason, resolveFailoverStatus } from '../reasons.js'
import { parseRetryAfter, type RetryAfterHeaders } from '../retry-after.js'
import { type Clock, resolveClock } from '../runtime.js'
import {
  parseUsageLimitBody,
  parseUsageLimitHeaders,
  parseUsageLimitMessage,
  type UsageLimitReport,
} from '../usage-limit.js'
import { resolveFailoverReasonFromError } from './classify.js'
import { connectionFailure, connectionMessage, readCode, readHttpStatus } from './error-codes.js'
import { providerBodies } from './provider-bodies.js'
import { rawMessage, read, readMessage } from './safe-read.js'

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
