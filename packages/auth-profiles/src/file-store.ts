import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  unlinkSync,
  type BigIntStats,
} from 'node:fs'
import { join } from 'node:path'
import { sweepTempFiles, writeFileAtomic } from './atomic-write.js'
import { AuthProfilesError } from './errors.js'
import { freezeDeep } from './frozen.js'
import { resolveFileLockOptions, withFileLock, type FileLockOptions } from './file-lock.js'
import { importLegacyStores, LEGACY_AUTH_FILENAME, type LegacySources } from './legacy.js'
import { inferMainAgentDir, resolveAuthStorePath } from './paths.js'
import { currentUid, resolveEnv, testFault, type Env } from './runtime.js'
import {
  mergeStores,
  type AuthStoreBackend,
  type AuthStoreUpdateResult,
  type AuthStoreUpdater,
} from './store-backend.js'
import {
  parseAuthProfileStoreText,
  SchemasRequired,
  type ParsedStore,
  serializeAuthProfileStore,
  type StoreDiagnostic,
} from './store-parse.js'
import type * as Schemas from './schemas.js'
import type { AuthProfileStore } from './types.js'

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
  /** Receives each diagnostic once per version of the file (dropped entries, permissions, …). */
  readonly onDiagnostic?: (diagnostic: StoreDiagnostic) => void
}

interface CacheEntry {
  readonly key: string
  readonly store: AuthProfileStore
  readonly readOnly: boolean
  readonly diagnostics: readonly StoreDiagnostic[]
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

/** Parsed files by absolute path, reused while their stat signature is unchanged. */
const fileCache = new Map<string, CacheEntry>()
const permissionWarnings = new Set<string>()

let schemasModule: typeof Schemas | undefined
async function loadSchemas(): Promise<typeof Schemas> {
  schemasModule ??= await import('./schemas.js')
  return schemasModule
}

/** Parses a store, loading the schemas (and zod) only when a credential needs them. */
async function parseWithSchemasOnDemand(text: string, path: string): Promise<ParsedStore> {
  try {
    return parseAuthProfileStoreText(text, path, schemasModule)
  } catch (error) {
    if (!(error instanceof SchemasRequired)) throw error
    return parseAuthProfileStoreText(text, path, await loadSchemas())
  }
}

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

/** Checks the file's type, size and owner before anything reads it. */
function checkFile(path: string, stats: BigIntStats, options: FileAuthStoreOptions): void {
  if (!stats.isFile()) {
    throw new AuthProfilesError(
      'ERR_STORE_NOT_REGULAR_FILE',
      `${path} is not a regular file (found a ${stats.isDirectory() ? 'directory' : stats.isFIFO() ? 'FIFO' : stats.isSocket() ? 'socket' : 'special file'}); claw will not read or replace it.`,
      { path },
    )
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_STORE_BYTES
  if (stats.size > BigInt(maxBytes)) {
    throw new AuthProfilesError(
      'ERR_STORE_TOO_LARGE',
      `${path} is ${stats.size} bytes, over the ${maxBytes}-byte limit for a credential store; it was not read.`,
      { path },
    )
  }
  const uid = currentUid()
  if (!options.allowForeignOwner && uid !== undefined && stats.uid !== BigInt(uid)) {
    throw new AuthProfilesError(
      'ERR_STORE_READ',
      `${path} is owned by uid ${stats.uid}, not by the current user (uid ${uid}); refusing to use a credential store another user controls.`,
      { path },
    )
  }
}

/** `lstat` that refuses symlinks unless allowed; `undefined` when the file does not exist. */
function statStore(path: string, options: FileAuthStoreOptions): BigIntStats | undefined {
  let stats: BigIntStats | undefined
  try {
    stats = lstatSync(path, { bigint: true, throwIfNoEntry: false })
  } catch (error) {
    throw readError(path, error)
  }
  if (stats?.isSymbolicLink()) {
    if (!options.followSymlinks) {
      throw new AuthProfilesError(
        'ERR_STORE_SYMLINK',
        `${path} is a symbolic link; claw does not follow links for credential stores. Replace it with the real file, or pass followSymlinks: true to opt in.`,
        { path },
      )
    }
    try {
      stats = statSync(path, { bigint: true, throwIfNoEntry: false })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
        throw new AuthProfilesError('ERR_STORE_SYMLINK', `${path} is a symbolic link loop.`, {
          path,
        })
      }
      throw readError(path, error)
    }
  }
  if (stats) checkFile(path, stats, options)
  return stats
}

/** Reads the file without following links or blocking on FIFOs, re-checking via `fstat`. */
function readStoreText(
  path: string,
  options: FileAuthStoreOptions,
): { text: string; stats: BigIntStats } {
  const flags =
    constants.O_RDONLY | constants.O_NONBLOCK | (options.followSymlinks ? 0 : constants.O_NOFOLLOW)
  let fd: number
  try {
    fd = openSync(path, flags)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new AuthProfilesError(
        'ERR_STORE_SYMLINK',
        `${path} is a symbolic link (or a link loop); claw does not follow links for credential stores.`,
        { path },
      )
    }
    throw readError(path, error)
  }
  try {
    const stats = fstatSync(fd, { bigint: true })
    checkFile(path, stats, options)
    const buffer = Buffer.alloc(Number(stats.size))
    let offset = 0
    while (offset < buffer.length) {
      const read = readSync(fd, buffer, offset, buffer.length - offset, offset)
      if (read === 0) break
      offset += read
    }
    const decoder = new TextDecoder('utf-8', { fatal: true })
    let text: string
    try {
      text = decoder.decode(buffer.subarray(0, offset))
    } catch {
      throw new AuthProfilesError(
        'ERR_STORE_INVALID',
        `Invalid auth profile store ${path}:\n- (root): not valid UTF-8\nThe file was left unchanged.`,
        {
          path,
          issues: [{ path: '(root)', message: 'not valid UTF-8' }],
        },
      )
    }
    return { text, stats }
  } finally {
    closeSync(fd)
  }
}

