// Real-process reliability tests of the file-backed store: concurrent writers lose nothing, locks
// are exclusive, a crashed holder's lock is taken over.
// Workers are separate Node processes running the BUILT package (test/fixtures/store-worker.mjs);
// they line up at a barrier so their work really overlaps. Counts are asserted exactly, and there
// are no retries: a race that fails once in fifty runs is a bug.
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createFileAuthStore,
  loadAuthProfileStore,
  updateAuthProfileStore,
  upsertAuthProfile,
  type AuthProfileCredential,
  type AuthProfileStore,
} from '@claw/auth-profiles'
import { apiKeyCredential, canarySecret, findCanaries } from '@claw/auth-profiles/testing'
import {
  collectResults,
  combinedOutput,
  killAllWorkers,
  killWorker,
  spawnWorker,
  startTogether,
  waitForExit,
  type WorkerHandle,
  type WorkerJob,
} from './helpers/processes.js'

/** Scaled-down lock settings (production defaults: stale 10 s). */
const LOCK = {
  staleMs: 3_000,
  updateMs: 1_000,
  retries: 40,
  minRetryDelayMs: 20,
  maxRetryDelayMs: 300,
  retryFactor: 1.5,
} as const

const STORE_FILE = 'auth-profiles.json'

let root: string
let home: string
let stateDir: string
let agentDir: string
let storePath: string
let lockPath: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'claw-multiprocess-'))
  chmodSync(root, 0o700)
  home = join(root, 'home')
  stateDir = join(home, '.claw')
  agentDir = join(stateDir, 'agents', 'main', 'agent')
  storePath = join(agentDir, STORE_FILE)
  lockPath = `${storePath}.lock`
  mkdirSync(home, { mode: 0o700 })
})

afterEach(async () => {
  await killAllWorkers()
  if (process.env['CLAW_KEEP_TEST_TMP'] !== '1') rmSync(root, { recursive: true, force: true })
})

function spawnJob(job: Omit<WorkerJob, 'agentDir' | 'lock'>): WorkerHandle {
  return spawnWorker({ agentDir, lock: LOCK, maxMs: 45_000, ...job }, { home, stateDir })
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index)
}

/** Temp files and lock dirs next to the store. */
function leftovers(): string[] {
  return readdirSync(agentDir).filter((name) => name.endsWith('.tmp') || name.endsWith('.lock'))
}

function fileMode(path: string): number {
  return statSync(path).mode & 0o777
}

/** Parses the store file directly (not through the SDK), so a tolerant loader hides nothing. */
function readStoreFile(): AuthProfileStore {
  return JSON.parse(readFileSync(storePath, 'utf8')) as AuthProfileStore
}

function apiKeyOf(credential: AuthProfileCredential | undefined): string | undefined {
  return credential?.type === 'api_key' ? credential.key : undefined
}

/** The canary must not appear in worker output (whole, encoded, or any 12-character piece). */
function expectNoCanaryInOutput(handles: readonly WorkerHandle[], canary: string): void {
  expect(findCanaries(combinedOutput(handles), [canary], 'worker stdout/stderr')).toEqual([])
}

/** The same computation the library uses to check the invariant (randomisation only adds). */
function minimumRetryWindowMs(lock: typeof LOCK): number {
  let total = 0
  for (let attempt = 0; attempt < lock.retries; attempt += 1) {
    total += Math.min(lock.maxRetryDelayMs, lock.minRetryDelayMs * lock.retryFactor ** attempt)
  }
  return total
}

