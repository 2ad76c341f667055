// Subscription usage windows: Claude (Pro/Max, OAuth) and ChatGPT (Codex) plans meter use in
// rolling windows (5 hours, a week) and say, on every response, how much of each window is used
// and when it resets. When a window runs out the provider refuses calls until that reset, which
// can be days away: a cooldown ladder of 1–60 minutes would only keep knocking. These readers turn
// what the provider reports into the window that ran out and its reset time.
//
// Covered (what the providers are observed to send; neither is a documented API):
// - Anthropic subscription responses: `anthropic-ratelimit-unified-status` (`allowed`,
//   `allowed_warning`, `rejected`), `anthropic-ratelimit-unified-reset` (Unix seconds),
//   `anthropic-ratelimit-unified-representative-claim` (`five_hour`, `seven_day`, …) and per window
//   `anthropic-ratelimit-unified-<5h|7d|7d_opus|7d_sonnet>-{status,reset,utilization}`
//   (utilization a fraction, 1 = used up).
// - OpenAI Codex (ChatGPT sign-in) responses: `x-codex-<primary|secondary>-used-percent` (0–100),
//   `-window-minutes`, `-reset-after-seconds` and `-reset-at` (Unix seconds).
// - Codex's refusal body `{"error":{"type":"usage_limit_reached","resets_at":…,
//   "resets_in_seconds":…}}`.
// - The message Codex shows: "You've hit your usage limit … try again in 5 days 22 hours 11
//   minutes" (relative durations only; "try again at <local time>" is not parsed).

import type { RetryAfterHeaders } from './retry-after.js'

/** One usage window as a provider reported it. @public */
export interface UsageWindow {
  /** The provider's name for the window: `5h`, `7d`, `7d_opus`, … (`usage` when unnamed). */
  readonly window: string
  /** When the window resets (epoch ms), when the provider said. */
  readonly resetsAt?: number
  /** How much of the window is used, 0–100 (may exceed 100), when the provider said. */
  readonly usedPercent?: number
  /** The provider refuses calls until the reset. */
  readonly exhausted: boolean
}

/** What a response or error said about a subscription's usage windows. @public */
export interface UsageLimitReport {
  readonly source: 'anthropic-unified' | 'codex' | 'codex-body' | 'message'
  readonly windows: readonly UsageWindow[]
  /**
   * The window that stops calls: the exhausted window that resets last (every window must have
   * room for a call to pass), or `undefined` when none is exhausted.
   */
  readonly limiting?: UsageWindow
}

type Read = (name: string) => string | undefined

function headerReader(headers: RetryAfterHeaders | null | undefined): Read | undefined {
  if (headers === null || typeof headers !== 'object') return undefined
  const get = (headers as { get?: unknown }).get
  if (typeof get === 'function' && !(headers instanceof Map)) {
    return (name) => {
      try {
        const value: unknown = (get as (name: string) => unknown).call(headers, name)
        return typeof value === 'string' ? value.trim() : undefined
      } catch {
        return undefined
      }
    }
  }
  const entries =
    headers instanceof Map
      ? [...(headers as ReadonlyMap<unknown, unknown>)]
      : Object.entries(headers as Record<string, unknown>)
  const byName = new Map<string, string>()
  for (const [key, value] of entries) {
    if (typeof key !== 'string') continue
    const text = Array.isArray(value) ? (value[0] as unknown) : value
    if (typeof text === 'string' || typeof text === 'number')
      byName.set(key.toLowerCase(), String(text).trim())
  }
  return (name) => byName.get(name)
}

function number(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+(?:\.\d+)?$/.test(text)) return undefined
  const value = Number(text)
  return Number.isFinite(value) ? value : undefined
}

/** Unix seconds (or milliseconds, for a value too large to be seconds) to epoch ms. */
function epochMs(text: string | number | undefined): number | undefined {
  const value = typeof text === 'number' ? text : number(text)
  if (value === undefined || value <= 0) return undefined
  return value > 1e12 ? value : value * 1000
}

function limiting(windows: readonly UsageWindow[]): UsageWindow | undefined {
  let found: UsageWindow | undefined
  for (const window of windows) {
    if (!window.exhausted) continue
    if (found === undefined || (window.resetsAt ?? 0) > (found.resetsAt ?? 0)) found = window
  }
  return found
}

function report(
  source: UsageLimitReport['source'],
  windows: readonly UsageWindow[],
): UsageLimitReport | undefined {
  if (windows.length === 0) return undefined
  const found = limiting(windows)
  return { source, windows, ...(found ? { limiting: found } : {}) }
}

const ANTHROPIC_WINDOWS = ['5h', '7d', '7d_opus', '7d_sonnet'] as const
const ANTHROPIC_CLAIMS: Readonly<Record<string, string>> = {
  five_hour: '5h',
  seven_day: '7d',
  seven_day_opus: '7d_opus',
  seven_day_sonnet: '7d_sonnet',
}

