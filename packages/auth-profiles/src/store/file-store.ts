// Over 400 lines: cache, lock and read-modify-write share one cache entry.
import { lstatSync, statSync, unlinkSync, type BigIntStats } from 'node:fs'
import { dirname, join } from 'node:path'
import { sweepTempFiles, writeFileAtomic } from './atomic-write.js'
import { octalMode, readCheckedFile, type ReadCheckedFileOptions } from './checked-file.js'
import { AuthProfilesError } from '../errors.js'
import { freezeDeep } from './frozen.js'
import { resolveFileLockOptions, withFileLock, type FileLockOptions } from './file-lock.js'
import { importLegacyStores, LEGACY_AUTH_FILENAME, type LegacySources } from './legacy.js'
import { inferMainAgentDir, resolveAuthStorePath } from './paths.js'
import { resolveEnv, testFault, type Env } from '../runtime.js'
import {
  mergeStores,
  type AuthStoreBackend,
  type AuthStoreUpdateResult,
  type AuthStoreUpdater,
} from './store-backend.js'
import {
  ignoredProfileIds,
  parseAuthProfileStoreText,
  type KeptEntries,
  type ParsedStore,
  type StoreDiagnostic,
} from './store-parse.js'
import { serializeAuthProfileStore } from './store-serialize.js'
import type { AuthProfileStore } from '../types.js'
import {
  applyDeferred,
  PendingBookkeeping,
  registerWriteBehind,
  WriteBehindSchedule,
} from './write-behind.js'

/** Stores larger than this are refused before they are read. @public */
export const DEFAULT_MAX_STORE_BYTES = 4 * 1024 * 1024

/** @public */
export interface FileAuthStoreOptions {
  /** The agent dir holding `auth-profiles.json` (absolute). */
  readonly agentDir: string
  /**
   * The main agent's dir, whose profiles a sub-agent reads through. Inferred for agent dirs laid
   * out as `<stateDir>/agents/<id>/agent`; pass `null` to disable read-through.
   */
  readonly mainAgentDir?: string | null
  /** The legacy `credentials/oauth.json` to import when no store exists yet. */
  readonly legacyOAuthPath?: string
  /** Follow a symlinked store file. Off by default: a symlink is refused with a clear error. */
  readonly followSymlinks?: boolean
  /** Accept a store owned by another user. Off by default (like OpenSSH's StrictModes). */
  readonly allowForeignOwner?: boolean
  readonly maxBytes?: number
  readonly lock?: FileLockOptions
  readonly env?: Env
  /**
   * Receives the diagnostics of each version of a file this backend reads (ignored entries,
   * permissions, …), once per backend and version.
   */
  readonly onDiagnostic?: (diagnostic: StoreDiagnostic) => void
  /**
   * Where parsed store files are kept between loads. Default: one cache per process, shared by
   * every handle, so two handles on one file parse it once. Pass your own (`new Map()`) to keep a
   * handle's reads to itself (tests, tenants); the library fills and reuses it.
   */
  readonly storeCache?: AuthStoreFileCache
}

/** A parsed store file, reused while the file's stat signature (`key`) is unchanged. @public */
export interface AuthStoreFileCacheEntry {
  readonly key: string
  readonly store: AuthProfileStore
}

/**
 * Parsed store files by absolute path (see {@link FileAuthStoreOptions.storeCache}). Start one with
 * `new Map()`; only the file backend writes its entries.
 *
 * @public
 */
export type AuthStoreFileCache = Map<string, AuthStoreFileCacheEntry>

interface CacheEntry extends AuthStoreFileCacheEntry {
  readonly readOnly: boolean
  readonly diagnostics: readonly StoreDiagnostic[]
  readonly kept: KeptEntries
}

/** The options each file store handle was created with (see {@link fileStoreOptionsOf}). */
const handleOptions = new WeakMap<AuthStoreBackend, FileAuthStoreOptions>()

/**
 * The options a file store handle was created with, `undefined` for other backends: an OAuth
 * refresh through a sub-agent's handle writes to the store that owns the profile (the main
 * agent's), never a copy into the sub-agent's file.
 *
 * @internal
 */
export function fileStoreOptionsOf(backend: AuthStoreBackend): FileAuthStoreOptions | undefined {
  return handleOptions.get(backend)
}

/** The default {@link FileAuthStoreOptions.storeCache}: one per process. */
const defaultFileCache: AuthStoreFileCache = new Map()

/** The handle's cache; its entries are all {@link cacheParsed}'s, hence the cast. */
function fileCacheOf(options: FileAuthStoreOptions): Map<string, CacheEntry> {
  return (options.storeCache ?? defaultFileCache) as Map<string, CacheEntry>
}
/** Files whose permission warning `onDiagnostic` has had: one per process is enough. */
const permissionWarnings = new Set<string>()

