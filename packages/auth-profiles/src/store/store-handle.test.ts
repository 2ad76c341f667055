// The store handle: one object that loads, persists and is what every function takes as `store`.
// Loads are deep-frozen snapshots, so no caller can change the cache by accident.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { catchAuthError } from '../../test/helpers/errors.js'
import { createMemoryAuthStore } from './memory-store.js'
import { resolveAuthProfileOrder } from '../selection/order.js'
import { loadAuthProfileStore, openAuthStore, upsertAuthProfile } from './store.js'
import { apiKeyCredential, buildAuthProfileStore, createFakeClock } from '../testing/index.js'
import {
  clearAuthProfileCooldown,
  markAuthProfileFailure,
  markAuthProfileGood,
} from '../selection/bookkeeping.js'
import { markAuthProfileUsed } from '../selection/bookkeeping.js'
import type { AuthProfileStore } from '../types.js'

let root: string
let agentDir: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'claw-store-handle-'))
  agentDir = join(root, 'agents', 'main', 'agent')
})

afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

function readFile(): AuthProfileStore {
  return JSON.parse(readFileSync(join(agentDir, 'auth-profiles.json'), 'utf8')) as AuthProfileStore
}

describe('openAuthStore', () => {
  it('records a cooldown in the store file before the call returns', async () => {
    const store = openAuthStore({ agentDir })
    await upsertAuthProfile({
      store,
      profileId: 'openai:a',
      credential: apiKeyCredential('openai'),
    })
    const clock = createFakeClock()
    const result = await markAuthProfileFailure({
      store,
      profileId: 'openai:a',
      reason: 'rate_limit',
      retryAfterMs: 600_000,
      now: clock.now,
    })
    expect(result).toEqual({ changed: true, persisted: true })
    expect(readFile().usageStats?.['openai:a']?.cooldownUntil).toBe(clock.now() + 600_000)
    // A second handle (another part of the app) sees it too.
    const again = await openAuthStore({ agentDir }).load()
    expect(again.usageStats?.['openai:a']?.cooldownUntil).toBe(clock.now() + 600_000)
  })

  it('opens the store of an agent under the state dir when no agentDir is given', () => {
    const env = { CLAW_STATE_DIR: root }
    const store = openAuthStore({ env })
    expect(store.location).toBe(join(agentDir, 'auth-profiles.json'))
    expect(openAuthStore({ env, agentId: 'work' }).location).toBe(
      join(root, 'agents', 'work', 'agent', 'auth-profiles.json'),
    )
  })
})

describe('a loaded store object is not a handle', () => {
  const calls = {
    markAuthProfileFailure: (store: AuthProfileStore) =>
      markAuthProfileFailure({ store, profileId: 'openai:a', reason: 'rate_limit' }),
    markAuthProfileUsed: (store: AuthProfileStore) =>
      markAuthProfileUsed({ store, profileId: 'openai:a' }),
    clearAuthProfileCooldown: (store: AuthProfileStore) =>
      clearAuthProfileCooldown({ store, profileId: 'openai:a' }),
    markAuthProfileGood: (store: AuthProfileStore) =>
      markAuthProfileGood({ store, provider: 'openai', profileId: 'openai:a' }),
  }

  it.each(Object.keys(calls) as (keyof typeof calls)[])(
    '%s refuses it with a message naming both handles, instead of recording in memory only',
    async (name) => {
      await upsertAuthProfile({
        agentDir,
        profileId: 'openai:a',
        credential: apiKeyCredential('openai'),
      })
      const loaded = await loadAuthProfileStore({ agentDir })
      const error = await catchAuthError(() => calls[name](loaded))
      expect(error.code).toBe('ERR_INVALID_ARGUMENT')
      expect(error.message).toContain(`${name} needs the store handle`)
      expect(error.message).toContain('openAuthStore({ agentDir })')
      expect(error.message).toContain('createMemoryAuthStore(store)')
    },
  )

  it('still persists through the deprecated `persist` target', async () => {
    await upsertAuthProfile({
      agentDir,
      profileId: 'openai:a',
      credential: apiKeyCredential('openai'),
    })
    const loaded = await loadAuthProfileStore({ agentDir })
    const result = await markAuthProfileFailure({
      store: loaded,
      profileId: 'openai:a',
      reason: 'auth',
      persist: { agentDir },
    })
    expect(result).toEqual({ changed: true, persisted: true })
    expect(readFile().usageStats?.['openai:a']?.errorCount).toBe(1)
    // The frozen snapshot itself is left as it was.
    expect(loaded.usageStats).toBeUndefined()
  })
})

