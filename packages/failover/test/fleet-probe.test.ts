// Half-open probes across a fleet: two hosts (each its own credentials file and fleet connection)
// share one Redis; after a window ends only one of them probes the credential. The last test runs
// the hosts as real processes and kills the one probing: its lease ends with its TTL.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import {
  createFileAuthStore,
  markAuthProfileFailure,
  type AuthStoreBackend,
} from '@claw/auth-profiles'
import { createRedisFleet, type RedisFleet } from '@claw/auth-profiles/redis'
import { apiKeyCredential } from '@claw/auth-profiles/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startRedisServer, type RedisServer } from '../../../test-support/redis-server.ts'
import { runWithFailover, type FailoverCallContext } from '@claw/failover'
import { behave, startProviderServer, type ProviderServer } from '@claw/failover/testing'

let server: RedisServer
let root: string
const fleets: RedisFleet[] = []

beforeAll(async () => {
  server = await startRedisServer()
  root = mkdtempSync(join(tmpdir(), 'claw-fleet-probe-'))
})
beforeEach(() => {
  // Each test starts from an empty fleet (a's last use in one test would reorder the next).
  server.cli(['FLUSHALL'])
})
afterEach(async () => {
  await Promise.all(fleets.splice(0).map((fleet) => fleet.close()))
})
afterAll(async () => {
  await server.dispose()
  rmSync(root, { recursive: true, force: true })
})

const KEY_A = 'sk-probe-test-limited-0001'
const KEY_B = 'sk-probe-test-healthy-0002'

/** A host's agent dir with profiles a and b (each host its own file, the same keys). */
async function hostFiles(name: string): Promise<string> {
  const agentDir = join(root, name)
  await createFileAuthStore({ agentDir }).update((store) => {
    store.profiles['openai:a'] = apiKeyCredential('openai', KEY_A)
    store.profiles['openai:b'] = apiKeyCredential('openai', KEY_B)
  })
  return agentDir
}

async function hostBackend(name: string): Promise<AuthStoreBackend> {
  const files = createFileAuthStore({ agentDir: await hostFiles(name) })
  // Tests that are not about outages allow slow commands: a loaded host must not open the circuit.
  const fleet = createRedisFleet({
    url: server.url,
    warn: () => undefined,
    commandTimeoutMs: 2_000,
  })
  fleets.push(fleet)
  return fleet.stateBackend({ agentId: 'main', credentials: files })
}

/** Records a short window on a through `store` and waits until it has ended: a is on probation. */
async function endWindowOfA(store: AuthStoreBackend): Promise<void> {
  await markAuthProfileFailure({
    store,
    profileId: 'openai:a',
    reason: 'overloaded',
    retryAfterMs: 100,
  })
  await sleep(200)
}

describe('probes across a fleet', () => {
  it('lets one host probe a credential whose window ended while the other uses the rest', async () => {
    const one = await hostBackend('h1')
    const two = await hostBackend('h2')
    await endWindowOfA(one)

    let release!: (value: string) => void
    const probe = new Promise<string>((resolve) => {
      release = resolve
    })
    const calls: string[] = []
    const call = (host: string) => (context: FailoverCallContext) => {
      calls.push(`${host} ${context.profileId}`)
      return context.profileId === 'openai:a' && host === 'h1' ? probe : Promise.resolve('ok')
    }
    const base = { provider: 'openai', model: 'gpt-5.2', fallbacksOverride: [], env: {} }
    const first = runWithFailover({ ...base, store: one, run: call('h1') })
    while (!calls.includes('h1 openai:a')) await sleep(5)
    const second = await runWithFailover({ ...base, store: two, run: call('h2') })
    expect(second.profileId).toBe('openai:b')
    expect(second.trace[0]).toMatchObject({ profileId: 'openai:a', reason: 'probing' })

    release('ok')
    expect((await first).trace.at(-1)).toMatchObject({ profileId: 'openai:a', probe: true })
    expect(calls).toEqual(['h1 openai:a', 'h2 openai:b'])
    expect(server.cli(['EXISTS', 'claw:{main}:probe:openai:a']).trim()).toBe('0')
  })
})

