// Half-open probes: after a cooldown or disable window ends, exactly one run probes the credential
// while the others keep to the remaining credentials (or wait for the probe when nothing else is
// usable). Real timers and the real clock: the runs here overlap for real.
import { probeLeasesFor, type ProfileUsageStats } from '@claw/auth-profiles'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  createMemoryAuthStore,
  type MemoryAuthStore,
} from '@claw/auth-profiles/testing'
import { describe, expect, it } from 'vitest'
import { FailoverSummaryError } from './errors.js'
import type { FailoverEvent } from './events.js'
import { planFailover } from './plan.js'
import { runWithFailover, type FailoverCallContext } from './run.js'

const MODEL = 'gpt-5.2'
const MIN = 60_000

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const rateLimited = () => Object.assign(new Error('429 Too Many Requests'), { status: 429 })

/** `openai:a` on probation (its window for MODEL just ended), and optionally a healthy `openai:b`. */
function probationStore(options: { withB?: boolean; stats?: ProfileUsageStats } = {}) {
  const stats: ProfileUsageStats = options.stats ?? {
    errorCount: 1,
    lastFailureAt: Date.now() - MIN - 1,
    modelCooldowns: { [MODEL]: { until: Date.now() - 1, reason: 'rate_limit', errorCount: 1 } },
  }
  return createMemoryAuthStore(
    buildAuthProfileStore({
      profiles: {
        'openai:a': apiKeyCredential('openai', 'key-a'),
        ...(options.withB ? { 'openai:b': apiKeyCredential('openai', 'key-b') } : {}),
      },
      // b was used recently, so round-robin alone would send every run to a first.
      usageStats: { 'openai:a': stats, ...(options.withB ? { 'openai:b': { lastUsed: 1 } } : {}) },
    }),
  )
}

interface Harness {
  readonly calls: string[]
  /** Settles the pending call to `openai:a`. */
  readonly a: ReturnType<typeof deferred<string>>
  /** Resolves when `openai:a` has been called. */
  readonly aCalled: Promise<void>
  readonly run: (context: FailoverCallContext) => Promise<string>
}

function harness(): Harness {
  const calls: string[] = []
  const a = deferred<string>()
  const called = deferred<void>()
  return {
    calls,
    a,
    aCalled: called.promise,
    run: (context) => {
      calls.push(context.profileId ?? '')
      if (context.profileId !== 'openai:a') return Promise.resolve(`via ${context.profileId}`)
      called.resolve()
      return calls.filter((id) => id === 'openai:a').length === 1
        ? a.promise
        : Promise.resolve('ok')
    },
  }
}

function options(backend: MemoryAuthStore, run: Harness['run'], extra = {}) {
  return {
    store: backend,
    provider: 'openai',
    model: MODEL,
    fallbacksOverride: [],
    env: {},
    run,
    ...extra,
  }
}

