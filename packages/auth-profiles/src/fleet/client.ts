// The node-redis client of fleet mode (through `@keyv/redis`): one Redis (`createClient`) or a
// Redis Cluster (`createCluster`, seeded with a list of node URLs), or a client the caller made.
// Created on first use (the import is lazy), with the offline queue off so a command to a Redis
// that is down fails at once instead of waiting in a queue.
import type { createClient, createCluster } from '@keyv/redis'
import { setTimeout as sleep } from 'node:timers/promises'

/** The node-redis (v5) client of one Redis. @internal */
export type SingleClient = ReturnType<typeof createClient>
/** The node-redis (v5) Redis Cluster client. @internal */
export type ClusterClient = ReturnType<typeof createCluster>
/** Either. Fleet modules run commands with keys (and scripts through `evalFleetScript`). @internal */
export type FleetClient = SingleClient | ClusterClient

/** Upper bound of the client's reconnect delay. */
const MAX_RECONNECT_DELAY_MS = 500

const reconnectStrategy = (retries: number): number =>
  Math.min(50 * (retries + 1), MAX_RECONNECT_DELAY_MS)

/** True for a node-redis cluster client (it knows its masters). @internal */
export function isClusterClient(client: FleetClient): client is ClusterClient {
  return 'masters' in client
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
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
  if (url?.startsWith('unix://')) {
    const { path, ...credentials } = parseUnixUrl(url)
    return { ...credentials, socket: { path, reconnectStrategy } }
  }
  return { ...(url === undefined ? {} : { url }), socket: { reconnectStrategy } }
}

/**
 * Options of every node of a cluster: the credentials and TLS of the seed URLs (the nodes the
 * cluster announces get no URL of their own), the reconnect delay and no offline queue.
 */
function clusterDefaults(urls: readonly string[]): Record<string, unknown> {
  let credentials: { username?: string; password?: string } = {}
  for (const url of urls) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      continue
    }
    if (parsed.username === '' && parsed.password === '') continue
    credentials = {
      ...(parsed.username === '' ? {} : { username: decode(parsed.username) }),
      ...(parsed.password === '' ? {} : { password: decode(parsed.password) }),
    }
    break
  }
  const tls = urls.some((url) => url.toLowerCase().startsWith('rediss://'))
  return {
    ...credentials,
    disableOfflineQueue: true,
    socket: { reconnectStrategy, ...(tls ? { tls: true } : {}) },
  }
}

/**
 * A new, unconnected client: one Redis for a URL (or none: node-redis' default), a cluster for a
 * list of seed node URLs.
 *
 * @internal
 */
export async function createFleetClient(
  url: string | readonly string[] | undefined,
): Promise<FleetClient> {
  const redis = await import('@keyv/redis')
  if (Array.isArray(url)) {
    const urls = url as readonly string[]
    return redis.createCluster({
      rootNodes: urls.map((node) => ({ url: node })),
      defaults: clusterDefaults(urls),
    }) as unknown as FleetClient
  }
  return redis.createClient({
    ...clientOptions(url as string | undefined),
    disableOfflineQueue: true,
  }) as unknown as FleetClient
}

/**
 * Connects `client`. One Redis reconnects by itself until it answers; a cluster's first discovery
 * fails when no seed node answers, so it is retried (with the reconnect delay) until it works or
 * `stopped()` says to give up.
 *
 * @internal
 */
export async function connectFleetClient(
  client: FleetClient,
  stopped: () => boolean,
  onError: (error: unknown) => void,
): Promise<void> {
  if (!isClusterClient(client)) {
    await client.connect()
    return
  }
  for (let attempt = 0; ; attempt += 1) {
    try {
      await client.connect()
      return
    } catch (error) {
      if (stopped()) throw error
      onError(error)
      await sleep(reconnectStrategy(attempt))
    }
  }
}

/** Whether the client is connected (a cluster: open after discovery). @internal */
export function isClientReady(client: FleetClient): boolean {
  return isClusterClient(client) ? client.isOpen : client.isReady
}

/**
 * One health check: PING for one Redis; for a cluster, every master answers PING and reports
 * `cluster_state:ok` (a cluster missing a master refuses every command with CLUSTERDOWN, while
 * PING still answers). Resolves when healthy, rejects otherwise.
 *
 * @internal
 */
export async function checkFleetClient(client: FleetClient): Promise<void> {
  if (!isClusterClient(client)) {
    await client.ping()
    return
  }
  const masters = client.masters
  if (masters.length === 0) throw new Error('no cluster masters known')
  await Promise.all(
    masters.map(async (master) => {
      const node = await client.nodeClient(master)
      const info: unknown = await node.sendCommand(['CLUSTER', 'INFO'])
      if (typeof info !== 'string' || !info.includes('cluster_state:ok')) {
        throw Object.assign(new Error('CLUSTERDOWN'), { code: 'CLUSTERDOWN' })
      }
    }),
  )
}

/** Closes `client` gracefully (bounded by the caller), else at once. @internal */
export async function closeFleetClient(client: FleetClient): Promise<void> {
  if (isClientReady(client)) await client.close()
}

/** Drops the connection(s) at once. @internal */
export function destroyFleetClient(client: FleetClient): void {
  if (client.isOpen) client.destroy()
}
