import { describe, expect, it } from 'vitest'
import {
  computeBackoffMs,
  DEFAULT_MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  retryDelayFromHint,
  type RetryAfterHeaders,
  type RetryAfterHint,
} from './retry-after.js'

/** A whole second, so HTTP-dates (second precision) round-trip exactly. */
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0)
const now = (): number => NOW

const httpDate = (offsetMs: number): string => new Date(NOW + offsetMs).toUTCString()
const isoDate = (offsetMs: number): string => new Date(NOW + offsetMs).toISOString()

describe('parseRetryAfter', () => {
  it.each<[string, RetryAfterHeaders | null | undefined, RetryAfterHint | undefined]>([
    // Retry-After as seconds
    ['whole seconds', { 'retry-after': '5' }, { retryAfterMs: 5000, source: 'retry-after' }],
    ['decimal seconds', { 'retry-after': '1.5' }, { retryAfterMs: 1500, source: 'retry-after' }],
    ['leading-dot decimal', { 'retry-after': '.25' }, { retryAfterMs: 250, source: 'retry-after' }],
    ['zero', { 'retry-after': '0' }, { retryAfterMs: 0, source: 'retry-after' }],
    ['surrounding spaces', { 'retry-after': ' 3 ' }, { retryAfterMs: 3000, source: 'retry-after' }],
    ['negative', { 'retry-after': '-1' }, undefined],
    ['garbage', { 'retry-after': 'soon' }, undefined],
    ['empty', { 'retry-after': '' }, undefined],
    ['NaN', { 'retry-after': 'NaN' }, undefined],
    ['exponent notation', { 'retry-after': '1e3' }, undefined],
    ['unit suffix', { 'retry-after': '10s' }, undefined],
    [
      'absurd value capped at 1 h',
      { 'retry-after': '999999999' },
      { retryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS, source: 'retry-after' },
    ],
    // Retry-After as an HTTP-date
    [
      'HTTP-date in the future',
      { 'retry-after': httpDate(30_000) },
      { retryAfterMs: 30_000, source: 'retry-after' },
    ],
    ['HTTP-date in the past', { 'retry-after': httpDate(-30_000) }, undefined],
    ['HTTP-date now', { 'retry-after': httpDate(0) }, { retryAfterMs: 0, source: 'retry-after' }],
    [
      'RFC 850 date',
      { 'retry-after': 'Thursday, 15-Jan-26 12:00:10 GMT' },
      { retryAfterMs: 10_000, source: 'retry-after' },
    ],
    [
      'asctime date (GMT by definition)',
      { 'retry-after': 'Thu Jan 15 12:00:20 2026' },
      { retryAfterMs: 20_000, source: 'retry-after' },
    ],
    [
      'far-future date capped',
      { 'retry-after': httpDate(86_400_000) },
      { retryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS, source: 'retry-after' },
    ],
    ['date-like garbage', { 'retry-after': '2026 maybe' }, undefined],
    // retry-after-ms
    [
      'retry-after-ms',
      { 'retry-after-ms': '1500.5' },
      { retryAfterMs: 1500.5, source: 'retry-after-ms' },
    ],
    [
      'retry-after-ms wins over Retry-After',
      { 'retry-after': '10', 'retry-after-ms': '250' },
      { retryAfterMs: 250, source: 'retry-after-ms' },
    ],
    [
      'garbage retry-after-ms falls back to Retry-After',
      { 'retry-after-ms': 'x', 'retry-after': '3' },
      { retryAfterMs: 3000, source: 'retry-after' },
    ],
    [
      'negative retry-after-ms falls back to Retry-After',
      { 'retry-after-ms': '-5', 'retry-after': '2' },
      { retryAfterMs: 2000, source: 'retry-after' },
    ],
    ['negative retry-after-ms alone', { 'retry-after-ms': '-5' }, undefined],
    [
      'huge retry-after-ms capped',
      { 'retry-after-ms': '999999999999' },
      { retryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS, source: 'retry-after-ms' },
    ],
    // input shapes
    [
      'Headers instance',
      new Headers({ 'Retry-After': '7' }),
      { retryAfterMs: 7000, source: 'retry-after' },
    ],
    [
      'Headers with both',
      new Headers({ 'Retry-After': '7', 'Retry-After-Ms': '70' }),
      { retryAfterMs: 70, source: 'retry-after-ms' },
    ],
    [
      'Map with mixed-case key',
      new Map([['Retry-After', '8']]),
      { retryAfterMs: 8000, source: 'retry-after' },
    ],
    [
      'object with upper-case key',
      { 'RETRY-AFTER': '9' },
      { retryAfterMs: 9000, source: 'retry-after' },
    ],
    [
      'array value (first wins)',
      { 'retry-after': ['4', '40'] },
      { retryAfterMs: 4000, source: 'retry-after' },
    ],
    ['numeric value', { 'retry-after': 2 }, { retryAfterMs: 2000, source: 'retry-after' }],
    ['unrelated headers', { 'content-type': 'application/json' }, undefined],
    ['empty object', {}, undefined],
    ['null', null, undefined],
    ['undefined', undefined, undefined],
    // Anthropic reset headers
    [
      'anthropic: latest reset among exhausted limits',
      {
        'anthropic-ratelimit-requests-reset': isoDate(10_000),
        'anthropic-ratelimit-requests-remaining': '5',
        'anthropic-ratelimit-tokens-reset': isoDate(40_000),
        'anthropic-ratelimit-tokens-remaining': '0',
        'anthropic-ratelimit-input-tokens-reset': isoDate(20_000),
        'anthropic-ratelimit-input-tokens-remaining': '0',
      },
      { retryAfterMs: 40_000, source: 'anthropic-ratelimit-reset' },
    ],
    [
      'anthropic: exhausted limit decides even when it resets first',
      {
        'anthropic-ratelimit-requests-reset': isoDate(10_000),
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-output-tokens-reset': isoDate(50_000),
        'anthropic-ratelimit-output-tokens-remaining': '900',
      },
      { retryAfterMs: 10_000, source: 'anthropic-ratelimit-reset' },
    ],
    [
      'anthropic: no remaining headers → earliest reset',
      {
        'anthropic-ratelimit-requests-reset': isoDate(10_000),
        'anthropic-ratelimit-tokens-reset': isoDate(40_000),
      },
      { retryAfterMs: 10_000, source: 'anthropic-ratelimit-reset' },
    ],
    [
      'anthropic: offset timestamp',
      { 'anthropic-ratelimit-tokens-reset': '2026-01-15T13:00:05+01:00' },
      { retryAfterMs: 5000, source: 'anthropic-ratelimit-reset' },
    ],
    ['anthropic: past reset', { 'anthropic-ratelimit-requests-reset': isoDate(-5000) }, undefined],
    ['anthropic: garbage reset', { 'anthropic-ratelimit-requests-reset': 'tomorrow' }, undefined],
    [
      'Retry-After wins over reset headers',
      { 'retry-after': '1', 'anthropic-ratelimit-requests-reset': isoDate(10_000) },
      { retryAfterMs: 1000, source: 'retry-after' },
    ],
    [
      'reset headers used when Retry-After is garbage',
      { 'retry-after': 'later', 'anthropic-ratelimit-requests-reset': isoDate(10_000) },
      { retryAfterMs: 10_000, source: 'anthropic-ratelimit-reset' },
    ],
    // OpenAI reset headers
    [
      'openai: longest among exhausted limits',
      {
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-tokens': '6m0s',
        'x-ratelimit-remaining-tokens': '0',
      },
      { retryAfterMs: 360_000, source: 'x-ratelimit-reset' },
    ],
    [
      'openai: only the exhausted limit counts',
      {
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-tokens': '6m0s',
        'x-ratelimit-remaining-tokens': '1200',
      },
      { retryAfterMs: 1000, source: 'x-ratelimit-reset' },
    ],
    [
      'openai: no remaining headers → shortest',
      { 'x-ratelimit-reset-requests': '2h3m4.5s', 'x-ratelimit-reset-tokens': '120ms' },
      { retryAfterMs: 120, source: 'x-ratelimit-reset' },
    ],
    [
      'openai: compound duration over 1 h is capped',
      { 'x-ratelimit-reset-tokens': '2h3m4.5s' },
      { retryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS, source: 'x-ratelimit-reset' },
    ],
    [
      'openai: minutes and seconds',
      { 'X-RateLimit-Reset-Tokens': '1m30.5s' },
      { retryAfterMs: 90_500, source: 'x-ratelimit-reset' },
    ],
    ['openai: bare number is garbage', { 'x-ratelimit-reset-requests': '10' }, undefined],
    ['openai: unknown unit is garbage', { 'x-ratelimit-reset-requests': '10d' }, undefined],
    [
      'anthropic past reset falls through to openai',
      { 'anthropic-ratelimit-requests-reset': isoDate(-5000), 'x-ratelimit-reset-requests': '2s' },
      { retryAfterMs: 2000, source: 'x-ratelimit-reset' },
    ],
  ])('%s', (_label, headers, expected) => {
    expect(parseRetryAfter(headers, { now })).toEqual(expected)
  })

  it('caps at a caller-chosen maxMs', () => {
    expect(parseRetryAfter({ 'retry-after': '60' }, { now, maxMs: 10_000 })).toEqual({
      retryAfterMs: 10_000,
      source: 'retry-after',
    })
    // an invalid maxMs falls back to the 1 h default
    expect(
      parseRetryAfter({ 'retry-after': '999999' }, { now, maxMs: Number.NaN })?.retryAfterMs,
    ).toBe(DEFAULT_MAX_RETRY_AFTER_MS)
  })

  it('reads the clock only when a date needs it', () => {
    let calls = 0
    const counting = (): number => {
      calls++
      return NOW
    }
    parseRetryAfter({ 'retry-after': '5' }, { now: counting })
    expect(calls).toBe(0)
    parseRetryAfter({ 'retry-after': httpDate(5000) }, { now: counting })
    expect(calls).toBe(1)
  })

  it('survives a Headers-like object whose get throws', () => {
    const hostile = {
      get(): string {
        throw new Error('boom')
      },
    }
    expect(parseRetryAfter(hostile, { now })).toBeUndefined()
  })
})

