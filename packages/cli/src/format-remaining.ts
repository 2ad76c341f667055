/**
 * Formats a remaining duration compactly, the way status, doctor and route print it: `undefined`
 * (or `NaN`, `Infinity`) → `unknown`; `≤ 0` → `0m`; otherwise whole minutes
 * `m = max(1, round(ms / 60000))` → `Nm` below 60, else hours `h = round(m / 60)` → `Nh` below 48,
 * else `round(h / 24)` days: `formatRemainingShort(90 * 60_000)` is `'2h'`.
 */
export function formatRemainingShort(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return 'unknown'
  if (ms <= 0) return '0m'
  if (!Number.isFinite(ms)) return 'unknown'
  const minutes = Math.max(1, Math.round(ms / 60_000))
  if (minutes < 60) return `${minutes}m`
  const hours = Math.round(minutes / 60)
  if (hours < 48) return `${hours}h`
  return `${Math.round(hours / 24)}d`
}
