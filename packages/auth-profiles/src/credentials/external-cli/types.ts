// The public types of external-cli: the sources, what a read returns, the read cache and the options.
import type { Clock, Env } from '../../runtime.js'
import type { AuthProfileCredential } from '../../types.js'

/** The tools whose credential files claw can import from. @public */
export type ExternalCliSourceId = 'claude-cli' | 'codex-cli' | 'qwen-cli' | 'copilot' | 'clawdbot'

/** One importable source, as data (for listings and help text). @public */
export interface ExternalCliSource {
  readonly id: ExternalCliSourceId
  /** Human name of the tool. */
  readonly label: string
  /** Where the file is looked for when no `path` is given (a description, `~` = home dir). */
  readonly defaultPath: string
  /** The profile the credential is imported as; `null` when the source keeps its own ids. */
  readonly profileId: string | null
  /** The provider of the imported profile; `null` when the source holds several providers. */
  readonly provider: string | null
  /** The credential type written: `oauth`, `token`, `oauth or token`, or `any`. */
  readonly credentialType: string
}

/** What was read from a source. @public */
export interface ExternalCredentials {
  readonly source: ExternalCliSourceId
  /** The file (or state dir) read; `env:<NAME>` when a Copilot token came from the environment. */
  readonly path: string
  /**
   * The credentials found, by target profile id. Empty when the file exists but holds no login
   * (blank file, no `claudeAiOauth`, `tokens: null`, no Copilot token, no Clawdbot profiles).
   */
  readonly profiles: Record<string, AuthProfileCredential>
}

/** A cached read. @public */
export interface ExternalCredentialsCacheEntry {
  /** `dev:ino:size:mtimeNs` of the file(s) when they were parsed. */
  readonly signature: string
  /** Clock time of the read (epoch ms). */
  readonly readAt: number
  readonly value: ExternalCredentials
}

/** Parsed reads keyed by source and path. Pass your own map to isolate tests. @public */
export type ExternalCredentialsCache = Map<string, ExternalCredentialsCacheEntry>

/** @public */
export interface ResolveExternalCliPathOptions {
  readonly source: ExternalCliSourceId
  /** Default `os.homedir()`. */
  readonly homeDir?: string
  /** Default `process.env`. */
  readonly env?: Env
}

/** @public */
export interface ReadExternalCredentialsOptions extends ResolveExternalCliPathOptions {
  /** Read this file (or, for `clawdbot`, this state dir) instead of the default location. */
  readonly path?: string
  /** `clawdbot` only: read just `agents/<agentId>/agent` instead of every agent. */
  readonly agentId?: string
  /** Clock for the cache TTL; default `Date.now`. */
  readonly now?: Clock
  /** The read cache; default a shared in-process map. `false` disables caching. */
  readonly cache?: ExternalCredentialsCache | false
  /** Cache time-to-live; default {@link EXTERNAL_CLI_CACHE_TTL_MS}. */
  readonly ttlMs?: number
}

/**
 * Why a profile was not imported:
 * - `api_key`: the stored profile is an API key, which imports never overwrite;
 * - `secret_ref`: the stored `token` profile reads its secret through a `tokenRef`;
 * - `downgrade`: the stored profile is `oauth` and the source only has a `token`;
 * - `fresher`: the stored credential expires later than the source's;
 * - `identical`: the stored credential already has the source's values;
 * - `other_provider`: a profile with that id exists for another provider.
 *
 * @public
 */
export type ExternalImportSkipReason =
  'api_key' | 'secret_ref' | 'downgrade' | 'fresher' | 'identical' | 'other_provider'

/** @public */
export interface ExternalImportSkip {
  readonly profileId: string
  readonly reason: ExternalImportSkipReason
  /** One line for humans; names providers and types, never a secret. */
  readonly message: string
}

/** @public */
export interface ExternalImportResult {
  readonly source: ExternalCliSourceId
  /** The file or state dir read (`env:<NAME>` for a Copilot token from the environment). */
  readonly path: string
  /** Profiles written (or, with `dryRun`, that would be written). */
  readonly imported: string[]
  readonly skipped: ExternalImportSkip[]
  /** True when the store file was changed. Always false with `dryRun`. */
  readonly written: boolean
}
