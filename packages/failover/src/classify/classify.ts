// Failure classification: why did a model call fail, as far as failover is concerned?
//
// The error-object steps and the message table keep OpenClaw's order and precedence, so an error
// classified there is classified the same here; on top of them come the reasons OpenClaw lacks:
// `overloaded`, `context_overflow`, `model_not_found`, `server_error` and `auth_permanent`. Where
// we classify differently from OpenClaw on purpose, the comment says "Unlike OpenClaw".

import { FailoverError } from '../errors.js'
import type { FailoverReason } from '../reasons.js'
import { readCode, readHttpStatus, reasonFromCodes } from './error-codes.js'
import { IMAGE_ERROR, matchLowerText, normalizeText } from './message-rules.js'
import { providerBodies, reasonFromBodies, reasonFromStatus } from './provider-bodies.js'
import {
  isRecord,
  rawMessage,
  read,
  readMessage,
  readString,
  stringifyBounded,
} from './safe-read.js'
import { isTimeoutError, isUserAbortError } from './timeouts.js'

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
