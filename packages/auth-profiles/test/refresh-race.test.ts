// Over 400 lines: every race shares the forked workers, the barrier and the token server set up once.
// Real-process OAuth refresh races (concurrent refreshers, a crash mid-refresh, a rotated refresh
// token). Workers are separate Node processes running the BUILT package
// (test/fixtures/refresh-worker.mjs) against the token server fixture, forked once for this file
// (test/fixtures/token-server.ts). They line up at a barrier so their refreshes really overlap.
// Counts are asserted exactly and nothing is retried: a race that fails once in fifty runs is a bug.
import { createHash } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { upsertAuthProfile, type AuthProfileStore, type OAuthCredential } from '@claw/auth-profiles'
import { canarySecret } from '@claw/auth-profiles/testing'
import { forkTokenServer, type TokenServer } from './fixtures/token-server.js'
import { findCanaries, findCanariesInFiles } from '../src/testing/canary-scan.js'
import {
  collectResults,
  combinedOutput,
  killAllWorkers,
  REFRESH_WORKER_PATH,
  spawnWorker,
  startTogether,
  waitForExit,
  waitForMessage,
  type RefreshWorkerJob,
  type WorkerHandle,
  type WorkerMessage,
} from './helpers/processes.js'

const PROVIDER = 'test-oauth'
const PROFILE = 'test-oauth:default'
const LOGIN_COMMAND = `claw models auth login --provider ${PROVIDER}`
/** Scaled-down lock settings (production: refresh lock stale 60 s, call timeout 30 s). */
const LOCK = {
  staleMs: 3_000,
  updateMs: 1_000,
  retries: 40,
  minRetryDelayMs: 20,
  maxRetryDelayMs: 300,
  retryFactor: 1.5,
} as const
const CALL_TIMEOUT_MS = 1_000
const STORE_FILE = 'auth-profiles.json'

interface Outcome {
  readonly ok: boolean
  readonly refreshed?: boolean
  readonly adopted?: boolean
  readonly stale?: boolean
  readonly generation?: number
  readonly accessHash?: string
  readonly storeUpdated?: boolean
  readonly mode?: string
  readonly error?: {
    readonly name?: string
    readonly code?: string
    readonly retryable?: boolean
    readonly profileId?: string
    readonly loginCommand?: string
    readonly message: string
  }
}

let server: TokenServer
let root: string
let home: string
let stateDir: string
let mainAgentDir: string
let storePath: string
let spawned: WorkerHandle[]
let seededSecrets: string[]

beforeAll(async () => {
  server = await forkTokenServer()
}, 20_000)

afterAll(async () => {
  await server.close()
})

beforeEach(async () => {
  await server.reset()
  root = mkdtempSync(join(tmpdir(), 'claw-refresh-race-'))
  chmodSync(root, 0o700)
  home = join(root, 'home')
  stateDir = join(home, '.claw')
  mainAgentDir = agentDirOf('main')
  storePath = join(mainAgentDir, STORE_FILE)
  mkdirSync(home, { mode: 0o700 })
  spawned = []
  seededSecrets = []
})

afterEach(async () => {
  await killAllWorkers()
  // no token the server issued (nor a seeded one) in any worker's output or IPC messages, or
  // in any file under the temp root other than the stores themselves.
  const { issued } = await server.stats()
  const secrets = [...issued, ...seededSecrets]
  const channel = JSON.stringify(spawned.map((handle) => handle.messages))
  // Positive control: the scanner does find the secrets where they belong.
  if (existsSync(storePath)) {
    expect(findCanaries(readFileSync(storePath, 'utf8'), secrets, 'store')).not.toEqual([])
  }
  const hits = [
    ...findCanaries(combinedOutput(spawned), secrets, 'worker stdout/stderr'),
    ...findCanaries(channel, secrets, 'worker IPC messages'),
    ...findCanariesInFiles(root, secrets, { skipNames: [STORE_FILE] }),
  ]
  if (process.env['CLAW_KEEP_TEST_TMP'] !== '1') rmSync(root, { recursive: true, force: true })
  expect(hits, 'secrets outside the store').toEqual([])
})

function agentDirOf(agentId: string): string {
  return join(stateDir, 'agents', agentId, 'agent')
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index)
}

function hash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16)
}

/** Seeds the main agent's store with an OAuth profile whose refresh token the server accepts. */
async function seedExpiredProfile(): Promise<OAuthCredential> {
  const refresh = await server.seed()
  const access = canarySecret('at-0-')
  seededSecrets.push(access)
  const credential: OAuthCredential = {
    type: 'oauth',
    provider: PROVIDER,
    access,
    refresh,
    expires: Date.now() - 60_000,
  }
  await upsertAuthProfile({ agentDir: mainAgentDir, lock: LOCK, profileId: PROFILE, credential })
  return { ...credential, generation: 1 }
}