describe('computeBackoffMs', () => {
  it('doubles from 0.5 s and caps at 8 s without jitter', () => {
    const delays = [0, 1, 2, 3, 4, 5, 10, 1000].map((attempt) =>
      computeBackoffMs(attempt, { random: () => 0 }),
    )
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000, 8000])
  })

  it('takes off at most 25 % at random', () => {
    expect(computeBackoffMs(0, { random: () => 0.999_999 })).toBe(375)
    expect(computeBackoffMs(4, { random: () => 0.5 })).toBe(7000)
    let seed = 42
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let attempt = 0; attempt < 8; attempt++) {
      const ceiling = Math.min(500 * 2 ** attempt, 8000)
      for (let i = 0; i < 50; i++) {
        const delay = computeBackoffMs(attempt, { random })
        expect(delay).toBeGreaterThanOrEqual(ceiling * 0.75)
        expect(delay).toBeLessThanOrEqual(ceiling)
      }
    }
  })

  it('treats a negative, fractional or NaN attempt sensibly', () => {
    expect(computeBackoffMs(-3, { random: () => 0 })).toBe(500)
    expect(computeBackoffMs(Number.NaN, { random: () => 0 })).toBe(500)
    expect(computeBackoffMs(1.9, { random: () => 0 })).toBe(1000)
  })

  it('accepts custom bounds and clamps jitter and random into range', () => {
    expect(computeBackoffMs(3, { baseMs: 100, maxMs: 500, jitter: 0, random: () => 0.9 })).toBe(500)
    expect(computeBackoffMs(0, { baseMs: 1000, jitter: 5, random: () => 0.5 })).toBe(500)
    expect(computeBackoffMs(0, { random: () => 7 })).toBe(375)
    expect(computeBackoffMs(0, { baseMs: -1, random: () => 0 })).toBe(500)
  })
})

