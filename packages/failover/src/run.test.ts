// Over 400 lines: one scenario per rule of runWithFailover's policy, all on the shared setup.
import { type ClawConfig } from '@claw/auth-profiles'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  createFakeClock,
  createMemoryAuthStore,
  oauthCredential,
} from '@claw/auth-profiles/testing'
import { describe, expect, it } from 'vitest'
import { config, httpError, MIN, setup } from '../test/helpers/run-setup.js'
import { FailoverError, FailoverSummaryError } from './errors.js'
import { type FailoverEvent } from './events.js'
import { type FailoverCallContext, runWithFailover } from './run.js'

describe('runWithFailover', () => {
  it('returns the first success with an empty attempts list, marking the profile used and good', async () => {
    const { clock, backend, base } = setup()
    const seen: FailoverCallContext[] = []
    const outcome = await runWithFailover({
      ...base,
      run: (context) => {
        seen.push(context)
        return Promise.resolve('ok')
      },
    })
    expect(outcome).toMatchObject({
      result: 'ok',
      provider: 'anthropic',
      model: 'claude-opus-4-5',
      profileId: 'anthropic:a',
      attempts: [],
    })
    expect(seen[0]).toMatchObject({ apiKey: 'key-a', source: 'profile:anthropic:a', attempt: 1 })
    const stored = backend.snapshot()
    expect(stored.usageStats?.['anthropic:a']?.lastUsed).toBe(clock.now())
    expect(stored.lastGood).toEqual({ anthropic: 'anthropic:a' })
  })

  it('rotates to the next profile on a 429 with a model-scoped cooldown from Retry-After', async () => {
    const { clock, backend, base } = setup()
    const events: FailoverEvent[] = []
    const outcome = await runWithFailover({
      ...base,
      onEvent: (event) => events.push(event),
      run: ({ apiKey }) =>
        apiKey === 'key-a'
          ? Promise.reject(httpError(429, 'rate limited', { 'retry-after': '30' }))
          : Promise.resolve(apiKey),
    })
    expect(outcome).toMatchObject({ result: 'key-b', profileId: 'anthropic:b' })
    expect(outcome.attempts).toEqual([
      expect.objectContaining({
        provider: 'anthropic',
        profileId: 'anthropic:a',
        reason: 'rate_limit',
        status: 429,
      }),
    ])
    const cooldown =
      backend.snapshot().usageStats?.['anthropic:a']?.modelCooldowns?.['claude-opus-4-5']
    expect(cooldown?.until).toBe(clock.now() + 30_000)
    expect(events.map((event) => event.type)).toEqual([
      'attempt_started',
      'attempt_failed',
      'cooldown_entered',
      'attempt_started',
      'attempt_succeeded',
    ])
    expect(JSON.stringify(events)).not.toContain('key-a')
  })

  it('skips a provider whose profiles are all cooling down without calling it', async () => {
    const { clock, backend, base } = setup()
    await backend.update((store) => {
      store.usageStats = {
        'anthropic:a': { cooldownUntil: clock.now() + MIN },
        'anthropic:b': { disabledUntil: clock.now() + 5 * MIN, disabledReason: 'billing' },
      }
    })
    const calls: string[] = []
    const outcome = await runWithFailover({
      ...base,
      run: ({ provider }) => {
        calls.push(provider)
        return Promise.resolve('ok')
      },
    })
    expect(calls).toEqual(['openai'])
    expect(outcome.provider).toBe('openai')
    expect(
      outcome.trace.filter((entry) => entry.reason === 'cooldown').map((entry) => entry.profileId),
    ).toEqual(['anthropic:a', 'anthropic:b'])
  })

  it('moves to the next model on model_not_found without penalising the credential', async () => {
    const { backend, base } = setup()
    const outcome = await runWithFailover({
      ...base,
      run: ({ provider }) =>
        provider === 'anthropic'
          ? Promise.reject(new FailoverError('model_not_found', 'no such model'))
          : Promise.resolve('ok'),
    })
    expect(outcome.provider).toBe('openai')
    expect(outcome.attempts).toHaveLength(1)
    expect(backend.snapshot().usageStats?.['anthropic:a']).toBeUndefined()
  })

  it('surfaces format and context-overflow errors without failover, and unclassifiable errors as they are', async () => {
    for (const [error, calls] of [
      [new FailoverError('format', 'tool_use.id mismatch'), 1],
      [new FailoverError('context_overflow', 'prompt is too long'), 1],
      [new Error('bad request'), 1],
    ] as const) {
      const { base } = setup()
      let count = 0
      await expect(
        runWithFailover({
          ...base,
          run: () => {
            count += 1
            return Promise.reject(error)
          },
        }),
      ).rejects.toBe(error)
      expect(count).toBe(calls)
    }
  })

  it('retries a timeout once on the same credential, then moves on, never faster than 250 ms', async () => {
    const { clock, backend, base } = setup()
    const calls: { key: string | undefined; at: number }[] = []
    const outcome = await runWithFailover({
      ...base,
      run: ({ apiKey }) => {
        calls.push({ key: apiKey, at: clock.now() })
        return apiKey === 'key-a'
          ? Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ETIMEDOUT' }))
          : Promise.resolve('ok')
      },
    })
    expect(calls.map((call) => call.key)).toEqual(['key-a', 'key-a', 'key-b'])
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(250)
    expect(outcome.profileId).toBe('anthropic:b')
    expect(
      backend.snapshot().usageStats?.['anthropic:a']?.modelCooldowns?.['claude-opus-4-5']?.reason,
    ).toBe('timeout')
  })

  it('disables on billing and uses the next profile', async () => {
    const { clock, backend, base } = setup()
    await runWithFailover({
      ...base,
      run: ({ apiKey }) =>
        apiKey === 'key-a'
          ? Promise.reject(httpError(402, 'payment required'))
          : Promise.resolve('ok'),
    })
    expect(backend.snapshot().usageStats?.['anthropic:a']).toMatchObject({
      disabledReason: 'billing',
      disabledUntil: clock.now() + 5 * 60 * MIN,
    })
  })

  it('never rotates a user-pinned profile, uses it even in cooldown, and errors when it is not usable', async () => {
    const { clock, backend, base } = setup()
    await backend.update((store) => {
      store.usageStats = { 'anthropic:b': { cooldownUntil: clock.now() + MIN } }
    })
    const keys: (string | undefined)[] = []
    const outcome = await runWithFailover({
      ...base,
      sessionProfile: { profileId: 'anthropic:b', source: 'user' },
      run: ({ apiKey }) => {
        keys.push(apiKey)
        return apiKey === 'key-b'
          ? Promise.reject(httpError(429, 'rate limited'))
          : Promise.resolve('ok')
      },
    })
    expect(keys).toEqual(['key-b', 'key-x'])
    expect(outcome.provider).toBe('openai')
    await expect(
      runWithFailover({
        ...base,
        sessionProfile: { profileId: 'openai:x', source: 'user' },
        provider: 'openai',
        model: 'gpt-5.2',
        fallbacksOverride: [],
        run: () => Promise.resolve('ok'),
      }),
    ).resolves.toMatchObject({ profileId: 'openai:x' })
  })

  it('throws a summary with every attempt and the soonest retry when everything fails', async () => {
    const { base } = setup()
    let error: unknown
    try {
      await runWithFailover({
        ...base,
        run: () => Promise.reject(httpError(429, 'rate limited', { 'retry-after': '30' })),
      })
    } catch (caught) {
      error = caught
    }
    expect(FailoverSummaryError.isInstance(error)).toBe(true)
    const summary = error as FailoverSummaryError
    expect(summary.attempts.map((attempt) => `${attempt.provider}/${attempt.profileId}`)).toEqual([
      'anthropic/anthropic:a',
      'anthropic/anthropic:b',
      'openai/openai:x',
    ])
    expect(summary.message).toMatch(/^All models failed \(3\): anthropic\/claude-opus-4-5: /)
    expect(summary.reason).toBe('rate_limit')
    expect(summary.retryAfterMs).toBe(30_000)
    expect(summary.trace.length).toBeGreaterThanOrEqual(3)
  })

  it('rethrows the original error when only one call was made', async () => {
    const { base } = setup()
    const original = httpError(401, 'invalid api key')
    await expect(
      runWithFailover({
        ...base,
        provider: 'openai',
        model: 'gpt-5.2',
        fallbacksOverride: [],
        run: () => Promise.reject(original),
      }),
    ).rejects.toBe(original)
  })

  it('stops at the attempt budget', async () => {
    const { base } = setup()
    let calls = 0
    await expect(
      runWithFailover({
        ...base,
        maxAttempts: 2,
        run: () => {
          calls += 1
          return Promise.reject(httpError(500, 'internal server error'))
        },
      }),
    ).rejects.toThrow('All models failed')
    expect(calls).toBe(2)
  })

  it('bounds the call itself by the remaining time budget', async () => {
    const { backend } = setup()
    const signals: AbortSignal[] = []
    await expect(
      runWithFailover({
        config,
        store: backend,
        env: {},
        deadlineMs: 30,
        run: ({ signal }) => {
          if (signal) signals.push(signal)
          // A call that never answers on its own: only the budget can end it.
          return new Promise((_, reject) => {
            signal?.addEventListener('abort', () => reject(signal.reason as Error))
          })
        },
      }),
    ).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(signals).toHaveLength(1)
    expect(signals[0]?.aborted).toBe(true)
  })

  it('stops immediately on the caller abort with no further calls', async () => {
    const { clock, backend } = setup()
    const controller = new AbortController()
    let calls = 0
    const started = performance.now()
    await expect(
      runWithFailover({
        config,
        store: backend,
        now: clock.now,
        env: {},
        signal: controller.signal,
        run: () => {
          calls += 1
          controller.abort()
          return Promise.reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))
        },
      }),
    ).rejects.toMatchObject({ name: 'AbortError' })
    expect(calls).toBe(1)
    expect(performance.now() - started).toBeLessThan(100)
  })

  it('rotates env keys on rate limits only when there are no profiles', async () => {
    const clock = createFakeClock()
    const keys: (string | undefined)[] = []
    const outcome = await runWithFailover({
      provider: 'groq',
      model: 'llama-3.3-70b-versatile',
      fallbacksOverride: [],
      now: clock.now,
      sleep: () => Promise.resolve(),
      env: { GROQ_API_KEYS: 'g1,g2,g3' },
      run: ({ apiKey }) => {
        keys.push(apiKey)
        return apiKey === 'g3'
          ? Promise.resolve('ok')
          : Promise.reject(httpError(429, 'too many requests'))
      },
    })
    expect(keys).toEqual(['g1', 'g2', 'g3'])
    expect(outcome.result).toBe('ok')
  })

  it('refreshes an OAuth token once after a 401 before rotating', async () => {
    const { clock, sleep } = setup()
    const backend = createMemoryAuthStore(
      buildAuthProfileStore({
        profiles: {
          'openai-codex:me': oauthCredential('openai-codex', clock.now() + 60 * MIN, {
            access: 'old-access',
          }),
        },
      }),
    )
    const registry = (await import('@claw/auth-profiles')).createOAuthProviderRegistry([
      {
        id: 'openai-codex',
        displayName: 'test',
        flow: 'authorization_code',
        endpoints: {},
        clientId: 'c',
        scopes: [],
        login: () => Promise.reject(new Error('unused')),
        refresh: (credential) =>
          Promise.resolve({
            access: 'new-access',
            refresh: `${credential.refresh}-2`,
            expires: clock.now() + 60 * MIN,
          }),
      },
    ])
    const tokens: (string | undefined)[] = []
    const outcome = await runWithFailover({
      store: backend,
      provider: 'openai-codex',
      model: 'gpt-5.2',
      fallbacksOverride: [],
      now: clock.now,
      sleep,
      env: {},
      oauth: {
        providers: registry,
        lock: { staleMs: 2_000, retries: 20, minRetryDelayMs: 50, maxRetryDelayMs: 500 },
        callTimeoutMs: 1_000,
      },
      run: ({ apiKey }) => {
        tokens.push(apiKey)
        return apiKey === 'old-access'
          ? Promise.reject(httpError(401, 'token expired'))
          : Promise.resolve('ok')
      },
    })
    expect(tokens).toEqual(['old-access', 'new-access'])
    expect(outcome.result).toBe('ok')
  })
})

describe('runWithFailover: the endpoint each call gets', () => {
  it('passes the configured base URL, else the provider default, else undefined', async () => {
    const { backend } = setup()
    const seen: (string | undefined)[] = []
    const run = (context: FailoverCallContext) => {
      seen.push(context.baseUrl)
      return Promise.resolve('ok')
    }
    const configured: ClawConfig = {
      ...config,
      models: { providers: { OpenAI: { baseUrl: 'http://127.0.0.1:9/v1' } } },
    }
    await runWithFailover({
      config: configured,
      store: backend,
      provider: 'openai',
      model: 'gpt-5.2',
      run,
    })
    await runWithFailover({ config, store: backend, provider: 'openai', model: 'gpt-5.2', run })
    await runWithFailover({
      config,
      store: createMemoryAuthStore(
        buildAuthProfileStore({ profiles: { 'nowhere:a': apiKeyCredential('nowhere', 'k') } }),
      ),
      provider: 'nowhere',
      model: 'm',
      fallbacksOverride: [],
      run,
    })
    expect(seen).toEqual(['http://127.0.0.1:9/v1', 'https://api.openai.com/v1', undefined])
  })
})
