import {
  probeLeasesFor,
  type CredentialMode,
  type FetchFunction,
  type OAuthRefreshSettings,
} from '@claw/auth-profiles'
import { runEngine } from './engine/engine.js'
import type { FailoverAttempt } from './errors.js'
import type { FailoverEvent } from './events.js'
import { FailoverRun } from './failover-run.js'
import type { FailoverRunObserver, FailoverTelemetry } from './failover-telemetry.js'
import { resolveClock, type Sleep } from './runtime.js'
import { runStoreHandle } from './store-handle.js'
import type { FailoverTargetOptions } from './target-options.js'
import type { FailoverTraceEntry } from './trace.js'

/** What the caller's model call receives. @public */
export interface FailoverCallContext {
  readonly provider: string
  readonly model: string
  /** Absent only for ambient credentials (`aws-sdk`, `gcloud-adc`) the vendor SDK resolves. */
  readonly apiKey: string | undefined
  readonly profileId: string | undefined
  /**
   * Where to send the call: the credential's host when it decides one (GitHub Copilot), else
   * `models.providers.<id>.baseUrl` from config, else the provider's default base URL;
   * `undefined` only for an unknown provider with no configured URL.
   */
  readonly baseUrl: string | undefined
  readonly mode: CredentialMode
  /** `profile:<id>`, `env: VAR`, … (never the secret). */
  readonly source: string
  /** 1-based count of calls made in this run. */
  readonly attempt: number
  /** Aborted when the caller aborts: pass it to your HTTP client. */
  readonly signal: AbortSignal | undefined
}

/** @public */
export interface RunWithFailoverOptions<T> extends FailoverTargetOptions {
  /** The model call. Throw on failure: the error is classified (throw a `FailoverError` to decide). */
  readonly run: (context: FailoverCallContext) => Promise<T>
  readonly signal?: AbortSignal | undefined
  readonly onEvent?: ((event: FailoverEvent) => void) | undefined
  /** Total time budget for the run, in ms; each call is aborted when it runs out. */
  readonly deadlineMs?: number | undefined
  /** At least this long between two calls with the same credential (default 250 ms). */
  readonly minRetryGapMs?: number | undefined
  /** When every candidate is cooling down, wait up to this long for the soonest one (default 0: fail fast). */
  readonly maxWaitMs?: number | undefined
  /**
   * How to wait between attempts. The default is a timer that keeps the process alive, so a script
   * never exits in the middle of a run; tests pass one that advances a fake clock.
   */
  readonly sleep?: Sleep | undefined
  readonly fetch?: FetchFunction | undefined
  readonly oauth?: OAuthRefreshSettings | undefined
  /**
   * After a credential's cooldown or disable window ends, one run at a time probes it (the others
   * use the remaining credentials, or wait for the probe when nothing else is usable). A probe's
   * lease lasts at most this long (default 30 s, never past `deadlineMs`), so a run that crashes or
   * hangs mid-probe only delays the next one.
   */
  readonly probeLeaseMs?: number | undefined
  /**
   * An array the trace is appended to as the run goes, so it is complete also when the run
   * throws (createFailoverFetch hands it out with a failed response).
   *
   * @internal
   */
  readonly trace?: FailoverTraceEntry[] | undefined
  /**
   * Observes the run (a span with an event per attempt, metrics): `createClawTelemetry()` from
   * `@claw/failover/telemetry`. Absent: no telemetry work at all.
   */
  readonly telemetry?: FailoverTelemetry | undefined
}

/** @public */
export interface RunWithFailoverResult<T> {
  readonly result: T
  readonly provider: string
  readonly model: string
  readonly profileId: string | undefined
  /** Failed attempts before the success (empty when the first call succeeded). */
  readonly attempts: readonly FailoverAttempt[]
  readonly trace: readonly FailoverTraceEntry[]
}

