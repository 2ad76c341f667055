// refreshOAuthCredential with the Redis refresh lock and credential backend, in one process:
// the call-timeout/TTL invariant, and a commit rejected by its stale fence.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useTestFleet } from '../../test/helpers/fleet-connection.js'
import { refreshOAuthCredential } from '../oauth/refresh.js'
import { createOAuthProviderRegistry } from '../oauth/registry.js'
import type { OAuthProviderAdapter, OAuthTokenSet } from '../oauth/types.js'
import { canarySecret } from '../testing/index.js'
import type { OAuthCredential } from '../types.js'
import { createRedisCredentialBackend } from './credential-backend.js'
import { createRedisRefreshLock } from './redis-refresh-lock.js'

const PROFILE = 'test-oauth:default'
const KEY = { provider: 'test-oauth', profileId: PROFILE }
const LOCK_KEY = `claw:{main}:lock:oauth:test-oauth:${PROFILE}`

const fleet = useTestFleet()

function adapter(refresh: () => Promise<OAuthTokenSet>): OAuthProviderAdapter {
  return {
    id: 'test-oauth',
    displayName: 'Test',
    flow: 'authorization_code',
    endpoints: { tokenEndpoint: 'http://127.0.0.1:9/token' },
    clientId: 'c',
    scopes: [],
    login: () => Promise.reject(new Error('no login')),
    refresh,
  }
}

async function seeded() {
  const backend = createRedisCredentialBackend(fleet.connection, {
    agentId: 'main',
    encryptionKey: randomBytes(32),
  })
  const credential: OAuthCredential = {
    type: 'oauth',
    provider: 'test-oauth',
    access: canarySecret('at-'),
    refresh: canarySecret('rt-'),
    expires: Date.now() - 1_000,
    generation: 1,
  }
  await backend.update((store) => {
    store.profiles[PROFILE] = credential
  })
  return { backend, credential }
}

describe('refresh with the Redis lock', () => {
  it('refuses a lock TTL that is not above the token call timeout', async () => {
    const { backend } = await seeded()
    let calls = 0
    const providers = createOAuthProviderRegistry([
      adapter(() => {
        calls += 1
        return Promise.reject(new Error('not reached'))
      }),
    ])
    for (const callTimeoutMs of [1_000, 1_500]) {
      const attempt = refreshOAuthCredential({
        profileId: PROFILE,
        backend,
        providers,
        callTimeoutMs,
        refreshLock: createRedisRefreshLock(fleet.connection, { ttlMs: 1_000 }),
      })
      await expect(attempt).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
      await expect(attempt).rejects.toThrow(/below the refresh lock's TTL \(staleMs, 1000 ms\)/)
    }
    expect(calls).toBe(0)
    expect(fleet.server.cli(['EXISTS', LOCK_KEY]).trim()).toBe('0')
  })

  it('a holder whose fence went stale waits for the new holder and commits only if nothing newer landed', async () => {
    const { backend, credential } = await seeded()
    const locks = createRedisRefreshLock(fleet.connection, { ttlMs: 5_000, waitMs: 10_000 })
    const fresh: OAuthTokenSet = {
      access: canarySecret('at-new-'),
      refresh: canarySecret('rt-new-'),
      expires: Date.now() + 3_600_000,
    }
    let answer!: () => void
    const answered = new Promise<void>((resolve) => (answer = resolve))
    let calledBack!: () => void
    const called = new Promise<void>((resolve) => (calledBack = resolve))
    const providers = createOAuthProviderRegistry([
      adapter(async () => {
        calledBack()
        await answered
        return fresh
      }),
    ])
    const refreshing = refreshOAuthCredential({
      profileId: PROFILE,
      backend,
      providers,
      callTimeoutMs: 1_000,
      refreshLock: locks,
    })
    await called
    // The holder's grant expires while it stalls; another holder takes over (fence 2) and is
    // still working when the stalled one tries to commit.
    fleet.server.cli(['PEXPIRE', LOCK_KEY, '1'])
    await new Promise((resolve) => setTimeout(resolve, 10))
    const other = await locks.acquire(KEY)
    expect(other.fence?.value).toBe(2)
    answer()
    await new Promise((resolve) => setTimeout(resolve, 200))
    // Its commit was refused; the credential is untouched while it waits for the lock.
    expect((await backend.load()).profiles[PROFILE]).toEqual(credential)
    // The other holder gives up without committing: the stalled holder's token set is the only
    // live one, and it commits it under a new grant (fence 3).
    await other.release()
    const result = await refreshing
    expect(result).toMatchObject({ refreshed: true, adopted: false })
    expect((await backend.load()).profiles[PROFILE]).toMatchObject({
      access: fresh.access,
      refresh: fresh.refresh,
      generation: 2,
    })
    expect(fleet.server.cli(['GET', `claw:{main}:fence:oauth:test-oauth:${PROFILE}`]).trim()).toBe(
      '3',
    )
  })
})
