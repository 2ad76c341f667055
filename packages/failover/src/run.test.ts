import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openAuthStore, upsertAuthProfile, type ClawConfig } from '@claw/auth-profiles'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  createFakeClock,
  createMemoryAuthStore,
  oauthCredential,
} from '@claw/auth-profiles/testing'
import { describe, expect, it } from 'vitest'
import { buildFallbackCandidates } from './candidates.js'
import { FailoverError, FailoverSummaryError } from './errors.js'
import type { FailoverEvent } from './events.js'
import { runWithModelFallback } from './model-fallback.js'
import { planFailover } from './plan.js'
import { runWithFailover, type FailoverCallContext } from './run.js'

const MIN = 60_000

const config: ClawConfig = {
  agents: {
    defaults: {
      model: { primary: 'anthropic/claude-opus-4-5', fallbacks: ['openai/gpt-5.2'] },
    },
  },
}

function setup() {
  const clock = createFakeClock()
  const store = buildAuthProfileStore({
    profiles: {
      'anthropic:a': apiKeyCredential('anthropic', 'key-a'),
      'anthropic:b': apiKeyCredential('anthropic', 'key-b'),
      'openai:x': apiKeyCredential('openai', 'key-x'),
    },
    order: { anthropic: ['anthropic:a', 'anthropic:b'] },
  })
  const backend = createMemoryAuthStore(store)
  // Virtual sleep: advances the fake clock instead of waiting.
  const sleep = (ms: number) => {
    clock.advance(ms)
    return Promise.resolve()
  }
  return { clock, backend, sleep }
}

function httpError(status: number, message: string, headers: Record<string, string> = {}) {
  return Object.assign(new Error(message), { status, headers })
}

describe('buildFallbackCandidates', () => {
  it('puts the requested model first, then fallbacks, then the primary', () => {
    expect(
      buildFallbackCandidates({ config, provider: 'openai', model: 'gpt-5-mini' }).map(
        (c) => c.key,
      ),
    ).toEqual(['openai/gpt-5-mini', 'openai/gpt-5.2', 'anthropic/claude-opus-4-5'])
  })

  it('defaults to the primary, dedupes, and lets an override (even []) replace fallbacks', () => {
    expect(buildFallbackCandidates({ config }).map((c) => c.key)).toEqual([
      'anthropic/claude-opus-4-5',
      'openai/gpt-5.2',
    ])
    expect(buildFallbackCandidates({ config, fallbacksOverride: [] }).map((c) => c.key)).toEqual([
      'anthropic/claude-opus-4-5',
    ])
    expect(
      buildFallbackCandidates({
        config,
        model: 'openai/gpt-5.2',
        fallbacksOverride: ['anthropic/claude-haiku-4-5'],
      }).map((c) => c.key),
    ).toEqual(['openai/gpt-5.2', 'anthropic/claude-haiku-4-5'])
  })

  it('enforces the allowlist for fallbacks only, resolving aliases', () => {
    const allowlisted: ClawConfig = {
      agents: {
        defaults: {
          model: {
            primary: 'anthropic/claude-opus-4-5',
            fallbacks: ['gpt', 'openai/gpt-4.1-mini', 'nope/'],
          },
          models: { 'anthropic/claude-opus-4-5': {}, 'openai/gpt-5.2': { alias: 'gpt' } },
        },
      },
    }
    expect(
      buildFallbackCandidates({ config: allowlisted, model: 'openai/gpt-4.1-mini' }).map(
        (c) => c.key,
      ),
    ).toEqual(['openai/gpt-4.1-mini', 'openai/gpt-5.2', 'anthropic/claude-opus-4-5'])
  })
})

