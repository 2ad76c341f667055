import type { RunWithFailoverOptions, RunWithFailoverResult } from './run.js'

/**
 * Observes `runWithFailover` runs: what `createClawTelemetry()` of `@claw/failover/telemetry`
 * returns (OpenTelemetry spans and metrics), or your own implementation. Passed as the
 * `telemetry` option of a run; without it a run does no telemetry work at all.
 *
 * @public
 */
export interface FailoverTelemetry {
  /**
   * Runs one failover run under observation: calls `execute` exactly once, with `options` or a
   * copy that adds the observer's own listeners (`onEvent`, `oauth.onRefresh`, each calling the
   * caller's as well), and settles as it settles. It may run `execute` inside a context (an
   * OpenTelemetry span) so the calls the run makes are attributed to it.
   */
  observeRun<T>(
    options: RunWithFailoverOptions<T>,
    execute: (options: RunWithFailoverOptions<T>) => Promise<RunWithFailoverResult<T>>,
  ): Promise<RunWithFailoverResult<T>>
}
