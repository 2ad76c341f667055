// @claw/failover/telemetry — OpenTelemetry spans and metrics for failover runs, OAuth refreshes,
// the fleet's Redis and credential health. Needs the optional peer `@opentelemetry/api`; the
// package's main entry never loads it.
export { createClawTelemetry } from './claw-telemetry.js'
export type { ClawTelemetry, ClawTelemetryOptions } from './claw-telemetry.js'
export type { ObserveCredentialsOptions } from './credential-gauges.js'
