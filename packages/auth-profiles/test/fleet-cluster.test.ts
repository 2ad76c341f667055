// The fleet scenarios on a real 3-master Redis Cluster (test-support/redis-cluster.mjs, started
// once for this file): real worker processes running the BUILT package, grouped into simulated
// hosts. OAuth refresh across 2 hosts × 4 processes makes one token call; a 429 recorded by one
// process is honoured by another host; a master killed mid-run never fails a request, and what
// was recorded meanwhile is merged once the master is back.
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  createFileAuthStore,
  markAuthProfileFailure,
  markAuthProfileUsed,
  resolveApiKeyForProvider,
  resolveAuthProfileOrder,
} from '@claw/auth-profiles'
import { createRedisFleet, type RedisFleet } from '@claw/auth-profiles/redis'
import { apiKeyCredential, canarySecret } from '@claw/auth-profiles/testing'
import { startRedisCluster, type RedisCluster } from '../../../test-support/redis-cluster.mjs'
import { forkTokenServer, type TokenServer } from './fixtures/token-server.js'
import {
  collectResults,
  FLEET_REFRESH_WORKER_PATH,
  killAllWorkers,
  spawnWorker,
  startTogether,
  type AnyWorkerJob,
  type WorkerMessage,
} from './helpers/processes.js'

const STATE_WORKER = new URL('./fixtures/fleet-state-worker.mjs', import.meta.url).pathname
const A = 'openai:a'
const B = 'openai:b'
const encryptionKey = randomBytes(32)

let cluster: RedisCluster
let tokens: TokenServer
let root: string
const fleets: RedisFleet[] = []

beforeAll(async () => {
  ;[cluster, tokens] = await Promise.all([startRedisCluster(), forkTokenServer()])
}, 60_000)
afterAll(async () => {
  await Promise.all([cluster.dispose(), tokens.close()])
})
beforeEach(async () => {
  await Promise.all(cluster.ports.map((_, index) => cluster.start(index)))
  cluster.flushAll()
  await tokens.reset()
  root = mkdtempSync(join(tmpdir(), 'claw-fleet-cluster-'))
  chmodSync(root, 0o700)
})
afterEach(async () => {
  await killAllWorkers()
  await Promise.all(fleets.splice(0).map((fleet) => fleet.close()))
  rmSync(root, { recursive: true, force: true })
})

function fleetOf(warn: (message: string) => void = () => {}): RedisFleet {
  const fleet = createRedisFleet({ url: cluster.urls, commandTimeoutMs: 2_000, warn })
  fleets.push(fleet)
  return fleet
}

/** A host: its own HOME, state dir and agent dir holding profiles A and B (file credentials). */
async function host(name: string): Promise<{ home: string; stateDir: string; agentDir: string }> {
  const home = join(root, name)
  const stateDir = join(home, '.claw')
  const agentDir = join(stateDir, 'agents', 'main', 'agent')
  mkdirSync(agentDir, { recursive: true })
  await createFileAuthStore({ agentDir }).update((store) => {
    store.profiles[A] = apiKeyCredential('openai', canarySecret())
    store.profiles[B] = apiKeyCredential('openai', canarySecret())
  })
  return { home, stateDir, agentDir }
}

