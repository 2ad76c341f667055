import { omitKeys } from '../selection/cooldowns.js'
import { AuthProfilesError } from '../errors.js'
import type { ClawConfig } from '../config.js'
import { createFileAuthStore, type FileAuthStoreOptions } from './file-store.js'
import { resolveAgentDir, type ResolveAgentDirOptions } from './paths.js'
import { assertProfileId } from '../ids.js'
import type {
  AuthStoreBackend,
  AuthStoreTarget,
  AuthStoreUpdateResult,
  AuthStoreUpdater,
} from './store-backend.js'
import type { AuthProfileCredential, AuthProfileStore } from '../types.js'

/** Options of the functions that read or write a store: a target plus file-backend options. @public */
export type AuthStoreOptions = AuthStoreTarget &
  Omit<FileAuthStoreOptions, 'agentDir' | 'mainAgentDir'>

/** @public */
export interface OpenAuthStoreOptions
  extends Omit<FileAuthStoreOptions, 'agentDir'>, Omit<ResolveAgentDirOptions, 'config'> {
  /** The agent dir holding `auth-profiles.json`; default: the dir of `agentId`. */
  readonly agentDir?: string
  /** The agent whose dir to use when `agentDir` is not given (default `main`). */
  readonly agentId?: string
  /** `agents.list[].agentDir` overrides where an agent's dir is. */
  readonly config?: ClawConfig | undefined
}

/**
 * Opens an agent's credential store: the handle to pass as `store` to every function. It loads
 * (one `stat` per warm call; a deep-frozen snapshot) and persists (locked, atomic writes):
 * failures, cooldowns and disables are on disk before the recording call returns.
 *
 * Without `agentDir`, the store of `agentId` (default `main`) under the state dir:
 * `CLAW_STATE_DIR`, else `~/.claw`.
 *
 * @example
 * ```ts
 * const store = openAuthStore({ agentDir: resolveAgentDir('main') })
 * const { apiKey, profileId } = await resolveApiKeyForProvider({ provider: 'openai', store })
 * ```
 * @throws {AuthProfilesError} `ERR_INVALID_ID` for an invalid `agentId`.
 * @public
 */
export function openAuthStore(options: OpenAuthStoreOptions = {}): AuthStoreBackend {
  const { agentDir, agentId, config, stateDir, homeDir, ...rest } = options
  const dir =
    agentDir ??
    resolveAgentDir(agentId, {
      ...(rest.env ? { env: rest.env } : {}),
      ...(homeDir === undefined ? {} : { homeDir }),
      ...(stateDir === undefined ? {} : { stateDir }),
      ...(config ? { config } : {}),
    })
  return createFileAuthStore({ ...rest, agentDir: dir })
}

/**
 * The store a target names: the given handle (`store`, or its older name `backend`), or the file
 * store of `agentDir`.
 *
 * @public
 */
export function resolveAuthStoreBackend(options: AuthStoreOptions): AuthStoreBackend {
  if ('store' in options) return options.store
  if ('backend' in options) return options.backend
  const { agentDir, mainAgentDir, ...rest } = options
  return createFileAuthStore({
    ...rest,
    agentDir,
    ...(mainAgentDir === undefined ? {} : { mainAgentDir }),
  })
}

/**
 * Loads the credential store of an agent dir (or a store handle) as a deep-frozen snapshot: it is
 * shared with the cache, so changing it throws a `TypeError` (`structuredClone` it for a private
 * copy). Warm calls cost one `stat`. To record bookkeeping, pass the handle (`openAuthStore`) to
 * the functions, not what this returns.
 *
 * @throws {AuthProfilesError} `ERR_STORE_INVALID` (corrupt, empty, wrong-typed: names the absolute
 *   path and JSON path, never a value), `ERR_STORE_SYMLINK`, `ERR_STORE_NOT_REGULAR_FILE`,
 *   `ERR_STORE_TOO_LARGE`, `ERR_STORE_READ`.
 * @example
 * ```ts
 * const store = await loadAuthProfileStore({ agentDir: resolveAgentDir('main') })
 * ```
 * @public
 */
export async function loadAuthProfileStore(options: AuthStoreOptions): Promise<AuthProfileStore> {
  return resolveAuthStoreBackend(options).load()
}