function spawnRefresher(
  job: Pick<RefreshWorkerJob, 'kind' | 'worker'> & Partial<RefreshWorkerJob>,
  faults?: string,
): WorkerHandle {
  const handle = spawnWorker(
    {
      agentDir: mainAgentDir,
      profileId: PROFILE,
      tokenEndpoint: server.tokenEndpoint,
      refreshLock: LOCK,
      storeLock: LOCK,
      callTimeoutMs: CALL_TIMEOUT_MS,
      maxMs: 45_000,
      ...job,
    },
    {
      home,
      stateDir,
      script: REFRESH_WORKER_PATH,
      ...(faults ? { env: { CLAW_ENABLE_TEST_HOOKS: '1', CLAW_TEST_FAULTS: faults } } : {}),
    },
  )
  spawned.push(handle)
  return handle
}

function outcomesOf(message: WorkerMessage): Outcome[] {
  return message['outcomes'] as Outcome[]
}

function readStore(path = storePath): AuthProfileStore {
  return JSON.parse(readFileSync(path, 'utf8')) as AuthProfileStore
}

function storedCredential(path = storePath): OAuthCredential {
  const credential = readStore(path).profiles[PROFILE]
  if (credential?.type !== 'oauth') throw new Error(`no oauth profile in ${path}`)
  return credential
}

/** Lock dirs and temp files anywhere under the state dir. */
function leftovers(): string[] {
  const found: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.name.endsWith('.lock') || entry.name.endsWith('.tmp')) found.push(path)
      else if (entry.isDirectory()) walk(path)
    }
  }
  walk(stateDir)
  return found
}

