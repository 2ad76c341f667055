// Over 400 lines: one case per bookkeeping rule, a describe per function.
import { describe, expect, it } from 'vitest'
import { resolveCooldownSettings } from '../config.js'
import {
  calculateAuthProfileCooldownMs,
  calculateBillingDisableMs,
  clearExpiredCooldowns,
  isProfileInCooldown,
} from './cooldowns.js'
import { createMemoryAuthStore } from '../store/memory-store.js'
import { apiKeyCredential, buildAuthProfileStore, createFakeClock } from '../testing/index.js'
import {
  clearAuthProfileCooldown,
  markAuthProfileFailure,
  markAuthProfileGood,
  markAuthProfileUsed,
} from './bookkeeping.js'

const MIN = 60_000
const HOUR = 60 * MIN

describe('calculateAuthProfileCooldownMs', () => {
  it.each([
    [0, 1],
    [1, 1],
    [2, 5],
    [3, 25],
    [4, 60],
    [5, 60],
    [100, 60],
  ])('errorCount %i → %i min', (errorCount, minutes) => {
    expect(calculateAuthProfileCooldownMs(errorCount)).toBe(minutes * MIN)
  })
})

describe('calculateBillingDisableMs', () => {
  const defaults = resolveCooldownSettings(undefined, 'anthropic')

  it.each([
    [1, 5],
    [2, 10],
    [3, 20],
    [4, 24],
    [12, 24],
  ])('billing failure %i → %i h', (count, hours) => {
    expect(calculateBillingDisableMs(count, defaults)).toBe(hours * HOUR)
  })

  it('uses config overrides, per-provider bases matched after normalisation, and sane fallbacks', () => {
    const config = {
      auth: {
        cooldowns: {
          billingBackoffHours: 2,
          billingMaxHours: 6,
          billingBackoffHoursByProvider: { 'Z.AI': 1 },
          failureWindowHours: -3,
        },
      },
    }
    expect(calculateBillingDisableMs(1, resolveCooldownSettings(config, 'openai'))).toBe(2 * HOUR)
    expect(calculateBillingDisableMs(5, resolveCooldownSettings(config, 'openai'))).toBe(6 * HOUR)
    expect(calculateBillingDisableMs(1, resolveCooldownSettings(config, 'zai'))).toBe(1 * HOUR)
    expect(resolveCooldownSettings(config, 'openai').failureWindowMs).toBe(24 * HOUR)
    expect(calculateBillingDisableMs(1, { billingBackoffMs: 1, billingMaxMs: 1 })).toBe(MIN)
  })
})

function setup(extraStats = {}) {
  const clock = createFakeClock()
  const store = createMemoryAuthStore(
    buildAuthProfileStore({
      profiles: {
        'anthropic:a': apiKeyCredential('anthropic'),
        'openrouter:a': apiKeyCredential('openrouter'),
      },
      usageStats: { 'anthropic:a': { lastUsed: clock.now() - HOUR, ...extraStats } },
    }),
  )
  return { clock, store, profileId: 'anthropic:a' }
}

