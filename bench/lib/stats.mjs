// Small statistics helpers shared by the measurement functions and the suites.

/**
 * Nearest-rank percentile of an already sorted (ascending) array or typed array.
 * @param {ArrayLike<number>} sorted
 * @param {number} p percentile in [0, 100]
 */
export function percentileSorted(sorted, p) {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1))
  return sorted[index]
}

/** Median of a list of numbers (the list is not modified). */
export function median(values) {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Arithmetic mean of a list of numbers. */
export function mean(values) {
  if (values.length === 0) return Number.NaN
  let sum = 0
  for (const value of values) sum += value
  return sum / values.length
}

/** min / median / mean / max of a list of numbers. */
export function summarize(values) {
  return {
    min: Math.min(...values),
    median: median(values),
    mean: mean(values),
    max: Math.max(...values),
    runs: values.length,
  }
}
