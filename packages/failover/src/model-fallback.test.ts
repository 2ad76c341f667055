import { describe, expect, it } from 'vitest'
import { config, MIN, setup } from '../test/helpers/run-setup.js'
import { runWithModelFallback } from './model-fallback.js'

describe('runWithModelFallback', () => {
  it('moves through models, skipping providers in cooldown', async () => {
    const { clock, backend } = setup()
    await backend.update((store) => {
      store.usageStats = {
        'anthropic:a': { cooldownUntil: clock.now() + MIN },
        'anthropic:b': { cooldownUntil: clock.now() + MIN },
      }
    })
    const seen: string[] = []
    const outcome = await runWithModelFallback({
      config,
      store: backend,
      now: clock.now,
      run: (provider, model) => {
        seen.push(`${provider}/${model}`)
        return Promise.resolve('ok')
      },
    })
    expect(seen).toEqual(['openai/gpt-5.2'])
    expect(outcome.attempts).toEqual([
      expect.objectContaining({ reason: 'rate_limit', skipped: true }),
    ])
  })
})
