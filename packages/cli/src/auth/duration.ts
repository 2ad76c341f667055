import { usageError } from '../errors.js'
import { safe } from '../text.js'

const UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/**
 * Parses a duration as OpenClaw does (users bring their habits): `\d+(\.\d+)?(ms|s|m|h|d)`, the unit defaulting to days
 * (`30` = 30 days). Returns milliseconds.
 */
export function parseDurationMs(raw: string, flagName = '--expires-in'): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim().toLowerCase())
  const value = match ? Number(match[1]) * UNITS_MS[(match[2] ?? 'd') as keyof typeof UNITS_MS] : 0
  if (!match || !Number.isFinite(value) || value <= 0) {
    throw usageError(
      `Invalid ${flagName} "${safe(raw)}": use a number with an optional unit ms, s, m, h or d (default d), e.g. 365d or 12h.`,
    )
  }
  return Math.round(value)
}