function statKey(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`
}

function readError(path: string, error: unknown): AuthProfilesError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown error'
  return new AuthProfilesError('ERR_STORE_READ', `Could not read ${path} (${code}).`, {
    path,
    cause: error,
  })
}

/**
 * The file's `lstat` (its `stat` when following links), for the cache signature; `undefined` when
 * it does not exist. The checks happen when the file is read, on the opened descriptor.
 */
function statStore(path: string, options: FileAuthStoreOptions): BigIntStats | undefined {
  try {
    const stats = lstatSync(path, { bigint: true, throwIfNoEntry: false })
    if (stats?.isSymbolicLink() && options.followSymlinks) {
      return statSync(path, { bigint: true, throwIfNoEntry: false })
    }
    return stats
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') return undefined
    throw readError(path, error)
  }
}

/** How a file that holds credentials (the store, a legacy store) is read. */
function credentialFileRules(label: string, options: FileAuthStoreOptions): ReadCheckedFileOptions {
  return {
    label,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_STORE_BYTES,
    followSymlinks: options.followSymlinks === true,
    owner: options.allowForeignOwner ? 'any' : 'self',
    symlinkHint: 'or pass followSymlinks: true to opt in',
  }
}

async function readOptionalText(
  path: string,
  options: FileAuthStoreOptions,
): Promise<{ path: string; text: string } | undefined> {
  const file = await readCheckedFile(path, credentialFileRules('Legacy credentials file', options))
  return file && { path, text: file.text }
}

function legacyOAuthPathFor(
  agentDir: string,
  options: FileAuthStoreOptions,
  env: Env,
): string | undefined {
  if (options.legacyOAuthPath) return options.legacyOAuthPath
  const override = env['CLAW_OAUTH_DIR']?.trim()
  if (override) return join(override, 'oauth.json')
  const match = /^(.*)[/\\]agents[/\\][^/\\]+[/\\]agent[/\\]?$/.exec(agentDir)
  return match?.[1] ? join(match[1], 'credentials', 'oauth.json') : undefined
}

async function legacySources(
  agentDir: string,
  options: FileAuthStoreOptions,
  env: Env,
): Promise<LegacySources> {
  const authJson = await readOptionalText(join(agentDir, LEGACY_AUTH_FILENAME), options)
  const oauthPath = legacyOAuthPathFor(agentDir, options, env)
  const oauthJson = oauthPath ? await readOptionalText(oauthPath, options) : undefined
  return { ...(authJson ? { authJson } : {}), ...(oauthJson ? { oauthJson } : {}) }
}

function permissionDiagnostic(path: string, stats: BigIntStats): StoreDiagnostic | undefined {
  if ((Number(stats.mode) & 0o077) === 0) return undefined
  return {
    code: 'insecure_permissions',
    file: path,
    path: '(file)',
    message: `mode ${octalMode(stats.mode)} lets other users read this credential store; run \`chmod 600 ${path}\` (or \`claw doctor --fix\`)`,
  }
}

interface OwnState {
  readonly store: AuthProfileStore
  readonly readOnly: boolean
  readonly diagnostics: readonly StoreDiagnostic[]
  readonly kept: KeptEntries
  /** The store file and the version read (for reporting diagnostics once per version). */
  readonly file: string
  readonly version: string
  /** Set when the store came from legacy files (no auth-profiles.json yet). */
  readonly legacy?: { readonly consumedAuthJson: boolean } | undefined
}

const NOTHING_KEPT: KeptEntries = new Map()
const EMPTY_STORE: AuthProfileStore = freezeDeep({ version: 1, profiles: {} })

/** The cache entry of a file just parsed (its store deep-frozen), with its permission note. */
function cacheParsed(
  path: string,
  stats: BigIntStats,
  parsed: ParsedStore,
  options: FileAuthStoreOptions,
): CacheEntry {
  const permission = permissionDiagnostic(path, stats)
  const entry: CacheEntry = {
    key: statKey(stats),
    store: freezeDeep(parsed.store),
    readOnly: parsed.readOnly,
    diagnostics: permission ? [...parsed.diagnostics, permission] : parsed.diagnostics,
    kept: parsed.kept,
  }
  fileCacheOf(options).set(path, entry)
  return entry
}

