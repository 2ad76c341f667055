import {
  apiKeyCredential,
  buildAuthProfileStore,
  createFakeClock,
  createMemoryAuthStore,
} from '@claw/auth-profiles/testing'
import { describe, expect, it } from 'vitest'
import { MIN } from '../../test/helpers/run-setup.js'
import { planFailover } from '../plan.js'
import { runWithFailover } from '../run.js'

describe('cooldown-bypass providers', () => {
  it('are called despite a recorded cooldown or disable', async () => {
    const clock = createFakeClock()
    const backend = createMemoryAuthStore(
      buildAuthProfileStore({
        profiles: {
          'openrouter:a': apiKeyCredential('openrouter', 'key-a'),
          'openrouter:b': apiKeyCredential('openrouter', 'key-b'),
        },
        usageStats: {
          'openrouter:a': { disabledUntil: clock.now() + 60 * MIN, disabledReason: 'billing' },
          'openrouter:b': { cooldownUntil: clock.now() + MIN, cooldownReason: 'rate_limit' },
        },
      }),
    )
    const seen: (string | undefined)[] = []
    const outcome = await runWithFailover({
      store: backend,
      provider: 'openrouter',
      model: 'openrouter/auto',
      fallbacksOverride: [],
      now: clock.now,
      run: ({ profileId }) => {
        seen.push(profileId)
        return Promise.resolve('ok')
      },
    })
    expect(outcome.profileId).toBe('openrouter:a')
    expect(seen).toEqual(['openrouter:a'])
    const plan = await planFailover({
      store: backend,
      provider: 'openrouter',
      model: 'openrouter/auto',
      fallbacksOverride: [],
      env: {},
      now: clock.now,
    })
    expect(plan.chosen?.profileId).toBe('openrouter:b')
  })
})
