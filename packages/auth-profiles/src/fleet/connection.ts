// Over 400 lines: the connection and its circuit breaker are one state machine.
/**
 * The fleet's Redis connection and its circuit breaker.
 *
 * Internal contract between the fleet modules ({@link FleetConnection}): every Redis call goes
 * through `connection.run(fn)`, which
 *
 * - waits for the first connection (lazily importing `@keyv/redis`) at most `commandTimeoutMs`;
 * - bounds `fn` to `commandTimeoutMs` in total;
 * - on a connection failure or a timeout opens the circuit: this and every later call fail fast
 *   with {@link FleetUnavailableError} (no network wait) and callers use local state. One warning
 *   per outage; a background probe (unref'd, every second) closes the circuit when PING works
 *   again and warns once more on recovery;
 * - rethrows errors Redis itself replied with (a script error, WRONGTYPE) unchanged, without
 *   opening the circuit: those are bugs or data problems, not outages. Authentication replies
 *   (NOAUTH, WRONGPASS, "Protocol error: unauthenticated …", NOPERM) and replies that say Redis
 *   cannot serve right now (CLUSTERDOWN, TRYAGAIN, MASTERDOWN, LOADING, READONLY, BUSY) are the
 *   exception: they open the circuit like an outage, and the warning names the cause
 *   (`authentication failed (NOAUTH)`, `CLUSTERDOWN`), never the password (failures.ts).
 *
 * One Redis or a Redis Cluster (client.ts): on a cluster one circuit covers every node (a master
 * that is down opens it for all; the probe closes it once every master answers and the cluster
 * reports `cluster_state:ok`). Scripts go through `connection.eval` (EVALSHA, fleet-script.ts).
 *
 * `keys` is the single key helper (the prefix applied exactly once), `now` the injected clock and
 * `warn` the embedder's warning sink. `client` is the raw node-redis client (one Redis or a
 * cluster) once created; use it only inside `run`, with commands that name their keys.
 *
 * @packageDocumentation
 */
import { emitProcessWarning, resolveClock } from '../runtime.js'
import type { AuthStoreBackend } from '../store/store-backend.js'
import type { RefreshLockProvider } from '../oauth/refresh-lock.js'
import {
  checkFleetClient,
  closeFleetClient,
  connectFleetClient,
  createFleetClient,
  destroyFleetClient,
  isClientReady,
  isClusterClient,
} from './client.js'
import type { FleetClient } from './client.js'
import { createRedisCredentialBackend } from './credential-backend.js'
import { createFleetKeys, DEFAULT_FLEET_PREFIX, type FleetKeys } from './key-layout.js'
import { createRedisRefreshLock, type RedisRefreshLockOptions } from './redis-refresh-lock.js'
import { describeFailure, authFailure, isOutage } from './failures.js'
import { evalFleetScript, type FleetScript } from './fleet-script.js'
import { flushFleetBookkeeping } from './soft-bookkeeping.js'
import { createRedisStateBackend } from './state-backend.js'

/**
 * Thrown by {@link FleetConnection.run} while Redis is unavailable (circuit open, fleet closed).
 * Callers catch it and fall back to local state.
 *
 * @internal
 */
export class FleetUnavailableError extends Error {
  readonly code = 'ERR_FLEET_UNAVAILABLE'
  constructor(message = 'Redis is unavailable (circuit open).', options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'FleetUnavailableError'
  }
}

/** True for a {@link FleetUnavailableError}. @internal */
export function isFleetUnavailable(error: unknown): error is FleetUnavailableError {
  return error instanceof FleetUnavailableError
}

/** The connection every fleet module shares. See the module comment. @internal */
export interface FleetConnection {
  readonly prefix: string
  readonly keys: FleetKeys
  /** Runs `fn` through the circuit breaker; throws {@link FleetUnavailableError} fast when open. */
  run<T>(fn: (client: FleetClient) => Promise<T>): Promise<T>
  /** Runs `script` (EVALSHA, EVAL on NOSCRIPT) through {@link FleetConnection.run}. */
  eval(script: FleetScript, keys: readonly string[], args: readonly string[]): Promise<unknown>
  /** The raw client once created (after the lazy import), else `undefined`. Use inside `run`. */
  readonly client: FleetClient | undefined
  /** False while the circuit is open or the fleet is closed. */
  available(): boolean
  /**
   * Calls `listener` each time the circuit closes (Redis answers again after an outage). Returns
   * the function that removes it.
   */
  onRecovered(listener: () => void): () => void
  /**
   * Why the fleet is unavailable, for messages: `closed`, or what opened the circuit (`timeout`,
   * `ECONNREFUSED`, `authentication failed (NOAUTH)`, …); `undefined` while available.
   */
  unavailableReason(): string | undefined
  readonly commandTimeoutMs: number
  readonly freshnessMs: number
  readonly now: () => number
  readonly warn: (message: string) => void
}

