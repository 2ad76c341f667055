// Soft bookkeeping (a success's lastUsed, lastGood, the counters and ended windows a success
// clears) is written behind: the handle shows it at once, the file gets it within a second, with
// the next write, on flush() and on a clean exit. Failures and the success that ends an open
// window are written before the call returns. Real files; the child-process tests (clean exit,
// SIGKILL, another process) are in packages/failover/test/bookkeeping-process.test.ts.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { markAuthProfileGood as markOpenClawGood } from '../openclaw/plugin-sdk.js'
import { markAuthProfileUsed as markOpenClawUsed } from '../openclaw/plugin-sdk.js'
import { openAuthStore, upsertAuthProfile } from './store.js'
import { apiKeyCredential } from '../testing/index.js'
import type { AuthProfileStore } from '../types.js'
import {
  markAuthProfileFailure,
  markAuthProfileGood,
  markAuthProfileUsed,
} from '../selection/bookkeeping.js'
import { flushAuthStores, WRITE_BEHIND_INTERVAL_MS } from './write-behind.js'

let root: string
let agentDir: string
let file: string

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'claw-write-behind-'))
  agentDir = join(root, 'agents', 'main', 'agent')
  file = join(agentDir, 'auth-profiles.json')
  const store = openAuthStore({ agentDir })
  for (const id of ['openai:a', 'openai:b'])
    await upsertAuthProfile({ store, profileId: id, credential: apiKeyCredential('openai') })
})

afterEach(async () => {
  await flushAuthStores().catch(() => undefined)
  rmSync(root, { recursive: true, force: true })
})

function readFile(): AuthProfileStore {
  return JSON.parse(readFileSync(file, 'utf8')) as AuthProfileStore
}

/** Identifies one version of the file (an atomic write replaces the inode). */
function fileVersion(): string {
  const stats = statSync(file, { bigint: true })
  return `${stats.ino}:${stats.mtimeNs}`
}

