// Over 400 lines: every case shares the one redis-server this file starts.
// The Redis state backend and the fleet connection against a real redis-server (private unix
// socket): routing diff semantics, freshness, monotonic windows, outages, FLUSHALL, canary scan.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { findCanaries } from '../testing/canary-scan.js'
import { startRedisServer, type RedisServer } from '../../../../test-support/redis-server.ts'
import { isProfileInCooldown } from '../selection/cooldowns.js'
import { resolveProfileProbation } from '../selection/probation.js'
import { createFileAuthStore } from '../store/file-store.js'
import { resolveAuthProfileOrder } from '../selection/order.js'
import { updateAuthProfileStore, upsertAuthProfile } from '../store/store.js'
import type { AuthStoreBackend } from '../store/store-backend.js'
import { apiKeyCredential, canarySecret } from '../testing/index.js'
import type { AuthProfileStore } from '../types.js'
import {
  clearAuthProfileCooldown,
  markAuthProfileFailure,
  markAuthProfileGood,
  markAuthProfileUsed,
} from '../selection/bookkeeping.js'
import {
  createRedisFleet,
  type RedisFleet,
  type RedisFleetEvent,
  type RedisFleetOptions,
} from './connection.js'
import { WRITE_ROUTING_SCRIPT } from './routing-scripts.js'

const A = 'openai:a'
const B = 'openai:b'

let server: RedisServer
let root: string
const fleets: RedisFleet[] = []
const secrets: string[] = []
const unhandled: unknown[] = []
const onUnhandled = (error: unknown): void => {
  unhandled.push(error)
}

beforeAll(async () => {
  server = await startRedisServer()
  process.on('unhandledRejection', onUnhandled)
  process.on('uncaughtException', onUnhandled)
})
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  process.off('uncaughtException', onUnhandled)
  await server.dispose()
})
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'claw-fleet-state-'))
  if (!pingable()) await server.start()
  server.cli(['FLUSHALL'])
})
afterEach(async () => {
  await Promise.all(fleets.splice(0).map((fleet) => fleet.close()))
  rmSync(root, { recursive: true, force: true })
  expect(unhandled).toEqual([])
})

function pingable(): boolean {
  try {
    return server.cli(['PING']).trim() === 'PONG'
  } catch {
    return false
  }
}

// Tests that are not about outages allow slow commands: a loaded CI host must not open the circuit.
function fleet(options: Partial<RedisFleetOptions> = {}): RedisFleet {
  const created = createRedisFleet({
    url: server.url,
    warn: () => undefined,
    commandTimeoutMs: 2_000,
    ...options,
  })
  fleets.push(created)
  return created
}

/** A file backend in its own dir ("host") holding two API-key profiles with canary secrets. */
async function host(name: string): Promise<AuthStoreBackend> {
  const files = createFileAuthStore({ agentDir: join(root, name) })
  const keys = [canarySecret(), canarySecret()]
  secrets.push(...keys)
  await files.update((store) => {
    store.profiles[A] = apiKeyCredential('openai', keys[0])
    store.profiles[B] = apiKeyCredential('openai', keys[1])
  })
  return files
}

async function stateOf(backend: AuthStoreBackend): Promise<AuthProfileStore> {
  return backend.update(() => undefined).then((result) => result.store)
}

function hash(key: string): Record<string, string> {
  const lines = server.cli(['HGETALL', key]).split('\n').filter(Boolean)
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < lines.length; i += 2) out[lines[i] as string] = lines[i + 1] as string
  return out
}
const pttl = (key: string): number => Number(server.cli(['PTTL', key]).trim())

