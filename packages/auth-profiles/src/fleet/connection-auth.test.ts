// A Redis that requires a password (`requirepass`), against a real redis-server: no password or a
// wrong one is an unavailable fleet (local state, one warning naming the cause, never the
// password); the password in a `unix://` URL connects.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { findCanaries } from '../testing/canary-scan.js'
import { startRedisServer, type RedisServer } from '../../../../test-support/redis-server.ts'
import { isProfileInCooldown } from '../selection/cooldowns.js'
import { createFileAuthStore } from '../store/file-store.js'
import type { AuthStoreBackend } from '../store/store-backend.js'
import { apiKeyCredential, canarySecret } from '../testing/index.js'
import { markAuthProfileFailure } from '../selection/bookkeeping.js'
import { createRedisFleet, type RedisFleet } from './connection.js'

const A = 'openai:a'
const password = canarySecret('redis-pw-')
let server: RedisServer
let root: string
const fleets: RedisFleet[] = []

beforeAll(async () => {
  server = await startRedisServer({ requirepass: password })
})
afterAll(async () => {
  await server.dispose()
})
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'claw-fleet-auth-'))
  server.cli(['FLUSHALL'])
})
afterEach(async () => {
  await Promise.all(fleets.splice(0).map((fleet) => fleet.close()))
  rmSync(root, { recursive: true, force: true })
})

function fleetAt(url: string, warnings: string[]): RedisFleet {
  const fleet = createRedisFleet({
    url,
    warn: (message) => warnings.push(message),
    commandTimeoutMs: 2_000,
  })
  fleets.push(fleet)
  return fleet
}

async function files(): Promise<AuthStoreBackend> {
  const backend = createFileAuthStore({ agentDir: join(root, 'agent') })
  await backend.update((store) => {
    store.profiles[A] = apiKeyCredential('openai', canarySecret())
  })
  return backend
}

/** The password as it would appear in a `unix://` URL. */
const withPassword = (secret: string): string =>
  `unix://:${encodeURIComponent(secret)}@${server.socketPath}`

describe('a Redis that requires a password', () => {
  it.each([
    ['no password in the URL', () => server.url, 'authentication failed (NOAUTH)'],
    [
      'a wrong password',
      () => withPassword(canarySecret('wrong-pw-')),
      'authentication failed (WRONGPASS)',
    ],
  ])('%s: local state, one warning naming the cause, ping says so', async (_name, url, cause) => {
    const warnings: string[] = []
    const fleet = fleetAt(url(), warnings)
    const local = await files()
    const backend = fleet.stateBackend({ agentId: 'main', credentials: local })
    const started = performance.now()
    const store = await backend.load()
    expect(Object.keys(store.profiles)).toEqual([A])
    const outcome = await markAuthProfileFailure({
      store,
      profileId: A,
      reason: 'rate_limit',
      persist: { backend },
    })
    // Request-path bookkeeping degrades to local state instead of failing.
    expect(outcome.error).toBeUndefined()
    expect(isProfileInCooldown(await local.load(), A)).toBe(true)
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(fleet.status()).toBe('degraded')
    expect(warnings).toEqual([`Redis unavailable (${cause}); using local state until it returns.`])
    expect(await fleet.ping()).toEqual({ ok: false, error: cause })
    // Nothing reached Redis.
    expect(server.cli(['DBSIZE']).trim()).toBe('0')
    expect(findCanaries(warnings.join('\n'), [password], 'warnings')).toEqual([])
  })

  it('connects with the password in a unix:// URL (percent-encoded, with or without a user)', async () => {
    for (const url of [withPassword(password), `unix://default:${password}@${server.socketPath}`]) {
      server.cli(['FLUSHALL'])
      const warnings: string[] = []
      const fleet = fleetAt(url, warnings)
      expect(await fleet.ping()).toMatchObject({ ok: true })
      const backend = fleet.stateBackend({ agentId: 'main', credentials: await files() })
      await markAuthProfileFailure({
        store: await backend.load(),
        profileId: A,
        reason: 'rate_limit',
        persist: { backend },
      })
      expect(server.cli(['EXISTS', 'claw:{main}:cooldown:openai:a']).trim()).toBe('1')
      expect(fleet.status()).toBe('connected')
      expect(warnings).toEqual([])
    }
  })
})
