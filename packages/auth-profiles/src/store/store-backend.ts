import type { ProbeLeases } from '../selection/probe-lease.js'
import type { StoreDiagnostic } from './store-parse.js'
import type { AuthProfileStore } from '../types.js'

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
 * The store handle: what every function that reads a store or records bookkeeping takes as
 * `store`. It loads (cached), persists (locked, atomic) and is shared by all callers in a process.
 *
 * - `openAuthStore({ agentDir })`: `auth-profiles.json` in an agent dir (the default backend);
 * - `createMemoryAuthStore(initial?)`: the same in memory (tests; embedders with their own store);
 * - `fleet.stateBackend(…)` (`@claw/auth-profiles/redis`): routing state shared through Redis.
 *
 * @public
 */
export interface AuthStoreBackend {
  readonly kind: 'file' | 'memory' | 'redis'
  /**
   * The agent whose profiles the backend holds, when it knows (the fleet backends do). The OAuth
   * refresh asks its lock for that agent's lock: a fleet keeps an agent's lock, fence and
   * credentials in one Redis Cluster hash slot.
   */
  readonly agentId?: string
  /** Absolute path of the store file, or `memory:` for a memory store. */
  readonly location: string
  /**
   * The current store, as a deep-frozen snapshot shared with the cache (changing it throws a
   * `TypeError`; `structuredClone` it for a private copy). Warm calls are cheap: the file backend
   * re-reads only when a `stat` shows the file changed. Change the store through `update`.
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
  /**
   * Diagnostics of the last load or update, for every file behind it (a sub-agent's own and the
   * main agent's): entries kept but ignored (`ignored_*`: an unknown credential type, an id claw
   * refuses, malformed routing entries — never used, written back unchanged), a newer format,
   * permissions, legacy imports.
   */
  diagnostics(): readonly StoreDiagnostic[]
  /**
   * Probe leases shared beyond this process (the Redis state backend: one probe per fleet). Without
   * them, `probeLeasesFor` keeps leases in process memory.
   */
  readonly probeLeases?: ProbeLeases
  /**
   * Writes the soft bookkeeping this handle holds back (`lastUsed`, `lastGood`, the counters a
   * success resets), which is otherwise written within a second, and on a clean exit. Call it
   * before `process.exit()` or in a signal handler (`flushAuthStores()` does it for every store).
   * Failures, cooldowns and disables are never held back. Absent on backends that hold nothing
   * back.
   */
  flush?(): Promise<void>
}

/**
 * How functions find a store: the store handle (`openAuthStore(…)`, `createMemoryAuthStore(…)`, a
 * fleet backend), or an agent dir (its file store, with read-through to the main agent's store
 * for sub-agents). `backend` is the older name of `store`.
 *
 * @public
 */
export type AuthStoreTarget =
  | { readonly store: AuthStoreBackend }
  | { readonly backend: AuthStoreBackend }
  | { readonly agentDir: string; readonly mainAgentDir?: string | null | undefined }

/**
 * Whether `value` is a store handle (an {@link AuthStoreBackend}) rather than loaded store data.
 *
 * @public
 */
export function isAuthStoreBackend(value: unknown): value is AuthStoreBackend {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { load?: unknown }).load === 'function' &&
    typeof (value as { update?: unknown }).update === 'function'
  )
}

/** Deep copy of a store (JSON data only). @internal */
export function cloneStore(store: AuthProfileStore): AuthProfileStore {
  return JSON.parse(JSON.stringify(store)) as AuthProfileStore
}

/**
 * The read-through view of a sub-agent: the main agent's store as the base, the agent's own store
 * as the override, merged per key (profiles, order, lastGood, usageStats). Nothing is copied on
 * disk; OAuth refresh tokens keep a single owner. `hidden`: profile ids the agent's own file holds
 * in a form claw cannot use; the main agent's profiles of those ids are left out too.
 *
 * @internal
 */
export function mergeStores(
  main: AuthProfileStore,
  own: AuthProfileStore,
  hidden: readonly string[] = [],
): AuthProfileStore {
  const profiles = { ...main.profiles, ...own.profiles }
  for (const id of hidden) if (!Object.hasOwn(own.profiles, id)) delete profiles[id]
  const merged: AuthProfileStore = { version: 1, profiles }
  if (main.order || own.order) merged.order = { ...main.order, ...own.order }
  if (main.lastGood || own.lastGood) merged.lastGood = { ...main.lastGood, ...own.lastGood }
  if (main.usageStats || own.usageStats)
    merged.usageStats = { ...main.usageStats, ...own.usageStats }
  return merged
}
