// Subscription usage windows: what Anthropic (Claude plans) and Codex (ChatGPT plans) report, and
// that a used-up window cools the whole profile down until it resets, however far away that is.
import type { ClawConfig } from '@claw/auth-profiles'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  createFakeClock,
  createMemoryAuthStore,
} from '@claw/auth-profiles/testing'
import { describe, expect, it } from 'vitest'
import { coerceToFailoverError } from './classify/describe-error.js'
import { runWithFailover } from './run.js'
import { rateLimited } from './testing/provider-errors.js'
import {
  parseUsageLimitBody,
  parseUsageLimitHeaders,
  parseUsageLimitMessage,
} from './usage-limit.js'

const NOW = Date.UTC(2026, 11, 6, 12)
const now = () => NOW
const HOUR = 3_600_000
const DAY = 24 * HOUR
const seconds = (ms: number) => String(Math.floor(ms / 1000))

/** An Anthropic subscription 429 whose weekly window ran out (the 5-hour one still has room). */
function anthropicWeeklyRejection(): Record<string, string> {
  return {
    'anthropic-ratelimit-unified-status': 'rejected',
    'anthropic-ratelimit-unified-reset': seconds(NOW + 3 * DAY),
    'anthropic-ratelimit-unified-representative-claim': 'seven_day',
    'anthropic-ratelimit-unified-5h-status': 'allowed',
    'anthropic-ratelimit-unified-5h-reset': seconds(NOW + 2 * HOUR),
    'anthropic-ratelimit-unified-5h-utilization': '0.42',
    'anthropic-ratelimit-unified-7d-status': 'rejected',
    'anthropic-ratelimit-unified-7d-reset': seconds(NOW + 3 * DAY),
    'anthropic-ratelimit-unified-7d-utilization': '1.0',
    'retry-after': '2094',
  }
}

describe('parseUsageLimitHeaders', () => {
  it('reads Anthropic unified windows; the rejected one limits', () => {
    const report = parseUsageLimitHeaders(new Headers(anthropicWeeklyRejection()), { now })
    expect(report).toEqual({
      source: 'anthropic-unified',
      windows: [
        { window: '5h', resetsAt: NOW + 2 * HOUR, usedPercent: 42, exhausted: false },
        { window: '7d', resetsAt: NOW + 3 * DAY, usedPercent: 100, exhausted: true },
      ],
      limiting: { window: '7d', resetsAt: NOW + 3 * DAY, usedPercent: 100, exhausted: true },
    })
  })

  it('takes the representative claim when only the overall status says rejected', () => {
    const report = parseUsageLimitHeaders(
      {
        'anthropic-ratelimit-unified-status': 'rejected',
        'anthropic-ratelimit-unified-reset': seconds(NOW + 4 * HOUR),
        'anthropic-ratelimit-unified-representative-claim': 'five_hour',
      },
      { now },
    )
    expect(report?.limiting).toEqual({ window: '5h', resetsAt: NOW + 4 * HOUR, exhausted: true })
  })

  it('reads Codex primary/secondary windows (relative and absolute resets)', () => {
    const report = parseUsageLimitHeaders(
      new Map([
        ['X-Codex-Primary-Used-Percent', '37'],
        ['X-Codex-Primary-Window-Minutes', '300'],
        ['X-Codex-Primary-Reset-After-Seconds', '600'],
        ['X-Codex-Secondary-Used-Percent', '100'],
        ['X-Codex-Secondary-Window-Minutes', '10080'],
        ['X-Codex-Secondary-Reset-At', seconds(NOW + 5 * DAY)],
      ]),
      { now },
    )
    expect(report).toEqual({
      source: 'codex',
      windows: [
        { window: '5h', resetsAt: NOW + 600_000, usedPercent: 37, exhausted: false },
        { window: '7d', resetsAt: NOW + 5 * DAY, usedPercent: 100, exhausted: true },
      ],
      limiting: { window: '7d', resetsAt: NOW + 5 * DAY, usedPercent: 100, exhausted: true },
    })
  })

  it('reports nothing for ordinary responses or malformed values', () => {
    expect(parseUsageLimitHeaders(new Headers({ 'retry-after': '5' }), { now })).toBeUndefined()
    expect(
      parseUsageLimitHeaders({ 'x-codex-primary-used-percent': 'lots' }, { now }),
    ).toBeUndefined()
    expect(parseUsageLimitHeaders(undefined, { now })).toBeUndefined()
  })
})

