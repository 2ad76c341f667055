// How a host app tests its claw integration: no disk, no network, no real keys.
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  createFakeClock,
  createMemoryAuthStore,
  findCanaries,
} from '@claw/auth-profiles/testing'
import { FailoverSummaryError } from '@claw/failover'
import { outOfCredit, rateLimited } from '@claw/failover/testing'
import { describe, expect, it } from 'vitest'
import { ask, type ModelCall } from './assistant.ts'

const config = {
  agents: {
    defaults: {
      model: { primary: 'anthropic/claude-sonnet-4-5', fallbacks: ['openai/gpt-5.2'] },
    },
  },
}

function setup() {
  const keys = { work: canarySecret(), home: canarySecret(), openai: canarySecret() }
  const store = createMemoryAuthStore(
    buildAuthProfileStore({
      profiles: {
        'anthropic:work': apiKeyCredential('anthropic', keys.work),
        'anthropic:home': apiKeyCredential('anthropic', keys.home),
        'openai:main': apiKeyCredential('openai', keys.openai),
      },
      order: { anthropic: ['anthropic:work', 'anthropic:home'] },
    }),
  )
  return { keys, store, clock: createFakeClock() }
}

describe('ask()', () => {
  it('rotates to the next account when the first is rate-limited', async () => {
    const { keys, store, clock } = setup()
    const call: ModelCall = ({ apiKey }) =>
      apiKey === keys.work
        ? Promise.reject(rateLimited({ retryAfterMs: 30_000 }))
        : Promise.resolve('hi')

    const answer = await ask({ config, store, call, now: clock.now }, 'hello')

    expect(answer).toEqual({
      text: 'hi',
      servedBy: 'anthropic/claude-sonnet-4-5 (anthropic:home)',
      failures: ['anthropic:work: rate_limit'],
    })
    // The 429's Retry-After became the cooldown: the next request skips the work account...
    const calls: string[] = []
    const recording: ModelCall = (context) => {
      calls.push(context.profileId ?? '')
      return Promise.resolve('hi')
    }
    await ask({ config, store, call: recording, now: clock.now }, 'again')
    expect(calls).toEqual(['anthropic:home'])
    // ...until it expires.
    clock.advance(31_000)
    calls.length = 0
    await ask({ config, store, call: recording, now: clock.now }, 'later')
    expect(calls).toEqual(['anthropic:work'])
  })

  it('falls back to the next model when every account of a provider is out of credit', async () => {
    const { store, clock } = setup()
    const call: ModelCall = ({ provider }) =>
      provider === 'anthropic'
        ? Promise.reject(outOfCredit({ shape: 'anthropic' }))
        : Promise.resolve('from openai')

    const answer = await ask({ config, store, call, now: clock.now }, 'hello')

    expect(answer.servedBy).toBe('openai/gpt-5.2 (openai:main)')
    expect(answer.failures).toEqual(['anthropic:work: billing', 'anthropic:home: billing'])
  })

  it('reports every attempt, without secrets, when everything fails', async () => {
    const { keys, store, clock } = setup()
    const call: ModelCall = () => Promise.reject(rateLimited({ retryAfterMs: 60_000 }))

    const failure = await ask({ config, store, call, now: clock.now }, 'hello').catch(
      (error: unknown) => error,
    )

    expect(FailoverSummaryError.isInstance(failure)).toBe(true)
    const summary = failure as FailoverSummaryError
    expect(summary.message).toMatch(/^All models failed \(3\): /)
    expect(summary.retryAfterMs).toBe(60_000)
    // Nowhere in the error (message, attempts, trace, causes) is any key, even in pieces.
    expect(findCanaries(summary, Object.values(keys), 'error')).toEqual([])
  })
})