/**
 * Locked read-modify-write of a store: takes the lock, re-reads the file, runs `updater` on the
 * fresh copy (mutate it in place) and writes the result atomically if anything changed.
 *
 * @throws {AuthProfilesError} the load errors, `ERR_LOCK_TIMEOUT`, `ERR_LOCK_COMPROMISED`,
 *   `ERR_STORE_WRITE`, `ERR_STORE_UNSUPPORTED_VERSION`.
 * @public
 */
export async function updateAuthProfileStore<T>(
  options: AuthStoreOptions,
  updater: AuthStoreUpdater<T>,
): Promise<AuthStoreUpdateResult<T>> {
  return resolveAuthStoreBackend(options).update(updater)
}

const failureFields = [
  'cooldownUntil',
  'cooldownReason',
  'cooldownModel',
  'modelCooldowns',
  'disabledUntil',
  'disabledReason',
  'errorCount',
  'failureCounts',
] as const

/**
 * Drops a profile's cooldown, disable and error counters (keeping `lastUsed`): a replaced
 * credential starts fresh.
 *
 * @internal
 */
export function clearProfileFailureState(store: AuthProfileStore, profileId: string): void {
  const stats = store.usageStats?.[profileId]
  if (!stats || !store.usageStats) return
  store.usageStats[profileId] = omitKeys(stats, failureFields)
}

/** @public */
export type UpsertAuthProfileOptions = AuthStoreOptions & {
  readonly profileId: string
  readonly credential: AuthProfileCredential
}

/**
 * Adds or replaces a profile under the lock. The profile's `generation` is raised, a previous
 * `needs_reauth` status goes with the old credential, and when the secret changed its cooldown
 * and disable state is cleared (a new key starts fresh).
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ID`, `ERR_INVALID_ARGUMENT` for an invalid credential
 *   (naming the field), plus the write errors.
 * @public
 */
export async function upsertAuthProfile(
  options: UpsertAuthProfileOptions,
): Promise<AuthProfileStore> {
  assertProfileId(options.profileId)
  const { authProfileCredentialSchema, zodIssues } = await import('../schemas.js')
  const parsed = authProfileCredentialSchema.safeParse(options.credential)
  if (!parsed.success) {
    const issues = zodIssues(parsed.error, ['credential'])
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      `Invalid credential for profile ${options.profileId}:\n${issues.map((issue) => `- ${issue.path}: ${issue.message}`).join('\n')}`,
      { issues, profileId: options.profileId },
    )
  }
  const { store } = await updateAuthProfileStore(options, (current) => {
    const previous = current.profiles[options.profileId]
    const { status: _status, generation: _generation, ...incoming } = options.credential
    const changed =
      JSON.stringify({ ...previous, status: undefined, generation: undefined }) !==
      JSON.stringify(incoming)
    current.profiles[options.profileId] = {
      ...incoming,
      generation: (previous?.generation ?? 0) + 1,
    }
    if (changed) clearProfileFailureState(current, options.profileId)
  })
  return store
}

/** @public */
export type RemoveAuthProfileOptions = AuthStoreOptions & { readonly profileId: string }

/**
 * Removes a profile and every reference to it (usage stats, order lists — dropping providers whose
 * list empties — and `lastGood`). Returns whether the profile existed in this store.
 *
 * @public
 */
export async function removeAuthProfile(options: RemoveAuthProfileOptions): Promise<boolean> {
  assertProfileId(options.profileId)
  const { result } = await updateAuthProfileStore(options, (store) => {
    const existed = options.profileId in store.profiles
    delete store.profiles[options.profileId]
    if (store.usageStats) delete store.usageStats[options.profileId]
    if (store.order) {
      for (const [provider, ids] of Object.entries(store.order)) {
        const kept = ids.filter((id) => id !== options.profileId)
        if (kept.length === 0) delete store.order[provider]
        else store.order[provider] = kept
      }
      if (Object.keys(store.order).length === 0) delete store.order
    }
    if (store.lastGood) {
      for (const [provider, id] of Object.entries(store.lastGood)) {
        if (id === options.profileId) delete store.lastGood[provider]
      }
    }
    return existed
  })
  return result
}

/**
 * Writes the legacy `auth.json` / `credentials/oauth.json` import to `auth-profiles.json` (and
 * removes `auth.json`) when no store exists yet. Idempotent; reads never write, so call this (or
 * any update) to make a migration durable.
 *
 * @public
 */
export async function migrateLegacyAuthStore(options: AuthStoreOptions): Promise<boolean> {
  const { written } = await updateAuthProfileStore(options, () => undefined)
  return written
}