describe('OAuth refresh across real processes', () => {
  it('16 processes released together on one expired profile make exactly 1 token call', async () => {
    const seeded = await seedExpiredProfile()
    await server.configure({ defaultStep: { kind: 'ok', latencyMs: 300 } })
    const workers = range(16).map((worker) => spawnRefresher({ kind: 'refresh', worker }))
    await Promise.all(workers.map((handle) => waitForMessage(handle, 'ready', 20_000)))
    const started = performance.now()
    await startTogether(workers)
    await Promise.all(workers.map((handle) => waitForMessage(handle, 'result', 30_000)))
    const wallMs = performance.now() - started
    const results = await collectResults(workers, 10_000)

    const stats = await server.stats()
    const outcomes = results.flatMap(outcomesOf)
    console.log(
      `16 processes, wall ${Math.round(wallMs)} ms, token calls ${stats.calls}, ` +
        `refreshed ${outcomes.filter((o) => o.refreshed).length}, adopted ${outcomes.filter((o) => o.adopted).length}`,
    )
    expect(stats.calls).toBe(1)
    expect(stats.reuseRejected).toBe(0)
    expect(outcomes.map((outcome) => outcome.error)).toEqual(range(16).map(() => undefined))
    const stored = storedCredential()
    expect(new Set(outcomes.map((outcome) => outcome.accessHash))).toEqual(
      new Set([hash(stored.access)]),
    )
    expect(outcomes.filter((outcome) => outcome.refreshed)).toHaveLength(1)
    expect(outcomes.filter((outcome) => outcome.adopted)).toHaveLength(15)
    expect(stored.generation).toBe((seeded.generation ?? 0) + 1)
    expect(stored.refresh).not.toBe(seeded.refresh)
    expect(stats.active).toEqual([stored.refresh])
    expect(statSync(storePath).mode & 0o777).toBe(0o600)
    expect(leftovers()).toEqual([])
    expect(wallMs).toBeLessThanOrEqual(5_000)
  })

  it('16 processes × 20 concurrent key resolutions make exactly 1 token call', async () => {
    const seeded = await seedExpiredProfile()
    await server.configure({ defaultStep: { kind: 'ok', latencyMs: 300 } })
    const workers = range(16).map((worker) =>
      spawnRefresher({ kind: 'resolve', worker, concurrency: 20 }),
    )
    const started = performance.now()
    await startTogether(workers, 20_000)
    const results = await collectResults(workers, 30_000)
    const wallMs = performance.now() - started

    const stats = await server.stats()
    const outcomes = results.flatMap(outcomesOf)
    console.log(`16 × 20 resolves, wall ${Math.round(wallMs)} ms, token calls ${stats.calls}`)
    expect(stats.calls).toBe(1)
    expect(outcomes).toHaveLength(320)
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([])
    const stored = storedCredential()
    expect(new Set(outcomes.map((outcome) => outcome.accessHash))).toEqual(
      new Set([hash(stored.access)]),
    )
    expect(outcomes.every((outcome) => outcome.storeUpdated && outcome.mode === 'oauth')).toBe(true)
    expect(stored.generation).toBe((seeded.generation ?? 0) + 1)
    expect(leftovers()).toEqual([])
  })

  it('3 agent dirs × 4 processes (sub-agents read through main) make 1 call, 0 reuses', async () => {
    const seeded = await seedExpiredProfile()
    await server.configure({ defaultStep: { kind: 'ok', latencyMs: 300 } })
    const subAgents = ['a', 'b']
    const subStoresBefore = new Map<string, string>()
    for (const agentId of subAgents) {
      const agentDir = agentDirOf(agentId)
      await upsertAuthProfile({
        agentDir,
        lock: LOCK,
        profileId: `openai:${agentId}`,
        credential: { type: 'api_key', provider: 'openai', key: canarySecret() },
      })
      subStoresBefore.set(agentDir, readFileSync(join(agentDir, STORE_FILE), 'utf8'))
    }
    const agentDirs = [mainAgentDir, ...subAgents.map(agentDirOf)]
    const workers = agentDirs.flatMap((agentDir, agentIndex) =>
      range(4).map((index) =>
        spawnRefresher({ kind: 'resolve', worker: agentIndex * 4 + index, agentDir }),
      ),
    )
    await startTogether(workers, 20_000)
    const results = await collectResults(workers, 30_000)

    const stats = await server.stats()
    const outcomes = results.flatMap(outcomesOf)
    console.log(`3 agents × 4 processes, token calls ${stats.calls}, reuses ${stats.reuseRejected}`)
    expect(stats.calls).toBe(1)
    expect(stats.reuseRejected).toBe(0)
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([])
    const stored = storedCredential()
    expect(new Set(outcomes.map((outcome) => outcome.accessHash))).toEqual(
      new Set([hash(stored.access)]),
    )
    expect(stored.generation).toBe((seeded.generation ?? 0) + 1)
    // The refreshed token has one owner: the sub-agents' files are untouched.
    for (const [agentDir, before] of subStoresBefore) {
      expect(readFileSync(join(agentDir, STORE_FILE), 'utf8')).toBe(before)
    }
    expect(leftovers()).toEqual([])
  })

  it('R8/L6: a holder frozen past staleMs is taken over; its late commit is rejected', async () => {
    const seeded = await seedExpiredProfile()
    // The frozen holder's token call succeeded, so the taker-over presents the same (now spent)
    // refresh token: a provider reuse interval lets it through, which is what makes the late
    // commit a real conflict rather than a lost rotation.
    await server.configure({ graceMs: 20_000 })
    const holder = spawnRefresher({ kind: 'refresh', worker: 0 }, 'delay@before-commit:4000')
    const taker = spawnRefresher({ kind: 'refresh', worker: 1 })
    await Promise.all([holder, taker].map((handle) => waitForMessage(handle, 'ready', 20_000)))

    await startTogether([holder])
    await server.waitForAnswers(1, 10_000)
    await sleep(50)
    process.kill(holder.pid, 'SIGSTOP')
    const frozenAt = performance.now()
    try {
      await startTogether([taker])
      const takerResult = await waitForMessage(taker, 'result', 20_000)
      const takeoverMs = performance.now() - frozenAt
      const [takerOutcome] = outcomesOf(takerResult)
      console.log(
        `taken over ${Math.round(takeoverMs)} ms after the freeze (staleMs ${LOCK.staleMs})`,
      )
      expect(takerOutcome).toMatchObject({ ok: true, refreshed: true, generation: 2 })
      expect(takeoverMs).toBeLessThanOrEqual(LOCK.staleMs + 3_000)
      const afterTaker = readFileSync(storePath, 'utf8')

      process.kill(holder.pid, 'SIGCONT')
      const [holderOutcome] = outcomesOf(await waitForMessage(holder, 'result', 15_000))
      // The holder's own token set is dropped: it adopts the newer generation.
      expect(holderOutcome).toMatchObject({ ok: true, refreshed: false, adopted: true })
      expect(holderOutcome?.accessHash).toBe(takerOutcome?.accessHash)
      expect(readFileSync(storePath, 'utf8')).toBe(afterTaker)
    } finally {
      try {
        process.kill(holder.pid, 'SIGCONT')
      } catch {
        // Exited already.
      }
    }
    await collectResults([holder, taker], 10_000)
    expect(holder.output().stderr).toBe('')

    const stats = await server.stats()
    expect(stats.calls).toBeLessThanOrEqual(2)
    expect(stats.graceReuses).toBe(1)
    // Both token calls succeeded: the holder really had a token set to commit when it resumed.
    expect(stats.rotations).toBe(2)
    const stored = storedCredential()
    expect(stored.generation).toBe((seeded.generation ?? 0) + 1)
    expect(hash(stored.access)).toBe(outcomesOf(holder.messages.at(-1)!)[0]?.accessHash)
    expect(stats.active).toContain(stored.refresh)
    expect(leftovers()).toEqual([])
  })

  it('R8/L6 with strict rotation: the frozen holder holds the live token and its commit lands', async () => {
    const seeded = await seedExpiredProfile()
    const holder = spawnRefresher({ kind: 'refresh', worker: 0 }, 'delay@before-commit:4000')
    const taker = spawnRefresher({ kind: 'refresh', worker: 1 })
    await Promise.all([holder, taker].map((handle) => waitForMessage(handle, 'ready', 20_000)))

    await startTogether([holder])
    await server.waitForAnswers(1, 10_000)
    await sleep(50)
    process.kill(holder.pid, 'SIGSTOP')
    try {
      await startTogether([taker])
      // The taker presents the spent token and is refused: without a reuse interval only the
      // frozen holder has the live refresh token.
      const [takerOutcome] = outcomesOf(await waitForMessage(taker, 'result', 20_000))
      console.log(`R8/L6 strict: the taker got ${JSON.stringify(takerOutcome?.error?.code)}`)
      expect(takerOutcome?.ok).toBe(false)
      process.kill(holder.pid, 'SIGCONT')
      const [holderOutcome] = outcomesOf(await waitForMessage(holder, 'result', 15_000))
      expect(holderOutcome).toMatchObject({ ok: true, refreshed: true, generation: 2 })
    } finally {
      try {
        process.kill(holder.pid, 'SIGCONT')
      } catch {
        // Exited already.
      }
    }
    await collectResults([holder, taker], 10_000)
    expect(holder.output().stderr).toBe('')

    const stats = await server.stats()
    expect(stats.calls).toBe(2)
    expect(stats.rotations).toBe(1)
    // No lost rotation: the store holds the one refresh token the server accepts, and the
    // taker's needs_reauth mark went with the credential it described.
    const stored = storedCredential()
    expect(stats.active).toEqual([stored.refresh])
    expect(stored.generation).toBe((seeded.generation ?? 0) + 1)
    expect(stored.status).toBeUndefined()
    expect(leftovers()).toEqual([])
  })

  it('a worker killed after the token response leaves the next one ReauthRequired', async () => {
    await seedExpiredProfile()
    const before = readFileSync(storePath, 'utf8')
    const dying = spawnRefresher({ kind: 'refresh', worker: 0 }, 'die@after-token-response')
    await startTogether([dying])
    expect(await waitForExit(dying, 10_000)).toEqual({ code: null, signal: 'SIGKILL' })
    expect(dying.messages.map((message) => message.type)).toEqual(['ready'])
    expect((await server.stats()).rotations).toBe(1)
    expect(readFileSync(storePath, 'utf8')).toBe(before)

    const next = spawnRefresher({ kind: 'refresh', worker: 1 })
    const started = performance.now()
    await startTogether([next])
    const [nextResult] = await collectResults([next], 15_000)
    const elapsedMs = performance.now() - started
    const [outcome] = outcomesOf(nextResult!)
    console.log(`ReauthRequired after ${Math.round(elapsedMs)} ms (dead holder's lock)`)
    expect(outcome?.ok).toBe(false)
    expect(outcome?.error).toMatchObject({
      code: 'ERR_REAUTH_REQUIRED',
      profileId: PROFILE,
      loginCommand: LOGIN_COMMAND,
    })
    expect(outcome?.error?.message).toContain(LOGIN_COMMAND)
    let stats = await server.stats()
    expect(stats.calls).toBe(2)
    expect(stats.reuseRejected).toBe(1)

    const after = readFileSync(storePath, 'utf8')
    const marked = JSON.parse(after) as { profiles: Record<string, Record<string, unknown>> }
    expect(marked.profiles[PROFILE]?.['status']).toBe('needs_reauth')
    delete marked.profiles[PROFILE]?.['status']
    expect(`${JSON.stringify(marked, null, 2)}\n`).toBe(before)

    // Ten more invocations: all ReauthRequired, no token call, file untouched.
    const more = spawnRefresher({ kind: 'refresh', worker: 2, concurrency: 10 })
    await startTogether([more])
    const [moreResult] = await collectResults([more], 15_000)
    expect(outcomesOf(moreResult!).map((o) => o.error?.code)).toEqual(
      range(10).map(() => 'ERR_REAUTH_REQUIRED'),
    )
    stats = await server.stats()
    expect(stats.calls).toBe(2)
    expect(readFileSync(storePath, 'utf8')).toBe(after)
    expect(existsSync(storePath)).toBe(true)
    expect(leftovers()).toEqual([])
  })
})
