// "Did you mean …?": the nearest known word to a mistyped command, flag or provider id. Loaded
// only when something was mistyped, never on a command's normal path.
import { looksLikeSecret } from './argv-secret.js'

/**
 * The edit distance between two strings where swapping two neighbouring characters counts as one
 * edit (optimal string alignment), so `stauts` is 1 away from `status`.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const table: number[][] = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: cols }, (_, col) => (row === 0 ? col : col === 0 ? row : 0)),
  )
  for (let row = 1; row < rows; row++) {
    for (let col = 1; col < cols; col++) {
      const cost = a[row - 1] === b[col - 1] ? 0 : 1
      let best = Math.min(
        table[row - 1]![col]! + 1,
        table[row]![col - 1]! + 1,
        table[row - 1]![col - 1]! + cost,
      )
      if (row > 1 && col > 1 && a[row - 1] === b[col - 2] && a[row - 2] === b[col - 1]) {
        best = Math.min(best, table[row - 2]![col - 2]! + 1)
      }
      table[row]![col] = best
    }
  }
  return table[a.length]![b.length]!
}

/** How many edits a word of this length may be away from a suggestion. */
function allowedEdits(length: number): number {
  return length <= 3 ? 1 : length <= 6 ? 2 : 3
}

/**
 * The candidate nearest to `input` (case-insensitive), or `undefined` when none is close enough or
 * `input` looks like a secret (a key pasted in the wrong place is never matched or repeated). A
 * candidate that starts with `input` (an abbreviation of at least 3 characters) counts as close
 * when it is the only one. Ties go to the earlier candidate.
 */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  const word = input.trim().toLowerCase()
  if (word === '' || looksLikeSecret(input)) return undefined
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best !== undefined && best !== input && bestDistance <= allowedEdits(word.length)) {
    return best
  }
  if (word.length >= 3) {
    const prefixed = candidates.filter((candidate) => candidate.toLowerCase().startsWith(word))
    if (prefixed.length === 1) return prefixed[0]
  }
  return undefined
}

/** ` Did you mean <suggestion>?`, or `''` when there is nothing to suggest. */
export function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : ` Did you mean ${suggestion}?`
}