describe('fleet mode on a 3-master Redis Cluster', () => {
  it('2 hosts × 4 processes on one expired OAuth profile make exactly 1 token call', async () => {
    const profileId = 'test-oauth:default'
    await fleetOf()
      .credentialBackend({ agentId: 'main', encryptionKey })
      .update(async (store) => {
        store.profiles[profileId] = {
          type: 'oauth',
          provider: 'test-oauth',
          access: canarySecret('at-0-'),
          refresh: await tokens.seed(),
          expires: Date.now() - 60_000,
          generation: 1,
        }
      })
    await tokens.configure({ defaultStep: { kind: 'ok', latencyMs: 300 } })
    const workers = [0, 1, 2, 3, 4, 5, 6, 7].map((worker) => {
      const home = join(root, `host-${worker < 4 ? 'a' : 'b'}`)
      mkdirSync(home, { recursive: true, mode: 0o700 })
      return spawnWorker(
        {
          kind: 'fleet-refresh',
          worker,
          redisUrl: cluster.urls,
          agentId: 'main',
          profileId,
          tokenEndpoint: tokens.tokenEndpoint,
          callTimeoutMs: 5_000,
          commandTimeoutMs: 5_000,
          maxMs: 45_000,
        },
        {
          home,
          stateDir: join(home, '.claw'),
          script: FLEET_REFRESH_WORKER_PATH,
          env: { CLAW_STATE_KEY: encryptionKey.toString('base64') },
        },
      )
    })
    await startTogether(workers, 30_000)
    const outcomes = (await collectResults(workers, 40_000)).map(
      (message: WorkerMessage) =>
        (message['outcomes'] as { refreshed?: boolean; error?: unknown }[])[0],
    )
    expect((await tokens.stats()).calls).toBe(1)
    expect(outcomes.map((outcome) => outcome?.error)).toEqual(workers.map(() => undefined))
    expect(outcomes.filter((outcome) => outcome?.refreshed)).toHaveLength(1)
    // All of the agent's keys (credentials, versions, lock fence, markers) in one slot's node.
    const keys = cluster.keys().filter((key) => key.includes('{main}'))
    expect(keys).toEqual(
      expect.arrayContaining(['claw:{main}:creds', 'claw:{main}:credver', 'claw:{main}:fleet']),
    )
    expect(new Set(keys.map((key) => cluster.nodeOf(key))).size).toBe(1)
  }, 90_000)

  it("a 429 recorded by process A is honoured by host B's selection (cooldown sharing)", async () => {
    const dirs = await host('b')
    const b = fleetOf().stateBackend({
      agentId: 'main',
      credentials: createFileAuthStore({ agentDir: dirs.agentDir }),
    })
    const select = async (): Promise<string[]> =>
      resolveAuthProfileOrder({ store: await b.load(), provider: 'openai' })
    expect(await select()).toEqual([A, B])
    const a = await host('a')
    const writer = spawnWorker(
      {
        kind: 'mark-429',
        worker: 0,
        agentDir: a.agentDir,
        redisUrl: cluster.urls,
        profileId: A,
        retryAfterMs: 30_000,
      } as unknown as AnyWorkerJob,
      { home: a.home, stateDir: a.stateDir, script: STATE_WORKER },
    )
    await startTogether([writer], 30_000)
    let seenAt = Number.NaN
    const deadline = performance.now() + 10_000
    while (performance.now() < deadline) {
      if ((await select())[0] === B) {
        seenAt = performance.timeOrigin + performance.now()
        break
      }
      await sleep(2)
    }
    const [result] = await collectResults([writer], 20_000)
    const latency = seenAt - (result?.['writtenAt'] as number)
    console.info(`cluster freshness across processes: ${latency.toFixed(1)} ms`)
    expect(latency).toBeLessThanOrEqual(100)
    expect(Number(cluster.cli(['PTTL', 'claw:{main}:cooldown:openai:a']).trim())).toBeGreaterThan(
      20_000,
    )
  }, 60_000)

  it('a master killed: requests go on with local state (no error), and what they recorded is merged once it is back', async () => {
    const dirs = await host('h')
    const warnings: string[] = []
    const fleet = fleetOf((message) => warnings.push(message))
    const store = fleet.stateBackend({
      agentId: 'main',
      credentials: createFileAuthStore({ agentDir: dirs.agentDir }),
    })
    // One request: resolve a key (never an error, Redis or not), then record the outcome on the
    // profile it used — or on `failing`, whichever profile round-robin put first.
    const request = async (fail: boolean, failing?: string): Promise<string> => {
      const resolved = await resolveApiKeyForProvider({ provider: 'openai', store })
      const profileId = failing ?? resolved.profileId ?? ''
      const outcome = fail
        ? await markAuthProfileFailure({
            store,
            profileId,
            reason: 'rate_limit',
            retryAfterMs: 90_000,
          })
        : await markAuthProfileUsed({ store, profileId })
      if (outcome.error !== undefined) throw outcome.error
      return profileId
    }
    expect(await request(false)).toBe(A)
    const victim = cluster.nodeOf('claw:{main}:usage:openai:a')
    await cluster.kill(victim)
    // Every request succeeds on local state; A's 429 moves the next ones to B.
    expect(await request(true, A)).toBe(A)
    for (let i = 0; i < 5; i += 1) expect(await request(false)).toBe(B)
    expect(fleet.status()).toBe('degraded')
    expect(warnings.filter((message) => message.startsWith('Redis unavailable'))).toHaveLength(1)

    await cluster.start(victim)
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline) {
      if (cluster.cli(['EXISTS', 'claw:{main}:cooldown:openai:a']).trim() === '1') break
      await sleep(100)
    }
    expect(fleet.status()).toBe('connected')
    expect(Number(cluster.cli(['PTTL', 'claw:{main}:cooldown:openai:a']).trim())).toBeGreaterThan(
      60_000,
    )
    expect(cluster.cli(['HGET', 'claw:{main}:usage:openai:a', 'failure:rate_limit']).trim()).toBe(
      '1',
    )
    await sleep(1_500)
    expect(cluster.cli(['HGET', 'claw:{main}:usage:openai:a', 'failure:rate_limit']).trim()).toBe(
      '1',
    )
  }, 60_000)
})
