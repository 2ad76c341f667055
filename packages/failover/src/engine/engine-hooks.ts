// The seam between the failover loop and the two functions that drive it: runWithFailover makes
// real calls through these hooks, planFailover simulates them.
import type { AuthProfileStore } from '@claw/auth-profiles'
import type { FallbackCandidate } from '../candidates.js'
import {
  classifyFailure,
  describeFailoverError,
  type FailoverErrorContext,
} from '../classify/describe-error.js'
import type { FailoverReason } from '../reasons.js'
import type { FailoverTraceEntry } from '../trace.js'
import type { UsageLimitReport } from '../usage-limit.js'

/** A credential to try for a candidate: a stored profile, or an env/config key. @internal */
export interface CredentialSlot {
  readonly profileId?: string
  /** `profile:<id>`, `env: VAR`, `env: VAR #2`, `config: …` — never the secret. */
  readonly label: string
  /** Index into the env key list for env slots. */
  readonly envKeyIndex?: number
}

/** The outcome of one call, as the engine sees it. @internal */
export type CallOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false
      /** `null`: not failover-worthy (rethrow, stop). */
      readonly reason: FailoverReason | null
      readonly error: unknown
      readonly message: string
      readonly status?: number | undefined
      readonly code?: string | undefined
      readonly retryAfterMs?: number | undefined
      /** A subscription usage window that ran out: the whole profile cools down until it resets. */
      readonly usageLimit?: UsageLimitReport | undefined
      /** A user abort: stop everything. */
      readonly aborted?: boolean
    }

/** A failed call's outcome. @internal */
export type FailedCallOutcome = Extract<CallOutcome<never>, { ok: false }>

/** The outcome of a call that threw something other than a user abort. @internal */
export function failedCallOutcome(
  error: unknown,
  context: FailoverErrorContext,
): FailedCallOutcome {
  // What coerceToFailoverError would say, without building an error nobody sees: the outcome
  // keeps the original.
  const coerced = classifyFailure(error, context.now)
  if (!coerced)
    return { ok: false, reason: null, error, message: describeFailoverError(error).message }
  return {
    ok: false,
    reason: coerced.reason,
    error,
    message: coerced.message,
    status: coerced.status,
    code: coerced.code,
    retryAfterMs: coerced.retryAfterMs,
    usageLimit: coerced.usageLimit,
  }
}

/** How the engine gets keys and makes calls; runWithFailover and planFailover differ only here. @internal */
export interface EngineHooks<T> {
  /** A usable credential for the slot, or why not (`skip`); `store` is the store as last (re-)read. */
  resolve(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
    store: AuthProfileStore,
  ): Promise<{ readonly skip: string } | { readonly ready: true }>
  call(candidate: FallbackCandidate, slot: CredentialSlot, attempt: number): Promise<CallOutcome<T>>
  /** After an `auth` failure on an OAuth profile: refresh once; true when it is worth retrying. */
  refreshAfterAuthFailure?(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
    store: AuthProfileStore,
  ): Promise<boolean>
}

/** The fields events about a call start with: the candidate, and the profile when it is one. */
export function callFields(
  candidate: FallbackCandidate,
  slot: CredentialSlot,
): { provider: string; model: string; profileId?: string } {
  return slot.profileId
    ? { provider: candidate.provider, model: candidate.model, profileId: slot.profileId }
    : { provider: candidate.provider, model: candidate.model }
}

/**
 * A trace entry about a credential: the candidate, the profile when it is one, the credential's
 * label, then `fields`. Tuned (bench row "runWithFailover, 1st call succeeds"): in V8 an object
 * literal that starts with a spread is much slower to build than one that ends with it.
 */
export function credentialEntry(
  candidate: FallbackCandidate,
  slot: CredentialSlot,
  fields: Omit<FailoverTraceEntry, 'provider' | 'model' | 'profileId' | 'credential'>,
): FailoverTraceEntry {
  return slot.profileId
    ? {
        provider: candidate.provider,
        model: candidate.model,
        profileId: slot.profileId,
        credential: slot.label,
        ...fields,
      }
    : { provider: candidate.provider, model: candidate.model, credential: slot.label, ...fields }
}