describe('routing diff semantics', () => {
  it('writes counters as atomic increments, windows as PX keys with Redis-measured TTLs', async () => {
    const files = await host('h1')
    const backend = fleet().stateBackend({ agentId: 'main', credentials: files })
    const store = await backend.load()
    await markAuthProfileFailure({ store, profileId: A, reason: 'unknown', persist: { backend } })
    await markAuthProfileFailure({
      store,
      profileId: A,
      reason: 'rate_limit',
      persist: { backend },
    })
    const usage = hash('claw:{main}:usage:openai:a')
    expect(usage).toMatchObject({
      errorCount: '2',
      'failure:unknown': '1',
      'failure:rate_limit': '1',
    })
    const ttl = pttl('claw:{main}:cooldown:openai:a')
    expect(ttl).toBeGreaterThan(55_000)
    expect(ttl).toBeLessThanOrEqual(60_000)
    expect(JSON.parse(server.cli(['GET', 'claw:{main}:cooldown:openai:a']))).toEqual({
      reason: 'unknown',
    })
    // The reader sees now + PTTL, and the file keeps none of it.
    const seen = await stateOf(backend)
    expect(seen.usageStats?.[A]?.cooldownUntil).toBeGreaterThan(Date.now() + 55_000)
    expect((await files.load()).usageStats).toBeUndefined()
    // Model-scoped cooldown: its own key, its count in the hash.
    await markAuthProfileFailure({
      store,
      profileId: B,
      reason: 'rate_limit',
      model: 'gpt-x',
      persist: { backend },
    })
    expect(pttl('claw:{main}:mcooldown:openai:b')).toBeGreaterThan(55_000)
    expect(hash('claw:{main}:usage:openai:b')['model:gpt-x:errorCount']).toBe('1')
    const afterModel = await stateOf(backend)
    expect(afterModel.usageStats?.[B]?.modelCooldowns?.['gpt-x']).toMatchObject({
      reason: 'rate_limit',
      errorCount: 1,
    })
    expect(isProfileInCooldown(afterModel, B, { model: 'gpt-x' })).toBe(true)
    expect(isProfileInCooldown(afterModel, B, { model: 'other' })).toBe(false)
  })

  it('shares a used-up subscription window with every host, on the cooldown key', async () => {
    const backend = fleet().stateBackend({ agentId: 'main', credentials: await host('h1') })
    const usageLimit = { window: '7d', resetsAt: Date.now() + 3 * 86_400_000, usedPercent: 100 }
    await markAuthProfileFailure({
      store: backend,
      profileId: A,
      reason: 'rate_limit',
      model: 'gpt-x',
      usageLimit,
    })
    expect(pttl('claw:{main}:cooldown:openai:a')).toBeGreaterThan(3 * 86_400_000 - 60_000)
    const other = fleet().stateBackend({ agentId: 'main', credentials: await host('h2') })
    const seen = await stateOf(other)
    expect(seen.usageStats?.[A]?.usageLimit).toEqual(usageLimit)
    expect(isProfileInCooldown(seen, A, { model: 'any-model' })).toBe(true)
  })

  it('keeps the longer window: a later, shorter write never shortens it', async () => {
    const backend = fleet().stateBackend({ agentId: 'main', credentials: await host('h1') })
    const store = await backend.load()
    const persist = { backend }
    await markAuthProfileFailure({
      store,
      profileId: A,
      reason: 'unknown',
      retryAfterMs: 600_000,
      persist,
    })
    // A writer that believes no window is active (stale view) tries a 5 s one.
    await backend.update((fresh) => {
      fresh.usageStats = { [A]: { cooldownUntil: Date.now() + 5_000, cooldownReason: 'timeout' } }
    })
    expect(pttl('claw:{main}:cooldown:openai:a')).toBeGreaterThan(590_000)
    expect(JSON.parse(server.cli(['GET', 'claw:{main}:cooldown:openai:a']))).toEqual({
      reason: 'unknown',
    })
  })

  it('concurrent cooldown writes keep the maximum deadline', async () => {
    const backends = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(async (n) =>
        fleet().stateBackend({ agentId: 'main', credentials: await host(`h${n}`) }),
      ),
    )
    const hints = [30_000, 900_000, 60_000, 120_000, 5_000, 300_000]
    await Promise.all(
      backends.map(async (backend, index) => {
        const store = await backend.load()
        await markAuthProfileFailure({
          store,
          profileId: A,
          reason: 'rate_limit',
          retryAfterMs: hints[index],
          persist: { backend },
        })
      }),
    )
    expect(pttl('claw:{main}:cooldown:openai:a')).toBeGreaterThan(890_000)
    expect(hash('claw:{main}:usage:openai:a').errorCount).toBe('6')
  })

  it('clears explicitly, resets expired windows, and shares order, lastGood and re-auth', async () => {
    const files = await host('h1')
    const backend = fleet().stateBackend({ agentId: 'main', credentials: files })
    const store = await backend.load()
    const persist = { backend }
    await markAuthProfileFailure({ store, profileId: A, reason: 'unknown', persist })
    await markAuthProfileFailure({ store, profileId: A, reason: 'timeout', model: 'm1', persist })
    await clearAuthProfileCooldown({ store, profileId: A, persist })
    expect(server.cli(['EXISTS', 'claw:{main}:cooldown:openai:a']).trim()).toBe('0')
    expect(server.cli(['EXISTS', 'claw:{main}:mcooldown:openai:a']).trim()).toBe('0')
    expect(hash('claw:{main}:usage:openai:a').errorCount).toBe('0')

    // An expired window keeps the counters, like the file backend: the ladder goes on.
    await markAuthProfileFailure({
      store,
      profileId: B,
      reason: 'unknown',
      retryAfterMs: 150,
      persist,
    })
    await markAuthProfileFailure({ store, profileId: B, reason: 'unknown', persist })
    expect(hash('claw:{main}:usage:openai:b').errorCount).toBe('2')
    await sleep(250)
    await markAuthProfileFailure({ store, profileId: B, reason: 'unknown', persist })
    expect(hash('claw:{main}:usage:openai:b').errorCount).toBe('3')
    expect(pttl('claw:{main}:cooldown:openai:b')).toBeGreaterThan(25 * 60_000 - 5_000)
    expect(pttl('claw:{main}:cooldown:openai:b')).toBeLessThanOrEqual(25 * 60_000)

    await markAuthProfileUsed({ store, profileId: B, persist })
    expect(server.cli(['EXISTS', 'claw:{main}:cooldown:openai:b']).trim()).toBe('0')
    expect(Number(hash('claw:{main}:usage:openai:b').lastUsed)).toBeGreaterThan(0)

    await markAuthProfileGood({ store, provider: 'openai', profileId: B, persist })
    await backend.update((fresh) => {
      fresh.order = { openai: [B, A] }
      fresh.profiles[A] = { ...fresh.profiles[A]!, status: 'needs_reauth' }
    })
    expect(hash('claw:{main}:lastgood')).toEqual({ openai: B })
    expect(hash('claw:{main}:order')).toEqual({ openai: JSON.stringify([B, A]) })
    expect(server.cli(['SMEMBERS', 'claw:{main}:reauth']).trim()).toBe(A)
    // Another host sees all of it through its own credentials.
    const other = fleet().stateBackend({ agentId: 'main', credentials: await host('h2') })
    const seen = await other.load()
    expect(seen.order).toEqual({ openai: [B, A] })
    expect(seen.lastGood).toEqual({ openai: B })
    expect(seen.profiles[A]?.status).toBe('needs_reauth')
    expect(resolveAuthProfileOrder({ store: seen, provider: 'openai' })).toEqual([B])
    // Re-login (a credential without the marker) clears it.
    await other.update((fresh) => {
      fresh.profiles[A] = apiKeyCredential('openai', secrets[0])
    })
    expect(server.cli(['SMEMBERS', 'claw:{main}:reauth']).trim()).toBe('')
  })
})

