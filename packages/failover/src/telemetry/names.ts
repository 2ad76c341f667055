// The names claw's telemetry emits. OpenTelemetry semantic conventions are used where one exists
// (`gen_ai.*` for the model provider and model, `error.type`, `http.response.status_code`,
// `db.client.operation.duration` for Redis calls);
// everything specific to claw lives under `claw.`. The package README lists them all.

/** The instrumentation scope of the tracer and the meter. */
export const SCOPE = '@claw/failover'

/** One span per `runWithFailover` run. */
export const RUN_SPAN = 'claw.failover'

export const EVENT = {
  /** One per call made by the run. */
  attempt: 'claw.failover.attempt',
  fallback: 'claw.failover.fallback',
  cooldown: 'claw.auth.cooldown',
  persistenceFailed: 'claw.auth.persistence_failed',
} as const

export const ATTR = {
  // OpenTelemetry semantic conventions
  provider: 'gen_ai.provider.name',
  model: 'gen_ai.request.model',
  errorType: 'error.type',
  httpStatus: 'http.response.status_code',
  dbSystem: 'db.system.name',
  // claw
  requestedModel: 'claw.failover.requested_model',
  attempt: 'claw.failover.attempt',
  attempts: 'claw.failover.attempts',
  outcome: 'claw.failover.outcome',
  willRetry: 'claw.failover.will_retry',
  fallbackFromProvider: 'claw.failover.fallback.from.provider',
  fallbackFromModel: 'claw.failover.fallback.from.model',
  profileId: 'claw.auth.profile.id',
  agentId: 'claw.agent.id',
  cooldownReason: 'claw.auth.cooldown.reason',
  cooldownScope: 'claw.auth.cooldown.scope',
  cooldownUntil: 'claw.auth.cooldown.until',
  persistenceCode: 'claw.auth.persistence.code',
  refreshOutcome: 'claw.oauth.refresh.outcome',
  refreshable: 'claw.auth.credential.refreshable',
  reauthReason: 'claw.auth.reauth.reason',
  disabledReason: 'claw.auth.disabled.reason',
  redisPrefix: 'claw.redis.prefix',
  circuitState: 'claw.redis.circuit.state',
} as const

export const METRIC = {
  attempts: 'claw.failover.attempts',
  cooldowns: 'claw.auth.cooldowns',
  refreshes: 'claw.oauth.refreshes',
  refreshDuration: 'claw.oauth.refresh.duration',
  refreshLockWait: 'claw.oauth.refresh_lock.wait_time',
  circuitOpen: 'claw.redis.circuit.open',
  circuitTransitions: 'claw.redis.circuit.transitions',
  // The database client conventions' call duration (with `db.system.name` = `redis`).
  redisDuration: 'db.client.operation.duration',
  expiring: 'claw.auth.credentials.expiring',
  reauthRequired: 'claw.auth.credentials.reauth_required',
  disabled: 'claw.auth.profiles.disabled',
} as const

/** Bucket boundaries (seconds) of the OAuth refresh and lock-wait histograms. */
export const REFRESH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
/** Bucket boundaries (seconds) of the Redis call histogram: most calls take well under 1 ms. */
export const REDIS_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
]

/**
 * The `gen_ai.provider.name` of claw provider ids the GenAI conventions name (their well-known
 * values); other providers keep their claw id, as the conventions ask for providers they do not
 * list.
 */
const GEN_AI_PROVIDER_NAMES: Readonly<Record<string, string>> = {
  'amazon-bedrock': 'aws.bedrock',
  anthropic: 'anthropic',
  deepseek: 'deepseek',
  google: 'gcp.gemini',
  'google-vertex': 'gcp.vertex_ai',
  groq: 'groq',
  mistral: 'mistral_ai',
  openai: 'openai',
  xai: 'x_ai',
}

/** `gen_ai.provider.name` for a claw provider id. */
export function genAiProviderName(provider: string): string {
  return Object.hasOwn(GEN_AI_PROVIDER_NAMES, provider)
    ? (GEN_AI_PROVIDER_NAMES[provider] as string)
    : provider
}