/** A small seeded PRNG (mulberry32), so a failing kill schedule can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

describe('file store across real processes', () => {
  it('uses lock settings that satisfy the invariant (retry window > staleMs + 2000)', () => {
    expect(minimumRetryWindowMs(LOCK)).toBeGreaterThan(LOCK.staleMs + 2_000)
    expect(() => createFileAuthStore({ agentDir: join(root, 'probe'), lock: LOCK })).not.toThrow()
  })

  it('8 processes × 25 upserts of different profiles lose no update', async () => {
    const canary = canarySecret()
    const workers = range(8).map((worker) =>
      spawnJob({ kind: 'upsert-many', worker, count: 25, canary }),
    )
    await startTogether(workers)
    const results = await collectResults(workers, 40_000)
    expect(results.map((result) => result['upserts'])).toEqual(range(8).map(() => 25))

    const raw = readStoreFile()
    expect(Object.keys(raw.profiles)).toHaveLength(200)
    for (const worker of range(8)) {
      for (const index of range(25)) {
        expect(raw.profiles[`p${worker}-${index}`]).toEqual({
          type: 'api_key',
          provider: 'openai',
          key: `${canary}-v${index}`,
          generation: 1,
        })
      }
    }
    const loaded = await loadAuthProfileStore({ agentDir, lock: LOCK })
    expect(Object.keys(loaded.profiles)).toHaveLength(200)
    expect(fileMode(storePath)).toBe(0o600)
    expect(fileMode(agentDir)).toBe(0o700)
    expect(leftovers()).toEqual([])
    expectNoCanaryInOutput(workers, canary)
  })

  it('8 processes × 50 markAuthProfileFailure on one profile count exactly 400', async () => {
    const canary = canarySecret()
    const profileId = 'openai:shared'
    await upsertAuthProfile({
      agentDir,
      lock: LOCK,
      profileId,
      credential: apiKeyCredential('openai', canary),
    })
    const workers = range(8).map((worker) =>
      spawnJob({ kind: 'mark-failures', worker, count: 50, profileId, retryAfterMs: 3_600_000 }),
    )
    await startTogether(workers)
    const results = await collectResults(workers, 50_000)
    expect(results.flatMap((result) => result['errors'] as unknown[])).toEqual([])
    expect(results.map((result) => result['persisted'])).toEqual(range(8).map(() => 50))

    const stats = readStoreFile().usageStats?.[profileId]
    expect(stats?.errorCount).toBe(400)
    expect(stats?.failureCounts).toEqual({ unknown: 400 })
    const loaded = await loadAuthProfileStore({ agentDir, lock: LOCK })
    expect(loaded.usageStats?.[profileId]?.errorCount).toBe(400)
    expect(apiKeyOf(loaded.profiles[profileId])).toBe(canary)
    expect(fileMode(storePath)).toBe(0o600)
    expect(leftovers()).toEqual([])
    expectNoCanaryInOutput(workers, canary)
  })

  it('F1/F2: a writer SIGKILLed at random points never leaves an unparseable store', async () => {
    const iterations = 30
    const seed = Number(process.env['CLAW_TEST_SEED'] ?? randomBytes(4).readUInt32LE(0))
    const random = seededRandom(seed)
    const context = `seed ${seed} (replay with CLAW_TEST_SEED=${seed})`
    const canary = canarySecret()
    const profileId = 'openai:loop'
    const parentId = 'openai:parent'
    const keyPrefix = `${canary}-`
    // Padding makes every write a few hundred KB, so kills land inside writes, not just between.
    await updateAuthProfileStore({ agentDir, lock: LOCK }, (store) => {
      for (const index of range(1_000)) {
        store.profiles[`openai:pad-${index}`] = {
          type: 'api_key',
          provider: 'openai',
          key: `pad-${index}-${'x'.repeat(200)}`,
        }
      }
      store.profiles[profileId] = {
        type: 'api_key',
        provider: 'openai',
        key: `${keyPrefix}0`,
        generation: 1,
      }
      store.profiles[parentId] = { type: 'api_key', provider: 'openai', key: `${canary}-parent--1` }
    })
    let lastCounter = 0
    let lastParentKey = `${canary}-parent--1`
    let killsHoldingLock = 0
    let orphansSeen = 0
    let commitsSeen = 0
    const workers: WorkerHandle[] = []

    for (const iteration of range(iterations)) {
      const where = `iteration ${iteration}, ${context}`
      const journal = join(root, `journal-${iteration}.log`)
      writeFileSync(journal, '')
      const startAt = lastCounter + 1
      const writer = spawnJob({
        kind: 'write-loop',
        worker: iteration,
        profileId,
        canary,
        journal,
        startAt,
        maxIterations: 5_000,
        maxMs: 15_000,
      })
      workers.push(writer)
      await startTogether([writer])
      await sleep(20 + Math.floor(random() * 181))
      killWorker(writer)
      const exit = await waitForExit(writer, 5_000)
      expect(exit, `${where}: the writer must die by our SIGKILL, not by itself`).toEqual({
        code: null,
        signal: 'SIGKILL',
      })

      // orphaned temp files (before any sweep) are never readable by others.
      const names = readdirSync(agentDir)
      for (const name of names.filter((entry) => entry.endsWith('.tmp'))) {
        orphansSeen += 1
        expect(fileMode(join(agentDir, name)), `${where}: mode of orphan ${name}`).toBe(0o600)
      }
      const heldLock = names.includes(`${STORE_FILE}.lock`)

      // the store parses, and holds exactly one committed value of the writer.
      const raw = readStoreFile()
      const loaded = await loadAuthProfileStore({ agentDir, lock: LOCK })
      expect(loaded).toEqual(raw)
      const key = apiKeyOf(loaded.profiles[profileId])
      expect(key?.startsWith(keyPrefix), `${where}: stored key shape`).toBe(true)
      const counter = Number(key?.slice(keyPrefix.length))
      const committed = readFileSync(journal, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map(Number)
      expect(committed, `${where}: journal`).toEqual(
        range(committed.length).map((i) => startAt + i),
      )
      const lastCommitted = committed.at(-1) ?? lastCounter
      // The kill may land after the rename but before the journal line: then the file holds the
      // next value, which was fully written too.
      expect([lastCommitted, lastCommitted + 1], `${where}: stored counter`).toContain(counter)
      expect(counter, `${where}: counter went backwards`).toBeGreaterThanOrEqual(lastCounter)
      expect(loaded.profiles[profileId]?.generation, `${where}: generation`).toBe(counter + 1)
      expect(apiKeyOf(loaded.profiles[parentId]), `${where}: parent's update lost`).toBe(
        lastParentKey,
      )
      expect(Object.keys(loaded.profiles), `${where}: profiles`).toHaveLength(1_002)
      commitsSeen += counter - lastCounter
      lastCounter = counter

      // The holder is dead (SIGKILL confirmed): remove its lock instead of waiting staleMs per
      // iteration. Taking over a crashed holder's lock is L1's subject, measured below.
      if (heldLock) {
        killsHoldingLock += 1
        rmSync(lockPath, { recursive: true })
      }

      // the next successful update sweeps every orphan.
      lastParentKey = `${canary}-parent-${iteration}`
      const { written } = await updateAuthProfileStore({ agentDir, lock: LOCK }, (store) => {
        store.profiles[parentId] = { type: 'api_key', provider: 'openai', key: lastParentKey }
      })
      expect(written).toBe(true)
      expect(leftovers(), `${where}: left after the parent's update`).toEqual([])
      expect(fileMode(storePath)).toBe(0o600)
    }

    expectNoCanaryInOutput(workers, canary)
    console.log(
      `${iterations} kills, ${commitsSeen} commits, ${killsHoldingLock} kills while holding the lock, ${orphansSeen} orphan temp files swept; ${context}`,
    )
  })

  it('a holder that dies with the lock is taken over within staleMs + 2 s', async () => {
    const canary = canarySecret()
    await upsertAuthProfile({
      agentDir,
      lock: LOCK,
      profileId: 'openai:seed',
      credential: apiKeyCredential('openai', canary),
    })
    const holder = spawnJob({ kind: 'hold-and-die', worker: 0 })
    await startTogether([holder])
    const exit = await waitForExit(holder, 10_000)
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' })
    expect(holder.messages.map((message) => message.type)).toEqual(['ready'])
    const lock = statSync(lockPath)
    expect(lock.isDirectory()).toBe(true)
    // proper-lockfile's first lock in a process sets the mtime up to 1 s ahead (precision probe).
    const lockAheadMs = Math.round(lock.mtimeMs - Date.now())

    const started = performance.now()
    const { written } = await updateAuthProfileStore({ agentDir, lock: LOCK }, (store) => {
      store.profiles['openai:after-crash'] = apiKeyCredential('openai', canary)
    })
    const elapsedMs = performance.now() - started
    console.log(
      `lock taken over after ${Math.round(elapsedMs)} ms (staleMs ${LOCK.staleMs}; the dead holder's lock mtime was ${lockAheadMs} ms ahead)`,
    )
    expect(written).toBe(true)
    expect(elapsedMs).toBeLessThanOrEqual(LOCK.staleMs + 2_000)
    // The dead holder's lock was respected until it went stale, not ignored.
    expect(Date.now()).toBeGreaterThanOrEqual(lock.mtimeMs + LOCK.staleMs)

    const stored = readStoreFile()
    expect(Object.keys(stored.profiles).sort()).toEqual(['openai:after-crash', 'openai:seed'])
    expect(leftovers()).toEqual([])
    expectNoCanaryInOutput([holder], canary)
  })

  it('8 processes × 20 locked appends never interleave', async () => {
    const canary = canarySecret()
    await upsertAuthProfile({
      agentDir,
      lock: LOCK,
      profileId: 'openai:seed',
      credential: apiKeyCredential('openai', canary),
    })
    const log = join(root, 'exclusive.log')
    writeFileSync(log, '')
    const workers = range(8).map((worker) =>
      spawnJob({ kind: 'exclusive-append', worker, count: 20, log }),
    )
    await startTogether(workers)
    await collectResults(workers, 40_000)

    const lines = readFileSync(log, 'utf8').split('\n').slice(0, -1)
    expect(lines).toHaveLength(320)
    const violations: string[] = []
    const pairs = new Map<string, number>()
    for (let index = 0; index < lines.length; index += 2) {
      const [enter, leave] = [lines[index] ?? '', lines[index + 1] ?? '']
      const pid = enter.slice(1)
      if (!enter.startsWith('<') || leave !== `>${pid}`) {
        violations.push(`lines ${index + 1}-${index + 2}: ${enter} ${leave}`)
      }
      pairs.set(pid, (pairs.get(pid) ?? 0) + 1)
    }
    expect(violations).toEqual([])
    expect(Object.fromEntries(pairs)).toEqual(
      Object.fromEntries(workers.map((worker) => [String(worker.pid), 20])),
    )
    expect(existsSync(lockPath)).toBe(false)
    expectNoCanaryInOutput(workers, canary)
  })
})