/**
 * Runs a model call with failover (profile rotation and model fallback, with model-scoped
 * cooldowns, Retry-After deadlines and a decision trace):
 *
 * - candidates: the requested model, then the fallbacks (see `buildFallbackCandidates`);
 * - within a candidate's provider, its profiles in `resolveAuthProfileOrder` order (cooling profiles
 *   skipped; a provider whose profiles are all cooling is skipped without a call), or its env keys
 *   (rotated on rate limits only), or its env/config key;
 * - each failure is classified and handled per {@link FAILOVER_POLICY}: the profile is marked
 *   (model-scoped where the reason is), then the next profile, the next model, or the error is
 *   surfaced (`format`, `context_overflow`, unclassifiable errors);
 * - after a profile's cooldown or disable window ends, one run at a time probes it (half-open); the
 *   others keep to the remaining credentials, or, when nothing else is usable, wait for the probe's
 *   outcome (at most `probeLeaseMs`, never past `deadlineMs`) and then use it or fail fast;
 * - a user-pinned profile (`sessionProfile.source: 'user'`) is used even in cooldown and never
 *   rotated; an `auth` failure on an OAuth profile gets one forced refresh first;
 * - success marks the profile used and good;
 * - the caller's signal stops everything (no further calls); at most `maxAttempts` calls, at least
 *   `minRetryGapMs` between calls on one credential, optional total `deadlineMs`;
 * - every key handed to `run` whose call failed is masked in everything derived from the failure
 *   (summary message, attempts, trace); an error that shows one (message, stack, properties,
 *   causes) is replaced by a redacted copy of the same class before it is thrown or becomes a
 *   summary's `cause`.
 *
 * @throws the original error — or its redacted copy when it shows one of the run's keys — when it
 *   is not failover-worthy, when it was a user abort, or when only one call was made; otherwise a
 *   `FailoverSummaryError` with every attempt and the soonest cooldown expiry (`retryAfterMs`).
 * @public
 */
export function runWithFailover<T>(
  options: RunWithFailoverOptions<T>,
): Promise<RunWithFailoverResult<T>> {
  const { telemetry } = options
  return telemetry === undefined
    ? runFailover(options, undefined)
    : telemetry.observeRun(options, (observer) => runFailover(options, observer))
}

async function runFailover<T>(
  options: RunWithFailoverOptions<T>,
  observer: FailoverRunObserver | undefined,
): Promise<RunWithFailoverResult<T>> {
  const clock = resolveClock(options)
  const deadlineAt = options.deadlineMs === undefined ? undefined : clock() + options.deadlineMs
  const backend = runStoreHandle(options, 'runWithFailover')
  const store = await backend.load()
  const run = new FailoverRun(
    options,
    clock,
    deadlineAt,
    backend,
    observer === undefined ? options.oauth : observer.oauth,
  )
  const engine = await runEngine<T>(
    {
      config: options.config,
      backend,
      store,
      reloadStore: () => backend.load(),
      // Just read (nothing awaited since): the first candidate works on it without a re-read.
      storeIsFresh: true,
      provider: options.provider,
      model: options.model,
      fallbacksOverride: options.fallbacksOverride,
      agentId: options.agentId,
      sessionProfile: options.sessionProfile,
      env: options.env,
      signal: options.signal,
      onEvent: observer === undefined ? options.onEvent : observer.onEvent,
      maxAttempts: options.maxAttempts,
      deadlineAt,
      minRetryGapMs: options.minRetryGapMs,
      maxWaitMs: options.maxWaitMs,
      now: options.now,
      sleep: options.sleep,
      trace: options.trace,
      probeLeases: probeLeasesFor(backend),
      probeLeaseMs: options.probeLeaseMs,
    },
    run,
  )
  return {
    result: engine.value,
    provider: engine.candidate.provider,
    model: engine.candidate.model,
    profileId: engine.slot.profileId,
    attempts: engine.attempts,
    trace: engine.trace,
  }
}