function readOptionalText(path: string): { path: string; text: string } | undefined {
  try {
    return { path, text: readFileSync(path, 'utf8') }
  } catch {
    return undefined
  }
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

function legacySources(agentDir: string, options: FileAuthStoreOptions, env: Env): LegacySources {
  const authJson = readOptionalText(join(agentDir, LEGACY_AUTH_FILENAME))
  const oauthPath = legacyOAuthPathFor(agentDir, options, env)
  const oauthJson = oauthPath ? readOptionalText(oauthPath) : undefined
  return { ...(authJson ? { authJson } : {}), ...(oauthJson ? { oauthJson } : {}) }
}

function emit(options: FileAuthStoreOptions, diagnostics: readonly StoreDiagnostic[]): void {
  if (!options.onDiagnostic) return
  for (const diagnostic of diagnostics) options.onDiagnostic(diagnostic)
}

function permissionDiagnostic(path: string, stats: BigIntStats): StoreDiagnostic | undefined {
  if ((Number(stats.mode) & 0o077) === 0 || permissionWarnings.has(path)) return undefined
  permissionWarnings.add(path)
  return {
    code: 'insecure_permissions',
    file: path,
    path: '(file)',
    message: `mode ${(Number(stats.mode) & 0o777).toString(8).padStart(4, '0')} lets other users read this credential store; run \`chmod 600 ${path}\` (or \`claw doctor --fix\`)`,
  }
}

const EMPTY_STORE: AuthProfileStore = freezeDeep({ version: 1, profiles: {} })

interface OwnState {
  readonly store: AuthProfileStore
  readonly readOnly: boolean
  /** Set when the store came from legacy files (no auth-profiles.json yet). */
  readonly legacy?: { readonly consumedAuthJson: boolean }
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
  if (!stats) {
    const imported = importLegacyStores(legacySources(agentDir, options, env))
    if (!imported) return { store: EMPTY_STORE, readOnly: false }
    emit(options, imported.diagnostics)
    return {
      store: freezeDeep(imported.store),
      readOnly: false,
      legacy: { consumedAuthJson: imported.consumedAuthJson },
    }
  }
  const cached = fileCache.get(path)
  if (useCache && cached && cached.key === statKey(stats))
    return { store: cached.store, readOnly: cached.readOnly }
  const { text, stats: readStats } = readStoreText(path, options)
  const parsed = await parseWithSchemasOnDemand(text, path)
  freezeDeep(parsed.store)
  const permission = permissionDiagnostic(path, readStats)
  const diagnostics = permission ? [...parsed.diagnostics, permission] : parsed.diagnostics
  emit(options, diagnostics)
  fileCache.set(path, {
    key: statKey(readStats),
    store: parsed.store,
    readOnly: parsed.readOnly,
    diagnostics,
  })
  return { store: parsed.store, readOnly: parsed.readOnly }
}

/**
 * The file backend: `<agentDir>/auth-profiles.json`, byte-compatible with the reference format.
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
  const collect: FileAuthStoreOptions = {
    ...options,
    onDiagnostic: (diagnostic) => {
      lastDiagnostics = [...lastDiagnostics, diagnostic]
      options.onDiagnostic?.(diagnostic)
    },
  }

  // A sub-agent's merged view, kept while neither store changes: loads share one frozen object.
  let merged: { main: AuthProfileStore; own: AuthProfileStore; view: AuthProfileStore } | undefined
  const view = async (own: AuthProfileStore): Promise<AuthProfileStore> => {
    if (!main) return own
    const mainState = await readOwn(main, { ...collect, mainAgentDir: null }, env, true)
    if (merged?.main !== mainState.store || merged.own !== own) {
      merged = { main: mainState.store, own, view: freezeDeep(mergeStores(mainState.store, own)) }
    }
    return merged.view
  }

  const handle: AuthStoreBackend = {
    kind: 'file',
    location: path,
    diagnostics: () => lastDiagnostics,
    async load() {
      const own = await readOwn(options.agentDir, collect, env, true)
      return view(own.store)
    },
    update<T>(updater: AuthStoreUpdater<T>): Promise<AuthStoreUpdateResult<T>> {
      return withFileLock(
        path,
        async (lock) => {
          testFault(env, 'after-lock')
          await sweepTempFiles(path)
          const state = await readOwn(options.agentDir, collect, env, false)
          if (state.readOnly) {
            throw new AuthProfilesError(
              'ERR_STORE_UNSUPPORTED_VERSION',
              `${path} was written by a newer version of claw; upgrade claw before changing it (reading still works).`,
              { path },
            )
          }
          const store = structuredClone(state.store)
          const before = state.legacy ? '' : serializeAuthProfileStore(state.store)
          const result = await updater(store)
          const after = serializeAuthProfileStore(store)
          const written = after !== before
          // A frozen copy: the updater may have put the caller's own objects into `store`.
          let saved = state.store
          if (written) {
            await writeFileAtomic(path, after, { env, beforeCommit: () => lock.assertHeld() })
            saved = freezeDeep(structuredClone(store))
            const stats = statStore(path, options)
            if (stats) {
              fileCache.set(path, {
                key: statKey(stats),
                store: saved,
                readOnly: false,
                diagnostics: [],
              })
            }
            if (state.legacy?.consumedAuthJson) {
              try {
                unlinkSync(join(options.agentDir, LEGACY_AUTH_FILENAME))
              } catch {
                // Already removed by another process: the migration is idempotent.
              }
            }
          }
          return { store: await view(saved), result, written }
        },
        { lock: lockOptions },
      )
    },
  }
  handleOptions.set(handle, options)
  return handle
}
