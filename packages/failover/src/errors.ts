import type { FailoverReason } from './reasons.js'
import type { FailoverTraceEntry } from './trace.js'
import type { UsageLimitReport } from './usage-limit.js'
import { resolveFailoverStatus } from './reasons.js'

const clawErrorMarker = Symbol.for('claw.error')
const packageMarker = Symbol.for('claw.error.failover')
const summaryMarker = Symbol.for('claw.error.failover.summary')

function hasMarker(value: unknown, marker: symbol): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[marker] === true
  )
}

/** @public */
export interface FailoverErrorOptions {
  readonly provider?: string | undefined
  readonly model?: string | undefined
  readonly profileId?: string | undefined
  /** HTTP status; defaults to the reason's status (see `resolveFailoverStatus`). */
  readonly status?: number | undefined
  /** A provider or network error code (`ETIMEDOUT`, `rate_limit_error`, …). */
  readonly code?: string | undefined
  /** The provider's retry hint, in ms from when the error was received. */
  readonly retryAfterMs?: number | undefined
  /**
   * A subscription usage window that ran out (Claude or ChatGPT plans): the profile cools down,
   * for every model, until the window resets.
   */
  readonly usageLimit?: UsageLimitReport | undefined
  readonly cause?: unknown
}

/**
 * A classified model-call failure. Throw one from your `run` callback to say exactly why a call
 * failed; failover classifies everything else itself. `FailoverError.isInstance` works across
 * duplicate installs.
 *
 * @public
 */
export class FailoverError extends Error {
  override readonly name: string = 'FailoverError'
  readonly reason: FailoverReason
  readonly provider: string | undefined
  readonly model: string | undefined
  readonly profileId: string | undefined
  readonly status: number | undefined
  readonly code: string | undefined
  readonly retryAfterMs: number | undefined
  readonly usageLimit: UsageLimitReport | undefined

  constructor(reason: FailoverReason, message: string, options: FailoverErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.reason = reason
    this.provider = options.provider
    this.model = options.model
    this.profileId = options.profileId
    this.status = options.status ?? resolveFailoverStatus(reason)
    this.code = options.code
    this.retryAfterMs = options.retryAfterMs
    this.usageLimit = options.usageLimit
    Object.defineProperty(this, clawErrorMarker, { value: true })
    Object.defineProperty(this, packageMarker, { value: true })
  }

  /** True for any `FailoverError` (including a `FailoverSummaryError`), from any copy of this package. */
  static isInstance(value: unknown): value is FailoverError {
    return hasMarker(value, packageMarker)
  }
}

/** One attempt (or skipped candidate) in a failover run. @public */
export interface FailoverAttempt {
  readonly provider: string
  readonly model: string
  readonly profileId?: string | undefined
  /** Why it failed or was skipped (a message without secrets). */
  readonly error: string
  readonly reason: FailoverReason
  readonly status?: number | undefined
  readonly code?: string | undefined
  /** Set when the candidate was skipped without a call (cooldown, no credentials). */
  readonly skipped?: boolean
}

/**
 * Every candidate failed. `attempts` lists each attempt in order; `retryAfterMs` is the time
 * until the soonest cooldown among the candidates ends (when one does), so a caller can say
 * "retry in N". The message keeps OpenClaw's form, which log searches and scripts match:
 * `All models failed (N): p/m: error (reason) | …`.
 * `cause` is the last attempt's error: a redacted copy when it showed a key the run used.
 *
 * @public
 */
export class FailoverSummaryError extends FailoverError {
  override readonly name: string = 'FailoverSummaryError'
  readonly attempts: readonly FailoverAttempt[]
  /** Epoch ms when the soonest cooldown ends, if any. */
  readonly retryAt: number | undefined
  /** The decision trace of the run (every candidate × credential and what happened). */
  readonly trace: readonly FailoverTraceEntry[]

  constructor(
    attempts: readonly FailoverAttempt[],
    options: {
      readonly retryAt?: number | undefined
      readonly now: number
      readonly cause?: unknown
      readonly trace?: readonly FailoverTraceEntry[]
    },
  ) {
    const last = attempts[attempts.length - 1]
    const reason: FailoverReason = attempts.every(
      (attempt) => attempt.reason === 'rate_limit' || attempt.reason === 'overloaded',
    )
      ? 'rate_limit'
      : (last?.reason ?? 'unknown')
    const details = attempts
      .map(
        (attempt) => `${attempt.provider}/${attempt.model}: ${attempt.error} (${attempt.reason})`,
      )
      .join(' | ')
    super(reason, `All models failed (${attempts.length}): ${details}`, {
      ...(options.retryAt === undefined
        ? {}
        : { retryAfterMs: Math.max(0, options.retryAt - options.now) }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    })
    this.attempts = attempts
    this.retryAt = options.retryAt
    this.trace = options.trace ?? []
    Object.defineProperty(this, summaryMarker, { value: true })
  }

  static override isInstance(value: unknown): value is FailoverSummaryError {
    return hasMarker(value, summaryMarker)
  }
}
