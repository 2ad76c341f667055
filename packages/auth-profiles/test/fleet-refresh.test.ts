// Multi-host OAuth refresh through Redis (one refresh per expiry across hosts, fencing, outages): real worker processes
// (test/fixtures/fleet-refresh-worker.mjs, running the BUILT package) grouped into simulated hosts
// with separate HOME/state dirs, so the per-host file lock cannot serialise them: only the Redis
// refresh lock can. The OAuth profile lives in the Redis credential backend, encrypted. Counts are
// asserted exactly and nothing is retried.
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import type { OAuthCredential } from '@claw/auth-profiles'
import { createRedisCredentialBackend } from '../src/fleet/credential-backend.js'
import { findCanaries, findCanariesInFiles } from '../src/testing/canary-scan.js'
import { startRedisServer, type RedisServer } from '../../../test-support/redis-server.ts'
import { forkTokenServer, type TokenServer } from './fixtures/token-server.js'
import {
  connectTestFleet,
  dumpRedis,
  type TestFleetConnection,
} from './helpers/fleet-connection.js'
import {
  collectResults,
  combinedOutput,
  FLEET_REFRESH_WORKER_PATH,
  killAllWorkers,
  spawnWorker,
  startTogether,
  waitForMessage,
  type FleetRefreshWorkerJob,
  type WorkerHandle,
  type WorkerMessage,
} from './helpers/processes.js'

const PROVIDER = 'test-oauth'
const PROFILE = 'test-oauth:default'
const AGENT = 'main'
const CALL_TIMEOUT_MS = 5_000
const LOCK_KEY = `claw:{main}:lock:oauth:${PROVIDER}:${PROFILE}`
const FENCE_KEY = `claw:{main}:fence:oauth:${PROVIDER}:${PROFILE}`

interface Outcome {
  readonly ok: boolean
  readonly refreshed?: boolean
  readonly adopted?: boolean
  readonly generation?: number
  readonly accessHash?: string
  readonly error?: { readonly code?: string; readonly message: string }
}

let redis: RedisServer
let server: TokenServer
let connection: TestFleetConnection
let root: string
let spawned: WorkerHandle[]
let seededSecrets: string[]
const encryptionKey = randomBytes(32)

beforeAll(async () => {
  ;[redis, server] = await Promise.all([startRedisServer(), forkTokenServer()])
}, 20_000)

afterAll(async () => {
  await Promise.all([server.close(), redis.dispose()])
})

beforeEach(async () => {
  await server.reset()
  redis.cli(['FLUSHALL'])
  connection = await connectTestFleet(redis)
  root = mkdtempSync(join(tmpdir(), 'claw-fleet-refresh-'))
  chmodSync(root, 0o700)
  spawned = []
  seededSecrets = []
})

afterEach(async () => {
  await killAllWorkers()
  await connection.close()
  // no token the server issued (nor a seeded one) in any Redis key or value, any worker's
  // output or IPC messages, or any file under the hosts' HOME dirs.
  const { issued } = await server.stats()
  const secrets = [...issued, ...seededSecrets]
  const hits = [
    ...findCanaries(dumpRedis(redis), secrets, 'redis keys and values'),
    ...findCanaries(combinedOutput(spawned), secrets, 'worker stdout/stderr'),
    ...findCanaries(JSON.stringify(spawned.map((h) => h.messages)), secrets, 'worker IPC'),
    ...findCanariesInFiles(root, secrets, { skipNames: [] }),
  ]
  rmSync(root, { recursive: true, force: true })
  expect(hits, 'secrets outside memory').toEqual([])
})

function hash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16)
}

function credentials() {
  return createRedisCredentialBackend(connection, { agentId: AGENT, encryptionKey })
}

async function seedExpiredProfile(): Promise<OAuthCredential> {
  const access = canarySecret('at-0-')
  seededSecrets.push(access)
  const credential: OAuthCredential = {
    type: 'oauth',
    provider: PROVIDER,
    access,
    refresh: await server.seed(),
    expires: Date.now() - 60_000,
    generation: 1,
  }
  await credentials().update((store) => {
    store.profiles[PROFILE] = credential
  })
  return credential
}

async function storedCredential(): Promise<OAuthCredential> {
  const credential = (await credentials().load()).profiles[PROFILE]
  if (credential?.type !== 'oauth') throw new Error('no oauth profile in Redis')
  return credential
}

/** A simulated host: its own HOME and state dir (nothing shared on disk with other hosts). */
function host(name: string): { home: string; stateDir: string } {
  const home = join(root, name)
  mkdirSync(home, { mode: 0o700 })
  return { home, stateDir: join(home, '.claw') }
}

