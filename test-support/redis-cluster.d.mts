/** A local Redis Cluster started by {@link startRedisCluster}. */
export interface RedisCluster {
  readonly host: string
  /** `redis://127.0.0.1:<port>` of every master, in slot order (the seed nodes for clients). */
  readonly urls: readonly string[]
  readonly ports: readonly number[]
  /** `redis-cli -c` (following redirects) against the first live node; returns stdout. */
  cli(args: readonly string[]): string
  /** `redis-cli` against master `index` (no redirects); returns stdout. */
  nodeCli(index: number, args: readonly string[]): string
  /** The index of the master that serves `key`'s hash slot. */
  nodeOf(key: string): number
  /** Every key of every live master. */
  keys(): string[]
  /** FLUSHALL on every live master. */
  flushAll(): void
  /** Kills master `index` at once (SIGKILL), as a crash would. */
  kill(index: number): Promise<void>
  /** Starts master `index` again (same port and dir: it rejoins with its slots, empty). */
  start(index: number): Promise<void>
  /** Waits until every live node reports `cluster_state:ok`. */
  ready(): Promise<void>
  /** Stops every node and removes their dirs. */
  dispose(): Promise<void>
}

/** The redis-server arguments of one cluster node on `port` with its files in `dir`. */
export function redisClusterNodeArgs(dir: string, port: number): string[]

/**
 * Starts a Redis Cluster of `masters` (default 3) masters without replicas on loopback ports and
 * waits until every node reports `cluster_state:ok` (bounded by `timeoutMs`, default 20 s).
 */
export function startRedisCluster(options?: {
  masters?: number
  timeoutMs?: number
}): Promise<RedisCluster>
