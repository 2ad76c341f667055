// The lock that serialises OAuth refreshes of one profile: the file lock under
// `<stateDir>/locks/oauth-refresh` by default (one host), or a Redis lock for a fleet
// (`@claw/auth-profiles/redis`). Refresh asks the provider for a lock, commits under it and
// releases it; a lock with a fencing token has the token checked on commit by backends that can.
import { join } from 'node:path'
import { ensurePrivateDir } from '../store/atomic-write.js'
import {
  acquireFileLock,
  resolveFileLockOptions,
  type FileLockOptions,
} from '../store/file-lock.js'

/** Lock settings for the cross-process refresh lock: stale 60 s, waiters retry ~75 s. @public */
export const DEFAULT_REFRESH_LOCK_OPTIONS: FileLockOptions = Object.freeze({
  staleMs: 60_000,
  updateMs: 10_000,
  retries: 90,
  minRetryDelayMs: 50,
  maxRetryDelayMs: 1_000,
  retryFactor: 1.5,
})

/**
 * A fencing token: the counter stored at `key` was `value` when the lock was granted. A commit
 * carrying it is accepted only while the counter is unchanged (no later holder took over).
 *
 * @public
 */
export interface RefreshFence {
  readonly key: string
  readonly value: number
}

/** What a refresh lock is taken for. @public */
export interface RefreshLockKey {
  readonly provider: string
  readonly profileId: string
  /**
   * The agent whose store the refreshed credential is committed to, when known. The fleet's Redis
   * lock keeps its keys with that agent's (default `main`); the file lock ignores it.
   */
  readonly agentId?: string
}

/** A held refresh lock. @public */
export interface RefreshLock {
  /** The fencing token of this grant, when the provider issues one (the Redis lock does). */
  readonly fence?: RefreshFence
  /** Releases the lock if this holder still owns it; never throws. */
  release(): Promise<void>
}

/**
 * Hands out the lock that serialises refreshes of one `(provider, profileId)`.
 *
 * @public
 */
export interface RefreshLockProvider {
  /**
   * How long a holder may keep the lock before another may take it over; the token call timeout
   * must be below it (`refreshOAuthCredential` refuses otherwise).
   */
  readonly ttlMs: number
  /**
   * Waits (bounded) until the lock is granted.
   *
   * @throws {AuthProfilesError} `ERR_LOCK_TIMEOUT` when it stays busy, `ERR_ABORTED` on `signal`.
   */
  acquire(key: RefreshLockKey, signal?: AbortSignal): Promise<RefreshLock>
}

/** Options of {@link createFileRefreshLockProvider}. @public */
export interface FileRefreshLockProviderOptions {
  /** The state dir; locks live under `<stateDir>/locks/oauth-refresh`. */
  readonly stateDir: string
  /** Lock timings; default {@link DEFAULT_REFRESH_LOCK_OPTIONS}. `ttlMs` is their `staleMs`. */
  readonly lock?: FileLockOptions
}

/** `<stateDir>/locks/oauth-refresh/sha256-<hash of provider and profile id>`. */
async function lockPathFor(stateDir: string, key: RefreshLockKey): Promise<string> {
  // node:crypto loads on the first refresh, not with the package (~3 ms of every start-up).
  const { createHash } = await import('node:crypto')
  const digest = createHash('sha256').update(`${key.provider}\u0000${key.profileId}`).digest('hex')
  return join(stateDir, 'locks', 'oauth-refresh', `sha256-${digest}`)
}

/**
 * The default refresh lock: a file lock per profile under `<stateDir>/locks/oauth-refresh`, shared
 * by every process on one host (and hosts sharing the state dir). It issues no fencing token; the
 * store's generation compare-and-swap protects commits. `ttlMs` is the lock's `staleMs`.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ARGUMENT` for invalid lock options.
 * @public
 */
export function createFileRefreshLockProvider(
  options: FileRefreshLockProviderOptions,
): RefreshLockProvider {
  const lockOptions = resolveFileLockOptions(options.lock ?? DEFAULT_REFRESH_LOCK_OPTIONS)
  return {
    ttlMs: lockOptions.staleMs,
    async acquire(key) {
      const lockPath = await lockPathFor(options.stateDir, key)
      await ensurePrivateDir(join(lockPath, '..'))
      const lock = await acquireFileLock(lockPath, lockOptions)
      return { release: () => lock.release() }
    },
  }
}
