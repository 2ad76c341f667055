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
  /** The subscription usage windows the response reported (Claude / ChatGPT plans). */
  readonly usage?: readonly ProbeUsageWindow[]
}

/** One usage window as a probe saw it. */
export interface ProbeUsageWindow {
  readonly window: string
  /** 0–100. */
  readonly usedPercent?: number
  /** Epoch ms. */
  readonly resetsAt?: number
  readonly exhausted: boolean
}

export interface AuthProbeSummary {
  readonly startedAt: number
  readonly finishedAt: number
  readonly durationMs: number
  readonly totalTargets: number
  readonly options: ProbeOptions
  readonly results: readonly ProbeResult[]
}

/**
 * Whether a probe result is a failure for the exit code: a credential that was tried and refused,
 * limited, out of credit or timed out, or that could not be resolved. Not failures: `ok`, nothing
 * to probe (`no_model`, `unsupported`), and a profile `auth.order` leaves out on purpose.
 */
export function isFailedProbe(result: ProbeResult): boolean {
  return (
    result.status !== 'ok' &&
    result.status !== 'no_model' &&
    result.status !== 'unsupported' &&
    result.reasonCode !== 'excluded_by_auth_order'
  )
}

/** `Probed N target(s) in X` or `No probe targets.` */
export function describeProbeSummary(summary: AuthProbeSummary): string {
  if (summary.totalTargets === 0) return 'No probe targets.'
  return `Probed ${summary.totalTargets} target${summary.totalTargets === 1 ? '' : 's'} in ${formatMs(summary.durationMs)}`
}

/** `usage 5h 42% (resets in 2h), 7d 100% (resets in 3d)` for the probe's detail line. */
export function describeUsageWindows(
  windows: readonly ProbeUsageWindow[],
  now: number,
  remaining: (ms: number) => string,
): string {
  const parts = windows.map((entry) => {
    const used = entry.usedPercent === undefined ? '' : ` ${Math.round(entry.usedPercent)}%`
    const reset =
      entry.resetsAt === undefined ? '' : ` (resets in ${remaining(entry.resetsAt - now)})`
    return `${entry.window}${used}${entry.exhausted ? ' used up' : ''}${reset}`
  })
  return `usage ${parts.join(', ')}`
}

/** `850ms`, `1.2s`. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '-'
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`
}