describe('usage-limit bodies and messages', () => {
  it("reads Codex's usage_limit_reached body", () => {
    const body = {
      error: { type: 'usage_limit_reached', plan_type: 'plus', resets_at: (NOW + DAY) / 1000 },
    }
    expect(parseUsageLimitBody(body, { now })?.limiting).toEqual({
      window: 'usage',
      resetsAt: NOW + DAY,
      exhausted: true,
    })
    expect(
      parseUsageLimitBody(
        { error: { type: 'usage_limit_reached', resets_in_seconds: 90 } },
        { now },
      )?.limiting?.resetsAt,
    ).toBe(NOW + 90_000)
    expect(parseUsageLimitBody({ error: { type: 'rate_limit_error' } }, { now })).toBeUndefined()
  })

  it('reads "try again in 3 days 2 hours" from the message', () => {
    const message =
      "You've hit your usage limit. Upgrade to Pro (https://openai.com/chatgpt/pricing) or try again in 3 days 2 hours 11 minutes."
    expect(parseUsageLimitMessage(message, { now })?.limiting?.resetsAt).toBe(
      NOW + 3 * DAY + 2 * HOUR + 11 * 60_000,
    )
    expect(parseUsageLimitMessage('rate limited, try again in 3 days', { now })).toBeUndefined()
  })
})

describe('classification', () => {
  it('a used-up window is a rate limit whose retry hint is the reset, past the 1 h header cap', () => {
    const error = coerceToFailoverError(
      rateLimited({ shape: 'anthropic', headers: anthropicWeeklyRejection() }),
      { now },
    )
    expect(error?.reason).toBe('rate_limit')
    expect(error?.retryAfterMs).toBe(3 * DAY)
    expect(error?.usageLimit?.limiting?.window).toBe('7d')
  })

  it('the Codex message alone is enough', () => {
    const error = coerceToFailoverError(
      new Error("You've hit your usage limit. Try again in 4 days 20 hours 9 minutes."),
      { now },
    )
    expect(error?.reason).toBe('rate_limit')
    expect(error?.retryAfterMs).toBe(4 * DAY + 20 * HOUR + 9 * 60_000)
  })

  it('a plain 429 keeps its Retry-After and has no usage limit', () => {
    const error = coerceToFailoverError(rateLimited({ retryAfterMs: 2000 }), { now })
    expect(error?.retryAfterMs).toBe(2000)
    expect(error?.usageLimit).toBeUndefined()
  })
})

describe('runWithFailover with a used-up subscription window', () => {
  it('cools the whole profile down until the reset, records the window, and moves on', async () => {
    const clock = createFakeClock(NOW)
    const config: ClawConfig = {
      agents: { defaults: { model: { primary: 'anthropic/claude-opus-4-5' } } },
    }
    const backend = createMemoryAuthStore(
      buildAuthProfileStore({
        profiles: {
          'anthropic:max': apiKeyCredential('anthropic', 'key-max'),
          'anthropic:pro': apiKeyCredential('anthropic', 'key-pro'),
        },
        order: { anthropic: ['anthropic:max', 'anthropic:pro'] },
      }),
    )
    const outcome = await runWithFailover({
      config,
      store: backend,
      now: clock.now,
      sleep: () => Promise.resolve(),
      env: {},
      run: ({ apiKey }) =>
        apiKey === 'key-max'
          ? Promise.reject(rateLimited({ shape: 'anthropic', headers: anthropicWeeklyRejection() }))
          : Promise.resolve(apiKey),
    })
    expect(outcome).toMatchObject({ result: 'key-pro', profileId: 'anthropic:pro' })
    const stats = backend.snapshot().usageStats?.['anthropic:max']
    // Profile-wide (every model of the account is blocked), not a model-scoped cooldown.
    expect(stats?.cooldownUntil).toBe(NOW + 3 * DAY)
    expect(stats?.cooldownReason).toBe('rate_limit')
    expect(stats?.modelCooldowns).toBeUndefined()
    expect(stats?.usageLimit).toEqual({ window: '7d', resetsAt: NOW + 3 * DAY, usedPercent: 100 })

    // Two days later the profile is still skipped, for any model.
    clock.advance(2 * DAY)
    const later = await runWithFailover({
      config,
      store: backend,
      now: clock.now,
      sleep: () => Promise.resolve(),
      env: {},
      model: 'claude-sonnet-4-5',
      provider: 'anthropic',
      run: ({ apiKey }) => Promise.resolve(apiKey),
    })
    expect(later.profileId).toBe('anthropic:pro')
  })
})