function spawnFleetWorker(
  where: { home: string; stateDir: string },
  worker: number,
  faults?: string,
): WorkerHandle {
  const job: FleetRefreshWorkerJob = {
    kind: 'fleet-refresh',
    worker,
    redisUrl: redis.url,
    agentId: AGENT,
    profileId: PROFILE,
    tokenEndpoint: server.tokenEndpoint,
    callTimeoutMs: CALL_TIMEOUT_MS,
    commandTimeoutMs: 2_000,
    maxMs: 45_000,
  }
  const handle = spawnWorker(job, {
    ...where,
    script: FLEET_REFRESH_WORKER_PATH,
    env: {
      CLAW_STATE_KEY: encryptionKey.toString('base64'),
      ...(faults ? { CLAW_ENABLE_TEST_HOOKS: '1', CLAW_TEST_FAULTS: faults } : {}),
    },
  })
  spawned.push(handle)
  return handle
}

function outcomeOf(message: WorkerMessage): Outcome {
  return (message['outcomes'] as Outcome[])[0]!
}

describe('OAuth refresh across fleet hosts (Redis credentials and refresh lock)', () => {
  it('2 hosts × 4 processes on one expired profile make exactly 1 token call', async () => {
    const seeded = await seedExpiredProfile()
    await server.configure({ defaultStep: { kind: 'ok', latencyMs: 300 } })
    const hosts = [host('host-a'), host('host-b')]
    const workers = hosts.flatMap((where, hostIndex) =>
      [0, 1, 2, 3].map((index) => spawnFleetWorker(where, hostIndex * 4 + index)),
    )
    await startTogether(workers, 20_000)
    const outcomes = (await collectResults(workers, 30_000)).map(outcomeOf)

    const stats = await server.stats()
    console.log(
      `2 hosts × 4 processes, token calls ${stats.calls}, refreshed ${outcomes.filter((o) => o.refreshed).length}`,
    )
    expect(stats.calls).toBe(1)
    expect(stats.reuseRejected).toBe(0)
    expect(outcomes.map((outcome) => outcome.error)).toEqual(workers.map(() => undefined))
    const stored = await storedCredential()
    expect(new Set(outcomes.map((outcome) => outcome.accessHash))).toEqual(
      new Set([hash(stored.access)]),
    )
    expect(outcomes.filter((outcome) => outcome.refreshed)).toHaveLength(1)
    expect(outcomes.filter((outcome) => outcome.adopted)).toHaveLength(7)
    expect(stored.generation).toBe((seeded.generation ?? 0) + 1)
    expect(stats.active).toEqual([stored.refresh])
    // Released by compare-and-delete; one grant per process that needed the lock.
    expect(redis.cli(['EXISTS', LOCK_KEY]).trim()).toBe('0')
    expect(Number(redis.cli(['GET', FENCE_KEY]).trim())).toBeGreaterThanOrEqual(1)
    // Encrypted at rest: the positive control finds what the workers hold in memory nowhere.
    expect(redis.cli(['HGET', `claw:{${AGENT}}:creds`, PROFILE]).trim()).toMatch(
      /^[A-Za-z0-9+/=]+$/,
    )
  })

  it('a holder stalled past its lock TTL cannot commit; the new holder’s credential wins', async () => {
    const seeded = await seedExpiredProfile()
    // The stalled holder's token call succeeded, so the taker presents the same (spent) refresh
    // token: a reuse interval lets it through. The taker's call is slow, so the holder wakes up
    // and tries to commit while the taker holds the lock: without fencing its commit would land
    // first (its generation check passes) and the taker would adopt it.
    await server.configure({ graceMs: 20_000 })
    await server.script({ kind: 'ok' }, { kind: 'ok', latencyMs: 3_000 })
    const where = [host('host-a'), host('host-b')]
    const holder = spawnFleetWorker(where[0]!, 0, 'delay@before-commit:1500')
    const taker = spawnFleetWorker(where[1]!, 1)
    await Promise.all([holder, taker].map((handle) => waitForMessage(handle, 'ready', 20_000)))

    await startTogether([holder])
    await server.waitForAnswers(1, 10_000)
    // The holder stalls (before-commit delay) past its TTL: Redis expires its grant.
    expect(redis.cli(['PEXPIRE', LOCK_KEY, '1']).trim()).toBe('1')
    await sleep(20)
    await startTogether([taker])
    const [holderResult, takerResult] = await collectResults([holder, taker], 20_000)
    const holderOutcome = outcomeOf(holderResult!)
    const takerOutcome = outcomeOf(takerResult!)

    const stats = await server.stats()
    expect(stats.calls).toBe(2)
    // Both token calls succeeded: the holder really had a token set to commit when it woke up.
    expect(stats.rotations).toBe(2)
    expect(stats.graceReuses).toBe(1)
    expect(takerOutcome).toMatchObject({ ok: true, refreshed: true, generation: 2 })
    expect(holderOutcome).toMatchObject({ ok: true, refreshed: false, adopted: true })
    expect(holderOutcome.accessHash).toBe(takerOutcome.accessHash)
    const stored = await storedCredential()
    expect(hash(stored.access)).toBe(takerOutcome.accessHash)
    expect(stored.generation).toBe((seeded.generation ?? 0) + 1)
    expect(stats.active).toContain(stored.refresh)
    expect(redis.cli(['GET', FENCE_KEY]).trim()).toBe('3')
    expect(redis.cli(['EXISTS', LOCK_KEY]).trim()).toBe('0')
    expect(holder.output().stderr).toBe('')
  })
})
