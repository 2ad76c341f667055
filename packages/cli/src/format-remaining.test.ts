import { describe, expect, it } from 'vitest'
import { formatRemainingShort } from './format-remaining.js'

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR

describe('formatRemainingShort', () => {
  it.each<[number | undefined, string]>([
    [undefined, 'unknown'],
    [Number.NaN, 'unknown'],
    [Number.POSITIVE_INFINITY, 'unknown'],
    [-5, '0m'],
    [0, '0m'],
    [1, '1m'],
    [29_999, '1m'],
    [30_000, '1m'],
    [89_999, '1m'],
    [90_000, '2m'],
    [59 * 60e3, '59m'],
    [60 * 60e3, '1h'],
    [90 * 60e3, '2h'],
    [47.4 * HOUR, '47h'],
    [47.6 * HOUR, '2d'],
    [10 * DAY, '10d'],
  ])('%s → %s', (ms, expected) => {
    expect(formatRemainingShort(ms)).toBe(expected)
  })
})
