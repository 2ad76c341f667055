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
 *   (NOAUTH, WRONGPASS, "Protocol error: unauthenticated …", NOPERM) are the exception: a Redis
 *   that refuses this client is unavailable to it, so they open the circuit like an outage, and
 *   the warning names the cause (`authentication failed (NOAUTH)`), never the password.
 *
 * `keys` is the single key helper (the prefix applied exactly once), `now` the injected clock and
 * `warn` the embedder's warning sink. `client` is the raw node-redis client once created; use it
 * only inside `run`.
 *
 * @packageDocumentation
 */
import type { createClient } from '@keyv/redis'
import { emitProcessWarning, resolveClock } from '../runtime.js'
import type { AuthStoreBackend } from '../store-backend.js'
import type { RefreshLockProvider } from '../oauth/refresh-lock.js'
import { createRedisCredentialBackend } from './credential-backend.js'
import { createFleetKeys, DEFAULT_FLEET_PREFIX, type FleetKeys } from './keys.js'
import { createRedisRefreshLock, type RedisRefreshLockOptions } from './refresh-lock.js'
import { createRedisStateBackend } from './state-backend.js'

/** The node-redis (v5) client of `@keyv/redis`. @internal */
export type FleetClient = ReturnType<typeof createClient>

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
  /** The raw client once created (after the lazy import), else `undefined`. Use inside `run`. */
  readonly client: FleetClient | undefined
  /** False while the circuit is open or the fleet is closed. */
  available(): boolean
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
   * `redis://[user:password@]host:port`, `rediss://…` or `unix://[user:password@]/path/redis.sock`
   * (percent-encode special characters of the password).
   */
  readonly url?: string
  /** An existing node-redis client instead of `url` (the caller owns it: `close()` leaves it open). */
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
 * A connection to the fleet's Redis and the backends built on it.
 *
 * @public
 */
export interface RedisFleet {
  readonly prefix: string
  /** `'connected'`, `'degraded'` (circuit open: local state in use) or `'closed'`. */
  status(): 'connected' | 'degraded' | 'closed'
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
/** Upper bound of the client's reconnect delay. */
const MAX_RECONNECT_DELAY_MS = 500

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

/** True when Redis answered with an error (a reply, not a transport failure). */
function isErrorReply(error: unknown): boolean {
  for (let proto: unknown = error; proto; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name
    if (name === 'ErrorReply') return true
    if (proto === Error.prototype) break
  }
  return false
}

/**
 * Why Redis refused this client, when it did: `authentication failed (NOAUTH)` (no password
 * sent, or Redis closed the connection with "Protocol error: unauthenticated …"),
 * `authentication failed (WRONGPASS)`, `authentication failed (AUTH)` (a password sent to a Redis
 * that has none) or `not permitted (NOPERM)` (an ACL user without the commands claw runs). Only
 * the reply's leading code is kept: the rest of a reply is never repeated.
 */
function authFailure(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | undefined)?.message
  if (typeof message !== 'string') return undefined
  const code = /^(NOAUTH|WRONGPASS|NOPERM)\b/.exec(message)?.[1]
  if (code === 'NOPERM') return 'not permitted (NOPERM)'
  if (code !== undefined) return `authentication failed (${code})`
  if (/^ERR Protocol error: unauthenticated\b/.test(message))
    return 'authentication failed (NOAUTH)'
  if (/^ERR AUTH\b.*\bwithout any password configured\b/.test(message))
    return 'authentication failed (AUTH)'
  return undefined
}

/** A short, secret-free reason for a failure: an authentication failure, an errno code or the error class. */
function describeFailure(error: unknown): string {
  if (error === timedOut) return 'timeout'
  const auth = authFailure(error)
  if (auth !== undefined) return auth
  const code = (error as { code?: unknown } | undefined)?.code
  if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code
  const name = (error as { constructor?: { name?: string } } | undefined)?.constructor?.name
  return typeof name === 'string' && /^\w+$/.test(name) ? name : 'error'
}

/**
 * `unix://[user[:password]@]/path/redis.sock`: the socket path and the credentials (percent-
 * decoded), which node-redis takes as separate options for a socket.
 */