describe('loads are snapshots no caller can change', () => {
  const backends = {
    file: () => openAuthStore({ agentDir }),
    memory: () => createMemoryAuthStore(),
  }

  it.each(Object.keys(backends) as (keyof typeof backends)[])(
    '%s: changing a loaded store throws, and the next load is unchanged',
    async (kind) => {
      const store = backends[kind]()
      await upsertAuthProfile({
        store,
        profileId: 'openai:a',
        credential: apiKeyCredential('openai', 'sk-original'),
      })
      await markAuthProfileFailure({ store, profileId: 'openai:a', reason: 'auth' })
      const loaded = await store.load()
      const credential = loaded.profiles['openai:a'] as { key?: string }
      expect(() => {
        credential.key = 'sk-changed'
      }).toThrow(TypeError)
      expect(() => {
        loaded.profiles['openai:b'] = apiKeyCredential('openai')
      }).toThrow(TypeError)
      expect(() => {
        delete loaded.usageStats?.['openai:a']
      }).toThrow(TypeError)
      expect(() => {
        loaded.lastGood = { openai: 'openai:a' }
      }).toThrow(TypeError)
      const next = await store.load()
      expect((next.profiles['openai:a'] as { key?: string }).key).toBe('sk-original')
      expect(Object.keys(next.profiles)).toEqual(['openai:a'])
      expect(next.usageStats?.['openai:a']?.errorCount).toBe(1)
      expect(next.lastGood).toBeUndefined()
      // A private copy is the way to a mutable store.
      const copy = structuredClone(loaded)
      copy.profiles['openai:b'] = apiKeyCredential('openai')
      expect(Object.keys((await store.load()).profiles)).toEqual(['openai:a'])
    },
  )

  it('file: what an update returns and what the updater was given are not the cache', async () => {
    const store = openAuthStore({ agentDir })
    const credential = apiKeyCredential('openai', 'sk-original')
    let draft: AuthProfileStore | undefined
    const { store: written } = await store.update((fresh) => {
      fresh.profiles['openai:a'] = credential
      draft = fresh
    })
    expect(Object.isFrozen(written.profiles['openai:a'])).toBe(true)
    // The caller's own objects are never frozen.
    expect(Object.isFrozen(credential)).toBe(false)
    ;(draft as AuthProfileStore).profiles['openai:a'] = apiKeyCredential('openai', 'sk-changed')
    ;(credential as { key?: string }).key = 'sk-changed'
    expect(((await store.load()).profiles['openai:a'] as { key?: string }).key).toBe('sk-original')
  })

  it('memory: the initial store given by the caller stays the caller’s', async () => {
    const initial = buildAuthProfileStore({ profiles: { 'openai:a': apiKeyCredential('openai') } })
    const store = createMemoryAuthStore(initial)
    initial.profiles['openai:b'] = apiKeyCredential('openai')
    expect(Object.isFrozen(initial)).toBe(false)
    expect(Object.keys((await store.load()).profiles)).toEqual(['openai:a'])
  })

  it('a sub-agent’s merged view is frozen too, and reused while nothing changes', async () => {
    const mainDir = agentDir
    const workDir = join(root, 'agents', 'work', 'agent')
    await upsertAuthProfile({
      agentDir: mainDir,
      profileId: 'openai:a',
      credential: apiKeyCredential('openai'),
    })
    await upsertAuthProfile({
      agentDir: workDir,
      profileId: 'openai:w',
      credential: apiKeyCredential('openai'),
    })
    const store = openAuthStore({ agentDir: workDir })
    const first = await store.load()
    expect(Object.keys(first.profiles).sort()).toEqual(['openai:a', 'openai:w'])
    expect(Object.isFrozen(first.profiles)).toBe(true)
    expect(await store.load()).toBe(first)
    const order = resolveAuthProfileOrder({ store: first, provider: 'openai' })
    expect(order).toHaveLength(2)
  })
})
