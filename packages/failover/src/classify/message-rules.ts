// The message table: provider error wording → a failover reason, first match wins. Rules 0-6
// keep OpenClaw's order and precedence; the reasons OpenClaw lacks sit between its timeout and
// auth rules.

import type { FailoverReason } from '../reasons.js'
import { MAX_CLASSIFIED_CHARS } from './safe-read.js'

/** Rule 0: image-size and image-dimension errors become user messages, never failover. */
export const IMAGE_ERROR =
  /image dimensions exceed max allowed size|image exceeds \d+(?:\.\d+)?\s*mb/

/**
 * Rule 1. Unlike OpenClaw, `429` must not touch other digits (matched anywhere, "maximum context
 * length is 4290 tokens" would read as a rate limit), and `rate-limit` with a hyphen counts too.
 */
export const RATE_LIMIT =
  /rate[-_ ]limit|too many requests|(?<!\d)429(?!\d)|exceeded your current quota|resource has been exhausted|quota exceeded|resource_exhausted|usage limit/
/** Rule 2. OpenClaw maps these to `rate_limit`; they stay apart as `overloaded` (same policy). */
export const OVERLOADED = /overloaded/
/** Rule 3 (image-dimension errors never get here: rule 0 returns first). */
export const FORMAT = /string should match pattern|tool_use\.id|tool_use_id|invalid request format/
/** Rule 4. */
export const BILLING =
  /\b402\b|payment required|insufficient credits|credit balance|plans & billing/
export const BILLING_WORD = /billing/
export const BILLING_COMPANION = /upgrade|credits|payment|plan/
/** Rule 5 (`context deadline exceeded` is covered by `deadline exceeded`). */
export const TIMEOUT = /timeout|timed out|deadline exceeded/
/**
 * Ours, after rule 5. `too many tokens` is not an overflow when it is a throughput limit
 * ("too many tokens per minute", Bedrock's "too many tokens, please wait").
 */
export const CONTEXT_OVERFLOW =
  /request_too_large|prompt is too long|maximum context length|context length exceeded|context_length_exceeded|\b413\b[^\n]{0,200}?too large|input is too long|too many tokens(?![^.\n]{0,40}(?:\bper\b|wait|try again|retry))|(?:exceeds?|exceeded)\b[^\n]{0,40}\bcontext window|input token count[^\n]{0,80}exceeds the maximum/
/** Ours. `not_found` (Google's `NOT_FOUND`, Anthropic's `not_found_error`) counts only next to "model". */
export const MODEL_NOT_FOUND =
  /model_not_found|\bmodels?\b[^\n]{0,160}?\b(?:does not exist|not found)|unknown model|no such model|\bthe model\b[^\n]{0,160}?\bis not available/
export const NOT_FOUND_CODE = /not_found/
export const MENTIONS_MODEL = /\bmodels?\b/
/** Ours: the credential itself is dead, and only a new login helps. */
export const AUTH_PERMANENT = /revoked|invalid_grant|refresh_token_reused/
/** Ours. A bare 500/502/503/504 counts only right next to the word "error". */
export const SERVER_ERROR = /internal server error|server_error|bad gateway|service unavailable/
export const SERVER_STATUS_NEAR_ERROR =
  /\b50[0234]\b[^\n]{0,16}\berror\b|\berror\b[^\n]{0,16}\b50[0234]\b/
/** Rule 6 (`token has expired` is covered by `expired`). */
export const AUTH =
  /invalid[_ ]?api[_ ]?key|incorrect api key|invalid token|authentication|re-authenticate|oauth token refresh failed|unauthorized|forbidden|access denied|expired|\b401\b|\b403\b|no credentials found|no api key found/

/** Quota wording that means an account is out of money rather than throttled (used for 403s). */
export const QUOTA_EXHAUSTED =
  /insufficient_quota|quota[ _](?:exceeded|exhausted)|exceeded (?:your )?(?:current )?quota|out of quota/

/** `'ignore'` is rule 0: a definite "not failover-worthy". */
export type MessageMatch = FailoverReason | 'ignore' | undefined

export function normalizeText(text: string): string {
  return (
    text.length > MAX_CLASSIFIED_CHARS ? text.slice(0, MAX_CLASSIFIED_CHARS) : text
  ).toLowerCase()
}

/** The table on already-lowercased text. */
export function matchLowerText(text: string): MessageMatch {
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
