// The options of one engine run and the state it carries from step to step; the loop (engine.ts)
// and its helpers (credential slots, cooldowns, probes, bookkeeping) all work on this state.
import type {
  AuthProfileStore,
  AuthStoreBackend,
  ProbeLeaseResult,
  ProbeLeases,
  ProbeRequest,
} from '@claw/auth-profiles'
import type { FallbackCandidate } from '../candidates.js'
import type { FailoverAttempt } from '../errors.js'
import type { FailoverEvent } from '../events.js'
import type { Clock, Sleep } from '../runtime.js'
import type { FailoverTargetOptions } from '../target-options.js'
import type { FailoverTraceEntry } from '../trace.js'
import type { CredentialSlot, EngineHooks } from './engine-hooks.js'

/** @internal */
export interface EngineOptions extends Omit<
  FailoverTargetOptions,
  'store' | 'agentDir' | 'mainAgentDir'
> {
  /** The store handle bookkeeping is recorded through. */
  readonly backend: AuthStoreBackend
  /** The store as just loaded from `backend`. */
  readonly store: AuthProfileStore
  readonly signal?: AbortSignal | undefined
  readonly onEvent?: ((event: FailoverEvent) => void) | undefined
  readonly deadlineMs?: number | undefined
  /**
   * The budget's absolute end (clock ms), when the caller already fixed it: `runWithFailover` bounds
   * each call's signal by the same instant, so the engine and the call agree on when time is up.
   */
  readonly deadlineAt?: number | undefined
  readonly minRetryGapMs?: number | undefined
  readonly maxWaitMs?: number | undefined
  readonly sleep?: Sleep | undefined
  /** Collects the trace (also when the run fails). */
  readonly trace?: FailoverTraceEntry[] | undefined
  /**
   * Re-reads the shared store (one `stat` for the file backend) before each candidate and
   * credential, so cooldowns recorded by concurrent runs and other processes are honoured.
   */
  readonly reloadStore?: (() => Promise<AuthProfileStore>) | undefined
  /**
   * `store` was just read by the caller (nothing awaited since): the first candidate works on it
   * instead of re-reading it at once. Later candidates and credentials are re-read as usual.
   */
  readonly storeIsFresh?: boolean | undefined
  /**
   * `none`: model fallback only — one call per candidate, the caller picks credentials; a candidate
   * is still skipped when every profile of its provider is cooling down.
   */
  readonly credentials?: 'profiles' | 'none' | undefined
  /**
   * Where probe leases live (half-open probes: after a window ends, one run probes the credential).
   * Without them no credential is held back for a probe.
   */
  readonly probeLeases?: ProbeLeases | undefined
  /** A probe lease's lifetime at most (default `DEFAULT_PROBE_LEASE_MS`, and never past the deadline). */
  readonly probeLeaseMs?: number | undefined
  /**
   * When nothing else is usable, wait for another run's probe (bounded by the lease's lifetime and
   * the deadline) and then try again. Default true; plans do not wait.
   */
  readonly waitForProbes?: boolean | undefined
}

/** @internal */
export interface EngineResult<T> {
  readonly value: T
  readonly candidate: FallbackCandidate
  readonly slot: CredentialSlot
  readonly attempts: readonly FailoverAttempt[]
  readonly trace: readonly FailoverTraceEntry[]
}
/** The state of one engine run. */
export interface EngineRun<T> {
  readonly options: EngineOptions
  readonly hooks: EngineHooks<T>
  readonly clock: Clock
  readonly sleep: Sleep
  /** The shared store as last (re-)read. */
  store: AuthProfileStore
  readonly maxAttempts: number
  readonly minGap: number
  /** Absolute time budget end (ms), `Infinity` without one. */
  readonly deadline: number
  readonly candidates: readonly FallbackCandidate[]
  readonly attempts: FailoverAttempt[]
  readonly trace: FailoverTraceEntry[]
  /** When each credential (by label) was last called. */
  readonly lastCallAt: Map<string, number>
  /** Env keys cooling down for this run only, by `provider\0label`. */
  readonly envCooldowns: Map<string, number>
  /** `store` is as fresh as a re-read would make it (the caller's store, before the first candidate). */
  storeIsFresh: boolean
  calls: number
  lastError: unknown
  budgetExhausted: boolean
  /** The probe lease this run holds for the credential it is trying now (released after it). */
  probeLease: Extract<ProbeLeaseResult, { status: 'acquired' }> | undefined
  /** Probes of other runs this pass stepped aside for. */
  probesHeld: ProbeRequest[]
}

/** Thrown inside the loop to end the run with `original` (the caller's error, or an abort). */
export class StopError extends Error {
  constructor(readonly original: unknown) {
    super('stop')
  }
}

/** What an aborted run throws: the signal's reason, or a plain `AbortError`. */
export function abortError(signal: AbortSignal | undefined): unknown {
  return (
    signal?.reason ?? Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' })
  )
}

export function checkAbort(run: EngineRun<unknown>): void {
  if (run.options.signal?.aborted) throw new StopError(abortError(run.options.signal))
}

/** Sleeps on the run's clock; an abort during the sleep ends the run. */
export async function sleepOrStop(run: EngineRun<unknown>, ms: number): Promise<void> {
  try {
    await run.sleep(ms, run.options.signal)
  } catch {
    throw new StopError(abortError(run.options.signal))
  }
}
