// The bookkeeping sections of a stored file (usageStats, order, lastGood): each entry read into the
// store's types, or left out with a diagnostic when claw cannot use it.
import {
  AUTH_PROFILE_FAILURE_REASONS,
  type AuthProfileFailureReason,
  type ModelCooldown,
  type ProfileUsageStats,
} from '../types.js'
import type { Findings } from './store-findings.js'

const reasons = new Set<string>(AUTH_PROFILE_FAILURE_REASONS)

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function isTimestamp(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

function isReason(value: unknown): value is AuthProfileFailureReason {
  return typeof value === 'string' && reasons.has(value)
}

function isUsageLimit(value: unknown): boolean {
  if (!isRecord(value)) return false
  const { window, resetsAt, usedPercent } = value
  return (
    typeof window === 'string' &&
    window !== '' &&
    isTimestamp(resetsAt) &&
    (usedPercent === undefined || (typeof usedPercent === 'number' && Number.isFinite(usedPercent)))
  )
}

/** `failureCounts` entries: a known reason and a count each; others are kept aside. */
function readFailureCounts(
  value: Record<string, unknown>,
  path: string[],
  findings: Findings,
): Partial<Record<AuthProfileFailureReason, number>> {
  const counts: Partial<Record<AuthProfileFailureReason, number>> = {}
  for (const [reason, count] of Object.entries(value)) {
    if (isReason(reason) && isCount(count)) counts[reason] = count
    else
      findings.ignore(
        [...path, reason],
        'ignored_field',
        isReason(reason) ? 'not a non-negative whole number' : 'unknown failure reason',
      )
  }
  return counts
}

/** `modelCooldowns` entries: `{ until, reason, errorCount? }` each; others are kept aside. */
function readModelCooldowns(
  value: Record<string, unknown>,
  path: string[],
  findings: Findings,
): Record<string, ModelCooldown> {
  const cooldowns: Record<string, ModelCooldown> = {}
  for (const [model, entry] of Object.entries(value)) {
    const usable =
      isRecord(entry) &&
      isTimestamp(entry['until']) &&
      isReason(entry['reason']) &&
      (entry['errorCount'] === undefined || isCount(entry['errorCount']))
    if (usable) cooldowns[model] = entry as unknown as ModelCooldown
    else
      findings.ignore(
        [...path, model],
        'ignored_entry',
        'not a model cooldown { until, reason, errorCount? }',
      )
  }
  return cooldowns
}

/** Usage stats are machine-written routing state: a malformed field is kept aside, never fatal. */
export function readUsageStats(
  raw: Record<string, unknown>,
  path: string[],
  findings: Findings,
): ProfileUsageStats {
  const stats: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(raw)) {
    const at = [...path, key]
    let problem: string | undefined
    switch (key) {
      case 'lastUsed':
      case 'cooldownUntil':
      case 'disabledUntil':
      case 'lastFailureAt':
      case 'refreshFailedAt':
        if (!isTimestamp(value)) problem = 'not a finite, non-negative number'
        break
      case 'errorCount':
        if (!isCount(value)) problem = 'not a non-negative whole number'
        break
      case 'cooldownReason':
      case 'disabledReason':
        if (!isReason(value)) problem = 'unknown failure reason'
        break
      case 'cooldownModel':
        if (typeof value !== 'string' || value === '') problem = 'not a model id'
        break
      case 'failureCounts':
        if (!isRecord(value)) problem = 'not an object'
        else stats[key] = readFailureCounts(value, at, findings)
        break
      case 'modelCooldowns':
        if (!isRecord(value)) problem = 'not an object'
        else stats[key] = readModelCooldowns(value, at, findings)
        break
      case 'usageLimit':
        if (!isUsageLimit(value)) problem = 'not a usage window { window, resetsAt, usedPercent? }'
        break
      default:
      // Fields a newer writer added: kept as they are.
    }
    if (problem !== undefined) findings.ignore(at, 'ignored_field', problem)
    else if (!(key in stats)) stats[key] = value
  }
  return stats
}

export function readOrder(raw: unknown, findings: Findings): Record<string, string[]> | undefined {
  if (raw === undefined) return undefined
  if (!isRecord(raw)) {
    findings.ignore(['order'], 'ignored_field', 'not an object')
    return undefined
  }
  const order: Record<string, string[]> = {}
  for (const [provider, list] of Object.entries(raw)) {
    if (!Array.isArray(list)) {
      findings.ignore(['order', provider], 'ignored_entry', 'not a list')
      continue
    }
    const ids = list.flatMap((entry) =>
      typeof entry === 'string' && entry.trim() !== '' ? [entry.trim()] : [],
    )
    const clean = ids.length === list.length && ids.every((id, index) => id === list[index])
    if (!clean) findings.clean(['order', provider], ids.length > 0 ? ids : undefined)
    if (ids.length > 0) order[provider] = ids
  }
  return order
}

export function readLastGood(raw: unknown, findings: Findings): Record<string, string> | undefined {
  if (raw === undefined) return undefined
  if (!isRecord(raw)) {
    findings.ignore(['lastGood'], 'ignored_field', 'not an object')
    return undefined
  }
  const lastGood: Record<string, string> = {}
  for (const [provider, profileId] of Object.entries(raw)) {
    if (typeof profileId === 'string') lastGood[provider] = profileId
    else findings.ignore(['lastGood', provider], 'ignored_entry', 'not a profile id')
  }
  return lastGood
}
