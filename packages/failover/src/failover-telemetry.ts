import type { OAuthRefreshSettings } from '@claw/auth-profiles'
import type { FailoverEvent } from './events.js'
import type { RunWithFailoverOptions, RunWithFailoverResult } from './run.js'

/**
 * What an observed run reports to its observer, in place of the caller's own `onEvent` and
 * `oauth` (the observer passes each event on to the caller's `onEvent`, and adds its refresh
 * listener to the caller's `oauth` settings).
 *
 * @public
 */
export interface FailoverRunObserver {
  /** Receives every event of the run. */
  readonly onEvent: (event: FailoverEvent) => void
  /** The OAuth refresh settings the run uses (token refreshes report to their `onRefresh`). */
  readonly oauth: OAuthRefreshSettings | undefined
}

/**
 * Observes `runWithFailover` runs: what `createClawTelemetry()` of `@claw/failover/telemetry`
 * returns (OpenTelemetry spans and metrics), or your own implementation. Passed as the
 * `telemetry` option of a run; without it a run does no telemetry work at all.
 *
 * @public
 */
export interface FailoverTelemetry {
  /**
   * Runs one failover run under observation: calls `execute` exactly once with the observer of
   * this run, and settles as it settles. It may call `execute` inside a context (an OpenTelemetry
   * span) so the calls the run makes are attributed to it.
   */
  observeRun<T>(
    options: RunWithFailoverOptions<T>,
    execute: (observer: FailoverRunObserver) => Promise<RunWithFailoverResult<T>>,
  ): Promise<RunWithFailoverResult<T>>
}