function anthropicWindows(read: Read): UsageWindow[] {
  const prefix = 'anthropic-ratelimit-unified-'
  const windows: UsageWindow[] = []
  for (const name of ANTHROPIC_WINDOWS) {
    const status = read(`${prefix}${name}-status`)
    const resetsAt = epochMs(read(`${prefix}${name}-reset`))
    const utilization = number(read(`${prefix}${name}-utilization`))
    if (status === undefined && resetsAt === undefined && utilization === undefined) continue
    windows.push({
      window: name,
      ...(resetsAt === undefined ? {} : { resetsAt }),
      ...(utilization === undefined ? {} : { usedPercent: Math.round(utilization * 1000) / 10 }),
      exhausted: status === 'rejected' || (utilization !== undefined && utilization >= 1),
    })
  }
  // The overall verdict: a rejection names the window it comes from (the representative claim)
  // and when calls pass again, even when the per-window headers are missing.
  if (read(`${prefix}status`) === 'rejected' && !windows.some((window) => window.exhausted)) {
    const claim = read(`${prefix}representative-claim`)
    const resetsAt = epochMs(read(`${prefix}reset`))
    windows.push({
      window: (claim && ANTHROPIC_CLAIMS[claim]) ?? claim ?? 'usage',
      ...(resetsAt === undefined ? {} : { resetsAt }),
      exhausted: true,
    })
  }
  return windows
}

/** `300` → `5h`, `10080` → `7d`, `90` → `90m`. */
function windowName(minutes: number | undefined, fallback: string): string {
  if (minutes === undefined || minutes <= 0) return fallback
  if (minutes % 1440 === 0) return `${minutes / 1440}d`
  if (minutes % 60 === 0) return `${minutes / 60}h`
  return `${minutes}m`
}

function codexWindows(read: Read, now: number): UsageWindow[] {
  const windows: UsageWindow[] = []
  for (const slot of ['primary', 'secondary'] as const) {
    const prefix = `x-codex-${slot}-`
    const used = number(read(`${prefix}used-percent`))
    const resetAt = epochMs(read(`${prefix}reset-at`))
    const resetAfter = number(read(`${prefix}reset-after-seconds`))
    const resetsAt =
      resetAt ?? (resetAfter !== undefined && resetAfter >= 0 ? now + resetAfter * 1000 : undefined)
    if (used === undefined && resetsAt === undefined) continue
    windows.push({
      window: windowName(number(read(`${prefix}window-minutes`)), slot),
      ...(resetsAt === undefined ? {} : { resetsAt }),
      ...(used === undefined ? {} : { usedPercent: used }),
      exhausted: used !== undefined && used >= 100,
    })
  }
  return windows
}

/**
 * Reads the usage windows from response headers (Anthropic's unified headers, then Codex's).
 * `undefined` when the response carries none.
 *
 * @example
 * ```ts
 * parseUsageLimitHeaders(new Headers({
 *   'x-codex-primary-used-percent': '100',
 *   'x-codex-primary-window-minutes': '10080',
 *   'x-codex-primary-reset-after-seconds': '3600',
 * }), { now: () => 0 })?.limiting // { window: '7d', resetsAt: 3600000, usedPercent: 100, exhausted: true }
 * ```
 * @public
 */
export function parseUsageLimitHeaders(
  headers: RetryAfterHeaders | null | undefined,
  options: { readonly now: () => number },
): UsageLimitReport | undefined {
  const read = headerReader(headers)
  if (read === undefined) return undefined
  return (
    report('anthropic-unified', anthropicWindows(read)) ??
    report('codex', codexWindows(read, options.now()))
  )
}

/** Codex's `{"error":{"type":"usage_limit_reached","resets_at":…}}` (or the inner object). */
export function parseUsageLimitBody(
  body: unknown,
  options: { readonly now: () => number },
): UsageLimitReport | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const nested = (body as { error?: unknown }).error
  const error = (typeof nested === 'object' && nested !== null ? nested : body) as Record<
    string,
    unknown
  >
  if (error['type'] !== 'usage_limit_reached' && error['code'] !== 'usage_limit_reached') {
    return undefined
  }
  const at = error['resets_at']
  const inSeconds = error['resets_in_seconds']
  const resetsAt =
    typeof at === 'number' || typeof at === 'string'
      ? epochMs(at)
      : typeof inSeconds === 'number' && Number.isFinite(inSeconds) && inSeconds >= 0
        ? options.now() + inSeconds * 1000
        : undefined
  return report('codex-body', [
    { window: 'usage', ...(resetsAt === undefined ? {} : { resetsAt }), exhausted: true },
  ])
}

const TRY_AGAIN_IN =
  /usage limit[\s\S]{0,300}?try again in ((?:\d+\s*(?:days?|hours?|minutes?|mins?|seconds?|secs?)[\s,]*(?:and\s+)?)+)/i
const DURATION_PART = /(\d+)\s*(day|hour|min|sec)/gi
const UNIT_MS: Readonly<Record<string, number>> = {
  day: 86_400_000,
  hour: 3_600_000,
  min: 60_000,
  sec: 1000,
}

/** "You've hit your usage limit … try again in 3 days 2 hours" → a window resetting then. */
export function parseUsageLimitMessage(
  message: string,
  options: { readonly now: () => number },
): UsageLimitReport | undefined {
  const match = TRY_AGAIN_IN.exec(message.slice(0, 2000))
  if (!match) return undefined
  let total = 0
  for (const part of match[1]!.matchAll(DURATION_PART)) {
    total += Number(part[1]) * (UNIT_MS[part[2]!.toLowerCase()] ?? 0)
  }
  if (total <= 0) return undefined
  return report('message', [{ window: 'usage', resetsAt: options.now() + total, exhausted: true }])
}
