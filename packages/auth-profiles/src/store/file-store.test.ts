// The parsed-file cache is the caller's when given: a handle keeps its reads in the map it was
// opened with, and the default cache is shared by handles that name none.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createFileAuthStore, type AuthStoreFileCache } from './file-store.js'
import { resolveAuthStorePath } from './paths.js'
import { upsertAuthProfile } from './store.js'
import { apiKeyCredential } from '../testing/index.js'

let root: string
let agentDir: string

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'claw-file-cache-'))
  agentDir = join(root, 'agents', 'main', 'agent')
  await upsertAuthProfile({
    agentDir,
    profileId: 'openai:work',
    credential: apiKeyCredential('openai', 'sk-cache-test'),
  })
})

afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

it('keeps a handle’s parsed file in the cache the caller passed', async () => {
  const cache: AuthStoreFileCache = new Map()
  const own = createFileAuthStore({ agentDir, storeCache: cache })
  const loaded = await own.load()
  expect([...cache.keys()]).toEqual([resolveAuthStorePath(agentDir)])
  expect(cache.get(resolveAuthStorePath(agentDir))?.store).toBe(loaded)
  expect(await own.load()).toBe(loaded)

  // A handle without one uses the process default, never the caller's map.
  const other: AuthStoreFileCache = new Map()
  await createFileAuthStore({ agentDir }).load()
  expect(other.size).toBe(0)
  expect(cache.size).toBe(1)
})

it('writes through the caller’s cache too', async () => {
  const cache: AuthStoreFileCache = new Map()
  const own = createFileAuthStore({ agentDir, storeCache: cache })
  await own.update((store) => {
    store.profiles['anthropic:new'] = apiKeyCredential('anthropic', 'sk-ant-cache-test')
  })
  expect(Object.keys(cache.get(resolveAuthStorePath(agentDir))?.store.profiles ?? {})).toContain(
    'anthropic:new',
  )
})