describe('freshness and sharing', () => {
  // The freshness bound is a property of the snapshot's age on the fleet's clock, so it is proved
  // on an injected clock: a loaded host cannot stretch it, and a wrong reuse window fails it. The
  // wall-clock latency (write on one connection → seen by another) is a bench row
  // (bench/suites/auth-profiles.mjs, "fleet freshness").
  it('a 429 recorded by host A is honoured by host B once its snapshot is freshnessMs old', async () => {
    let clock = Date.now()
    const now = (): number => clock
    const a = fleet({ now }).stateBackend({ agentId: 'main', credentials: await host('a') })
    const b = fleet({ now, freshnessMs: 100 }).stateBackend({
      agentId: 'main',
      credentials: await host('b'),
    })
    const select = async (): Promise<string[]> =>
      resolveAuthProfileOrder({ store: await b.load(), provider: 'openai' })
    expect(await select()).toEqual([A, B])
    // Warm path: repeated loads within the bound cost no round trip (same object back).
    const snapshot = await b.load()
    expect(await b.load()).toBe(snapshot)
    await markAuthProfileFailure({
      store: await a.load(),
      profileId: A,
      reason: 'rate_limit',
      retryAfterMs: 30_000,
      persist: { backend: a },
    })
    // Within 80 % of the bound B still serves its snapshot (the rest covers the read) …
    clock += 79
    expect(await b.load()).toBe(snapshot)
    expect(await select()).toEqual([A, B])
    // … and a load at freshnessMs after the snapshot was read sees A's window.
    clock += 21
    expect(await select()).toEqual([B, A])
    expect(isProfileInCooldown(await b.load(), A)).toBe(true)
  })

  it('after FLUSHALL the state starts empty and the credentials are intact', async () => {
    const files = await host('h1')
    const backend = fleet().stateBackend({ agentId: 'main', credentials: files })
    const store = await backend.load()
    await markAuthProfileFailure({ store, profileId: A, reason: 'unknown', persist: { backend } })
    expect(isProfileInCooldown(await stateOf(backend), A)).toBe(true)
    server.cli(['FLUSHALL'])
    const after = await stateOf(backend)
    expect(after.usageStats).toBeUndefined()
    expect(Object.keys(after.profiles).sort()).toEqual([A, B])
    expect(after.profiles[A]).toEqual((await files.load()).profiles[A])
    await markAuthProfileFailure({ store, profileId: A, reason: 'unknown', persist: { backend } })
    expect(hash('claw:{main}:usage:openai:a').errorCount).toBe('1')
  })

  it('never writes a credential to Redis (canary scan of every key and value)', async () => {
    const backend = fleet({ prefix: 'fleet-canary:' }).stateBackend({
      agentId: 'main',
      credentials: await host('h1'),
    })
    const store = await backend.load()
    const persist = { backend }
    await markAuthProfileFailure({ store, profileId: A, reason: 'rate_limit', model: 'm', persist })
    await markAuthProfileFailure({ store, profileId: B, reason: 'billing', persist })
    await markAuthProfileUsed({ store, profileId: A, persist })
    await markAuthProfileGood({ store, provider: 'openai', profileId: A, persist })
    await backend.update((fresh) => {
      fresh.order = { openai: [A, B] }
      fresh.profiles[B] = { ...fresh.profiles[B]!, status: 'needs_reauth' }
    })
    const keys = server.cli(['--scan']).split('\n').filter(Boolean)
    expect(keys.length).toBeGreaterThan(3)
    expect(keys.every((key) => key.startsWith('fleet-canary:{main}:'))).toBe(true)
    let dump = ''
    for (const key of keys) {
      dump += `${key}\n${server.cli(['DUMP', key])}\n`
      const type = server.cli(['TYPE', key]).trim()
      const read = { hash: 'HGETALL', set: 'SMEMBERS', string: 'GET' }[type] ?? 'DUMP'
      dump += `${server.cli([read, key])}\n`
    }
    expect(findCanaries(dump, secrets, 'redis')).toEqual([])
  })
})