/**
 * Options of {@link createRedisFleet}.
 *
 * @public
 */
export interface RedisFleetOptions {
  /**
   * One Redis: `redis://[user:password@]host:port`, `rediss://…` or
   * `unix://[user:password@]/path/redis.sock` (percent-encode special characters of the password).
   *
   * A Redis Cluster: a list of `redis://` / `rediss://` URLs of some of its nodes (one is enough:
   * the client discovers the others; list a few so it starts while one is down). The credentials
   * and TLS of the first URL that has them apply to every node. Valkey (cluster or not) works the
   * same: claw uses only commands and Lua scripting both provide.
   */
  readonly url?: string | readonly string[]
  /**
   * An existing node-redis client instead of `url`: `createClient(…)` or `createCluster(…)` (e.g.
   * from `@keyv/redis`), connected by the caller, who owns it (`close()` leaves it open).
   */
  readonly client?: unknown
  /** Key prefix, applied exactly once to every key. Default `claw:`. */
  readonly prefix?: string
  /** A command (or script) slower than this counts as a failure and opens the circuit. Default 250. */
  readonly commandTimeoutMs?: number
  /** Max age of the routing-state snapshot a `load()` may serve. Default 100. */
  readonly freshnessMs?: number
  /** One warning per outage and one on recovery (no secrets, no URL). Default `process.emitWarning`. */
  readonly warn?: (message: string) => void
  readonly now?: () => number
  /** Settings of {@link RedisFleet.refreshLock} (grant TTL, wait, retry delays, fallback lock). */
  readonly refreshLock?: RedisRefreshLockOptions
}

/**
 * What a fleet reports to {@link RedisFleet.subscribe}rs: circuit transitions and each Redis call
 * it makes (never a key, value, URL or password).
 *
 * - `circuit_opened`: Redis became unavailable; `reason` is `timeout`, an errno code
 *   (`ECONNREFUSED`), `authentication failed (NOAUTH)`, … Local state is used from now on.
 * - `circuit_closed`: Redis answers again; routing state is shared again.
 * - `command`: one call through the connection (a command, a script or a pipeline) that reached
 *   the client, with its latency; `error` is set (a short reason as above, or `reply` for an error
 *   Redis replied with) when it failed. Calls refused at once while the circuit is open are not
 *   commands.
 *
 * @public
 */
export type RedisFleetEvent =
  | { readonly type: 'circuit_opened'; readonly reason: string }
  | { readonly type: 'circuit_closed' }
  | { readonly type: 'command'; readonly durationMs: number; readonly error?: string }

/**
 * A connection to the fleet's Redis and the backends built on it.
 *
 * @public
 */
export interface RedisFleet {
  readonly prefix: string
  /** `'connected'`, `'degraded'` (circuit open: local state in use) or `'closed'`. */
  status(): 'connected' | 'degraded' | 'closed'
  /**
   * Calls `listener` with each {@link RedisFleetEvent} from now on (for metrics, e.g.
   * `createClawTelemetry().observeFleet(fleet)` of `@claw/failover/telemetry`); returns the
   * function that stops it. A listener that throws is ignored.
   */
  subscribe(listener: (event: RedisFleetEvent) => void): () => void
  /**
   * One PING with its latency, for `claw doctor`. Never throws. `error` is a short reason without
   * secrets: `timeout`, an errno code (`ECONNREFUSED`), `authentication failed (NOAUTH)`,
   * `authentication failed (WRONGPASS)`, `not permitted (NOPERM)`, `closed`.
   */
  ping(): Promise<{ ok: true; latencyMs: number } | { ok: false; error: string }>
  /**
   * Routing state (usage stats, cooldown and disabled windows, order, last-good, re-auth markers)
   * in Redis over a credentials backend (the file backend by default). While Redis is unavailable
   * it serves and updates the credentials backend's own state.
   */
  stateBackend(options: { agentId: string; credentials: AuthStoreBackend }): AuthStoreBackend
  /** Credentials in Redis, encrypted with AES-256-GCM under `encryptionKey` (32 bytes). */
  credentialBackend(options: { agentId: string; encryptionKey: Uint8Array }): AuthStoreBackend
  /** The multi-host OAuth refresh lock (`SET NX PX`, fencing counter). */
  readonly refreshLock: RefreshLockProvider
  /** Stops the probe and closes the client (unless the caller passed it in). */
  close(): Promise<void>
}

