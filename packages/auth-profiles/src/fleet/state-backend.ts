// The Redis state backend: credentials from a credentials backend, routing state (usage stats,
// windows, order, last-good, re-auth markers) from Redis. Never writes a credential to Redis.
import type {
  AuthStoreBackend,
  AuthStoreUpdateOptions,
  AuthStoreUpdateResult,
  AuthStoreUpdater,
} from '../store/store-backend.js'
import { AuthProfilesError } from '../errors.js'
import { freezeDeep } from '../store/frozen.js'
import { cloneStore } from '../store/store-backend.js'
import type { AuthProfileStore } from '../types.js'
import { isFleetUnavailable, type FleetConnection } from './connection.js'
import { assertAgentId } from '../ids.js'
import { createOutageJournal } from './outage-journal.js'
import {
  applyProfileChanges,
  diffRouting,
  encodeRoutingOps,
  profilesChanged,
  type RoutingOp,
} from './routing-diff.js'
import { decodeRouting, mergeRouting, readRoutingKeys, type RoutingState } from './routing-read.js'
import { READ_ROUTING_SCRIPT, WRITE_ROUTING_SCRIPT } from './routing-scripts.js'
import { createRedisProbeLeases } from './redis-probe-leases.js'
import { probeLeasesFor } from '../selection/probe-lease.js'
import {
  agentBookkeeping,
  flushFleetBookkeeping,
  routingWith,
  scheduleFleetBookkeeping,
} from './soft-bookkeeping.js'
import { registerWriteBehind } from '../store/write-behind.js'

/** Options of {@link createRedisStateBackend}. @internal */
export interface RedisStateBackendOptions {
  readonly agentId: string
  readonly credentials: AuthStoreBackend
}

/**
 * See `RedisFleet.stateBackend`. `load()` serves a routing snapshot younger than 80 % of
 * `freshnessMs` (no round trip then; one script call otherwise), so changes are visible within
 * `freshnessMs`; `update()` reads fresh state (one round
 * trip), runs the updater and writes the difference in one atomic script: counters as HINCRBY
 * deltas, timestamps as maxima, windows as monotonic PX keys, clears as deletes. Credential
 * changes go to the credentials backend (under its lock). While Redis is unavailable `load()`
 * serves the credentials backend's own store (local state); `update()` applies a change there only
 * when it is a pure credential edit or the caller passed `localFallback` (request-path
 * bookkeeping), and otherwise refuses with a retryable `ERR_FLEET_UNAVAILABLE` without writing
 * anything: a change to shared state made locally would be silently overridden when Redis
 * returns, and whether there is anything to change at all cannot be known without it.
 *
 * Bookkeeping recorded locally during an outage is also kept in an outage journal and merged
 * into Redis once, when the circuit closes (or at the next call that finds Redis available):
 * counters add, timestamps and windows keep the larger, overrides take this host's latest value
 * (outage-journal.ts). The journal lives in this process: bookkeeping of a process that exits
 * before Redis returns stays in its local store only.
 *
 * @internal
 */