describe('outages', () => {
  it('Redis down at start: local state, one warning, ≤ 1 s extra over the first 20 calls', async () => {
    const files = await host('h1')
    const warnings: string[] = []
    const down = createRedisFleet({
      url: `unix://${join(root, 'missing.sock')}`,
      warn: (message) => warnings.push(message),
    })
    fleets.push(down)
    const events: RedisFleetEvent[] = []
    down.subscribe((event) => void events.push(event))
    const backend = down.stateBackend({ agentId: 'main', credentials: files })
    const timed = async (target: AuthStoreBackend): Promise<number> => {
      const started = performance.now()
      for (let i = 0; i < 10; i += 1) {
        const store = await target.load()
        await markAuthProfileFailure({
          store,
          profileId: i % 2 === 0 ? A : B,
          reason: 'unknown',
          persist: { backend: target },
        })
      }
      return performance.now() - started
    }
    const withFleet = await timed(backend)
    const plain = await timed(await host('h2'))
    console.info(
      `outage at start: 20 calls took ${withFleet.toFixed(1)} ms (file backend alone ${plain.toFixed(1)} ms), extra ${(withFleet - plain).toFixed(1)} ms`,
    )
    expect(withFleet - plain).toBeLessThanOrEqual(1_000)
    expect(down.status()).toBe('degraded')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^Redis unavailable \(\w+\); using local state/)
    // Local state: the file's own usageStats.
    expect((await files.load()).usageStats?.[A]?.errorCount).toBe(5)
    expect(await down.ping()).toMatchObject({ ok: false })
    // Subscribers saw the calls that found Redis down, each with its error, and one transition.
    const commands = events.filter((event) => event.type === 'command')
    expect(commands.length).toBeGreaterThan(0)
    for (const command of commands)
      expect(command).toEqual({
        type: 'command',
        durationMs: expect.any(Number) as number,
        error: expect.stringMatching(/^\w+$/) as string,
      })
    expect(events.filter((event) => event.type !== 'command')).toEqual([
      { type: 'circuit_opened', reason: expect.any(String) as string },
    ])
  })

  it('operator writes are refused while Redis is unavailable; request-path bookkeeping stays local', async () => {
    const files = await host('h1')
    const live = fleet()
    const backend = live.stateBackend({ agentId: 'main', credentials: files })
    const store = await backend.load()
    await markAuthProfileFailure({ store, profileId: A, reason: 'unknown', persist: { backend } })
    expect(isProfileInCooldown(await backend.load(), A)).toBe(true)

    await server.kill()
    const before = await files.load()
    // The order override: refused, nothing written anywhere.
    const order = await updateAuthProfileStore({ backend }, (fresh) => {
      fresh.order = { openai: [B, A] }
    }).then(
      () => undefined,
      (error: unknown) => error as Error & Record<string, unknown>,
    )
    expect(order).toMatchObject({ code: 'ERR_FLEET_UNAVAILABLE', retryable: true })
    expect(order?.message).toMatch(
      /^Redis is unavailable \(\w+\), so the shared routing state \(cooldowns, usage, order, last-good\) of agent main cannot be changed; nothing was written\./,
    )
    // A manual cooldown clear: the same (the library returns the error, as for every bookkeeping call).
    const cleared = await clearAuthProfileCooldown({
      store: await backend.load(),
      profileId: A,
      persist: { backend },
    })
    expect(cleared.error).toMatchObject({ code: 'ERR_FLEET_UNAVAILABLE' })
    expect(await files.load()).toEqual(before)
    // A credential edit touches no shared state: it lands in the credentials backend.
    const added = canarySecret()
    secrets.push(added)
    await upsertAuthProfile({
      backend,
      profileId: 'openai:c',
      credential: apiKeyCredential('openai', added),
    })
    expect((await files.load()).profiles['openai:c']).toMatchObject({ key: added })
    // The request path keeps working on local state.
    const outcome = await markAuthProfileFailure({
      store: await backend.load(),
      profileId: B,
      reason: 'rate_limit',
      persist: { backend },
    })
    expect(outcome.error).toBeUndefined()
    expect(isProfileInCooldown(await files.load(), B)).toBe(true)
  })

  it('Redis killed mid-run and restarted: local fallback, one warning, sharing resumes ≤ 5 s', async () => {
    const warnings: string[] = []
    const filesA = await host('a')
    const fleetA = fleet({ warn: (message) => warnings.push(message) })
    const events: RedisFleetEvent[] = []
    const unsubscribe = fleetA.subscribe((event) => void events.push(event))
    fleetA.subscribe(() => {
      throw new Error('a broken listener changes nothing')
    })
    const a = fleetA.stateBackend({ agentId: 'main', credentials: filesA })
    const b = fleet().stateBackend({ agentId: 'main', credentials: await host('b') })
    const storeA = await a.load()
    await markAuthProfileFailure({
      store: storeA,
      profileId: A,
      reason: 'unknown',
      persist: { backend: a },
    })
    expect(isProfileInCooldown(await b.load(), A)).toBe(true)

    await server.kill()
    // Every call keeps working on local state.
    for (let i = 0; i < 20; i += 1) {
      const store = await a.load()
      const outcome = await markAuthProfileFailure({
        store,
        profileId: B,
        reason: 'unknown',
        persist: { backend: a },
      })
      expect(outcome.error).toBeUndefined()
    }
    expect(fleetA.status()).toBe('degraded')
    expect((await filesA.load()).usageStats?.[B]?.errorCount).toBe(20)
    expect(isProfileInCooldown(await a.load(), B)).toBe(true)

    await server.start()
    const restarted = performance.now()
    let recovery = Number.POSITIVE_INFINITY
    while (performance.now() - restarted < 8_000) {
      const store = await a.load()
      await markAuthProfileFailure({ store, profileId: A, reason: 'auth', persist: { backend: a } })
      const seen = await b.load()
      if (seen.usageStats?.[A]?.failureCounts?.auth !== undefined) {
        recovery = performance.now() - restarted
        break
      }
      await sleep(50)
    }
    console.info(`recovery: sharing resumed ${recovery.toFixed(0)} ms after redis-server restarted`)
    expect(recovery).toBeLessThanOrEqual(5_000)
    expect(fleetA.status()).toBe('connected')
    expect(warnings.filter((message) => message.startsWith('Redis unavailable'))).toHaveLength(1)
    expect(warnings.filter((message) => message.startsWith('Redis available'))).toHaveLength(1)
    expect(warnings.join('\n')).not.toContain(server.socketPath)
    expect(await fleetA.ping()).toMatchObject({ ok: true })

    // Subscribers saw the calls with their latency, then exactly one transition each way.
    const transitions = events.filter((event) => event.type !== 'command')
    expect(transitions).toEqual([
      { type: 'circuit_opened', reason: expect.any(String) as string },
      { type: 'circuit_closed' },
    ])
    const commands = events.filter((event) => event.type === 'command')
    expect(commands.length).toBeGreaterThan(3)
    expect(commands[0]).toEqual({ type: 'command', durationMs: expect.any(Number) as number })
    expect(JSON.stringify(events)).not.toContain(server.socketPath)
    const seen = events.length
    unsubscribe()
    await a.load()
    await markAuthProfileUsed({ store: await a.load(), profileId: A, persist: { backend: a } })
    expect(events).toHaveLength(seen)
  })
})