describe('markAuthProfileFailure', () => {
  it('sets a 1-minute cooldown and the counters, keeping lastUsed', async () => {
    const { clock, store, profileId } = setup()
    const result = await markAuthProfileFailure({
      store,
      profileId,
      reason: 'auth',
      now: clock.now,
    })
    expect(result).toEqual({ changed: true, persisted: true })
    expect(store.snapshot().usageStats?.[profileId]).toEqual({
      lastUsed: clock.now() - HOUR,
      errorCount: 1,
      failureCounts: { auth: 1 },
      lastFailureAt: clock.now(),
      cooldownUntil: clock.now() + MIN,
      cooldownReason: 'auth',
    })
  })

  it('never extends an active window, but counts', async () => {
    const { clock, store, profileId } = setup()
    await markAuthProfileFailure({ store, profileId, reason: 'unknown', now: clock.now })
    const until = store.snapshot().usageStats?.[profileId]?.cooldownUntil
    clock.advance(30_000)
    await markAuthProfileFailure({ store, profileId, reason: 'unknown', now: clock.now })
    expect(store.snapshot().usageStats?.[profileId]?.cooldownUntil).toBe(until)
    expect(store.snapshot().usageStats?.[profileId]?.errorCount).toBe(2)
  })

  it('lets a provider deadline (Retry-After) extend an active window, and set a new one precisely', async () => {
    const { clock, store, profileId } = setup()
    await markAuthProfileFailure({
      store,
      profileId,
      reason: 'overloaded',
      retryAfterMs: 30_000,
      now: clock.now,
    })
    expect(store.snapshot().usageStats?.[profileId]?.cooldownUntil).toBe(clock.now() + 30_000)
    await markAuthProfileFailure({
      store,
      profileId,
      reason: 'overloaded',
      retryAfterMs: 10 * MIN,
      now: clock.now,
    })
    expect(store.snapshot().usageStats?.[profileId]?.cooldownUntil).toBe(clock.now() + 10 * MIN)
    await markAuthProfileFailure({
      store,
      profileId,
      reason: 'overloaded',
      retryAfterMs: 1_000,
      now: clock.now,
    })
    expect(store.snapshot().usageStats?.[profileId]?.cooldownUntil).toBe(clock.now() + 10 * MIN)
  })

  it('caps absurd retry hints at 24 h and ignores invalid ones', async () => {
    const { clock, store, profileId } = setup()
    await markAuthProfileFailure({
      store,
      profileId,
      reason: 'overloaded',
      retryAfterMs: 1e12,
      now: clock.now,
    })
    expect(store.snapshot().usageStats?.[profileId]?.cooldownUntil).toBe(clock.now() + 24 * HOUR)
    const other = setup()
    await markAuthProfileFailure({
      store: other.store,
      profileId,
      reason: 'overloaded',
      retryAfterMs: -5,
      now: other.clock.now,
    })
    expect(other.store.snapshot().usageStats?.[profileId]?.cooldownUntil).toBe(
      other.clock.now() + MIN,
    )
  })

  it('keeps escalating across an expired window', async () => {
    const { clock, store, profileId } = setup({
      errorCount: 3,
      failureCounts: { auth: 3 },
      lastFailureAt: Date.UTC(2026, 0, 1) - 26 * MIN,
      cooldownUntil: Date.UTC(2026, 0, 1) - 1,
    })
    await markAuthProfileFailure({ store, profileId, reason: 'auth', now: clock.now })
    expect(store.snapshot().usageStats?.[profileId]).toMatchObject({
      errorCount: 4,
      failureCounts: { auth: 4 },
      cooldownUntil: clock.now() + 60 * MIN,
    })
  })

  it.each([
    ['a profile-wide failure', 'unknown', undefined],
    ['a rate limit of one model', 'rate_limit', 'claude-opus-4-5'],
  ] as const)(
    'backs off 1, 5, 25, 60, 60 min for %s that fails again right after every window',
    async (_name, reason, model) => {
      const { clock, store, profileId } = setup()
      const windows: number[] = []
      for (let index = 0; index < 5; index += 1) {
        await markAuthProfileFailure({ store, profileId, reason, model, now: clock.now })
        const stats = store.snapshot().usageStats?.[profileId]
        const until = model ? stats?.modelCooldowns?.[model]?.until : stats?.cooldownUntil
        windows.push(((until ?? 0) - clock.now()) / MIN)
        clock.set((until ?? 0) + 1)
      }
      expect(windows).toEqual([1, 5, 25, 60, 60])
    },
  )

  it('restarts the ladder after a success, or once the failure window passes without a failure', async () => {
    const { clock, store, profileId } = setup()
    const fail = async () => {
      const failedAt = clock.now()
      await markAuthProfileFailure({ store, profileId, reason: 'overloaded', now: clock.now })
      const until = store.snapshot().usageStats?.[profileId]?.cooldownUntil ?? 0
      clock.set(until + 1)
      return (until - failedAt) / MIN
    }
    expect([await fail(), await fail()]).toEqual([1, 5])
    await markAuthProfileUsed({ store, profileId, now: clock.now })
    expect([await fail(), await fail()]).toEqual([1, 5])
    clock.advance(24 * HOUR + 1)
    expect(await fail()).toBe(1)
    expect(store.snapshot().usageStats?.[profileId]?.errorCount).toBe(1)
  })

  it('keeps an expired window recorded (the profile is on probation) until a success', async () => {
    const { clock, store, profileId } = setup()
    await markAuthProfileFailure({
      store,
      profileId,
      reason: 'rate_limit',
      model: 'm',
      now: clock.now,
    })
    await markAuthProfileFailure({ store, profileId, reason: 'overloaded', now: clock.now })
    const ended = { ...store.snapshot().usageStats?.[profileId] }
    clock.advance(10 * MIN)
    // A failure of another model leaves the ended windows as they were.
    await markAuthProfileFailure({
      store,
      profileId,
      reason: 'timeout',
      model: 'other',
      now: clock.now,
    })
    expect(store.snapshot().usageStats?.[profileId]).toMatchObject({
      cooldownUntil: ended.cooldownUntil,
      modelCooldowns: { m: ended.modelCooldowns?.['m'] },
    })
    expect(isProfileInCooldown(store.snapshot(), profileId, { model: 'm', now: clock.now() })).toBe(
      false,
    )
    await markAuthProfileUsed({ store, profileId, model: 'm', now: clock.now })
    expect(store.snapshot().usageStats?.[profileId]?.cooldownUntil).toBeUndefined()
    expect(store.snapshot().usageStats?.[profileId]?.modelCooldowns?.['m']).toBeUndefined()
  })

  it('restarts counters older than the failure window', async () => {
    const { clock, store, profileId } = setup({
      errorCount: 2,
      failureCounts: { auth: 2 },
      lastFailureAt: Date.UTC(2026, 0, 1) - 25 * HOUR,
    })
    await markAuthProfileFailure({ store, profileId, reason: 'auth', now: clock.now })
    expect(store.snapshot().usageStats?.[profileId]).toMatchObject({
      errorCount: 1,
      failureCounts: { auth: 1 },
    })
    const within = setup({
      errorCount: 2,
      failureCounts: { auth: 2 },
      lastFailureAt: Date.UTC(2026, 0, 1) - HOUR,
    })
    await markAuthProfileFailure({
      store: within.store,
      profileId,
      reason: 'auth',
      now: within.clock.now,
    })
    expect(within.store.snapshot().usageStats?.[profileId]).toMatchObject({
      errorCount: 3,
      cooldownUntil: within.clock.now() + 25 * MIN,
    })
  })

  it('disables on billing for 5 h doubling to 24 h, leaving the cooldown alone', async () => {
    const { clock, store, profileId } = setup()
    const hours: number[] = []
    for (let index = 0; index < 5; index += 1) {
      await markAuthProfileFailure({ store, profileId, reason: 'billing', now: clock.now })
      const stats = store.snapshot().usageStats?.[profileId]
      hours.push(((stats?.disabledUntil ?? 0) - clock.now()) / HOUR)
      expect(stats?.disabledReason).toBe('billing')
      expect(stats?.cooldownUntil).toBeUndefined()
      clock.set(stats?.disabledUntil ?? 0)
    }
    expect(hours).toEqual([5, 10, 20, 24, 24])
  })

  it('scopes rate_limit, timeout and model_not_found to the failing model', async () => {
    const { clock, store, profileId } = setup()
    await markAuthProfileFailure({
      store,
      profileId,
      reason: 'rate_limit',
      model: 'claude-opus-4-5',
      now: clock.now,
    })
    await markAuthProfileFailure({
      store,
      profileId,
      reason: 'timeout',
      model: 'claude-haiku-4-5',
      retryAfterMs: 5_000,
      now: clock.now,
    })
    const stats = store.snapshot().usageStats?.[profileId]
    expect(stats?.cooldownUntil).toBeUndefined()
    expect(stats?.modelCooldowns).toEqual({
      'claude-opus-4-5': { until: clock.now() + MIN, reason: 'rate_limit', errorCount: 1 },
      'claude-haiku-4-5': { until: clock.now() + 5_000, reason: 'timeout', errorCount: 1 },
    })
    await markAuthProfileFailure({
      store,
      profileId,
      reason: 'auth',
      model: 'claude-opus-4-5',
      now: clock.now,
    })
    // Scoped failures still count towards the profile's consecutive errors: 3rd failure → 25 min.
    expect(store.snapshot().usageStats?.[profileId]?.cooldownUntil).toBe(clock.now() + 25 * MIN)
    expect(store.snapshot().usageStats?.[profileId]?.cooldownReason).toBe('auth')
  })

  it('only counts for providers that never cool down, unless configured otherwise', async () => {
    const { clock, store } = setup()
    await markAuthProfileFailure({
      store,
      profileId: 'openrouter:a',
      reason: 'rate_limit',
      now: clock.now,
    })
    expect(store.snapshot().usageStats?.['openrouter:a']).toEqual({
      errorCount: 1,
      failureCounts: { rate_limit: 1 },
      lastFailureAt: clock.now(),
    })
    await markAuthProfileFailure({
      store,
      profileId: 'openrouter:a',
      reason: 'rate_limit',
      now: clock.now,
      config: { auth: { cooldowns: { cooldownBypassProviders: [] } } },
    })
    expect(store.snapshot().usageStats?.['openrouter:a']?.cooldownUntil).toBeDefined()
  })

  it('leaves unknown profiles alone', async () => {
    const { clock, store } = setup()
    const result = await markAuthProfileFailure({
      store,
      profileId: 'nobody',
      reason: 'auth',
      now: clock.now,
    })
    expect(result.changed).toBe(false)
    expect(store.snapshot().usageStats?.['nobody']).toBeUndefined()
  })

  it('records through the store handle', async () => {
    const { clock, store, profileId } = setup()
    const result = await markAuthProfileFailure({
      store,
      profileId,
      reason: 'auth',
      now: clock.now,
    })
    expect(result).toEqual({ changed: true, persisted: true })
    expect((await store.load()).usageStats?.[profileId]?.cooldownUntil).toBe(clock.now() + MIN)
  })

  it('still records through the deprecated `persist` target, refreshing the caller’s object', async () => {
    const { clock, store: backend, profileId } = setup()
    const store = backend.snapshot()
    const result = await markAuthProfileFailure({
      store,
      profileId,
      reason: 'auth',
      now: clock.now,
      persist: { backend },
    })
    expect(result).toEqual({ changed: true, persisted: true })
    expect(backend.snapshot().usageStats?.[profileId]?.cooldownUntil).toBe(clock.now() + MIN)
    expect(store.usageStats?.[profileId]?.cooldownUntil).toBe(clock.now() + MIN)
  })
})

