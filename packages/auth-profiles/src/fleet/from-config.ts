/**
 * Fleet mode from the `state` config slice: the fleet connection a config asks for, and the store
 * backend of one agent in that fleet. This is what `claw` uses; embedders that read `claw.json`
 * can use it too instead of wiring {@link createRedisFleet} by hand.
 *
 * @packageDocumentation
 */
import { substituteEnvVars } from '@claw/model-catalog'
import { AuthProfilesError } from '../errors.js'
import { createFileAuthStore, type FileAuthStoreOptions } from '../store/file-store.js'
import { resolveEnv, type Clock, type Env } from '../runtime.js'
import type { SecretsConfig, StateConfig } from '../schemas.js'
import type { AuthStoreBackend } from '../store/store-backend.js'
import { createRedisFleet, type RedisFleet } from './connection.js'
import { resolveFleetEncryptionKey } from './encryption.js'

/** The config slices fleet mode reads (`state`, and `secrets` for an `encryptionKey` ref). @public */
export interface FleetConfig {
  readonly state?: StateConfig | undefined
  readonly secrets?: SecretsConfig | undefined
}

/** Options of {@link createFleetFromConfig}. @public */
export interface CreateFleetFromConfigOptions {
  /**
   * The validated config (`${VAR}` references in `state.url` are substituted from `env`). A list
   * in `state.url` connects to a Redis Cluster through those nodes.
   */
  readonly config: FleetConfig | undefined
  /** Environment for `${VAR}` references left in `state.url`; default `process.env`. */
  readonly env?: Env
  /** One warning per Redis outage and one on recovery (never the URL or a value). */
  readonly warn?: (message: string) => void
  readonly now?: Clock
}

/** True when the config turns on fleet mode (`state.backend: 'redis'`). @public */
export function isFleetConfig(config: FleetConfig | undefined): boolean {
  return config?.state?.backend === 'redis'
}

/**
 * The Redis fleet a config asks for, or `undefined` in file mode (no `state` slice, or
 * `state.backend: 'file'`). Returns at once: the connection is made in the background (see
 * {@link createRedisFleet}). The caller closes the fleet.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_CONFIG` when `state.backend` is `redis` without a usable
 *   `state.url` (the message names the path, never the URL: it may hold a password).
 * @example
 * ```ts
 * const fleet = createFleetFromConfig({ config, warn: (message) => console.warn(message) })
 * try {
 *   const backend = fleet
 *     ? await fleetStoreBackend({ fleet, config, agentId: 'main', agentDir })
 *     : createFileAuthStore({ agentDir })
 * } finally {
 *   await fleet?.close()
 * }
 * ```
 * @public
 */
export function createFleetFromConfig(
  options: CreateFleetFromConfigOptions,
): RedisFleet | undefined {
  const state = options.config?.state
  if (state?.backend !== 'redis') return undefined
  const url = resolveUrl(state.url, resolveEnv(options))
  return createRedisFleet({
    url,
    ...(state.prefix === undefined ? {} : { prefix: state.prefix }),
    ...(state.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: state.commandTimeoutMs }),
    ...(state.freshnessMs === undefined ? {} : { freshnessMs: state.freshnessMs }),
    ...(options.warn ? { warn: options.warn } : {}),
    ...(options.now ? { now: options.now } : {}),
  })
}

const URL_SCHEME = /^(?:redis|rediss|unix):\/\/\S+$/i
const CLUSTER_NODE_URL_SCHEME = /^(?:redis|rediss):\/\/\S+$/i

/**
 * `state.url` with its `${VAR}` references substituted: one URL, or the list of a cluster's nodes
 * (entries that resolve to nothing are dropped). Messages name the path, never a URL.
 */
function resolveUrl(raw: string | readonly string[] | undefined, env: Env): string | string[] {
  const resolve = (value: string): string => substituteEnvVars(value, { env }).trim()
  if (Array.isArray(raw)) {
    const urls = (raw as readonly string[]).map(resolve).filter((url) => url !== '')
    if (urls.length === 0) {
      throw new AuthProfilesError(
        'ERR_INVALID_CONFIG',
        'state.url lists no Redis Cluster node (every entry resolved to nothing).',
      )
    }
    if (!urls.every((url) => CLUSTER_NODE_URL_SCHEME.test(url))) {
      throw new AuthProfilesError(
        'ERR_INVALID_CONFIG',
        'state.url: every Redis Cluster node must be a redis:// or rediss:// URL.',
      )
    }
    return urls
  }
  const url = raw === undefined ? undefined : resolve(raw as string)
  if (url === undefined || url === '') {
    throw new AuthProfilesError(
      'ERR_INVALID_CONFIG',
      'state.url is required when state.backend is "redis" (e.g. "${REDIS_URL}").',
    )
  }
  if (!URL_SCHEME.test(url)) {
    throw new AuthProfilesError(
      'ERR_INVALID_CONFIG',
      'state.url must be a redis://, rediss:// or unix:// URL.',
    )
  }
  return url
}

/** Options of {@link fleetStoreBackend}. @public */
export interface FleetStoreBackendOptions {
  readonly fleet: RedisFleet
  /** The config: `state.credentials`, `state.encryptionKey` and `secrets` are read. */
  readonly config: FleetConfig | undefined
  readonly agentId: string
  /** The agent's dir: its `auth-profiles.json` holds the credentials when they stay in files. */
  readonly agentDir: string
  /** Read-through to the main agent's file store (inferred by default; `null` disables it). */
  readonly mainAgentDir?: string | null
  /** Environment (`CLAW_STATE_KEY`, env SecretRefs, the file store); default `process.env`. */
  readonly env?: Env
  readonly signal?: AbortSignal
  /** Further file-store options (lock timings, symlink policy, diagnostics). */
  readonly store?: Omit<FileAuthStoreOptions, 'agentDir' | 'mainAgentDir' | 'env'>
}

/**
 * The store backend of one agent in a fleet: routing state (usage, cooldowns, order, last-good,
 * re-auth markers) in Redis, over the credentials `state.credentials` names — the agent dir's
 * `auth-profiles.json` (`file`, the default) or Redis, encrypted with the key from
 * `state.encryptionKey` or `CLAW_STATE_KEY` (`redis`). Pass it as `{ backend }` to any store
 * function.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_CONFIG` / `ERR_SECRET_REF` when credentials are in
 *   Redis and the encryption key is missing or invalid (never echoing it).
 * @public
 */
export async function fleetStoreBackend(
  options: FleetStoreBackendOptions,
): Promise<AuthStoreBackend> {
  const { fleet, config, agentId } = options
  const state = config?.state
  let credentials: AuthStoreBackend
  if (state?.credentials === 'redis') {
    const encryptionKey = await resolveFleetEncryptionKey({
      ...(options.env ? { env: options.env } : {}),
      ...(state.encryptionKey ? { secretRef: state.encryptionKey } : {}),
      ...(config?.secrets ? { secrets: config.secrets } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })
    credentials = fleet.credentialBackend({ agentId, encryptionKey })
  } else {
    credentials = createFileAuthStore({
      ...options.store,
      agentDir: options.agentDir,
      ...(options.mainAgentDir === undefined ? {} : { mainAgentDir: options.mainAgentDir }),
      ...(options.env ? { env: options.env } : {}),
    })
  }
  return fleet.stateBackend({ agentId, credentials })
}