/** Reads one agent dir's own store (cached by stat signature), or its legacy import. */
async function readOwn(
  agentDir: string,
  options: FileAuthStoreOptions,
  env: Env,
  useCache: boolean,
): Promise<OwnState> {
  const path = resolveAuthStorePath(agentDir)
  const stats = statStore(path, options)
  const cached = stats && fileCacheOf(options).get(path)
  if (useCache && stats && cached && cached.key === statKey(stats)) {
    return { ...cached, file: path, version: cached.key }
  }
  const file = stats
    ? await readCheckedFile(path, credentialFileRules('Credential store', options))
    : undefined
  if (!file) {
    const imported = importLegacyStores(await legacySources(agentDir, options, env))
    const store = imported ? freezeDeep(imported.store) : EMPTY_STORE
    return {
      store,
      readOnly: false,
      diagnostics: imported?.diagnostics ?? [],
      kept: NOTHING_KEPT,
      file: path,
      version: `legacy:${JSON.stringify(imported?.diagnostics ?? [])}`,
      ...(imported ? { legacy: { consumedAuthJson: imported.consumedAuthJson } } : {}),
    }
  }
  const parsed = await parseAuthProfileStoreText(file.text, path)
  const entry = cacheParsed(path, file.stats, parsed, options)
  return { ...entry, file: path, version: entry.key }
}

/**
 * The soft bookkeeping (successes, last-good) held back for one store file, shared by every
 * handle on the file, and written behind (see write-behind.ts).
 */
interface SoftState {
  readonly pending: PendingBookkeeping
  readonly schedule: WriteBehindSchedule
  /** The handle a background write goes through (the latest one to record). */
  writer: AuthStoreBackend
}

const softStates = new Map<string, SoftState>()

/** The file's own store as this process sees it: `base` with the held-back bookkeeping applied. */
function withPending(path: string, base: AuthProfileStore): AuthProfileStore {
  const soft = softStates.get(path)
  return soft === undefined ? base : soft.pending.applyTo(base)
}

/**
 * The held-back bookkeeping of `path`. It is written through one locked update of the latest
 * handle to record (update() merges it into the file as read under the lock). An agent dir that no
 * longer exists (removed meanwhile) is not created again for it.
 */
function softStateFor(path: string, writer: AuthStoreBackend): SoftState {
  let soft = softStates.get(path)
  if (soft === undefined) {
    const pending = new PendingBookkeeping()
    const state: SoftState = {
      pending,
      writer,
      schedule: new WriteBehindSchedule({
        hasPending: () => pending.size > 0,
        write: async () => {
          if (lstatSync(dirname(path), { throwIfNoEntry: false }) === undefined) pending.clear()
          else await state.writer.update(noChange)
        },
        drop: () => pending.clear(),
      }),
    }
    softStates.set(path, state)
    soft = state
  }
  soft.writer = writer
  return soft
}

function noChange(): undefined {
  return undefined
}

/**
 * The file backend: `<agentDir>/auth-profiles.json`, byte-compatible with OpenClaw's file, so both can share one.
 *
 * - Reads are cached per file and revalidated with one `lstat` per call.
 * - Writes take a per-file lock (`auth-profiles.json.lock`), re-read, apply the update and
 *   replace the file atomically (temp file 0600 → fsync → rename → fsync dir); directories are
 *   created 0700. Orphaned temp files are swept under the lock.
 * - A corrupt or unreadable file is an error naming the file and JSON path; it is never treated
 *   as empty and never replaced until repaired.
 * - When no store exists yet, the legacy `auth.json` and `credentials/oauth.json` are imported
 *   (in memory on read; written on the first update, after which `auth.json` is removed).
 * - Sub-agents read the main agent's profiles through; writes touch only the agent's own file.
 *
 * @public
 */
