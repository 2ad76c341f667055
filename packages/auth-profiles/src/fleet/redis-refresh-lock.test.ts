// The Redis refresh lock against a real redis-server.
import { describe, expect, it } from 'vitest'
import { useTestFleet } from '../../test/helpers/fleet-connection.js'
import type { RefreshLockProvider } from '../oauth/refresh-lock.js'
import { createRedisRefreshLock } from './redis-refresh-lock.js'

const fleet = useTestFleet()
const KEY = { provider: 'test-oauth', profileId: 'test-oauth:default' }
const LOCK_KEY = 'claw:{main}:lock:oauth:test-oauth:test-oauth:default'

describe('Redis refresh lock', () => {
  it('is exclusive; waiters get it after release, each grant with a higher fence', async () => {
    const locks = createRedisRefreshLock(fleet.connection, { ttlMs: 5_000, waitMs: 10_000 })
    const holders: number[] = []
    let inside = 0
    let maxInside = 0
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const lock = await locks.acquire(KEY)
        inside += 1
        maxInside = Math.max(maxInside, inside)
        holders.push(lock.fence!.value)
        await new Promise((resolve) => setTimeout(resolve, 10))
        inside -= 1
        await lock.release()
      }),
    )
    expect(maxInside).toBe(1)
    expect([...holders].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(holders).toEqual([...holders].sort((a, b) => a - b))
    expect(fleet.server.cli(['EXISTS', LOCK_KEY]).trim()).toBe('0')
  })

  it('sets a random token with a PX TTL; release is compare-and-delete', async () => {
    const locks = createRedisRefreshLock(fleet.connection, { ttlMs: 300, waitMs: 2_000 })
    const first = await locks.acquire(KEY)
    const token = fleet.server.cli(['GET', LOCK_KEY]).trim()
    expect(token).toMatch(/^[0-9a-f]{32}$/)
    const pttl = Number(fleet.server.cli(['PTTL', LOCK_KEY]).trim())
    expect(pttl).toBeGreaterThan(0)
    expect(pttl).toBeLessThanOrEqual(300)
    // First holder's grant expires; a second holder takes over.
    const second = await locks.acquire(KEY)
    const secondToken = fleet.server.cli(['GET', LOCK_KEY]).trim()
    expect(secondToken).not.toBe(token)
    // The stale holder's release leaves the new holder's lock alone.
    await first.release()
    expect(fleet.server.cli(['GET', LOCK_KEY]).trim()).toBe(secondToken)
    await second.release()
    expect(fleet.server.cli(['EXISTS', LOCK_KEY]).trim()).toBe('0')
  })

  it('gives up after waitMs with a retryable ERR_LOCK_TIMEOUT, and honours an abort', async () => {
    const locks = createRedisRefreshLock(fleet.connection, { ttlMs: 5_000, waitMs: 5_300 })
    const held = await locks.acquire(KEY)
    const shortWait = createRedisRefreshLock(fleet.connection, { ttlMs: 100, waitMs: 300 })
    const started = Date.now()
    await expect(shortWait.acquire(KEY)).rejects.toMatchObject({
      code: 'ERR_LOCK_TIMEOUT',
      retryable: true,
    })
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    const controller = new AbortController()
    const waiting = locks.acquire(KEY, controller.signal)
    setTimeout(() => controller.abort(), 50)
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    await held.release()
  })

  it('while Redis is unavailable: uses the fallback lock, or fails retryably without one', async () => {
    const fallback: RefreshLockProvider = {
      ttlMs: 1_000,
      acquire: () => Promise.resolve({ release: () => Promise.resolve() }),
    }
    fleet.connection.down = true
    const withFallback = createRedisRefreshLock(fleet.connection, { ttlMs: 1_000, fallback })
    expect((await withFallback.acquire(KEY)).fence).toBeUndefined()
    const without = createRedisRefreshLock(fleet.connection, { ttlMs: 1_000 })
    await expect(without.acquire(KEY)).rejects.toMatchObject({
      code: 'ERR_LOCK_TIMEOUT',
      retryable: true,
    })
  })

  it('refuses a wait shorter than the TTL', () => {
    expect(() => createRedisRefreshLock(fleet.connection, { ttlMs: 1_000, waitMs: 500 })).toThrow(
      /waitMs must exceed ttlMs/,
    )
  })
})