describe('markAuthProfileFailure with a used-up subscription window', () => {
  const DAY = 24 * HOUR

  it('cools the whole profile down until the reset and records the window', async () => {
    const { clock, store, profileId } = setup()
    // A model-scoped cooldown of another model is replaced by the profile-wide one.
    await markAuthProfileFailure({
      store,
      profileId,
      reason: 'rate_limit',
      model: 'm',
      now: clock.now,
    })
    const usageLimit = { window: '7d', resetsAt: clock.now() + 3 * DAY, usedPercent: 100 }
    await markAuthProfileFailure({
      store,
      profileId,
      reason: 'rate_limit',
      model: 'm',
      usageLimit,
      now: clock.now,
    })
    const stats = store.snapshot().usageStats?.[profileId]
    expect(stats).toMatchObject({
      cooldownUntil: clock.now() + 3 * DAY,
      cooldownReason: 'rate_limit',
      usageLimit,
    })
    expect(stats?.cooldownModel).toBeUndefined()
  })

  it('caps a reset beyond 8 days and ignores one in the past', async () => {
    const { clock, store, profileId } = setup()
    await markAuthProfileFailure({
      store,
      profileId,
      reason: 'rate_limit',
      usageLimit: { window: '7d', resetsAt: clock.now() + 30 * DAY },
      now: clock.now,
    })
    expect(store.snapshot().usageStats?.[profileId]?.cooldownUntil).toBe(clock.now() + 8 * DAY)
    const other = setup()
    await markAuthProfileFailure({
      store: other.store,
      profileId: other.profileId,
      reason: 'rate_limit',
      usageLimit: { window: '5h', resetsAt: other.clock.now() - 1 },
      now: other.clock.now,
    })
    expect(other.store.snapshot().usageStats?.[other.profileId]?.usageLimit).toBeUndefined()
    expect(other.store.snapshot().usageStats?.[other.profileId]?.cooldownUntil).toBe(
      other.clock.now() + MIN,
    )
  })

  it('goes away with the cooldown: on expiry, on success, and on clear-cooldown', async () => {
    const { clock, store, profileId } = setup()
    const spend = () =>
      markAuthProfileFailure({
        store,
        profileId,
        reason: 'rate_limit',
        usageLimit: { window: '5h', resetsAt: clock.now() + HOUR },
        now: clock.now,
      })
    const recorded = () => store.snapshot().usageStats?.[profileId]?.usageLimit
    await spend()
    clock.advance(HOUR + 1)
    const expired = structuredClone(store.snapshot())
    expect(clearExpiredCooldowns(expired, { now: clock.now() })).toBe(true)
    expect(expired.usageStats?.[profileId]?.usageLimit).toBeUndefined()
    await spend()
    await markAuthProfileUsed({ store, profileId, now: clock.now })
    expect(recorded()).toBeUndefined()
    await spend()
    expect(recorded()).toBeDefined()
    await clearAuthProfileCooldown({ store, profileId, now: clock.now })
    expect(recorded()).toBeUndefined()
  })
})

