import { createFakeClock } from '@claw/auth-profiles/testing'
import { describe, expect, it } from 'vitest'
import { config, MIN, setup } from '../test/helpers/run-setup.js'
import { planFailover } from './plan.js'

describe('planFailover', () => {
  it('explains what a run would do now, and what it would do if a profile failed', async () => {
    const { clock, backend } = setup()
    await backend.update((store) => {
      store.usageStats = {
        'anthropic:a': { cooldownUntil: clock.now() + MIN, cooldownReason: 'rate_limit' },
      }
    })
    const plan = await planFailover({ config, store: backend, now: clock.now, env: {} })
    expect(plan.chosen).toEqual({
      provider: 'anthropic',
      model: 'claude-opus-4-5',
      profileId: 'anthropic:b',
      credential: 'profile:anthropic:b',
    })
    // The cooling profile goes to the end of the order, so the healthy one is chosen first.
    expect(
      plan.trace.map((entry) => `${entry.profileId}:${entry.outcome}:${entry.reason ?? ''}`),
    ).toEqual(['anthropic:b:chosen:'])
    const pinned = await planFailover({
      config,
      store: backend,
      now: clock.now,
      env: {},
      simulate: { 'anthropic:b': 'rate_limit' },
    })
    expect(
      pinned.trace.map((entry) => `${entry.profileId}:${entry.outcome}:${entry.reason ?? ''}`),
    ).toEqual(['anthropic:b:failed:rate_limit', 'anthropic:a:skipped:cooldown', 'openai:x:chosen:'])
    const simulated = await planFailover({
      config,
      store: backend,
      now: clock.now,
      env: {},
      simulate: { 'anthropic:b': 'billing' },
    })
    expect(simulated.chosen?.profileId).toBe('openai:x')
    // Nothing was persisted by the plan.
    expect(backend.snapshot().usageStats?.['anthropic:b']).toBeUndefined()
  })

  it('reports why nothing would be chosen', async () => {
    const clock = createFakeClock()
    const plan = await planFailover({
      provider: 'groq',
      model: 'x',
      fallbacksOverride: [],
      now: clock.now,
      env: {},
    })
    expect(plan.chosen).toBeUndefined()
    expect(plan.trace[0]).toMatchObject({ outcome: 'skipped', reason: 'unavailable' })
    expect(plan.error?.message).toBeDefined()
  })
})