export function createRedisStateBackend(
  connection: FleetConnection,
  options: RedisStateBackendOptions,
): AuthStoreBackend {
  const { agentId, credentials } = options
  assertAgentId(agentId)
  const { keys, now } = connection
  const overrideKeys = new Set([keys.order(agentId), keys.lastGood(agentId)])
  const journal = createOutageJournal((key) => overrideKeys.has(key))
  let flushing: Promise<void> | undefined
  let unsubscribe: (() => void) | undefined
  // A snapshot is reused for 80 % of the bound: the rest covers the read that replaces it, so a
  // change another process wrote is visible to `load()` within `freshnessMs`.
  const reuseMs = connection.freshnessMs * 0.8
  let snapshot: { routing: RoutingState; at: number } | undefined
  let pending: Promise<RoutingState> | undefined
  let merged:
    { credentials: AuthProfileStore; routing: RoutingState; store: AuthProfileStore } | undefined

  async function readRouting(store: AuthProfileStore): Promise<RoutingState> {
    const profileIds = Object.keys(store.profiles)
    const at = now()
    const reply = await connection.eval(
      READ_ROUTING_SCRIPT,
      readRoutingKeys(keys, agentId, profileIds),
      [String(profileIds.length)],
    )
    const routing = decodeRouting(typeof reply === 'string' ? reply : '{}', profileIds, now())
    snapshot = { routing, at }
    return routing
  }

  async function writeRouting(ops: readonly RoutingOp[]): Promise<void> {
    if (ops.length === 0) return
    snapshot = undefined
    const call = encodeRoutingOps(ops)
    await connection.eval(WRITE_ROUTING_SCRIPT, call.keys, call.args)
  }

  /** Merges the outage journal into Redis, once (see the function comment). */
  function flushJournal(): Promise<void> {
    if (journal.empty || !connection.available()) return flushing ?? Promise.resolve()
    flushing ??= (async () => {
      const taken = journal.take(now())
      try {
        await writeRouting(taken.ops)
        if (journal.empty) {
          unsubscribe?.()
          unsubscribe = undefined
        }
      } catch (error) {
        taken.restore()
        if (!isFleetUnavailable(error)) throw error
      }
    })().finally(() => {
      flushing = undefined
    })
    return flushing
  }

  function journalLocal(ops: readonly RoutingOp[]): void {
    if (ops.length === 0) return
    journal.record(ops, now())
    unsubscribe ??= connection.onRecovered(() => {
      flushJournal().catch((error: unknown) => {
        connection.warn(
          `Could not merge the bookkeeping recorded during the Redis outage into Redis (${error instanceof Error ? error.name : 'error'}); it stays in the local store.`,
        )
      })
    })
  }

  // A success's bookkeeping is held back and batched per connection (soft-bookkeeping.ts); this
  // backend's loads show it at once, and its snapshot keeps it once written.
  const soft = agentBookkeeping(connection, agentId, credentials)
  soft.written.add((entries) => {
    if (snapshot !== undefined)
      snapshot = { routing: routingWith(snapshot.routing, entries), at: snapshot.at }
  })

  function view(store: AuthProfileStore, routing: RoutingState): AuthProfileStore {
    if (merged?.credentials !== store || merged.routing !== routing) {
      merged = { credentials: store, routing, store: freezeDeep(mergeRouting(store, routing)) }
    }
    return soft.pending.applyTo(merged.store)
  }

  async function load(): Promise<AuthProfileStore> {
    const store = await credentials.load()
    if (!connection.available()) return soft.pending.applyTo(store)
    if (!journal.empty) await flushJournal().catch(() => undefined)
    const current = snapshot
    if (current && now() - current.at < reuseMs) return view(store, current.routing)
    try {
      pending ??= readRouting(store).finally(() => {
        pending = undefined
      })
      return view(store, await pending)
    } catch (error) {
      if (isFleetUnavailable(error)) return soft.pending.applyTo(store)
      throw error
    }
  }

  /** One shared update: fresh routing, the updater, the difference written atomically. */
  async function sharedUpdate<T>(
    store: AuthProfileStore,
    updater: AuthStoreUpdater<T>,
  ): Promise<{ before: AuthProfileStore; after: AuthProfileStore; result: T; ops: RoutingOp[] }> {
    const before = mergeRouting(store, await readRouting(store))
    const after = cloneStore(before)
    const result = await updater(after)
    return { before, after, result, ops: diffRouting(keys, agentId, before, after, now()) }
  }

  /**
   * The credentials an update starts from. An empty fleet (`ERR_FLEET_EMPTY`: Redis lost the
   * credentials kept in it, or never held any) still takes writes: they add the first credential
   * of a new fleet, or re-add the lost ones.
   */
  async function credentialsForUpdate(): Promise<AuthProfileStore> {
    try {
      return await credentials.load()
    } catch (error) {
      if (AuthProfilesError.isInstance(error) && error.code === 'ERR_FLEET_EMPTY') {
        return { version: 1, profiles: {} }
      }
      throw error
    }
  }

  /** An update while Redis is unavailable (see the function comment). */
  async function localUpdate<T>(
    updater: AuthStoreUpdater<T>,
    updateOptions: AuthStoreUpdateOptions | undefined,
    cause?: unknown,
  ): Promise<AuthStoreUpdateResult<T>> {
    if (updateOptions?.localFallback === true) {
      let ops: RoutingOp[] = []
      const result = await credentials.update(async (store) => {
        const before = cloneStore(store)
        const value = await updater(store)
        ops = diffRouting(keys, agentId, before, store, now())
        return value
      }, updateOptions)
      journalLocal(ops)
      return result
    }
    return credentials.update(async (store) => {
      const before = cloneStore(store)
      const result = await updater(store)
      // Only a pure credential edit can be made locally. A routing change would be overridden by
      // Redis' state once it returns, and "nothing to change" is unknowable without Redis.
      const credentialsOnly =
        profilesChanged(before, store) &&
        diffRouting(keys, agentId, before, store, now()).length === 0
      if (!credentialsOnly) {
        const reason = connection.unavailableReason() ?? 'unknown'
        throw new AuthProfilesError(
          'ERR_FLEET_UNAVAILABLE',
          `Redis is unavailable (${reason}), so the shared routing state (cooldowns, usage, order, last-good) of agent ${agentId} cannot be changed; nothing was written. Try again when Redis answers (\`claw doctor\` checks it).`,
          { retryable: true, ...(cause === undefined ? {} : { cause }) },
        )
      }
      return result
    }, updateOptions)
  }

  async function update<T>(
    updater: AuthStoreUpdater<T>,
    updateOptions?: AuthStoreUpdateOptions,
  ): Promise<AuthStoreUpdateResult<T>> {
    if (!connection.available()) return localUpdate(updater, updateOptions)
    try {
      if (!journal.empty) await flushJournal()
      const first = await sharedUpdate(await credentialsForUpdate(), updater)
      if (!profilesChanged(first.before, first.after)) {
        await writeRouting(first.ops)
        return {
          store: soft.pending.applyTo(freezeDeep(cloneStore(first.after))),
          result: first.result,
          written: first.ops.length > 0,
        }
      }
      // Credentials change too: redo it under the credentials backend's lock, on its fresh copy.
      let outcome: Awaited<ReturnType<typeof sharedUpdate<T>>> | undefined
      const updated = await credentials.update(async (fresh) => {
        outcome = await sharedUpdate(fresh, updater)
        applyProfileChanges(fresh, outcome.before, outcome.after)
        await writeRouting(outcome.ops)
        return outcome.result
      }, updateOptions)
      const done = outcome as NonNullable<typeof outcome>
      return {
        store: soft.pending.applyTo(freezeDeep(cloneStore(done.after))),
        result: updated.result,
        written: updated.written || done.ops.length > 0,
      }
    } catch (error) {
      if (!isFleetUnavailable(error)) throw error
      return localUpdate(updater, updateOptions, error)
    }
  }

  const backend: AuthStoreBackend = {
    kind: 'redis',
    agentId,
    location: `${connection.prefix}${agentId}`,
    load,
    update,
    diagnostics: () => credentials.diagnostics(),
    // One probe per fleet; while Redis is unavailable, one per process (as with local state).
    probeLeases: createRedisProbeLeases(connection, {
      agentId,
      fallback: probeLeasesFor(credentials),
    }),
    flush: () => flushFleetBookkeeping(connection),
  }
  registerWriteBehind(backend, {
    deferSuccess(profileId, model, at) {
      soft.credentials = credentials
      soft.pending.addSuccess(profileId, model, at)
      scheduleFleetBookkeeping(connection)
    },
    deferLastGood(providerKey, profileId) {
      soft.credentials = credentials
      soft.pending.addLastGood(providerKey, profileId)
      scheduleFleetBookkeeping(connection)
    },
  })
  return backend
}