describe('probe leases (one probe per fleet after a window ends)', () => {
  /** A's window (profile-wide, or for `model`) recorded through `backend`, ended by now. */
  async function endedWindow(backend: AuthStoreBackend, model?: string): Promise<void> {
    const store = await backend.load()
    await markAuthProfileFailure({
      store,
      profileId: A,
      reason: model ? 'rate_limit' : 'unknown',
      ...(model ? { model } : {}),
      retryAfterMs: 100,
      persist: { backend },
    })
    await sleep(150)
  }
  const request = (model?: string) => ({
    profileId: A,
    ...(model ? { model } : {}),
    ttlMs: 5_000,
    now: Date.now(),
  })

  it('grants one probe across hosts, under the agent prefix, until it is released', async () => {
    const one = fleet().stateBackend({ agentId: 'main', credentials: await host('h1') })
    const two = fleet().stateBackend({ agentId: 'main', credentials: await host('h2') })
    await endedWindow(one)
    const first = await one.probeLeases!.acquire(request())
    expect(first.status).toBe('acquired')
    expect((await two.probeLeases!.acquire(request())).status).toBe('held')
    expect(await two.probeLeases!.held(request())).toBe(true)
    expect(pttl('claw:{main}:probe:openai:a')).toBeGreaterThan(4_000)
    expect(pttl('claw:{main}:probe:openai:a')).toBeLessThanOrEqual(5_000)
    if (first.status === 'acquired') await first.release()
    expect(server.cli(['EXISTS', 'claw:{main}:probe:openai:a']).trim()).toBe('0')
    const second = await two.probeLeases!.acquire(request())
    expect(second.status).toBe('acquired')
    // A stale holder's release never frees the next holder's lease.
    if (first.status === 'acquired') await first.release()
    expect(await one.probeLeases!.held(request())).toBe(true)
  })

  it('answers closed once a probe succeeded and cooling once it failed, from the shared state', async () => {
    const one = fleet().stateBackend({ agentId: 'main', credentials: await host('h1') })
    const two = fleet().stateBackend({ agentId: 'main', credentials: await host('h2') })
    await endedWindow(one)
    await markAuthProfileUsed({ store: await one.load(), profileId: A, persist: { backend: one } })
    expect((await two.probeLeases!.acquire(request())).status).toBe('closed')
    await markAuthProfileFailure({
      store: await one.load(),
      profileId: A,
      reason: 'unknown',
      persist: { backend: one },
    })
    expect((await two.probeLeases!.acquire(request())).status).toBe('cooling')
    expect(server.cli(['EXISTS', 'claw:{main}:probe:openai:a']).trim()).toBe('0')
  })

  it('records a window that ended before it was written, so the profile is still probed once', async () => {
    const one = fleet().stateBackend({ agentId: 'main', credentials: await host('h1') })
    // The failure was recorded with a clock 1 s behind: its 100 ms window ended before the write.
    const past = Date.now() - 1_000
    for (const model of [undefined, 'gpt-x']) {
      await markAuthProfileFailure({
        store: one,
        profileId: A,
        reason: model ? 'rate_limit' : 'unknown',
        ...(model ? { model } : {}),
        retryAfterMs: 100,
        now: () => past,
      })
    }
    expect(hash('claw:{main}:usage:openai:a')).toMatchObject({
      cooldownUntil: String(past + 100),
      'model:gpt-x:until': String(past + 100),
    })
    const stats = (await stateOf(one)).usageStats?.[A]
    expect(resolveProfileProbation(stats, { now: Date.now() })).toMatchObject({ scope: 'profile' })
    expect((await one.probeLeases!.acquire(request())).status).toBe('acquired')
    expect((await one.probeLeases!.acquire(request('gpt-x'))).status).toBe('acquired')
  })

  it('leases a model-scoped probe per model', async () => {
    const one = fleet().stateBackend({ agentId: 'main', credentials: await host('h1') })
    await endedWindow(one, 'gpt-x')
    expect((await one.probeLeases!.acquire(request('gpt-x'))).status).toBe('acquired')
    expect(pttl('claw:{main}:mprobe:openai:a:gpt-x')).toBeGreaterThan(4_000)
    expect((await one.probeLeases!.acquire(request('gpt-x'))).status).toBe('held')
  })

  it('falls back to leases in this process while Redis is unavailable', async () => {
    const files = await host('h1')
    const backend = fleet({ commandTimeoutMs: 250 }).stateBackend({
      agentId: 'main',
      credentials: files,
    })
    await endedWindow(backend)
    await server.kill()
    const first = await backend.probeLeases!.acquire(request())
    expect(first.status).toBe('acquired')
    expect((await backend.probeLeases!.acquire(request())).status).toBe('held')
    if (first.status === 'acquired') await first.release()
    expect(await backend.probeLeases!.held(request())).toBe(false)
  })
})

