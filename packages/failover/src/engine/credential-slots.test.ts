import {
  apiKeyCredential,
  buildAuthProfileStore,
  createFakeClock,
} from '@claw/auth-profiles/testing'
import { describe, expect, it } from 'vitest'
import { config } from '../../test/helpers/run-setup.js'
import { planFailover } from '../plan.js'

describe('trace: why a credential was skipped', () => {
  it('names the window and the failure that started it', async () => {
    const clock = createFakeClock()
    const until = clock.now() + 60_000
    const disabledUntil = clock.now() + 5 * 3_600_000
    const store = buildAuthProfileStore({
      profiles: {
        'anthropic:a': apiKeyCredential('anthropic', 'key-a'),
        'anthropic:b': apiKeyCredential('anthropic', 'key-b'),
        'openai:x': apiKeyCredential('openai', 'key-x'),
      },
      order: { anthropic: ['anthropic:a', 'anthropic:b'] },
      usageStats: {
        'anthropic:a': { cooldownUntil: until, cooldownReason: 'rate_limit', errorCount: 1 },
        'anthropic:b': { disabledUntil, disabledReason: 'billing' },
      },
    })
    const plan = await planFailover({ config, store, env: {}, now: clock.now })
    expect(plan.trace.slice(0, 2)).toEqual([
      expect.objectContaining({
        profileId: 'anthropic:a',
        reason: 'cooldown',
        cooldownReason: 'rate_limit',
        cooldownKind: 'cooldown',
        detail: `cooling down until ${new Date(until).toISOString()} (rate_limit)`,
      }),
      expect.objectContaining({
        profileId: 'anthropic:b',
        reason: 'cooldown',
        cooldownReason: 'billing',
        cooldownKind: 'disabled',
        detail: `disabled until ${new Date(disabledUntil).toISOString()} (billing)`,
      }),
    ])
  })
})

describe('an orphan explicit order', () => {
  it('falls back to the stored profiles, and the trace says why', async () => {
    const clock = createFakeClock()
    const store = buildAuthProfileStore({
      profiles: { 'openai:new': apiKeyCredential('openai', 'key-new') },
      order: { openai: ['openai:old'] },
    })
    const plan = await planFailover({
      store,
      provider: 'openai',
      model: 'gpt-5.2',
      fallbacksOverride: [],
      env: {},
      now: clock.now,
    })
    expect(plan.chosen?.profileId).toBe('openai:new')
    expect(plan.trace).toEqual([
      {
        provider: 'openai',
        model: 'gpt-5.2',
        profileId: 'openai:old',
        outcome: 'skipped',
        reason: 'orphan_order',
        detail:
          "order.openai lists no stored openai profile (openai:old): it is ignored and the provider's other profiles are used.",
      },
      expect.objectContaining({ profileId: 'openai:new', outcome: 'chosen' }),
    ])
  })
})