const WORKER = fileURLToPath(new URL('./fixtures/probe-worker.mjs', import.meta.url))

interface Outcome {
  readonly profileId?: string
  readonly probe?: boolean
  readonly error?: string
}

/** A host process (test/fixtures/probe-worker.mjs) and a way to ask it for concurrent runs. */
interface HostProcess {
  readonly child: ChildProcess
  /** Sends `{ count }` and resolves to the next line the host prints. */
  runs(count: number): Promise<Outcome[]>
}

const children: ChildProcess[] = []

async function spawnHost(agentDir: string, endpoint: string, probeLeaseMs: number) {
  const child = spawn(
    process.execPath,
    [WORKER, JSON.stringify({ agentDir, redisUrl: server.url, endpoint, probeLeaseMs })],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  children.push(child)
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await Promise.race([
      lines.next(),
      sleep(20_000).then(() => {
        throw new Error('host process did not answer within 20 s')
      }),
    ])
    if (line.done) throw new Error('host process exited')
    return JSON.parse(line.value) as Record<string, unknown>
  }
  expect(await next()).toEqual({ ready: true })
  const host: HostProcess = {
    child,
    async runs(count) {
      child.stdin.write(`${JSON.stringify({ count })}\n`)
      return (await next()).outcomes as Outcome[]
    },
  }
  return host
}

/** Polls `check` every 20 ms until it holds, at most `limitMs`. */
async function until(check: () => boolean, limitMs: number, what: string): Promise<void> {
  const end = Date.now() + limitMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

describe('probes across processes', () => {
  let provider: ProviderServer | undefined
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
    await provider?.close()
    provider = undefined
  })

  it("one process probes; the other keeps to b; a killed prober's lease ends with its TTL", async () => {
    provider = await startProviderServer()
    provider.setBehaviour(KEY_A, behave.hang())
    provider.setBehaviour(KEY_B, behave.ok())
    const fleet = createRedisFleet({
      url: server.url,
      warn: () => undefined,
      commandTimeoutMs: 2_000,
    })
    fleets.push(fleet)
    await endWindowOfA(
      fleet.stateBackend({
        agentId: 'main',
        credentials: createFileAuthStore({ agentDir: await hostFiles('seed') }),
      }),
    )
    const LEASE_MS = 3_000
    const [prober, other] = await Promise.all([
      spawnHost(await hostFiles('p1'), provider.endpoint, LEASE_MS),
      spawnHost(await hostFiles('p2'), provider.endpoint, LEASE_MS),
    ])
    // The prober's call to a hangs: it holds the fleet's probe lease.
    void prober.runs(1).catch(() => undefined)
    await until(() => provider!.stats().byKey[KEY_A]?.count === 1, 15_000, 'the probe of a')
    expect(server.cli(['EXISTS', 'claw:{main}:probe:openai:a']).trim()).toBe('1')

    const meanwhile = await other.runs(10)
    expect(meanwhile).toEqual(Array(10).fill({ profileId: 'openai:b', probe: false }))
    expect(provider.stats().byKey[KEY_A]?.count).toBe(1)

    // The prober dies mid-probe: nothing releases its lease, which ends with its TTL.
    prober.child.kill('SIGKILL')
    const ttl = Number(server.cli(['PTTL', 'claw:{main}:probe:openai:a']).trim())
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(LEASE_MS)
    provider.setBehaviour(KEY_A, behave.ok())
    await until(
      () => server.cli(['EXISTS', 'claw:{main}:probe:openai:a']).trim() === '0',
      LEASE_MS + 5_000,
      'the lease to expire',
    )
    const after = await other.runs(10)
    expect(after.filter((outcome) => outcome.error !== undefined)).toEqual([])
    // Exactly one of them probed a (and succeeded, reopening it).
    expect(after.filter((outcome) => outcome.probe)).toEqual([
      { profileId: 'openai:a', probe: true },
    ])
    expect(provider.stats().byKey[KEY_A]?.count).toBe(
      1 + after.filter((outcome) => outcome.profileId === 'openai:a').length,
    )
    expect(server.cli(['HEXISTS', 'claw:{main}:usage:openai:a', 'cooldownUntil']).trim()).toBe('0')
  }, 60_000)
})