describe('markAuthProfileUsed', () => {
  it('sets lastUsed and clears errors, cooldown, disable and counts but keeps lastFailureAt', async () => {
    const { clock, store, profileId } = setup({
      errorCount: 2,
      cooldownUntil: Date.UTC(2026, 0, 1) + MIN,
      cooldownReason: 'auth',
      disabledUntil: Date.UTC(2026, 0, 1) + HOUR,
      disabledReason: 'billing',
      failureCounts: { auth: 2 },
      lastFailureAt: 123,
      modelCooldowns: {
        a: { until: Date.UTC(2026, 0, 1) + MIN, reason: 'rate_limit' },
        b: { until: Date.UTC(2026, 0, 1) + MIN, reason: 'rate_limit' },
      },
    })
    await markAuthProfileUsed({ store, profileId, model: 'a', now: clock.now })
    expect(store.snapshot().usageStats?.[profileId]).toEqual({
      lastUsed: clock.now(),
      errorCount: 0,
      lastFailureAt: 123,
      modelCooldowns: { b: { until: Date.UTC(2026, 0, 1) + MIN, reason: 'rate_limit' } },
    })
  })

  it('is a no-op for unknown profiles', async () => {
    const { clock, store } = setup()
    expect((await markAuthProfileUsed({ store, profileId: 'none', now: clock.now })).changed).toBe(
      false,
    )
  })
})

