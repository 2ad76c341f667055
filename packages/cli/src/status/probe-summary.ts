// What a probe run produced, and how it is summarised: shared by `probe.ts` (which runs the
// probes, loaded only with `--probe`) and the status renderer.

/** The probe status: `ok`, a failure class, or a pre-flight outcome. */
export type ProbeStatus =
  | 'ok'
  | 'auth'
  | 'rate_limit'
  | 'billing'
  | 'timeout'
  | 'format'
  | 'unknown'
  | 'no_model'
  | 'unsupported'

export interface ProbeOptions {
  readonly provider?: string
  readonly profileIds: readonly string[]
  readonly timeoutMs: number
  readonly concurrency: number
  readonly maxTokens: number
}

export interface ProbeResult {
  readonly provider: string
  readonly model?: string
  readonly profileId?: string
  readonly label: string
  readonly source: 'profile' | 'env' | 'models.json'
  readonly mode?: string
  readonly status: ProbeStatus
  /** Stable code: a pre-flight eligibility code, `no_model`, `unsupported_api`, or the classified failure reason. */
  readonly reasonCode?: string
  readonly error?: string
  readonly latencyMs?: number
}

export interface AuthProbeSummary {
  readonly startedAt: number
  readonly finishedAt: number
  readonly durationMs: number
  readonly totalTargets: number
  readonly options: ProbeOptions
  readonly results: readonly ProbeResult[]
}

/** `Probed N target(s) in X` or `No probe targets.` */
export function describeProbeSummary(summary: AuthProbeSummary): string {
  if (summary.totalTargets === 0) return 'No probe targets.'
  return `Probed ${summary.totalTargets} target${summary.totalTargets === 1 ? '' : 's'} in ${formatMs(summary.durationMs)}`
}

/** `850ms`, `1.2s`. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '-'
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`
}