describe('a success through the file store', () => {
  it('costs no write: the handle shows it at once, flush() writes it', async () => {
    const store = openAuthStore({ agentDir })
    const before = fileVersion()
    const result = await markAuthProfileUsed({ store, profileId: 'openai:a', now: () => 1_000 })
    const good = await markAuthProfileGood({ store, provider: 'openai', profileId: 'openai:a' })
    expect(result).toEqual({ changed: true, persisted: false, deferred: true })
    expect(good).toEqual({ changed: true, persisted: false, deferred: true })
    expect(fileVersion()).toBe(before)
    const seen = await store.load()
    expect(seen.usageStats?.['openai:a']?.lastUsed).toBe(1_000)
    expect(seen.lastGood).toEqual({ openai: 'openai:a' })
    // Another handle on the same file in this process sees it too.
    expect((await openAuthStore({ agentDir }).load()).usageStats?.['openai:a']?.lastUsed).toBe(
      1_000,
    )
    expect(Object.isFrozen(seen)).toBe(true)

    await store.flush?.()
    expect(readFile().usageStats?.['openai:a']?.lastUsed).toBe(1_000)
    expect(readFile().lastGood).toEqual({ openai: 'openai:a' })
  })

  it('is written within a second, once for many successes', async () => {
    const store = openAuthStore({ agentDir })
    const versions = new Set([fileVersion()])
    const started = Date.now()
    let now = 10_000
    // Successes for 1.5 intervals: the first background write comes one interval after the first.
    while (Date.now() - started < WRITE_BEHIND_INTERVAL_MS * 1.5) {
      now += 1
      await markAuthProfileUsed({ store, profileId: 'openai:a', now: () => now })
      versions.add(fileVersion())
      await sleep(5)
    }
    expect(versions.size).toBe(2)
    expect(readFile().usageStats?.['openai:a']?.lastUsed).toBeGreaterThan(10_000)
  })

  it('goes out with the next locked write, which records a failure at once', async () => {
    const store = openAuthStore({ agentDir })
    await markAuthProfileUsed({ store, profileId: 'openai:a', now: () => 5_000 })
    const failure = await markAuthProfileFailure({
      store,
      profileId: 'openai:b',
      reason: 'rate_limit',
      now: () => 6_000,
    })
    expect(failure).toEqual({ changed: true, persisted: true })
    expect(readFile().usageStats?.['openai:a']?.lastUsed).toBe(5_000)
    expect(readFile().usageStats?.['openai:b']?.cooldownUntil).toBe(6_000 + 60_000)
  })

  it('never undoes a failure another process recorded after it', async () => {
    const store = openAuthStore({ agentDir })
    await markAuthProfileUsed({ store, profileId: 'openai:a', now: () => 5_000 })
    // Another process records a failure after it (written straight to the file, as it would be).
    const onDisk = readFile()
    onDisk.usageStats = {
      'openai:a': {
        errorCount: 1,
        lastFailureAt: 7_000,
        cooldownUntil: 67_000,
        cooldownReason: 'overloaded',
        failureCounts: { overloaded: 1 },
      },
    }
    writeFileSync(file, JSON.stringify(onDisk), { mode: 0o600 })
    await store.flush?.()
    const stats = readFile().usageStats?.['openai:a']
    expect(stats?.cooldownUntil).toBe(7_000 + 60_000)
    expect(stats?.errorCount).toBe(1)
    expect(stats?.lastUsed).toBe(5_000)
  })

  it('that ends an open cooldown is written before the call returns', async () => {
    const store = openAuthStore({ agentDir })
    await markAuthProfileFailure({
      store,
      profileId: 'openai:a',
      reason: 'overloaded',
      now: () => Date.now(),
    })
    expect(readFile().usageStats?.['openai:a']?.cooldownUntil).toBeGreaterThan(Date.now())
    const result = await markAuthProfileUsed({ store, profileId: 'openai:a' })
    expect(result).toEqual({ changed: true, persisted: true })
    expect(readFile().usageStats?.['openai:a']?.cooldownUntil).toBeUndefined()
  })

  it('that ends a window which has run out (a probe) is written before the call returns', async () => {
    const store = openAuthStore({ agentDir })
    await markAuthProfileFailure({
      store,
      profileId: 'openai:a',
      reason: 'overloaded',
      retryAfterMs: 1,
      now: () => 1_000,
    })
    // The window ended at 1 001; other processes hold the profile on probation until a success.
    const result = await markAuthProfileUsed({ store, profileId: 'openai:a', now: () => 5_000 })
    expect(result).toEqual({ changed: true, persisted: true })
    expect(readFile().usageStats?.['openai:a']).toEqual({
      lastUsed: 5_000,
      errorCount: 0,
      lastFailureAt: 1_000,
    })
  })

  it('for a profile removed meanwhile adds no stats back', async () => {
    const store = openAuthStore({ agentDir })
    await markAuthProfileUsed({ store, profileId: 'openai:b', now: () => 5_000 })
    // Another process removes the profile (written straight to the file, as it would be).
    const onDisk = readFile()
    delete onDisk.profiles['openai:b']
    writeFileSync(file, JSON.stringify(onDisk), { mode: 0o600 })
    await store.flush?.()
    expect(readFile().usageStats?.['openai:b']).toBeUndefined()
    expect(Object.keys(readFile().profiles)).toEqual(['openai:a'])
  })

  it('is dropped, not written, when the agent dir is gone', async () => {
    const store = openAuthStore({ agentDir })
    await markAuthProfileUsed({ store, profileId: 'openai:a', now: () => 5_000 })
    rmSync(root, { recursive: true, force: true })
    await store.flush?.()
    expect(() => statSync(agentDir)).toThrow(/ENOENT/)
  })
})

describe('the OpenClaw compat helpers with an agent dir', () => {
  it('write a success to the file before they return, like OpenClaw', async () => {
    const data = structuredClone(await openAuthStore({ agentDir }).load())
    await markOpenClawUsed({ store: data, profileId: 'openai:a', agentDir })
    await markOpenClawGood({ store: data, provider: 'openai', profileId: 'openai:a', agentDir })
    expect(readFile().usageStats?.['openai:a']?.lastUsed).toBeTypeOf('number')
    expect(readFile().lastGood).toEqual({ openai: 'openai:a' })
  })
})
