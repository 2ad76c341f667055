// Multi-process tests of the fleet routing state (issue 7): real child processes, each a "host"
// with its own agent dir and file credentials, sharing routing state through a real redis-server.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createFileAuthStore, resolveAuthProfileOrder } from '@claw/auth-profiles'
import { createRedisFleet } from '@claw/auth-profiles/redis'
import { apiKeyCredential, canarySecret } from '@claw/auth-profiles/testing'
import { startRedisServer, type RedisServer } from '../../../test-support/redis-server.ts'
import {
  collectResults,
  killAllWorkers,
  spawnWorker,
  startTogether,
  waitForMessage,
  type AnyWorkerJob,
} from './helpers/processes.js'

const SCRIPT = new URL('./fixtures/fleet-state-worker.mjs', import.meta.url).pathname
const A = 'openai:a'
const B = 'openai:b'

let server: RedisServer
let root: string

beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  await server.dispose()
})
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'claw-fleet-mp-'))
  server.cli(['FLUSHALL'])
})
afterEach(async () => {
  await killAllWorkers()
  rmSync(root, { recursive: true, force: true })
})

/** A host: its own HOME, state dir and agent dir holding profiles A and B. */
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

async function spawnHost(
  name: string,
  job: Omit<AnyWorkerJob, 'agentDir'> & Record<string, unknown>,
) {
  const dirs = await host(name)
  return spawnWorker(
    { ...job, agentDir: dirs.agentDir, redisUrl: server.url } as unknown as AnyWorkerJob,
    {
      home: dirs.home,
      stateDir: dirs.stateDir,
      script: SCRIPT,
    },
  )
}

/** Host B in the test process: its fleet connection and its selection of an openai profile. */
async function observer(name: string) {
  const dirs = await host(name)
  const fleet = createRedisFleet({ url: server.url, commandTimeoutMs: 2_000, warn: () => {} })
  const b = fleet.stateBackend({
    agentId: 'main',
    credentials: createFileAuthStore({ agentDir: dirs.agentDir }),
  })
  const select = async (): Promise<string[]> =>
    resolveAuthProfileOrder({ store: await b.load(), provider: 'openai' })
  return { fleet, select }
}

function hash(key: string): Record<string, string> {
  const lines = server.cli(['HGETALL', key]).split('\n').filter(Boolean)
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < lines.length; i += 2) out[lines[i] as string] = lines[i + 1] as string
  return out
}

describe('fleet routing state across processes', () => {
  it('8 processes × 50 markAuthProfileFailure → exactly 400, failure counts exact', async () => {
    const workers = await Promise.all(
      Array.from({ length: 8 }, (_, worker) =>
        spawnHost(`h${worker}`, {
          kind: 'mark-failures',
          worker,
          profileId: A,
          count: 50,
          reason: worker % 2 === 0 ? 'unknown' : 'timeout',
        } as never),
      ),
    )
    await startTogether(workers)
    const results = await collectResults(workers, 60_000)
    for (const result of results) {
      expect(result.errors).toEqual([])
      expect(result.persisted).toBe(50)
      expect(result.warnings).toEqual([])
    }
    const usage = hash('claw:{main}:usage:openai:a')
    expect(usage.errorCount).toBe('400')
    expect(usage['failure:unknown']).toBe('200')
    expect(usage['failure:timeout']).toBe('200')
    // One profile-wide window (1 min: the first failure opened it, none extended it).
    const ttl = Number(server.cli(['PTTL', 'claw:{main}:cooldown:openai:a']).trim())
    expect(ttl).toBeGreaterThan(50_000)
    expect(ttl).toBeLessThanOrEqual(60_000)
  }, 90_000)

  it("a 429 recorded by process A is honoured by process B's next selection within 100 ms", async () => {
    const { fleet, select } = await observer('b')
    try {
      expect(await select()).toEqual([A, B])
      const writer = await spawnHost('a', {
        kind: 'mark-429',
        worker: 0,
        profileId: A,
        retryAfterMs: 30_000,
      } as never)
      await startTogether([writer])
      let seenAt = Number.NaN
      const deadline = performance.now() + 10_000
      while (performance.now() < deadline) {
        if ((await select())[0] === B) {
          seenAt = performance.timeOrigin + performance.now()
          break
        }
        await sleep(2)
      }
      const [result] = await collectResults([writer], 10_000)
      const latency = seenAt - (result?.writtenAt as number)
      console.info(`freshness across processes: ${latency.toFixed(1)} ms`)
      expect(latency).toBeLessThanOrEqual(100)
      expect(await select()).toEqual([B, A])
    } finally {
      await fleet.close()
    }
  }, 30_000)

  it("bookkeeping recorded during an outage is merged once: B sees A's cooldown ≤ 2 s after Redis restarts", async () => {
    const { fleet, select } = await observer('b')
    try {
      expect(await select()).toEqual([A, B])
      const writer = await spawnHost('a', {
        kind: 'outage-failures',
        worker: 0,
        profileId: A,
        count: 3,
        retryAfterMs: 120_000,
      } as never)
      await waitForMessage(writer, 'ready', 20_000)
      await server.stop()
      writer.child.send({ type: 'go' })
      const recorded = await waitForMessage(writer, 'recorded', 20_000)
      expect(recorded['errors']).toEqual([])
      expect(recorded['status']).toBe('degraded')

      await server.start()
      const restartedAt = performance.now()
      let seenAfter = Number.NaN
      while (performance.now() - restartedAt < 10_000) {
        if ((await select())[0] === B) {
          seenAfter = performance.now() - restartedAt
          break
        }
        await sleep(10)
      }
      console.info(`outage merge-back seen by host B ${seenAfter.toFixed(0)} ms after the restart`)
      expect(seenAfter).toBeLessThanOrEqual(2_000)
      // Merged once: the three failures counted once, the window as A recorded it.
      await sleep(1_500)
      writer.child.send({ type: 'finish' })
      const [result] = await collectResults([writer], 20_000)
      expect(result?.['errors']).toEqual([])
      const usage = hash('claw:{main}:usage:openai:a')
      expect(usage.errorCount).toBe('3')
      expect(usage['failure:rate_limit']).toBe('3')
      const ttl = Number(server.cli(['PTTL', 'claw:{main}:cooldown:openai:a']).trim())
      expect(ttl).toBeGreaterThan(100_000)
      expect(await select()).toEqual([B, A])
    } finally {
      await fleet.close()
    }
  }, 60_000)
})