/** Default `commandTimeoutMs`. @public */
export const DEFAULT_FLEET_COMMAND_TIMEOUT_MS = 250
/** Default `freshnessMs`. @public */
export const DEFAULT_FLEET_FRESHNESS_MS = 100
/** How often the background probe checks a failed Redis. */
const PROBE_INTERVAL_MS = 1_000

const timedOut = Symbol('timeout')

/** Resolves `promise`, or `timedOut` after `ms` (the late result or rejection is swallowed). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof timedOut> {
  promise.catch(() => undefined)
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<typeof timedOut>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Connects to the fleet's Redis. Returns at once: the client is imported and connected in the
 * background, and the first calls wait for it at most `commandTimeoutMs` before the circuit opens.
 *
 * @example
 * ```ts
 * const fleet = createRedisFleet({ url: process.env.REDIS_URL })
 * const backend = fleet.stateBackend({ agentId: 'main', credentials: createFileAuthStore({ agentDir }) })
 * ```
 * @public
 */
export function createRedisFleet(options: RedisFleetOptions): RedisFleet {
  return connectFleet(options).fleet
}

/**
 * {@link createRedisFleet}, with the connection its backends share (for tests of the fleet
 * modules).
 *
 * @internal
 */
export function connectFleet(options: RedisFleetOptions): {
  fleet: RedisFleet
  connection: FleetConnection
} {
  const prefix = options.prefix ?? DEFAULT_FLEET_PREFIX
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_FLEET_COMMAND_TIMEOUT_MS
  const freshnessMs = options.freshnessMs ?? DEFAULT_FLEET_FRESHNESS_MS
  const now = resolveClock(options)
  // Default: a Node process warning (`--no-warnings` silences it), never the console.
  const warn =
    options.warn ?? ((message: string) => emitProcessWarning(message, 'ClawFleetWarning'))
  const owned = options.client === undefined

  let client: FleetClient | undefined
  let closed = false
  let open = false
  let probe: ReturnType<typeof setInterval> | undefined
  let probing = false
  /** Why Redis last refused this client (auth), for `ping()` while the connection never comes up. */
  let refusal: string | undefined
  /** What opened the circuit (for messages). */
  let openReason = 'unknown'
  /** A cluster client is discovering its nodes (its first `connect()` has not settled). */
  let discovering = false
  const recoveryListeners = new Set<() => void>()

  const listeners = new Set<(event: RedisFleetEvent) => void>()

  function emit(event: RedisFleetEvent): void {
    for (const listener of listeners) {
      try {
        listener(event)
      } catch {
        // an observer's bug never breaks the fleet
      }
    }
  }

  const onError = (error: unknown): void => {
    // Every 'error' event lands here (no unhandled 'error' crash); a live circuit opens. A
    // cluster reports a node's connection errors as 'node-error', and a seed node that does not
    // answer during discovery as 'error': the next seed may, and a discovery that fails as a
    // whole trips the circuit through `connectFleetClient`.
    if (discovering) return
    tripCircuit(error)
  }

  // The lazy import and the client (local work, not bounded by the command timeout) …
  const created: Promise<FleetClient> = (async () => {
    const fresh = owned ? await createFleetClient(options.url) : (options.client as FleetClient)
    fresh.on('error', onError)
    fresh.on('node-error', onError)
    client = fresh
    return fresh
  })()
  // … then the first connection, which is (while Redis is down node-redis keeps retrying, with
  // a bounded delay; this resolves once connected).
  const ready: Promise<FleetClient> = created.then(async (fresh) => {
    if (!owned || closed) return fresh
    discovering = isClusterClient(fresh)
    try {
      await connectFleetClient(fresh, () => closed, tripCircuit)
    } finally {
      discovering = false
    }
    return fresh
  })
  created.catch(() => undefined)
  ready.catch(() => undefined)

  function tripCircuit(error: unknown): void {
    refusal = authFailure(error) ?? refusal
    if (closed || open) return
    open = true
    openReason = error === timedOut ? 'timeout' : describeFailure(error)
    warn(`Redis unavailable (${openReason}); using local state until it returns.`)
    emit({ type: 'circuit_opened', reason: openReason })
    startProbe()
  }

  function startProbe(): void {
    if (probe !== undefined) return
    probe = setInterval(() => void probeOnce(), PROBE_INTERVAL_MS)
    probe.unref()
  }

  async function probeOnce(): Promise<void> {
    if (probing || closed || !open) return
    probing = true
    try {
      const current = client
      if (current === undefined || !isClientReady(current)) return
      const reply = await withTimeout(checkFleetClient(current), commandTimeoutMs)
      if (reply === timedOut || closed) return
      open = false
      refusal = undefined
      clearInterval(probe)
      probe = undefined
      warn('Redis available again; sharing routing state.')
      emit({ type: 'circuit_closed' })
      for (const listener of recoveryListeners) listener()
    } catch {
      // still down: the next tick tries again
    } finally {
      probing = false
    }
  }

  async function run<T>(fn: (client: FleetClient) => Promise<T>): Promise<T> {
    if (closed) throw new FleetUnavailableError('The Redis fleet connection is closed.')
    if (open) throw new FleetUnavailableError()
    const started = now()
    // Latency is measured only for subscribers (an idle fleet pays one size check per call).
    const timed = listeners.size > 0 ? performance.now() : undefined
    let outcome: T | typeof timedOut
    try {
      await created
      outcome = await withTimeout(
        ready.then((current) => fn(current)),
        commandTimeoutMs,
      )
    } catch (error) {
      // A refused login is a configuration problem, but to the fleet it is an outage like any
      // other: local state, one warning naming the cause (never the password).
      const outage = isOutage(error)
      if (timed !== undefined) emitCommand(timed, outage ? describeFailure(error) : 'reply')
      if (!outage) throw error
      tripCircuit(error)
      throw new FleetUnavailableError(undefined, { cause: error })
    }
    if (timed !== undefined) emitCommand(timed, outcome === timedOut ? 'timeout' : undefined)
    if (outcome === timedOut) {
      tripCircuit(timedOut)
      throw new FleetUnavailableError(
        `Redis did not answer within ${String(commandTimeoutMs)} ms (${String(now() - started)} ms).`,
      )
    }
    return outcome
  }

  function emitCommand(startedAt: number, error: string | undefined): void {
    const durationMs = performance.now() - startedAt
    emit(
      error === undefined
        ? { type: 'command', durationMs }
        : { type: 'command', durationMs, error },
    )
  }

  const connection: FleetConnection = {
    prefix,
    keys: createFleetKeys(prefix),
    run,
    eval: (script, keys, args) => run((current) => evalFleetScript(current, script, keys, args)),
    get client() {
      return client
    },
    available: () => !closed && !open,
    onRecovered(listener) {
      recoveryListeners.add(listener)
      return () => recoveryListeners.delete(listener)
    },
    unavailableReason: () => (closed ? 'closed' : open ? openReason : undefined),
    commandTimeoutMs,
    freshnessMs,
    now,
    warn,
  }

  let refreshLock: RefreshLockProvider | undefined
  const fleet: RedisFleet = {
    prefix,
    status: () => (closed ? 'closed' : open ? 'degraded' : 'connected'),
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    async ping() {
      if (closed) return { ok: false, error: 'closed' }
      const started = performance.now()
      try {
        const reply = await withTimeout(
          (async () => checkFleetClient(await ready))(),
          Math.max(commandTimeoutMs, 1_000),
        )
        if (reply === timedOut) return { ok: false, error: refusal ?? 'timeout' }
        refusal = undefined
        return { ok: true, latencyMs: performance.now() - started }
      } catch (error) {
        // After a refused login Redis closes the connection: the client is offline because of it.
        return { ok: false, error: authFailure(error) ?? refusal ?? describeFailure(error) }
      }
    },
    stateBackend: (backendOptions) => createRedisStateBackend(connection, backendOptions),
    credentialBackend: (backendOptions) => createRedisCredentialBackend(connection, backendOptions),
    get refreshLock() {
      return (refreshLock ??= createRedisRefreshLock(connection, options.refreshLock))
    },
    async close() {
      if (closed) return
      // The successes held back for the fleet go out first (a failed write leaves them local).
      await flushFleetBookkeeping(connection).catch(() => undefined)
      if (closed) return
      closed = true
      clearInterval(probe)
      probe = undefined
      if (!owned) {
        client?.off('error', onError)
        client?.off('node-error', onError)
        return
      }
      const current = client ?? (await withTimeout(ready, commandTimeoutMs).catch(() => undefined))
      if (current === undefined || current === timedOut) return
      try {
        await withTimeout(closeFleetClient(current), commandTimeoutMs)
      } catch {
        // closing a broken connection: nothing to do
      } finally {
        destroyFleetClient(current)
      }
    },
  }
  return { fleet, connection }
}
