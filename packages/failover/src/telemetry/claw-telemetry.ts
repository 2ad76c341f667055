import { metrics, trace, type MeterProvider, type TracerProvider } from '@opentelemetry/api'
import type { OAuthRefreshListener } from '@claw/auth-profiles'
import type { RedisFleet } from '@claw/auth-profiles/redis'
import type { FailoverTelemetry } from '../failover-telemetry.js'
import { observeCredentials, type ObserveCredentialsOptions } from './credential-gauges.js'
import { observeFleet } from './fleet-metrics.js'
import { createInstruments } from './instruments.js'
import { SCOPE } from './names.js'
import { refreshRecorder } from './refresh-metrics.js'
import { RunObserver } from './run-observer.js'

/** Options of {@link createClawTelemetry}. @public */
export interface ClawTelemetryOptions {
  /**
   * Where spans go. Default: the global tracer provider of `@opentelemetry/api` (what your
   * OpenTelemetry SDK registered; spans start flowing once it is registered, even later).
   */
  readonly tracerProvider?: TracerProvider
  /**
   * Where metrics go. Default: the global meter provider of `@opentelemetry/api` as it is now:
   * register your SDK first, or pass it here.
   */
  readonly meterProvider?: MeterProvider
}

/**
 * claw's OpenTelemetry instrumentation, created by {@link createClawTelemetry} and switched on
 * where it is passed: nothing is observed until then, and nothing is process-wide.
 *
 * @public
 */
export interface ClawTelemetry extends FailoverTelemetry {
  /**
   * Records OAuth refresh metrics. Runs given this telemetry record their refreshes already;
   * pass it as `oauth: { onRefresh }` to other code that refreshes (`refreshOAuthCredential`,
   * `resolveApiKeyForProfile`).
   */
  readonly onRefresh: OAuthRefreshListener
  /** Records a fleet's Redis circuit state and call latency; returns the function that stops it. */
  observeFleet(fleet: RedisFleet): () => void
  /**
   * Reports a store's credential health as gauges, read when metrics are collected: credentials
   * expiring within 24 h, credentials needing a new login, profiles disabled (billing). Returns
   * the function that stops it.
   */
  observeCredentials(options: ObserveCredentialsOptions): () => void
}

/**
 * Creates claw's OpenTelemetry instrumentation (needs the optional peer `@opentelemetry/api`).
 * Pass it as the `telemetry` option of `runWithFailover` (each run gets a span with an event per
 * attempt, and attempt, cooldown and OAuth refresh metrics), and hand it the fleet and stores to
 * watch. Names follow the OpenTelemetry GenAI semantic conventions where one exists; see the
 * package README for the list. Never records a secret, a prompt or an error message.
 *
 * @example
 * ```ts
 * import { runWithFailover } from '@claw/failover'
 * import { createClawTelemetry } from '@claw/failover/telemetry'
 * import { createMemoryAuthStore } from '@claw/auth-profiles'
 *
 * const store = createMemoryAuthStore()
 * const telemetry = createClawTelemetry() // after your OpenTelemetry SDK is registered
 * telemetry.observeCredentials({ store })
 * await runWithFailover({ store, telemetry, model: 'openai/gpt-5.2', run: async () => 'ok' })
 * ```
 * @public
 */
export function createClawTelemetry(options: ClawTelemetryOptions = {}): ClawTelemetry {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE)
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE)
  const instruments = createInstruments(meter)
  const onRefresh = refreshRecorder(instruments)
  const runs = new RunObserver(tracer, instruments, onRefresh)
  return {
    observeRun: (runOptions, execute) => runs.observeRun(runOptions, execute),
    onRefresh,
    observeFleet: (fleet) => observeFleet(instruments, fleet),
    observeCredentials: (credentialOptions) => observeCredentials(instruments, credentialOptions),
  }
}
