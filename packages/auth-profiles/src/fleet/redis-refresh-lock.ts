// The multi-host OAuth refresh lock (redis.io's single-instance lock pattern plus a fencing
// counter, so a holder whose lease ran out cannot overwrite a newer refresh): `SET lock <random token> NX PX ttl` and `INCR fence` in one Lua
// script, jittered retries until granted or `waitMs` ran out, release by compare-and-delete.
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { AuthProfilesError } from '../errors.js'
import { assertAgentId, DEFAULT_AGENT_ID, describeId } from '../ids.js'
import type { RefreshLock, RefreshLockKey, RefreshLockProvider } from '../oauth/refresh-lock.js'
import { isFleetUnavailable, type FleetConnection } from './connection.js'
import { defineFleetScript } from './fleet-script.js'

/** Default TTL of the Redis refresh lock (as the file lock's staleMs): 60 s. @public */
export const DEFAULT_REDIS_REFRESH_LOCK_TTL_MS = 60_000

/** Options of {@link createRedisRefreshLock}. @public */
export interface RedisRefreshLockOptions {
  /**
   * How long a grant lasts (Redis expires it, PX): a holder stalled longer loses the lock and its
   * commit is rejected by the fencing check. Must exceed the token call timeout. Default 60 s.
   */
  readonly ttlMs?: number
  /** How long `acquire` keeps trying; default `ttlMs + 15 s` (an abandoned lock expires first). */
  readonly waitMs?: number
  /** Retry delays (exponential ×1.5 with full jitter between half and all of the delay). */
  readonly minRetryDelayMs?: number
  readonly maxRetryDelayMs?: number
  /**
   * The lock to use while Redis is unavailable (circuit open), e.g. the per-host file lock; without
   * one, `acquire` fails with a retryable `ERR_LOCK_TIMEOUT` during an outage.
   */
  readonly fallback?: RefreshLockProvider
}

/** KEYS[1] lock, KEYS[2] fence; ARGV[1] token, ARGV[2] ttl → the new fence, or false when held. */
const ACQUIRE_SCRIPT = defineFleetScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return false
`)

/** KEYS[1] lock; ARGV[1] token → 1 when deleted, 0 when the lock is someone else's (or gone). */
const RELEASE_SCRIPT = defineFleetScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

function aborted(key: RefreshLockKey): AuthProfilesError {
  return new AuthProfilesError(
    'ERR_ABORTED',
    `Waiting for the refresh lock of ${describeId(key.profileId)} was cancelled.`,
    { profileId: key.profileId, provider: key.provider },
  )
}

/**
 * The Redis refresh lock ({@link RefreshLockProvider}): one holder per `(agentId, provider,
 * profileId)` across every host of the fleet (`agentId` from the lock key, default `main`). A
 * grant sets `{prefix}{agentId}:lock:oauth:{provider}:{profileId}` to a random token with
 * `NX PX ttlMs` and increments `{prefix}{agentId}:fence:oauth:{provider}:{profileId}` in the same
 * script; the new counter value is the grant's fencing token, which the Redis credential backend
 * checks when the refresh commits (in the same hash slot as the agent's credentials). `release` deletes the lock only while it still holds
 * this holder's token.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ARGUMENT` for invalid options.
 * @internal
 */
export function createRedisRefreshLock(
  connection: FleetConnection,
  options: RedisRefreshLockOptions = {},
): RefreshLockProvider {
  const ttlMs = options.ttlMs ?? DEFAULT_REDIS_REFRESH_LOCK_TTL_MS
  const waitMs = options.waitMs ?? ttlMs + 15_000
  const minDelay = options.minRetryDelayMs ?? 20
  const maxDelay = options.maxRetryDelayMs ?? 500
  const problems: string[] = []
  if (!(Number.isInteger(ttlMs) && ttlMs > 0)) problems.push('ttlMs must be a positive integer')
  if (!(waitMs > ttlMs)) {
    problems.push('waitMs must exceed ttlMs, so an abandoned lock expires before waiters give up')
  }
  if (!(minDelay > 0 && maxDelay >= minDelay))
    problems.push('retry delays must be positive and maxRetryDelayMs ≥ minRetryDelayMs')
  if (problems.length > 0) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      `Invalid Redis refresh lock options: ${problems.join('; ')}.`,
    )
  }
  const { keys } = connection

  async function acquire(key: RefreshLockKey, signal?: AbortSignal): Promise<RefreshLock> {
    const agentId = key.agentId ?? DEFAULT_AGENT_ID
    assertAgentId(agentId)
    const lockKey = keys.refreshLock(agentId, key.provider, key.profileId)
    const fenceKey = keys.refreshFence(agentId, key.provider, key.profileId)
    const token = randomBytes(16).toString('hex')
    const deadline = connection.now() + waitMs
    let delay = minDelay
    for (;;) {
      if (signal?.aborted) throw aborted(key)
      let granted: unknown
      try {
        granted = await connection.eval(ACQUIRE_SCRIPT, [lockKey, fenceKey], [token, String(ttlMs)])
      } catch (error) {
        if (!isFleetUnavailable(error)) throw error
        if (options.fallback) return options.fallback.acquire(key, signal)
        throw new AuthProfilesError(
          'ERR_LOCK_TIMEOUT',
          `Redis is unavailable, so the fleet refresh lock of ${describeId(key.profileId)} cannot be taken; try again shortly.`,
          { profileId: key.profileId, provider: key.provider, retryable: true, cause: error },
        )
      }
      if (typeof granted === 'number') {
        return {
          fence: { key: fenceKey, value: granted },
          release: () => release(lockKey, token),
        }
      }
      const left = deadline - connection.now()
      if (left <= 0) {
        throw new AuthProfilesError(
          'ERR_LOCK_TIMEOUT',
          `Timed out after ${waitMs} ms waiting for the fleet refresh lock of ${describeId(key.profileId)}: another host holds it (a stalled holder's lock expires after ${ttlMs} ms).`,
          { profileId: key.profileId, provider: key.provider, retryable: true },
        )
      }
      const pause = Math.min(left, delay * (0.5 + Math.random() / 2))
      delay = Math.min(maxDelay, delay * 1.5)
      try {
        await sleep(pause, undefined, signal ? { signal } : {})
      } catch {
        throw aborted(key)
      }
    }
  }

  async function release(lockKey: string, token: string): Promise<void> {
    try {
      await connection.eval(RELEASE_SCRIPT, [lockKey], [token])
    } catch {
      // Redis unavailable: the grant expires by itself after ttlMs.
    }
  }

  return { ttlMs, acquire }
}