function parseUnixUrl(url: string): { path: string; username?: string; password?: string } {
  const rest = url.slice('unix://'.length)
  const slash = rest.indexOf('/')
  const authority = slash === -1 ? rest : rest.slice(0, slash)
  const at = authority.lastIndexOf('@')
  if (at === -1) return { path: rest }
  const userinfo = authority.slice(0, at)
  const path = rest.slice(at + 1)
  const colon = userinfo.indexOf(':')
  const decode = (value: string): string => {
    try {
      return decodeURIComponent(value)
    } catch {
      return value
    }
  }
  const username = decode(colon === -1 ? userinfo : userinfo.slice(0, colon))
  const password = colon === -1 ? undefined : decode(userinfo.slice(colon + 1))
  return {
    path,
    ...(username === '' ? {} : { username }),
    ...(password === undefined || password === '' ? {} : { password }),
  }
}

/**
 * Client options of a URL: `unix://` paths become a socket path, with the URL's credentials as
 * `username` / `password` (node-redis reads them from `redis://` URLs itself).
 */
function clientOptions(url: string | undefined): Record<string, unknown> {
  const reconnectStrategy = (retries: number): number =>
    Math.min(50 * (retries + 1), MAX_RECONNECT_DELAY_MS)
  if (url?.startsWith('unix://')) {
    const { path, ...credentials } = parseUnixUrl(url)
    return { ...credentials, socket: { path, reconnectStrategy } }
  }
  return { ...(url === undefined ? {} : { url }), socket: { reconnectStrategy } }
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

  const onError = (error: unknown): void => {
    // Every 'error' event lands here (no unhandled 'error' crash); a live circuit opens.
    tripCircuit(error)
  }

  // The lazy import and the client (local work, not bounded by the command timeout) …
  const created: Promise<FleetClient> = (async () => {
    if (!owned) {
      client = options.client as FleetClient
      client.on('error', onError)
      return client
    }
    const { createClient } = await import('@keyv/redis')
    const fresh = createClient({
      ...clientOptions(options.url),
      disableOfflineQueue: true,
    }) as unknown as FleetClient
    fresh.on('error', onError)
    client = fresh
    return fresh
  })()
  // … then the first connection, which is (while Redis is down node-redis keeps retrying, with
  // a bounded delay; this resolves once connected).
  const ready: Promise<FleetClient> = created.then(async (fresh) => {
    if (owned && !closed) await fresh.connect()
    return fresh
  })
  created.catch(() => undefined)
  ready.catch(() => undefined)

  function tripCircuit(error: unknown): void {
    refusal = authFailure(error) ?? refusal
    if (closed || open) return
    open = true
    openReason = describeFailure(error)
    warn(`Redis unavailable (${openReason}); using local state until it returns.`)
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
      if (!current?.isReady) return
      const reply = await withTimeout(current.ping(), commandTimeoutMs)
      if (reply === timedOut || closed) return
      open = false
      refusal = undefined
      clearInterval(probe)
      probe = undefined
      warn('Redis available again; sharing routing state.')
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
      if (isErrorReply(error) && authFailure(error) === undefined) throw error
      tripCircuit(error)
      throw new FleetUnavailableError(undefined, { cause: error })
    }
    if (outcome === timedOut) {
      tripCircuit(timedOut)
      throw new FleetUnavailableError(
        `Redis did not answer within ${String(commandTimeoutMs)} ms (${String(now() - started)} ms).`,
      )
    }
    return outcome
  }

  const connection: FleetConnection = {
    prefix,
    keys: createFleetKeys(prefix),
    run,
    get client() {
      return client
    },
    available: () => !closed && !open,
    unavailableReason: () => (closed ? 'closed' : open ? openReason : undefined),
    commandTimeoutMs,
    freshnessMs,
    now,
    warn,
  }

  let refreshLock: RefreshLockProvider | undefined
  return {
    prefix,
    status: () => (closed ? 'closed' : open ? 'degraded' : 'connected'),
    async ping() {
      if (closed) return { ok: false, error: 'closed' }
      const started = performance.now()
      try {
        const reply = await withTimeout(
          (async () => (await ready).ping())(),
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
      closed = true
      clearInterval(probe)
      probe = undefined
      if (!owned) {
        client?.off('error', onError)
        return
      }
      const current = client ?? (await withTimeout(ready, commandTimeoutMs).catch(() => undefined))
      if (current === undefined || current === timedOut) return
      try {
        if (current.isReady) await withTimeout(current.close(), commandTimeoutMs)
      } catch {
        // closing a broken connection: nothing to do
      } finally {
        if (current.isOpen) current.destroy()
      }
    },
  }
}
