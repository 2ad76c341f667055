// @claw/auth-profiles/redis — fleet mode: routing state, credentials and the OAuth refresh lock
// shared through Redis (keyv's Redis adapter and its client). Optional peer dependencies:
// `npm i keyv @keyv/redis`.
export {}
// R2: encryption at rest, the Redis credential backend and the multi-host refresh lock.
export {
  FLEET_ENCRYPTION_KEY_BYTES,
  FLEET_ENCRYPTION_KEY_ENV,
  resolveFleetEncryptionKey,
} from './encryption.js'
export type { ResolveFleetEncryptionKeyOptions } from './encryption.js'
export type { RedisCredentialBackendOptions } from './credential-backend.js'
export { DEFAULT_REDIS_REFRESH_LOCK_TTL_MS } from './redis-refresh-lock.js'
export type { RedisRefreshLockOptions } from './redis-refresh-lock.js'
export {
  createRedisFleet,
  DEFAULT_FLEET_COMMAND_TIMEOUT_MS,
  DEFAULT_FLEET_FRESHNESS_MS,
} from './connection.js'
export type { RedisFleet, RedisFleetEvent, RedisFleetOptions } from './connection.js'
export { DEFAULT_FLEET_PREFIX } from './key-layout.js'
// R3: fleet mode from the `state` config slice.
export { createFleetFromConfig, fleetStoreBackend, isFleetConfig } from './from-config.js'
export type {
  CreateFleetFromConfigOptions,
  FleetConfig,
  FleetStoreBackendOptions,
} from './from-config.js'
