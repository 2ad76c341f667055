import type { Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api'
import { RunCounts } from './run-counts.js'
import { METRIC, REDIS_BUCKETS, REFRESH_BUCKETS } from './names.js'

/** Every metric instrument claw records to, created once per telemetry object. */
export interface Instruments {
  readonly meter: Meter
  readonly attempts: RunCounts
  readonly cooldowns: RunCounts
  readonly refreshes: Counter
  readonly refreshDuration: Histogram
  readonly refreshLockWait: Histogram
  readonly circuitOpen: ObservableGauge
  readonly circuitTransitions: Counter
  readonly redisDuration: Histogram
  readonly expiring: ObservableGauge
  readonly reauthRequired: ObservableGauge
  readonly disabled: ObservableGauge
}

export function createInstruments(meter: Meter): Instruments {
  return {
    meter,
    attempts: new RunCounts(
      meter.createObservableCounter(METRIC.attempts, {
        description: 'Calls made by failover runs, by outcome and failure reason.',
        unit: '{attempt}',
      }),
    ),
    cooldowns: new RunCounts(
      meter.createObservableCounter(METRIC.cooldowns, {
        description: 'Cooldowns and disabled windows entered by auth profiles, by reason.',
        unit: '{cooldown}',
      }),
    ),
    refreshes: meter.createCounter(METRIC.refreshes, {
      description: 'OAuth refresh attempts, by outcome.',
      unit: '{refresh}',
    }),
    refreshDuration: meter.createHistogram(METRIC.refreshDuration, {
      description: 'Duration of OAuth refresh attempts, lock wait included.',
      unit: 's',
      advice: { explicitBucketBoundaries: REFRESH_BUCKETS },
    }),
    refreshLockWait: meter.createHistogram(METRIC.refreshLockWait, {
      description: 'Time spent waiting for the OAuth refresh lock.',
      unit: 's',
      advice: { explicitBucketBoundaries: REFRESH_BUCKETS },
    }),
    circuitOpen: meter.createObservableGauge(METRIC.circuitOpen, {
      description: "1 while the fleet's Redis circuit is open (local state in use), else 0.",
      unit: '1',
    }),
    circuitTransitions: meter.createCounter(METRIC.circuitTransitions, {
      description: "Transitions of the fleet's Redis circuit, by the state entered.",
      unit: '{transition}',
    }),
    redisDuration: meter.createHistogram(METRIC.redisDuration, {
      description: 'Latency of Redis calls made by the fleet (commands, scripts, pipelines).',
      unit: 's',
      advice: { explicitBucketBoundaries: REDIS_BUCKETS },
    }),
    expiring: meter.createObservableGauge(METRIC.expiring, {
      description: 'Credentials that expire within the warning window (24 h by default).',
      unit: '{credential}',
    }),
    reauthRequired: meter.createObservableGauge(METRIC.reauthRequired, {
      description: 'Credentials that need a new login (refresh token rejected, or token expired).',
      unit: '{credential}',
    }),
    disabled: meter.createObservableGauge(METRIC.disabled, {
      description: 'Auth profiles disabled right now, by reason (billing, auth_permanent).',
      unit: '{profile}',
    }),
  }
}
