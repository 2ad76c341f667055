export {
  buildModelAliasIndex,
  ensureAuthProfileStore,
  isProfileInCooldown,
  markAuthProfileFailure,
  markAuthProfileGood,
  markAuthProfileUsed,
  normalizeProviderId,
  resolveApiKeyForProfile,
  resolveAuthProfileOrder,
  resolveEnvApiKey,
  resolveModelRefFromString,
} from './plugin-sdk.js'
export type {
  EnsureAuthProfileStoreOptions,
  OpenClawAliasIndexParams,
  OpenClawApiKeyParams,
  OpenClawConfig,
  OpenClawEnvApiKey,
  OpenClawFailureParams,
  OpenClawGoodParams,
  OpenClawModelRefParams,
  OpenClawOrderParams,
  OpenClawResolvedApiKey,
  OpenClawUsedParams,
} from './plugin-sdk.js'
export { calculateAuthProfileCooldownMs } from '../selection/cooldowns.js'
export { listProfilesForProvider } from '../selection/order.js'
export { AUTH_PROFILE_FILENAME, AUTH_STORE_VERSION } from '../types.js'
export type {
  AuthProfileCredential,
  AuthProfileStore,
  OAuthCredential,
  ProfileUsageStats,
} from '../types.js'

export {
  DEFAULT_MAX_OPENCLAW_DATABASE_BYTES,
  OPENCLAW_KNOWN_SCHEMA,
  OPENCLAW_STATE_DATABASE,
  readOpenClawState,
} from './state-dir.js'
export type { OpenClawAgentState, OpenClawState, ReadOpenClawStateOptions } from './state-dir.js'
export { mapOpenClawStore } from './mapping.js'
export type { OpenClawStoreMapping } from './mapping.js'
export { importOpenClawState } from './import.js'
export type {
  ImportOpenClawStateOptions,
  OpenClawAgentImport,
  OpenClawImportResult,
  OpenClawStateConflict,
} from './import.js'
export { mapOpenClawConfig, OPENCLAW_CONFIG_FILENAMES } from './config.js'
export type { MapOpenClawConfigOptions, OpenClawConfigMapping } from './config.js'
export type { SqliteReaderName } from './sqlite-snapshot.js'
