// Over 400 lines: one suite per scenario of the same loopback server and store setup.
// End-to-end failover over real HTTP (rotation on 429, Retry-After, fallback, no key in any output): every
// call goes through `fetch` to a fake OpenAI-compatible provider, and a non-2xx answer is thrown
// as an error carrying the status, the response headers and the body, so classification and
// Retry-After parsing run on real responses. The clock is the real one.
import { inspect } from 'node:util'
import type { ClawConfig, MemoryAuthStore } from '@claw/auth-profiles'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  createMemoryAuthStore,
} from '@claw/auth-profiles/testing'
import { describe, expect, it } from 'vitest'
import { useProviderServer } from '../../../test-support/provider-server.ts'
import {
  FailoverSummaryError,
  runWithFailover,
  type FailoverCallContext,
  type FailoverEvent,
  type RunWithFailoverOptions,
} from '@claw/failover'
import { behave } from '@claw/failover/testing'

const MODEL = 'gpt-5.2'
const FALLBACK = 'gpt-5-mini'
const config: ClawConfig = { agents: { defaults: { model: { primary: `openai/${MODEL}` } } } }
const HOUR = 3_600_000

/** A non-2xx answer, as an SDK would throw it: status, response headers and the body text. */
class ProviderHttpError extends Error {
  override readonly name = 'ProviderHttpError'
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: string,
  ) {
    super(`provider answered ${status}: ${body}`)
  }
}

/** One call as the test's `run` saw it (client side). */
interface CallRecord {
  readonly profileId: string | undefined
  readonly model: string
  /** `Date.now()` when the call was made. */
  readonly at: number
  /** The request index it belongs to (for concurrent tests). */
  readonly request: number
}

const server = useProviderServer()

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Three canary API keys as profiles `openai:a/b/c` (plus any extra profiles), in a memory store. */
function setup(extra: Record<string, ReturnType<typeof apiKeyCredential>> = {}) {
  const keys = { a: canarySecret(), b: canarySecret(), c: canarySecret() }
  const backend = createMemoryAuthStore(
    buildAuthProfileStore({
      profiles: {
        'openai:a': apiKeyCredential('openai', keys.a),
        'openai:b': apiKeyCredential('openai', keys.b),
        'openai:c': apiKeyCredential('openai', keys.c),
        ...extra,
      },
    }),
  )
  return { keys, backend }
}

/** The model call: a plain `fetch` to the fake provider that throws on non-2xx. */
function callProvider(calls: CallRecord[], request = 0) {
  return async (context: FailoverCallContext): Promise<string> => {
    calls.push({ profileId: context.profileId, model: context.model, at: Date.now(), request })
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${context.apiKey ?? ''}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ model: context.model, messages: [{ role: 'user', content: 'hi' }] }),
      signal: context.signal ?? null,
    })
    const text = await response.text()
    if (!response.ok) throw new ProviderHttpError(response.status, response.headers, text)
    const parsed = JSON.parse(text) as { choices: { message: { content: string } }[] }
    return parsed.choices[0]?.message.content ?? ''
  }
}

