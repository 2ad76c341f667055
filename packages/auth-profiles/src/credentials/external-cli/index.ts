// Import-on-request of credentials that other tools keep in their own files (Claude Code, Codex,
// Qwen Code, GitHub Copilot, an existing Clawdbot/OpenClaw state dir). Source files are only ever
// read: nothing is written back to another tool's file.
export { EXTERNAL_CLI_SOURCES } from './external-cli-sources.js'
export { EXTERNAL_CLI_CACHE_TTL_MS } from './external-credentials-cache.js'
export {
  importExternalCredentials,
  type ImportExternalCredentialsOptions,
} from './import-external-credentials.js'
export { readExternalCredentials } from './read-external-credentials.js'
export { MAX_EXTERNAL_CREDENTIALS_BYTES } from './read-source-file.js'
export { resolveExternalCliPath } from './resolve-external-cli-path.js'
export type {
  ExternalCliSource,
  ExternalCliSourceId,
  ExternalCredentials,
  ExternalCredentialsCache,
  ExternalCredentialsCacheEntry,
  ExternalImportResult,
  ExternalImportSkip,
  ExternalImportSkipReason,
  ReadExternalCredentialsOptions,
  ResolveExternalCliPathOptions,
} from './types.js'
