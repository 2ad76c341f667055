// Write-behind of the soft bookkeeping (a success's lastUsed, lastGood, the counters and ended
// windows a success clears) for the Redis state backend. Every agent's held-back entries of one
// connection go out together, in one WRITE_ROUTING_SCRIPT call: at most one round trip per second
// per process (see store/write-behind.ts for the contract). While Redis is unavailable they are written
// to each agent's credentials backend, like the rest of the request-path bookkeeping.
import type { AuthStoreBackend, AuthStoreUpdateOptions } from '../store/store-backend.js'
import type { AuthProfileStore } from '../types.js'
import {
  applyDeferred,
  PendingBookkeeping,
  WriteBehindSchedule,
  type DeferredLastGood,
  type DeferredSuccess,
} from '../store/write-behind.js'
import { isFleetUnavailable, type FleetConnection } from './connection.js'
import type { FleetKeys } from './key-layout.js'
import { encodeRoutingOps, type RoutingOp } from './routing-diff.js'
import type { RoutingState } from './routing-read.js'
import { WRITE_ROUTING_SCRIPT } from './routing-scripts.js'

type Entry = DeferredSuccess | DeferredLastGood

/** One agent's held-back bookkeeping on a connection, shared by its state backends. @internal */
export interface AgentBookkeeping {
  readonly pending: PendingBookkeeping
  /** The credentials backend of the latest state backend to record (for profiles, and outages). */
  credentials: AuthStoreBackend
  /** Called with the entries written to Redis (the state backends fold them into their snapshot). */
  readonly written: Set<(entries: readonly Entry[]) => void>
}

interface FleetBookkeeping {
  readonly agents: Map<string, AgentBookkeeping>
  readonly schedule: WriteBehindSchedule
}

const fleets = new WeakMap<FleetConnection, FleetBookkeeping>()

/** Request-path bookkeeping: recorded locally while Redis is unreachable (see usage.ts). */
const LOCAL: AuthStoreUpdateOptions = Object.freeze({ localFallback: true })

function fleetBookkeeping(connection: FleetConnection): FleetBookkeeping {
  let state = fleets.get(connection)
  if (state === undefined) {
    const agents = new Map<string, AgentBookkeeping>()
    const hasPending = (): boolean => [...agents.values()].some((agent) => agent.pending.size > 0)
    state = {
      agents,
      schedule: new WriteBehindSchedule({
        hasPending,
        write: () => writeAll(connection, agents),
        drop: () => {
          for (const agent of agents.values()) agent.pending.clear()
        },
      }),
    }
    fleets.set(connection, state)
  }
  return state
}

/** The held-back bookkeeping of `agentId` on `connection` (created on first use). @internal */
export function agentBookkeeping(
  connection: FleetConnection,
  agentId: string,
  credentials: AuthStoreBackend,
): AgentBookkeeping {
  const { agents } = fleetBookkeeping(connection)
  let agent = agents.get(agentId)
  if (agent === undefined) {
    agent = { pending: new PendingBookkeeping(), credentials, written: new Set() }
    agents.set(agentId, agent)
  }
  return agent
}

/** Schedules the next batched write of `connection` (after an entry was held back). @internal */
export function scheduleFleetBookkeeping(connection: FleetConnection): void {
  fleetBookkeeping(connection).schedule.schedule()
}

/** Writes what every agent of `connection` holds back, now. @internal */
export function flushFleetBookkeeping(connection: FleetConnection): Promise<void> {
  return fleets.get(connection)?.schedule.flush() ?? Promise.resolve()
}

/**
 * The script operations of one held-back success: `lastUsed` moves forward, and unless a failure
 * was recorded after the success (`lastFailureAt` > at, checked in the script), the counters and
 * the windows a success clears go.
 */
function successOp(keys: FleetKeys, agentId: string, entry: DeferredSuccess): RoutingOp {
  const { profileId, model, at } = entry
  return [
    'success',
    keys.usage(agentId, profileId),
    at,
    keys.cooldown(agentId, profileId),
    keys.disabled(agentId, profileId),
    keys.modelCooldowns(agentId, profileId),
    model ?? '',
  ]
}

async function writeAll(
  connection: FleetConnection,
  agents: ReadonlyMap<string, AgentBookkeeping>,
): Promise<void> {
  const batch: { agentId: string; agent: AgentBookkeeping; entries: readonly Entry[] }[] = []
  for (const [agentId, agent] of agents) {
    if (agent.pending.size > 0) batch.push({ agentId, agent, entries: agent.pending.entries() })
  }
  if (!connection.available()) return writeLocally(batch)
  // One script call per agent: its keys share one hash slot (a cluster runs it on one node).
  const calls: { keys: string[]; args: string[] }[] = []
  for (const { agentId, agent, entries } of batch) {
    const ops: RoutingOp[] = []
    // A profile removed meanwhile gets no stats back.
    const { profiles } = await agent.credentials.load()
    for (const entry of entries) {
      if (!Object.hasOwn(profiles, entry.profileId)) continue
      ops.push(
        'providerKey' in entry
          ? ['hset', connection.keys.lastGood(agentId), entry.providerKey, entry.profileId]
          : successOp(connection.keys, agentId, entry),
      )
    }
    if (ops.length > 0) calls.push(encodeRoutingOps(ops))
  }
  try {
    await Promise.all(
      calls.map((call) => connection.eval(WRITE_ROUTING_SCRIPT, call.keys, call.args)),
    )
  } catch (error) {
    if (!isFleetUnavailable(error)) throw error
    return writeLocally(batch)
  }
  for (const { agent, entries } of batch) {
    for (const written of agent.written) written(entries)
    agent.pending.forget(entries)
  }
}

/** While Redis is unavailable: each agent's entries go to its credentials backend. */
async function writeLocally(
  batch: readonly { agent: AgentBookkeeping; entries: readonly Entry[] }[],
): Promise<void> {
  for (const { agent, entries } of batch) {
    await agent.credentials.update((store) => {
      applyDeferred(store, entries, (profileId) => Object.hasOwn(store.profiles, profileId))
    }, LOCAL)
    agent.pending.forget(entries)
  }
}

/**
 * `routing` with `entries` applied (a snapshot read before they were written stays right until the
 * next read replaces it). @internal
 */
export function routingWith(routing: RoutingState, entries: readonly Entry[]): RoutingState {
  const store: AuthProfileStore = {
    version: 1,
    profiles: {},
    usageStats: routing.usageStats,
    lastGood: routing.lastGood,
  }
  if (!applyDeferred(store, entries, () => true)) return routing
  return {
    usageStats: store.usageStats ?? {},
    order: routing.order,
    lastGood: store.lastGood ?? {},
    reauth: routing.reauth,
  }
}
