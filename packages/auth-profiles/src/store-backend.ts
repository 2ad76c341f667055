import type { StoreDiagnostic } from './store-parse.js'
import type { AuthProfileStore } from './types.js'

/**
 * Mutates a freshly read store in place; its return value is passed back to the caller.
 *
 * @public
 */
export type AuthStoreUpdater<T> = (store: AuthProfileStore) => T | Promise<T>

/** @public */
export interface AuthStoreUpdateResult<T> {
  /** The store as written (for sub-agents: the merged view). */
  readonly store: AuthProfileStore
  readonly result: T
  /** False when the updater changed nothing, so nothing was written. */
  readonly written: boolean
}

/**
 * Options of {@link AuthStoreBackend.update}.
 *
 * @public
 */
export interface AuthStoreUpdateOptions {
  /**
   * A fencing token (the OAuth refresh lock's counter): a backend that supports fencing (the Redis
   * credential backend) commits only while the counter stored at `key` still equals `value`, and
   * rejects the commit otherwise. The file and memory backends ignore it (their generation
   * compare-and-swap protects them).
   */
  readonly fence?: { readonly key: string; readonly value: number }
  /**
   * While the shared routing state of a fleet (Redis) is unreachable, apply routing-state changes
   * (usage stats, cooldowns, order, last-good, re-auth markers) to this host's local state instead
   * of refusing them. For request-path bookkeeping that must never fail a request (what the
   * failover engine and OAuth refresh record); they stay local until Redis returns. Without it a
   * fleet backend refuses such a change with a retryable `ERR_FLEET_UNAVAILABLE` and writes
   * nothing, so an operator's write is never reported done when it would not reach the fleet.
   * Backends without shared state (file, memory) ignore it.
   */
  readonly localFallback?: boolean
}

/**
 * Where a credential store lives. The file backend (`auth-profiles.json` in an agent dir) is the
 * default; `createMemoryAuthStore()` gives the same interface in memory for embedders and tests.
 *
 * @public
 */
export interface AuthStoreBackend {
  readonly kind: 'file' | 'memory' | 'redis'
  /** Absolute path of the store file, or `memory:` for a memory store. */
  readonly location: string
  /**
   * The current store. Warm calls are cheap: the file backend re-reads only when a `stat` shows
   * the file changed. Treat the result as read-only; change it through `update`.
   */
  load(): Promise<AuthProfileStore>
  /**
   * Locked read-modify-write: takes the store's lock, re-reads it, runs `updater` on the fresh
   * copy and writes the result atomically (only when something changed). Concurrent writers in
   * other processes lose no update.
   */
  update<T>(
    updater: AuthStoreUpdater<T>,
    options?: AuthStoreUpdateOptions,
  ): Promise<AuthStoreUpdateResult<T>>
  /** Diagnostics of the last load (dropped entries, permissions, legacy imports). */
  diagnostics(): readonly StoreDiagnostic[]
}

/**
 * How functions find a store: an agent dir (the file backend, with read-through to the main
 * agent's store for sub-agents) or an explicit backend.
 *
 * @public
 */
export type AuthStoreTarget =
  | { readonly backend: AuthStoreBackend }
  | { readonly agentDir: string; readonly mainAgentDir?: string | null | undefined }

/** Deep copy of a store (JSON data only). @internal */
export function cloneStore(store: AuthProfileStore): AuthProfileStore {
  return JSON.parse(JSON.stringify(store)) as AuthProfileStore
}

/**
 * The read-through view of a sub-agent: the main agent's store as the base, the agent's own store
 * as the override, merged per key (profiles, order, lastGood, usageStats). Nothing is copied on
 * disk; OAuth refresh tokens keep a single owner.
 *
 * @internal
 */
export function mergeStores(main: AuthProfileStore, own: AuthProfileStore): AuthProfileStore {
  const merged: AuthProfileStore = { version: 1, profiles: { ...main.profiles, ...own.profiles } }
  if (main.order || own.order) merged.order = { ...main.order, ...own.order }
  if (main.lastGood || own.lastGood) merged.lastGood = { ...main.lastGood, ...own.lastGood }
  if (main.usageStats || own.usageStats)
    merged.usageStats = { ...main.usageStats, ...own.usageStats }
  return merged
}