/** How many script calls Redis has run (EVAL and EVALSHA; a routing read or write is one). */
function scriptCalls(): number {
  const stats = server.cli(['INFO', 'commandstats'])
  let calls = 0
  for (const match of stats.matchAll(/cmdstat_eval(?:sha)?:calls=(\d+)/g)) calls += Number(match[1])
  return calls
}

describe('soft bookkeeping (successes) is written behind, batched', () => {
  it('successes of two agents cost no round trip, then one batched write per agent (one hash slot each) within a second', async () => {
    // A long freshness bound: no routing read while the successes come in.
    const live = fleet({ freshnessMs: 60_000 })
    const main = live.stateBackend({ agentId: 'main', credentials: await host('h1') })
    const work = live.stateBackend({ agentId: 'work', credentials: await host('h2') })
    await main.load()
    await work.load()
    // The write script is known to Redis (a restart in an earlier test forgets it): one EVALSHA.
    server.cli(['SCRIPT', 'LOAD', WRITE_ROUTING_SCRIPT.source])
    const before = scriptCalls()
    for (let i = 0; i < 20; i += 1) {
      const result = await markAuthProfileUsed({ store: i % 2 === 0 ? main : work, profileId: A })
      expect(result).toEqual({ changed: true, persisted: false, deferred: true })
    }
    await markAuthProfileGood({ store: main, provider: 'openai', profileId: A })
    // This process sees them at once; Redis does not have them yet.
    expect((await main.load()).usageStats?.[A]?.lastUsed).toBeTypeOf('number')
    expect((await main.load()).lastGood).toEqual({ openai: A })
    expect(scriptCalls()).toBe(before)
    expect(hash('claw:{main}:usage:openai:a')).toEqual({})

    const started = performance.now()
    while (hash('claw:{work}:usage:openai:a')['lastUsed'] === undefined) {
      expect(performance.now() - started).toBeLessThan(5_000)
      await sleep(20)
    }
    expect(scriptCalls()).toBe(before + 2)
    expect(hash('claw:{main}:usage:openai:a')).toMatchObject({ errorCount: '0' })
    expect(Number(hash('claw:{main}:usage:openai:a')['lastUsed'])).toBeGreaterThan(0)
    expect(hash('claw:{main}:lastgood')).toEqual({ openai: A })
    // The snapshot keeps them once written (no step back until the next read).
    expect((await main.load()).usageStats?.[A]?.lastUsed).toBe(
      Number(hash('claw:{main}:usage:openai:a')['lastUsed']),
    )
  })

  it('a success written later clears ended windows but never a failure recorded after it', async () => {
    const a = fleet().stateBackend({ agentId: 'main', credentials: await host('a') })
    const b = fleet().stateBackend({ agentId: 'main', credentials: await host('b') })
    // An ended window on A (its counters stay until a success), a live one on B.
    await markAuthProfileFailure({ store: a, profileId: A, reason: 'unknown', retryAfterMs: 50 })
    await sleep(100)
    await markAuthProfileUsed({ store: a, profileId: A, now: () => Date.now() })
    await markAuthProfileUsed({ store: a, profileId: B, now: () => Date.now() - 1_000 })
    // Host b records a failure on B after a's held-back success.
    await markAuthProfileFailure({ store: b, profileId: B, reason: 'overloaded' })
    await a.flush?.()
    const usageA = hash('claw:{main}:usage:openai:a')
    expect(usageA['errorCount']).toBe('0')
    expect(Object.keys(usageA).filter((field) => field.startsWith('failure:'))).toEqual([])
    expect(usageA['cooldownUntil']).toBeUndefined()
    const usageB = hash('claw:{main}:usage:openai:b')
    expect(usageB).toMatchObject({ errorCount: '1', 'failure:overloaded': '1' })
    expect(Number(usageB['lastUsed'])).toBeGreaterThan(0)
    expect(pttl('claw:{main}:cooldown:openai:b')).toBeGreaterThan(50_000)
  })

  it('closing the fleet writes what is held back', async () => {
    const live = fleet()
    const backend = live.stateBackend({ agentId: 'main', credentials: await host('h1') })
    await markAuthProfileUsed({ store: backend, profileId: B })
    expect(hash('claw:{main}:usage:openai:b')).toEqual({})
    await live.close()
    expect(Number(hash('claw:{main}:usage:openai:b')['lastUsed'])).toBeGreaterThan(0)
  })

  it('while Redis is unavailable, held-back successes go to the local store', async () => {
    const files = await host('h1')
    const live = fleet()
    const backend = live.stateBackend({ agentId: 'main', credentials: files })
    await backend.load()
    await markAuthProfileUsed({ store: backend, profileId: A, now: () => 4_000 })
    await server.kill()
    await backend.flush?.()
    expect((await files.load()).usageStats?.[A]).toEqual({ lastUsed: 4_000, errorCount: 0 })
  })
})