function runOptions(
  backend: MemoryAuthStore,
  calls: CallRecord[],
  extra: Partial<RunWithFailoverOptions<string>> = {},
): RunWithFailoverOptions<string> {
  return {
    config,
    store: backend,
    provider: 'openai',
    model: MODEL,
    fallbacksOverride: [],
    env: {},
    run: callProvider(calls),
    ...extra,
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

function gapsMs(times: readonly number[]): number[] {
  return times.slice(1).map((time, index) => time - (times[index] as number))
}

/** Runs `count` tasks with at most `concurrency` in flight. */
async function pool(count: number, concurrency: number, task: (index: number) => Promise<void>) {
  let next = 0
  const worker = async () => {
    while (next < count) {
      const index = next
      next += 1
      await task(index)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

describe('a 429 storm on one key', () => {
  it('keeps ≥ 99 % of 200 concurrent requests succeeding and never calls A inside its cooldown', async () => {
    const { keys, backend } = setup()
    const LATENCY = 120
    const CONCURRENCY = 8
    const REQUESTS = 200
    // A is rate-limited (Retry-After: 2) during its first 2 s, then healthy; B and C are healthy.
    server.setBehaviour(
      keys.a,
      behave.rateLimit({ format: 'seconds', seconds: 2 }, { window: { toMs: 2_000 } }),
    )
    server.setBehaviour(keys.b, behave.latency(LATENCY))
    server.setBehaviour(keys.c, behave.latency(LATENCY))

    const calls: CallRecord[] = []
    const events: (FailoverEvent & { readonly at: number })[] = []
    const starts: number[] = []
    const durations: number[] = []
    let succeeded = 0
    const failures: unknown[] = []
    const began = Date.now()
    await pool(REQUESTS, CONCURRENCY, async (index) => {
      starts[index] = Date.now()
      const started = performance.now()
      try {
        await runWithFailover({
          ...runOptions(backend, calls),
          run: callProvider(calls, index),
          onEvent: (event) => events.push({ ...event, at: Date.now() }),
        })
        succeeded += 1
      } catch (error) {
        failures.push(error)
      } finally {
        durations.push(performance.now() - started)
      }
    })
    const wallMs = Date.now() - began

    const successRate = succeeded / REQUESTS
    expect(failures).toEqual([])
    expect(successRate).toBeGreaterThanOrEqual(0.99)

    // The first time A's cooldown was recorded, and the window it opened.
    const entered = events.find(
      (event): event is Extract<FailoverEvent, { type: 'cooldown_entered' }> & { at: number } =>
        event.type === 'cooldown_entered' && event.profileId === 'openai:a',
    )
    expect(entered).toBeDefined()
    const recordedAt = entered?.at ?? 0
    const until = entered?.until ?? 0
    expect(entered?.reason).toBe('rate_limit')
    expect(entered?.model).toBe(MODEL)
    // Retry-After: 2 sets the deadline (the backoff ladder would say 1 min).
    expect(until - recordedAt).toBeGreaterThan(1_500)
    expect(until - recordedAt).toBeLessThanOrEqual(2_000)

    // Precisely: no request that started after the cooldown was recorded called A before the
    // window ended (those requests loaded the store after the write).
    const callsToA = calls.filter((call) => call.profileId === 'openai:a')
    const insideWindowFromLaterRequests = callsToA.filter(
      (call) => (starts[call.request] ?? 0) >= recordedAt && call.at < until,
    )
    expect(insideWindowFromLaterRequests).toEqual([])

    // Server side: the only requests A received inside its window are the ones that were already
    // on the wire when the cooldown was recorded (sent earlier, still connecting), and its 429s came
    // from requests in flight when the storm began (at most one each).
    const stats = server.stats()
    const arrivalsA = stats.requests.filter((request) => request.key === keys.a)
    const onTheWire =
      callsToA.filter((call) => call.at <= recordedAt).length -
      arrivalsA.filter((request) => request.at < recordedAt).length
    const duringWindow = arrivalsA.filter(
      (request) => request.at >= recordedAt && request.at < until,
    )
    expect(duringWindow.length).toBeLessThanOrEqual(onTheWire)
    expect(duringWindow.every((request) => request.status === 429)).toBe(true)
    const rateLimitedA = arrivalsA.filter((request) => request.status === 429)
    expect(rateLimitedA.length).toBeGreaterThanOrEqual(1)
    expect(rateLimitedA.length).toBeLessThanOrEqual(CONCURRENCY)
    expect(callsToA.length).toBe(arrivalsA.length)
    // After the window A is healthy again and takes its share.
    const afterWindow = arrivalsA.filter((request) => request.at >= until)
    expect(afterWindow.length).toBeGreaterThan(0)
    expect(afterWindow.every((request) => request.status === 200)).toBe(true)

    const sorted = [...durations].sort((a, b) => a - b)
    console.info(
      `[429 storm] success ${succeeded}/${REQUESTS} (${(successRate * 100).toFixed(1)} %) in ${wallMs} ms; ` +
        `A: ${arrivalsA.length} requests, ${rateLimitedA.length} × 429 (arrived ` +
        `${(rateLimitedA[0]?.at ?? began) - began}–${(rateLimitedA[rateLimitedA.length - 1]?.at ?? began) - began} ms), ` +
        `cooldown recorded at ${recordedAt - began} ms; in its window ${recordedAt - began}–${until - began} ms ` +
        `0 requests from runs started after it (${duringWindow.length} sent before it still arriving), ` +
        `${afterWindow.length} after it ` +
        `(first probe +${(afterWindow[0]?.at ?? until) - until} ms); ` +
        `B ${stats.byKey[keys.b]?.count ?? 0}, C ${stats.byKey[keys.c]?.count ?? 0}; ` +
        `request p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted[sorted.length - 1]?.toFixed(0)} ms`,
    )
  })
})

describe('every key rate-limited', () => {
  it('fails fast with retryAfterMs ≈ 30 s, one request per key and no hot loop', async () => {
    const { keys, backend } = setup()
    // The three Retry-After shapes: seconds, an HTTP-date and retry-after-ms.
    server.setBehaviour(keys.a, behave.rateLimit({ format: 'seconds', seconds: 30 }))
    server.setBehaviour(keys.b, behave.rateLimit({ format: 'http-date', seconds: 30 }))
    server.setBehaviour(keys.c, behave.rateLimit({ format: 'ms', ms: 30_000 }))
    const calls: CallRecord[] = []

    const started = performance.now()
    const error = await rejectionOf(runWithFailover(runOptions(backend, calls)))
    const elapsed = performance.now() - started

    expect(elapsed).toBeLessThan(1_000)
    expect(FailoverSummaryError.isInstance(error)).toBe(true)
    const summary = error as FailoverSummaryError
    expect(summary.reason).toBe('rate_limit')
    expect(
      summary.attempts.map((attempt) => [attempt.profileId, attempt.reason, attempt.status]),
    ).toEqual([
      ['openai:a', 'rate_limit', 429],
      ['openai:b', 'rate_limit', 429],
      ['openai:c', 'rate_limit', 429],
    ])
    expect(Math.abs((summary.retryAfterMs ?? 0) - 30_000)).toBeLessThanOrEqual(1_000)

    // Each key's cooldown follows its own header (the HTTP-date one has 1 s resolution).
    const now = Date.now()
    for (const profileId of ['openai:a', 'openai:b', 'openai:c']) {
      const until = backend.snapshot().usageStats?.[profileId]?.modelCooldowns?.[MODEL]?.until ?? 0
      expect(Math.abs(until - now - 30_000)).toBeLessThanOrEqual(1_000)
    }

    // A second request right away makes no call at all and reports the same wait.
    const again = await rejectionOf(runWithFailover(runOptions(backend, calls)))
    expect(FailoverSummaryError.isInstance(again)).toBe(true)
    expect(
      Math.abs(((again as FailoverSummaryError).retryAfterMs ?? 0) - 30_000),
    ).toBeLessThanOrEqual(1_000)

    const stats = server.stats()
    expect(stats.total).toBeLessThanOrEqual(3)
    for (const key of [keys.a, keys.b, keys.c]) {
      expect(stats.byKey[key]?.count).toBe(1)
      for (const gap of gapsMs(stats.byKey[key]?.times ?? []))
        expect(gap).toBeGreaterThanOrEqual(250)
    }
    console.info(
      `[all keys limited] failed in ${elapsed.toFixed(0)} ms with retryAfterMs ${summary.retryAfterMs ?? 'none'}; ` +
        `second request: 0 calls, retryAfterMs ${(again as FailoverSummaryError).retryAfterMs ?? 'none'}; ` +
        `requests per key ${[keys.a, keys.b, keys.c].map((key) => stats.byKey[key]?.count ?? 0).join('/')}`,
    )
  })
})

describe('what each status does, over HTTP', () => {
  it('401 on A: next profile, A cooled profile-wide (other models skip it too)', async () => {
    const { keys, backend } = setup()
    server.setBehaviour(keys.a, behave.unauthorized())
    server.setBehaviour(keys.b, behave.ok())
    server.setBehaviour(keys.c, behave.ok())
    const calls: CallRecord[] = []
    const outcome = await runWithFailover(runOptions(backend, calls))

    expect(outcome.profileId).toBe('openai:b')
    expect(outcome.attempts).toEqual([
      expect.objectContaining({ profileId: 'openai:a', reason: 'auth', status: 401 }),
    ])
    const stats = backend.snapshot().usageStats?.['openai:a']
    expect(stats?.cooldownReason).toBe('auth')
    expect(stats?.cooldownModel).toBeUndefined()
    expect(stats?.modelCooldowns).toBeUndefined()
    expect((stats?.cooldownUntil ?? 0) - Date.now()).toBeGreaterThan(50_000)

    // Profile-wide: another model skips A too, even when the session prefers A.
    const other = await runWithFailover(
      runOptions(backend, calls, {
        model: FALLBACK,
        sessionProfile: { profileId: 'openai:a', source: 'auto' },
      }),
    )
    expect(other.profileId).not.toBe('openai:a')
    expect(other.trace[0]).toMatchObject({
      profileId: 'openai:a',
      outcome: 'skipped',
      reason: 'cooldown',
    })
    expect(server.stats().byKey[keys.a]?.count).toBe(1)
  })

  it('402 on A: billing disable (5 h), next profile', async () => {
    const { keys, backend } = setup()
    server.setBehaviour(keys.a, behave.paymentRequired())
    server.setBehaviour(keys.b, behave.ok())
    const calls: CallRecord[] = []
    const outcome = await runWithFailover(runOptions(backend, calls))

    expect(outcome.profileId).toBe('openai:b')
    expect(outcome.attempts).toEqual([
      expect.objectContaining({ profileId: 'openai:a', reason: 'billing', status: 402 }),
    ])
    const stats = backend.snapshot().usageStats?.['openai:a']
    expect(stats?.disabledReason).toBe('billing')
    expect(Math.abs((stats?.disabledUntil ?? 0) - Date.now() - 5 * HOUR)).toBeLessThan(5_000)
  })

  it('404 model_not_found: moves to the fallback model on the same key, without marking it', async () => {
    const { keys, backend } = setup()
    for (const key of [keys.a, keys.b, keys.c]) {
      server.setBehaviour(key, behave.ok())
      server.setBehaviour(key, behave.modelNotFound(), { model: MODEL })
    }
    const calls: CallRecord[] = []
    const events: FailoverEvent[] = []
    const outcome = await runWithFailover(
      runOptions(backend, calls, {
        fallbacksOverride: [`openai/${FALLBACK}`],
        onEvent: (event) => events.push(event),
      }),
    )

    expect(outcome).toMatchObject({
      result: 'ok',
      provider: 'openai',
      model: FALLBACK,
      profileId: 'openai:a',
    })
    expect(outcome.attempts).toEqual([
      expect.objectContaining({
        profileId: 'openai:a',
        model: MODEL,
        reason: 'model_not_found',
        status: 404,
      }),
    ])
    expect(calls.map((call) => `${call.profileId}/${call.model}`)).toEqual([
      `openai:a/${MODEL}`,
      `openai:a/${FALLBACK}`,
    ])
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'fallback', reason: 'model_not_found' }),
    )
    expect(events.some((event) => event.type === 'cooldown_entered')).toBe(false)
    const stats = backend.snapshot().usageStats?.['openai:a']
    // Only the success was recorded: no failure, no cooldown.
    expect(stats?.lastUsed).toBeGreaterThan(0)
    expect(stats?.errorCount ?? 0).toBe(0)
    expect(stats?.lastFailureAt).toBeUndefined()
    expect(stats?.failureCounts).toBeUndefined()
    expect(stats?.cooldownUntil).toBeUndefined()
    expect(stats?.modelCooldowns).toBeUndefined()
    expect(stats?.disabledUntil).toBeUndefined()
    expect(server.stats().requests.map((request) => [request.model, request.status])).toEqual([
      [MODEL, 404],
      [FALLBACK, 200],
    ])
  })

  it('500 on A: the same key once more (≥ 250 ms later), then the next profile', async () => {
    const { keys, backend } = setup()
    server.setBehaviour(keys.a, behave.serverError())
    server.setBehaviour(keys.b, behave.ok())
    const calls: CallRecord[] = []
    const events: FailoverEvent[] = []
    // When each call started by the engine's clock: the gap is its promise (the calls themselves
    // may start a few ms later on a loaded machine).
    const started: number[] = []
    const onEvent = (event: FailoverEvent): void => {
      events.push(event)
      if (event.type === 'attempt_started') started.push(Date.now())
    }
    const outcome = await runWithFailover(runOptions(backend, calls, { onEvent }))

    expect(outcome.profileId).toBe('openai:b')
    expect(calls.map((call) => call.profileId)).toEqual(['openai:a', 'openai:a', 'openai:b'])
    expect(
      outcome.attempts.map((attempt) => [attempt.profileId, attempt.reason, attempt.status]),
    ).toEqual([
      ['openai:a', 'server_error', 500],
      ['openai:a', 'server_error', 500],
    ])
    expect(
      events
        .filter((event) => event.type === 'attempt_failed')
        .map((event) => event.type === 'attempt_failed' && event.willRetry),
    ).toEqual([true, false])
    const clientGap = (started[1] ?? 0) - (started[0] ?? 0)
    const serverGap = gapsMs(server.stats().byKey[keys.a]?.times ?? [])[0] ?? 0
    // Timers and Date.now() tick at 1 ms; a timer may fire up to 1 ms early by the wall clock.
    expect(clientGap).toBeGreaterThanOrEqual(249)
    // Arrival times also carry connection set-up, so the server-side gap gets some slack.
    expect(serverGap).toBeGreaterThanOrEqual(200)
    const stats = backend.snapshot().usageStats?.['openai:a']
    expect(stats?.cooldownReason).toBe('server_error')
    expect(stats?.cooldownUntil ?? 0).toBeGreaterThan(Date.now())
    console.info(`[status] 500 retry gap: client ${clientGap} ms, server ${serverGap} ms`)
  })

  it('529 overloaded on A: profile cooldown, next profile, no same-key retry', async () => {
    const { keys, backend } = setup()
    server.setBehaviour(keys.a, behave.overloaded())
    server.setBehaviour(keys.b, behave.ok())
    const calls: CallRecord[] = []
    const outcome = await runWithFailover(runOptions(backend, calls))

    expect(outcome.profileId).toBe('openai:b')
    expect(outcome.attempts).toEqual([
      expect.objectContaining({ profileId: 'openai:a', reason: 'overloaded', status: 529 }),
    ])
    expect(calls.map((call) => call.profileId)).toEqual(['openai:a', 'openai:b'])
    const stats = backend.snapshot().usageStats?.['openai:a']
    expect(stats?.cooldownReason).toBe('overloaded')
    expect(stats?.cooldownModel).toBeUndefined()
    expect((stats?.cooldownUntil ?? 0) - Date.now()).toBeGreaterThan(50_000)
  })
})

/**
 * Runs the chain and aborts it 50 ms in; asserts it rejected with an AbortError within 100 ms of
 * the abort, and returns the calls made and that latency.
 */
async function abortAfter50ms(
  backend: MemoryAuthStore,
): Promise<{ calls: CallRecord[]; latency: number }> {
  const controller = new AbortController()
  const calls: CallRecord[] = []
  let abortedAt = 0
  const timer = setTimeout(() => {
    abortedAt = performance.now()
    controller.abort()
  }, 50)
  const error = await rejectionOf(
    runWithFailover(runOptions(backend, calls, { signal: controller.signal })),
  )
  const latency = performance.now() - abortedAt
  clearTimeout(timer)

  expect(abortedAt).toBeGreaterThan(0)
  expect(latency).toBeLessThan(100)
  expect((error as { name?: unknown }).name).toBe('AbortError')
  return { calls, latency }
}

describe('abort and budgets', () => {
  it('a caller abort during a hanging call rejects within 100 ms and sends nothing more', async () => {
    const { keys, backend } = setup()
    for (const key of [keys.a, keys.b, keys.c]) server.setBehaviour(key, behave.hang())
    const { calls, latency } = await abortAfter50ms(backend)
    await sleep(300)
    const stats = server.stats()
    expect(stats.total).toBe(1)
    expect(stats.aborted).toBe(1)
    expect(calls).toHaveLength(1)
    // Nothing was marked: a user abort says nothing about the credential.
    expect(backend.snapshot().usageStats?.['openai:a']?.cooldownUntil).toBeUndefined()
    console.info(
      `[abort] abort → rejection in ${latency.toFixed(1)} ms; server requests after abort: 0`,
    )
  })

  it('a caller abort during the retry gap rejects within 100 ms and sends nothing more', async () => {
    const { keys, backend } = setup()
    server.setBehaviour(keys.a, behave.serverError())
    server.setBehaviour(keys.b, behave.ok())
    const { latency } = await abortAfter50ms(backend)
    await sleep(400)
    expect(server.stats().total).toBe(1)
    console.info(`[abort] abort in the retry gap → rejection in ${latency.toFixed(1)} ms`)
  })

  it('maxAttempts: 6 caps the calls when every key returns 500', async () => {
    const { keys, backend } = setup({
      'anthropic:d': apiKeyCredential('anthropic', canarySecret()),
    })
    for (const key of [keys.a, keys.b, keys.c]) server.setBehaviour(key, behave.serverError())
    const calls: CallRecord[] = []
    // Uncapped this would be 3 keys × 2 calls, then the anthropic fallback × 2: 8 calls.
    const error = await rejectionOf(
      runWithFailover(
        runOptions(backend, calls, {
          fallbacksOverride: ['anthropic/claude-sonnet-4-5'],
          maxAttempts: 6,
          minRetryGapMs: 10,
        }),
      ),
    )
    expect(FailoverSummaryError.isInstance(error)).toBe(true)
    const summary = error as FailoverSummaryError
    expect(calls).toHaveLength(6)
    expect(server.stats().total).toBe(6)
    expect(calls.some((call) => call.profileId === 'anthropic:d')).toBe(false)
    expect(summary.trace).toContainEqual(
      expect.objectContaining({ outcome: 'skipped', reason: 'budget' }),
    )
  })

  it('deadlineMs stops a run of 200 ms calls: no call starts after the deadline', async () => {
    const { keys, backend } = setup()
    for (const key of [keys.a, keys.b, keys.c])
      server.setBehaviour(key, behave.serverError({ delayMs: 200 }))
    const calls: CallRecord[] = []
    const DEADLINE = 500
    const started = Date.now()
    const error = await rejectionOf(
      runWithFailover(runOptions(backend, calls, { deadlineMs: DEADLINE })),
    )
    const elapsed = Date.now() - started

    expect(FailoverSummaryError.isInstance(error)).toBe(true)
    expect((error as FailoverSummaryError).trace).toContainEqual(
      expect.objectContaining({ outcome: 'skipped', reason: 'budget', detail: 'time budget used' }),
    )
    // A, A again after the 250 ms gap, B; then the deadline has passed.
    expect(calls.length).toBeGreaterThanOrEqual(2)
    expect(calls.length).toBeLessThanOrEqual(3)
    for (const call of calls) expect(call.at - started).toBeLessThan(DEADLINE)
    // The call in flight at the deadline is not cut short, so the run ends within one call of it.
    expect(elapsed).toBeLessThan(DEADLINE + 200 + 150)
    console.info(
      `[abort] deadline ${DEADLINE} ms: ${calls.length} calls, run ended after ${elapsed} ms`,
    )
  })
})

describe('canary keys never leak', () => {
  const leaks = (text: string, keys: readonly string[]) => keys.filter((key) => text.includes(key))

  it('not in thrown errors, events or traces, on failure and on success', async () => {
    const { keys, backend } = setup()
    const all = [keys.a, keys.b, keys.c]
    const events: FailoverEvent[] = []
    const calls: CallRecord[] = []

    // Every key fails differently: a summary error with every attempt.
    server.setBehaviour(keys.a, behave.unauthorized())
    server.setBehaviour(keys.b, behave.serverError())
    server.setBehaviour(keys.c, behave.rateLimit({ format: 'seconds', seconds: 1 }))
    const error = await rejectionOf(
      runWithFailover(
        runOptions(backend, calls, { minRetryGapMs: 10, onEvent: (event) => events.push(event) }),
      ),
    )
    expect(FailoverSummaryError.isInstance(error)).toBe(true)
    expect(leaks(inspect(error, { depth: 10 }), all)).toEqual([])
    expect(leaks(JSON.stringify((error as FailoverSummaryError).trace), all)).toEqual([])

    // A single failed call rethrows the original error.
    const single = setup()
    server.setBehaviour(single.keys.a, behave.unauthorized())
    const original = await rejectionOf(
      runWithFailover({
        ...runOptions(single.backend, calls),
        sessionProfile: { profileId: 'openai:a', source: 'user' },
        onEvent: (event) => events.push(event),
      }),
    )
    expect(leaks(inspect(original, { depth: 10 }), [single.keys.a])).toEqual([])

    // Success after failures.
    const ok = setup()
    server.setBehaviour(ok.keys.a, behave.overloaded())
    server.setBehaviour(ok.keys.b, behave.ok())
    const outcome = await runWithFailover({
      ...runOptions(ok.backend, calls),
      onEvent: (event) => events.push(event),
    })
    expect(outcome.profileId).toBe('openai:b')
    const everyKey = [...all, single.keys.a, ok.keys.a, ok.keys.b]
    expect(leaks(JSON.stringify(outcome.trace), everyKey)).toEqual([])
    expect(leaks(JSON.stringify(outcome.attempts), everyKey)).toEqual([])
    expect(leaks(inspect(outcome, { depth: 10 }), everyKey)).toEqual([])
    expect(events.length).toBeGreaterThan(5)
    expect(leaks(JSON.stringify(events), everyKey)).toEqual([])
  })

  it('a provider that echoes the key: only the original error (the cause) carries it', async () => {
    const { keys, backend } = setup()
    const all = [keys.a, keys.b, keys.c]
    const events: FailoverEvent[] = []
    // Some providers quote the whole key back; the test's run puts it into the error message.
    const error = await rejectionOf(
      runWithFailover(
        runOptions(backend, [], {
          minRetryGapMs: 10,
          onEvent: (event) => events.push(event),
          run: ({ apiKey }) =>
            Promise.reject(
              Object.assign(new Error(`401 Incorrect API key provided: ${apiKey ?? ''}`), {
                status: 401,
              }),
            ),
        }),
      ),
    )
    expect(FailoverSummaryError.isInstance(error)).toBe(true)
    const summary = error as FailoverSummaryError
    expect(leaks(summary.message, all)).toEqual([])
    expect(leaks(JSON.stringify(summary.attempts), all)).toEqual([])
    expect(leaks(JSON.stringify(summary.trace), all)).toEqual([])
    expect(leaks(JSON.stringify(events), all)).toEqual([])
    expect(leaks(String(summary.stack), all)).toEqual([])
  })
})