export function createFileAuthStore(options: FileAuthStoreOptions): AuthStoreBackend {
  const path = resolveAuthStorePath(options.agentDir)
  const mainAgentDir =
    options.mainAgentDir === null
      ? undefined
      : (options.mainAgentDir ?? inferMainAgentDir(options.agentDir))
  const main = mainAgentDir && mainAgentDir !== options.agentDir ? mainAgentDir : undefined
  const lockOptions = resolveFileLockOptions(options.lock)
  const env = resolveEnv(options)
  let lastDiagnostics: readonly StoreDiagnostic[] = []
  /** The version of each file whose diagnostics `onDiagnostic` has received. */
  const reported = new Map<string, string>()

  /** Records what the files behind a load said, telling `onDiagnostic` about new versions. */
  const noteDiagnostics = (states: readonly OwnState[]): void => {
    lastDiagnostics = states.flatMap((state) => state.diagnostics)
    for (const state of states) {
      if (reported.get(state.file) === state.version) continue
      reported.set(state.file, state.version)
      for (const diagnostic of state.diagnostics) {
        if (diagnostic.code === 'insecure_permissions') {
          if (permissionWarnings.has(diagnostic.file)) continue
          permissionWarnings.add(diagnostic.file)
        }
        options.onDiagnostic?.(diagnostic)
      }
    }
  }

  // A sub-agent's merged view, kept while neither store changes: loads share one frozen object.
  let merged: { main: AuthProfileStore; own: AuthProfileStore; view: AuthProfileStore } | undefined
  /**
   * The agent's view: its own store (with the bookkeeping this process holds back for it), over
   * the main agent's for a sub-agent.
   */
  const view = async (own: OwnState): Promise<AuthProfileStore> => {
    const ownStore = withPending(path, own.store)
    if (!main) {
      noteDiagnostics([own])
      return ownStore
    }
    const mainState = await readOwn(main, { ...options, mainAgentDir: null }, env, true)
    noteDiagnostics([own, mainState])
    if (merged?.main !== mainState.store || merged.own !== ownStore) {
      // An entry of the agent's own file that claw cannot use still hides the main agent's
      // profile of the same id: the sub-agent meant to replace it, so it must not get main's.
      const hidden = ignoredProfileIds(own.kept)
      merged = {
        main: mainState.store,
        own: ownStore,
        view: freezeDeep(mergeStores(mainState.store, ownStore, hidden)),
      }
    }
    return merged.view
  }

  const handle: AuthStoreBackend = {
    kind: 'file',
    location: path,
    diagnostics: () => lastDiagnostics,
    async load() {
      return view(await readOwn(options.agentDir, options, env, true))
    },
    flush() {
      const soft = softStates.get(path)
      return soft === undefined ? Promise.resolve() : soft.schedule.flush()
    },
    update<T>(updater: AuthStoreUpdater<T>): Promise<AuthStoreUpdateResult<T>> {
      return withFileLock(
        path,
        async (lock) => {
          testFault(env, 'after-lock')
          await sweepTempFiles(path)
          let state = await readOwn(options.agentDir, options, env, false)
          if (state.readOnly) {
            throw new AuthProfilesError(
              'ERR_STORE_UNSUPPORTED_VERSION',
              `${path} was written by a newer version of claw; upgrade claw before changing it (reading still works).`,
              { path },
            )
          }
          const store = structuredClone(state.store)
          const before = state.legacy ? '' : serializeAuthProfileStore(state.store, state.kept)
          // The held-back bookkeeping goes out with this write, merged into the fresh read.
          const soft = softStates.get(path)
          const deferred = soft?.pending.entries() ?? []
          const beforeUpdate =
            deferred.length > 0 && applyDeferred(store, deferred, knownProfiles(store))
              ? serializeAuthProfileStore(store, state.kept)
              : before
          const result = await updater(store)
          const after = serializeAuthProfileStore(store, state.kept)
          // Whether the updater changed something (the bookkeeping it carried does not count).
          const written = after !== beforeUpdate
          if (after !== before) {
            await writeFileAtomic(path, after, { env, beforeCommit: () => lock.assertHeld() })
            const stats = statStore(path, options)
            if (stats) {
              // What was just written, without reading it back: the store as the updater left
              // it, or (when entries were kept) the written text parsed again.
              // A frozen copy: the updater may have put the caller's own objects into `store`.
              const parsed: ParsedStore =
                state.kept.size === 0
                  ? {
                      store: structuredClone(store),
                      diagnostics: [],
                      readOnly: false,
                      kept: NOTHING_KEPT,
                    }
                  : await parseAuthProfileStoreText(after, path)
              const entry = cacheParsed(path, stats, parsed, options)
              state = { ...entry, file: path, version: entry.key, legacy: state.legacy }
            } else {
              state = { ...state, store: freezeDeep(structuredClone(store)) }
            }
            if (state.legacy?.consumedAuthJson) {
              try {
                unlinkSync(join(options.agentDir, LEGACY_AUTH_FILENAME))
              } catch {
                // Already removed by another process: the migration is idempotent.
              }
            }
          }
          if (deferred.length > 0) soft?.pending.forget(deferred)
          return { store: await view(state), result, written }
        },
        { lock: lockOptions },
      )
    },
  }

  /**
   * Whether held-back bookkeeping for `profileId` still has a profile to go to: the agent's own
   * store, or (for a sub-agent) the main agent's as last read.
   */
  const knownProfiles =
    (store: AuthProfileStore) =>
    (profileId: string): boolean => {
      if (Object.hasOwn(store.profiles, profileId)) return true
      if (!main) return false
      const mainStore = fileCacheOf(options).get(resolveAuthStorePath(main))?.store
      return mainStore === undefined || Object.hasOwn(mainStore.profiles, profileId)
    }

  registerWriteBehind(handle, {
    deferSuccess(profileId, model, at) {
      const soft = softStateFor(path, handle)
      soft.pending.addSuccess(profileId, model, at)
      soft.schedule.schedule()
    },
    deferLastGood(providerKey, profileId) {
      const soft = softStateFor(path, handle)
      soft.pending.addLastGood(providerKey, profileId)
      soft.schedule.schedule()
    },
  })
  handleOptions.set(handle, options)
  return handle
}
