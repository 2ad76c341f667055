// One probe per expiry, not a herd: 50 concurrent runs over real HTTP against the fake provider,
// whose key a always answers 429 with `Retry-After: 1` and key b succeeds. Whenever a's window
// ends, a is the least recently used profile and so first in every run's order; exactly one run
// may probe it, the others keep to b. Real clock and timers: the runs overlap for real.
import {
  apiKeyCredential,
  buildAuthProfileStore,
  createMemoryAuthStore,
} from '@claw/auth-profiles/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { runWithFailover, type FailoverEvent } from '@claw/failover'
import {
  behave,
  chatCompletionsCall,
  startProviderServer,
  type ProviderServer,
} from '@claw/failover/testing'

const KEY_A = 'sk-herd-test-limited-0001'
const KEY_B = 'sk-herd-test-healthy-0002'
const MODEL = 'gpt-5.2'
const WORKERS = 50

let provider: ProviderServer | undefined
afterEach(async () => {
  await provider?.close()
  provider = undefined
})

describe('one probe per expiry', () => {
  it('50 concurrent runs send at most one request to the limited key per expiry', async () => {
    provider = await startProviderServer()
    // The 429 takes a moment, as a real one does: runs that decide meanwhile all see a as free.
    provider.setBehaviour(
      KEY_A,
      behave.rateLimit({ format: 'seconds', seconds: 1 }, { delayMs: 20 }),
    )
    provider.setBehaviour(KEY_B, behave.latency(20))
    const started = Date.now()
    // a's window (for the model, as a 429 records it) has just ended: the first expiry is now.
    const store = createMemoryAuthStore(
      buildAuthProfileStore({
        profiles: {
          'openai:a': apiKeyCredential('openai', KEY_A),
          'openai:b': apiKeyCredential('openai', KEY_B),
        },
        usageStats: {
          'openai:a': {
            errorCount: 1,
            lastFailureAt: started - 60_000,
            modelCooldowns: {
              [MODEL]: { until: started - 1, reason: 'rate_limit', errorCount: 1 },
            },
          },
          'openai:b': { lastUsed: started - 1_000 },
        },
      }),
    )
    const call = chatCompletionsCall(provider.endpoint)
    /** When each of a's windows ends, as recorded. */
    const windowEnds: number[] = []
    const onEvent = (event: FailoverEvent) => {
      if (event.type === 'cooldown_entered' && event.profileId === 'openai:a')
        windowEnds.push(event.until)
    }
    const end = started + 3_500
    const failures: unknown[] = []
    const worker = async () => {
      while (Date.now() < end) {
        await runWithFailover({
          store,
          provider: 'openai',
          model: MODEL,
          fallbacksOverride: [],
          env: {},
          minRetryGapMs: 0,
          run: call,
          onEvent,
        }).catch((error: unknown) => failures.push(error))
      }
    }
    await Promise.all(Array.from({ length: WORKERS }, worker))

    expect(failures).toEqual([])
    const callsToA = provider.stats().byKey[KEY_A]?.times ?? []
    // Each call to a belongs to the latest expiry before it (the start, or a window's end).
    const expiries = [started, ...windowEnds].sort((x, y) => x - y)
    const perExpiry = new Map<number, number>()
    for (const at of callsToA) {
      const expiry = expiries.filter((value) => value <= at).at(-1) ?? started
      perExpiry.set(expiry, (perExpiry.get(expiry) ?? 0) + 1)
    }
    // Several expiries happened (a was probed again after each window), never more than one call each.
    expect(callsToA.length).toBeGreaterThanOrEqual(2)
    expect(Math.max(...perExpiry.values())).toBe(1)
    expect(provider.stats().byKey[KEY_B]?.count).toBeGreaterThan(WORKERS)
  }, 30_000)
})