describe('runWithFailover', () => {
  it('returns the first success with an empty attempts list, marking the profile used and good', async () => {
    const { clock, backend, sleep } = setup()
    const seen: FailoverCallContext[] = []
    const outcome = await runWithFailover({
      config,
      store: backend,
      now: clock.now,
      sleep,
      env: {},
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
    const { clock, backend, sleep } = setup()
    const events: FailoverEvent[] = []
    const outcome = await runWithFailover({
      config,
      store: backend,
      now: clock.now,
      sleep,
      env: {},
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
    const { clock, backend, sleep } = setup()
    await backend.update((store) => {
      store.usageStats = {
        'anthropic:a': { cooldownUntil: clock.now() + MIN },
        'anthropic:b': { disabledUntil: clock.now() + 5 * MIN, disabledReason: 'billing' },
      }
    })
    const calls: string[] = []
    const outcome = await runWithFailover({
      config,
      store: backend,
      now: clock.now,
      sleep,
      env: {},
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
    const { clock, backend, sleep } = setup()
    const outcome = await runWithFailover({
      config,
      store: backend,
      now: clock.now,
      sleep,
      env: {},
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
      const { clock, backend, sleep } = setup()
      let count = 0
      await expect(
        runWithFailover({
          config,
          store: backend,
          now: clock.now,
          sleep,
          env: {},
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
    const { clock, backend, sleep } = setup()
    const calls: { key: string | undefined; at: number }[] = []
    const outcome = await runWithFailover({
      config,
      store: backend,
      now: clock.now,
      sleep,
      env: {},
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
    const { clock, backend, sleep } = setup()
    await runWithFailover({
      config,
      store: backend,
      now: clock.now,
      sleep,
      env: {},
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
    const { clock, backend, sleep } = setup()
    await backend.update((store) => {
      store.usageStats = { 'anthropic:b': { cooldownUntil: clock.now() + MIN } }
    })
    const keys: (string | undefined)[] = []
    const outcome = await runWithFailover({
      config,
      store: backend,
      now: clock.now,
      sleep,
      env: {},
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
        config,
        store: backend,
        now: clock.now,
        sleep,
        env: {},
        sessionProfile: { profileId: 'openai:x', source: 'user' },
        provider: 'openai',
        model: 'gpt-5.2',
        fallbacksOverride: [],
        run: () => Promise.resolve('ok'),
      }),
    ).resolves.toMatchObject({ profileId: 'openai:x' })
  })

  it('throws a summary with every attempt and the soonest retry when everything fails', async () => {
    const { clock, backend, sleep } = setup()
    let error: unknown
    try {
      await runWithFailover({
        config,
        store: backend,
        now: clock.now,
        sleep,
        env: {},
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
    const { clock, backend, sleep } = setup()
    const original = httpError(401, 'invalid api key')
    await expect(
      runWithFailover({
        config,
        store: backend,
        now: clock.now,
        sleep,
        env: {},
        provider: 'openai',
        model: 'gpt-5.2',
        fallbacksOverride: [],
        run: () => Promise.reject(original),
      }),
    ).rejects.toBe(original)
  })

  it('stops at the attempt budget', async () => {
    const { clock, backend, sleep } = setup()
    let calls = 0
    await expect(
      runWithFailover({
        config,
        store: backend,
        now: clock.now,
        sleep,
        env: {},
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

describe('the store a run records through', () => {
  it('refuses a loaded store object, which would have kept the cooldowns in memory only', async () => {
    const { backend } = setup()
    const loaded = await backend.load()
    let calls = 0
    const error = await runWithFailover({
      config,
      store: loaded,
      env: {},
      run: () => {
        calls += 1
        return Promise.resolve('ok')
      },
    }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    expect((error as Error).message).toContain('runWithFailover needs the store handle')
    expect((error as Error).message).toContain('openAuthStore({ agentDir })')
    expect(calls).toBe(0)
  })

  it('records a failure in the store file through openAuthStore before it returns', async () => {
    const root = mkdtempSync(join(tmpdir(), 'claw-run-handle-'))
    try {
      const agentDir = join(root, 'agents', 'main', 'agent')
      const store = openAuthStore({ agentDir })
      for (const id of ['openai:a', 'openai:b']) {
        await upsertAuthProfile({ store, profileId: id, credential: apiKeyCredential('openai') })
      }
      const outcome = await runWithFailover({
        store,
        provider: 'openai',
        model: 'gpt-5.2',
        fallbacksOverride: [],
        env: {},
        run: ({ profileId }) =>
          profileId === 'openai:a'
            ? Promise.reject(httpError(429, 'rate limited', { 'retry-after': '600' }))
            : Promise.resolve('ok'),
      })
      expect(outcome.profileId).toBe('openai:b')
      const onDisk = JSON.parse(readFileSync(join(agentDir, 'auth-profiles.json'), 'utf8')) as {
        usageStats: Record<string, { modelCooldowns?: Record<string, { until: number }> }>
      }
      const until = onDisk.usageStats['openai:a']?.modelCooldowns?.['gpt-5.2']?.until ?? 0
      expect(until - Date.now()).toBeGreaterThan(590_000)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('plans from loaded store data (a plan records nothing)', async () => {
    const { backend } = setup()
    const plan = await planFailover({ config, store: await backend.load(), env: {} })
    expect(plan.chosen?.profileId).toBe('anthropic:a')
  })
})