describe('half-open probe', () => {
  it('lets one run probe a credential whose window ended; the others use the rest meanwhile', async () => {
    const backend = probationStore({ withB: true })
    const h = harness()
    const events: FailoverEvent[] = []
    const prober = runWithFailover(
      options(backend, h.run, { onEvent: (e: FailoverEvent) => events.push(e) }),
    )
    await h.aCalled
    const others = await Promise.all(
      Array.from({ length: 5 }, () => runWithFailover(options(backend, h.run))),
    )
    expect(others.map((outcome) => outcome.profileId)).toEqual(Array(5).fill('openai:b'))
    expect(others[0]?.trace[0]).toMatchObject({
      profileId: 'openai:a',
      outcome: 'skipped',
      reason: 'probing',
    })
    expect(h.calls.filter((id) => id === 'openai:a')).toHaveLength(1)

    h.a.resolve('probe ok')
    const probe = await prober
    expect(probe.profileId).toBe('openai:a')
    expect(probe.trace.at(-1)).toMatchObject({ outcome: 'succeeded', probe: true })
    expect(events).toContainEqual(expect.objectContaining({ type: 'attempt_started', probe: true }))
    // The success closed the probation: the ended window is gone and a is used normally again.
    expect(backend.snapshot().usageStats?.['openai:a']?.modelCooldowns).toBeUndefined()
    expect(
      await probeLeasesFor(backend).held({
        profileId: 'openai:a',
        model: MODEL,
        ttlMs: 1,
        now: Date.now(),
      }),
    ).toBe(false)
  })

  it('starts the next, longer window when the probe fails', async () => {
    const backend = probationStore({ withB: true })
    const h = harness()
    const prober = runWithFailover(options(backend, h.run))
    await h.aCalled
    expect((await runWithFailover(options(backend, h.run))).profileId).toBe('openai:b')
    const failedAt = Date.now()
    h.a.reject(rateLimited())
    // The probe failed over to b; a's second window is 5 min (the ladder goes on).
    expect((await prober).profileId).toBe('openai:b')
    const until = backend.snapshot().usageStats?.['openai:a']?.modelCooldowns?.[MODEL]?.until ?? 0
    expect(until - failedAt).toBeGreaterThan(5 * MIN - 1_000)
    expect(until - failedAt).toBeLessThanOrEqual(5 * MIN + 1_000)
  })

  it('waits for the probe when no other credential is usable, then uses the credential', async () => {
    const backend = probationStore()
    const h = harness()
    const prober = runWithFailover(options(backend, h.run))
    await h.aCalled
    const waiter = runWithFailover(options(backend, h.run))
    await new Promise((resolve) => setTimeout(resolve, 120))
    // Still only the probe: the waiter did not call the credential.
    expect(h.calls).toEqual(['openai:a'])
    h.a.resolve('probe ok')
    expect((await prober).profileId).toBe('openai:a')
    const waited = await waiter
    expect(waited.profileId).toBe('openai:a')
    expect(h.calls).toEqual(['openai:a', 'openai:a'])
    expect(waited.trace.map((entry) => `${entry.outcome}:${entry.reason ?? ''}`)).toEqual([
      'skipped:probing',
      'succeeded:',
    ])
  })

  it('fails the waiters without a call when the probe fails', async () => {
    const backend = probationStore()
    const h = harness()
    const prober = runWithFailover(options(backend, h.run))
    await h.aCalled
    const waiter = runWithFailover(options(backend, h.run))
    await new Promise((resolve) => setTimeout(resolve, 60))
    h.a.reject(rateLimited())
    await expect(prober).rejects.toMatchObject({ status: 429 })
    const error = await waiter.then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(FailoverSummaryError.isInstance(error)).toBe(true)
    expect((error as FailoverSummaryError).retryAfterMs).toBeGreaterThan(4 * MIN)
    expect(h.calls).toEqual(['openai:a'])
  })

  it('releases the lease whatever ends the probe, so the next run probes', async () => {
    const backend = probationStore()
    const surfaced = Object.assign(new Error('bad request: context too long'), { status: 400 })
    await expect(runWithFailover(options(backend, () => Promise.reject(surfaced)))).rejects.toBe(
      surfaced,
    )
    const h = harness()
    const next = runWithFailover(options(backend, h.run))
    await h.aCalled
    h.a.resolve('ok')
    expect((await next).trace.at(-1)).toMatchObject({ profileId: 'openai:a', probe: true })
  })

  it('does not strand the credential when the probe hangs: its lease ends with its lifetime', async () => {
    const backend = probationStore({ withB: true })
    const h = harness()
    // The probe's call never answers (until the end of the test).
    const prober = runWithFailover(options(backend, h.run, { probeLeaseMs: 200 }))
    await h.aCalled
    expect((await runWithFailover(options(backend, h.run))).profileId).toBe('openai:b')
    await new Promise((resolve) => setTimeout(resolve, 250))
    // The lease expired: the next run probes a (the hung run's late release frees nothing).
    const next = await runWithFailover(options(backend, h.run))
    expect(next.trace.at(-1)).toMatchObject({ profileId: 'openai:a', probe: true })
    expect(h.calls).toEqual(['openai:a', 'openai:b', 'openai:a'])
    h.a.resolve('late')
    await prober
  })

  it('does not hold back cooldown-bypass providers', async () => {
    const backend = createMemoryAuthStore(
      buildAuthProfileStore({
        profiles: { 'openrouter:a': apiKeyCredential('openrouter', 'key-a') },
        usageStats: { 'openrouter:a': { cooldownUntil: Date.now() - 1, errorCount: 1 } },
      }),
    )
    const pending = deferred<string>()
    const calls: string[] = []
    const run = (context: FailoverCallContext) => {
      calls.push(context.profileId ?? '')
      return calls.length === 1 ? pending.promise : Promise.resolve('ok')
    }
    const base = {
      store: backend,
      provider: 'openrouter',
      model: 'auto',
      fallbacksOverride: [],
      env: {},
      run,
    }
    const first = runWithFailover(base)
    const second = await runWithFailover(base)
    expect(second.trace.some((entry) => entry.reason === 'probing')).toBe(false)
    pending.resolve('ok')
    await first
    expect(calls).toEqual(['openrouter:a', 'openrouter:a'])
  })
})

describe('planFailover and probes', () => {
  it('says a run would probe the credential, or that another run is probing it', async () => {
    const backend = probationStore({ withB: true })
    const plan = await planFailover({
      store: backend,
      provider: 'openai',
      model: MODEL,
      fallbacksOverride: [],
      env: {},
    })
    expect(plan.chosen?.profileId).toBe('openai:a')
    expect(plan.trace).toEqual([
      expect.objectContaining({ profileId: 'openai:a', outcome: 'chosen', probe: true }),
    ])
    expect(plan.trace[0]?.detail).toMatch(/^would probe it: its cooldown ended at /)

    const lease = await probeLeasesFor(backend).acquire({
      profileId: 'openai:a',
      model: MODEL,
      ttlMs: MIN,
      now: Date.now(),
    })
    const probing = await planFailover({
      store: backend,
      provider: 'openai',
      model: MODEL,
      fallbacksOverride: [],
      env: {},
    })
    expect(probing.chosen?.profileId).toBe('openai:b')
    expect(probing.trace[0]).toMatchObject({
      profileId: 'openai:a',
      outcome: 'skipped',
      reason: 'probing',
    })
    expect(probing.trace[0]?.detail).toMatch(/^another run is probing it/)
    if (lease.status === 'acquired') await lease.release()
  })
})