describe('clearAuthProfileCooldown', () => {
  it('clears cooldowns and errorCount but keeps a billing disable', async () => {
    const { store, profileId } = setup({
      errorCount: 4,
      cooldownUntil: 5,
      cooldownReason: 'auth',
      disabledUntil: 9,
      disabledReason: 'billing',
      modelCooldowns: { m: { until: 7, reason: 'rate_limit' } },
    })
    await clearAuthProfileCooldown({ store, profileId })
    expect(store.snapshot().usageStats?.[profileId]).toMatchObject({
      errorCount: 0,
      disabledUntil: 9,
      disabledReason: 'billing',
    })
    expect(store.snapshot().usageStats?.[profileId]?.cooldownUntil).toBeUndefined()
    expect(store.snapshot().usageStats?.[profileId]?.modelCooldowns).toBeUndefined()
    const bare = createMemoryAuthStore(
      buildAuthProfileStore({ profiles: { p: apiKeyCredential('x') } }),
    )
    expect((await clearAuthProfileCooldown({ store: bare, profileId: 'p' })).changed).toBe(false)
  })
})

describe('markAuthProfileGood', () => {
  it('records lastGood under the normalised provider when the profile belongs to it', async () => {
    const store = createMemoryAuthStore(
      buildAuthProfileStore({ profiles: { 'zai:a': apiKeyCredential('Z.AI') } }),
    )
    await markAuthProfileGood({ store, provider: 'zai', profileId: 'zai:a' })
    expect(store.snapshot().lastGood).toEqual({ zai: 'zai:a' })
    expect(
      (await markAuthProfileGood({ store, provider: 'openai', profileId: 'zai:a' })).changed,
    ).toBe(false)
  })
})

describe('clearExpiredCooldowns', () => {
  it('removes expired windows independently and keeps the counters', () => {
    const now = 1_000_000
    const store = buildAuthProfileStore({
      profiles: { a: apiKeyCredential('x'), b: apiKeyCredential('x'), c: apiKeyCredential('x') },
      usageStats: {
        a: {
          cooldownUntil: now - 1,
          cooldownReason: 'auth',
          errorCount: 3,
          failureCounts: { auth: 3 },
          lastFailureAt: 5,
        },
        b: {
          cooldownUntil: now - 1,
          disabledUntil: now + 1,
          disabledReason: 'billing',
          errorCount: 2,
        },
        c: {
          modelCooldowns: {
            m: { until: now - 1, reason: 'rate_limit' },
            n: { until: now + 1, reason: 'timeout' },
          },
          errorCount: 1,
        },
      },
    })
    expect(clearExpiredCooldowns(store, { now })).toBe(true)
    expect(store.usageStats?.['a']).toEqual({
      errorCount: 3,
      failureCounts: { auth: 3 },
      lastFailureAt: 5,
    })
    expect(store.usageStats?.['b']).toEqual({
      disabledUntil: now + 1,
      disabledReason: 'billing',
      errorCount: 2,
    })
    expect(store.usageStats?.['c']).toEqual({
      modelCooldowns: { n: { until: now + 1, reason: 'timeout' } },
      errorCount: 1,
    })
    expect(clearExpiredCooldowns(store, { now })).toBe(false)
  })
})