describe('retryDelayFromHint', () => {
  const noJitter = { random: () => 0 }

  it.each<[string, number | RetryAfterHint | undefined, number, number]>([
    ['a hint inside 0–60 s is honoured', 2000, 0, 2000],
    ['a parsed hint is honoured', { retryAfterMs: 1500, source: 'retry-after' }, 3, 1500],
    ['exactly 60 s is honoured', 60_000, 0, 60_000],
    ['above 60 s falls back to the backoff', 60_001, 0, 500],
    [
      'a capped hour falls back to the backoff',
      { retryAfterMs: 3_600_000, source: 'retry-after' },
      2,
      2000,
    ],
    ['0 is no hint (never a hot retry)', 0, 1, 1000],
    ['negative falls back', -5, 0, 500],
    ['NaN falls back', Number.NaN, 0, 500],
    ['no hint uses the backoff', undefined, 4, 8000],
  ])('%s', (_label, hint, attempt, expected) => {
    expect(retryDelayFromHint(hint, attempt, noJitter)).toBe(expected)
  })

  it('accepts a custom hint ceiling', () => {
    expect(retryDelayFromHint(20_000, 0, { ...noJitter, maxHintMs: 10_000 })).toBe(500)
    expect(retryDelayFromHint(9000, 0, { ...noJitter, maxHintMs: 10_000 })).toBe(9000)
  })
})
