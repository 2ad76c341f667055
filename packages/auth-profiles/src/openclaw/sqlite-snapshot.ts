// Read-only access to another program's SQLite file (OpenClaw's state databases) without a native
// build step: `node:sqlite` where this Node has it with URI filenames (24), else sql.js (SQLite compiled
// to WebAssembly, an optional dependency loaded only here). Nothing is ever written next to the
// source: node:sqlite opens it `immutable` (no `-wal`/`-shm`, no locks), sql.js reads a copy of its
// bytes in memory. Because neither takes SQLite's locks, the file's stat signature is compared
// before and after reading, and a file with a write-ahead log or hot journal still pending is
// refused rather than read half-done.
import type { BigIntStats } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { pathToFileURL } from 'node:url'
import { openCheckedFile } from '../store/checked-file.js'
import { AuthProfilesError } from '../errors.js'
import { loadBuiltinModule, nodeVersion } from '../runtime.js'

/** Which SQLite engine reads the file. @public */
export type SqliteReaderName = 'node:sqlite' | 'sql.js'

/** One row, column name → value (numbers, strings, `null`; blobs as bytes). */
export type SqliteRow = Readonly<Record<string, unknown>>

/** An open, read-only view of one SQLite file. @internal */
export interface SqliteSnapshot {
  readonly file: string
  readonly reader: SqliteReaderName
  /** Runs one read-only statement with positional `?` parameters. */
  all(sql: string, params?: readonly (string | number)[]): SqliteRow[]
}

/** @internal */
export interface ReadSqliteOptions {
  /** Force an engine (tests run both); default node:sqlite when available, else sql.js. */
  readonly reader?: SqliteReaderName | undefined
  /** Files larger than this are refused before they are read. */
  readonly maxBytes: number
  /** What the file is, for messages (`the OpenClaw state database`). */
  readonly label: string
}

const SQLITE_HEADER = 'SQLite format 3\u0000'
/** A reader retries this often when the file changes while it is read. */
const CHANGE_RETRIES = 3

interface NodeSqliteStatement {
  all(...params: (string | number)[]): Record<string, unknown>[]
}
interface NodeSqliteDatabase {
  prepare(sql: string): NodeSqliteStatement
  close(): void
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string, options: { readOnly: boolean }) => NodeSqliteDatabase
}

interface SqlJsStatement {
  bind(values: (string | number)[]): boolean
  step(): boolean
  getAsObject(): Record<string, unknown>
  free(): boolean
}
interface SqlJsDatabase {
  prepare(sql: string): SqlJsStatement
  close(): void
}
interface SqlJsModule {
  Database: new (data: Uint8Array) => SqlJsDatabase
}

/** `node:sqlite` when this Node has it without a flag and it can open files immutable. @internal */
export function nodeSqliteAvailable(): boolean {
  return loadNodeSqlite() !== undefined
}

let nodeSqlite: NodeSqliteModule | null | undefined

/**
 * node:sqlite when it can open a file `immutable`, which takes URI filenames: early releases
 * (22.5–22.x) open every name as a plain path, so `file:…?immutable=1` would not work there. The
 * probe opens a read-only in-memory URI: without URI support that is a missing plain file, which
 * read-only mode refuses to create.
 */
function loadNodeSqlite(): NodeSqliteModule | undefined {
  if (nodeSqlite !== undefined) return nodeSqlite ?? undefined
  const loaded = loadBuiltinModule('node:sqlite', 'SQLite') as NodeSqliteModule | undefined
  nodeSqlite = null
  if (typeof loaded?.DatabaseSync !== 'function') return undefined
  try {
    new loaded.DatabaseSync('file:claw-uri-probe?mode=memory', { readOnly: true }).close()
    nodeSqlite = loaded
  } catch {
    // No URI filenames: sql.js reads the file instead.
  }
  return nodeSqlite ?? undefined
}

let sqlJsPromise: Promise<SqlJsModule> | undefined

/** sql.js, initialised once per process (compiling the WebAssembly takes tens of milliseconds). */
function loadSqlJs(file: string): Promise<SqlJsModule> {
  sqlJsPromise ??= (async () => {
    let init: (options?: object) => Promise<SqlJsModule>
    try {
      init = ((await import('sql.js')) as unknown as { default: typeof init }).default
    } catch (error) {
      throw new AuthProfilesError(
        'ERR_INVALID_ARGUMENT',
        `Reading ${file} needs node:sqlite with URI filenames (Node 24) or the sql.js package, and this Node (${nodeVersion()}) has neither. Install sql.js next to claw (npm install sql.js) or use a newer Node.`,
        { path: file, cause: error },
      )
    }
    return init()
  })()
  sqlJsPromise.catch(() => {
    sqlJsPromise = undefined
  })
  return sqlJsPromise
}

function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error'
}

function signatureOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`
}

async function sideFileSize(path: string): Promise<bigint> {
  try {
    return (await stat(path, { bigint: true })).size
  } catch (error) {
    const code = errnoCode(error)
    if (code === 'ENOENT' || code === 'ENOTDIR') return 0n
    throw new AuthProfilesError('ERR_STORE_READ', `Could not inspect ${path} (${code}).`, {
      path,
      cause: error,
    })
  }
}

/**
 * Refuses a database whose latest changes are not in the main file yet: a non-empty `-wal`
 * (OpenClaw is running, or stopped without folding the log in) or a hot `-journal` (a write is
 * under way). Reading only the main file would import an older state without saying so.
 */
async function assertSettled(file: string, label: string): Promise<void> {
  const wal = await sideFileSize(`${file}-wal`)
  if (wal > 0n) {
    throw new AuthProfilesError(
      'ERR_STORE_BUSY',
      `${label} ${file} has changes that are not in the database file yet (${basename(file)}-wal, ${wal} bytes): OpenClaw is running or did not shut down cleanly. Stop OpenClaw (openclaw gateway stop; after a crash run any openclaw command once so it folds the log in) and import again. Nothing was imported.`,
      { path: file, retryable: true },
    )
  }
  const journal = await sideFileSize(`${file}-journal`)
  if (journal > 0n) {
    throw new AuthProfilesError(
      'ERR_STORE_BUSY',
      `${label} ${file} is locked: another process is writing it (${basename(file)}-journal). Import again once OpenClaw is stopped. Nothing was imported.`,
      { path: file, retryable: true },
    )
  }
}

function invalidDatabase(file: string, label: string, detail: string, cause?: unknown) {
  return new AuthProfilesError(
    'ERR_STORE_INVALID',
    `${label} ${file} is not a readable SQLite database (${detail}). Nothing was imported.`,
    { path: file, ...(cause === undefined ? {} : { cause }) },
  )
}

/**
 * Opens the file through the shared checked open (no FIFO blocking; `fstat` on the descriptor: a
 * regular file under the size cap), checks it has a complete SQLite header, and returns its bytes
 * when `withBytes` (sql.js reads from memory).
 */
async function inspect(
  file: string,
  options: ReadSqliteOptions,
  withBytes: boolean,
): Promise<{ signature: string; bytes: Uint8Array | undefined }> {
  const opened = await openCheckedFile(file, {
    label: options.label,
    maxBytes: options.maxBytes,
    followSymlinks: true,
  })
  if (!opened) {
    // The cause carries the errno, which callers use to tell "no database here".
    const missing = Object.assign(new Error(`${file} does not exist`), { code: 'ENOENT' })
    throw new AuthProfilesError(
      'ERR_STORE_READ',
      `Could not open ${options.label} ${file} (ENOENT).`,
      {
        path: file,
        cause: missing,
      },
    )
  }
  const { handle, stats } = opened
  try {
    const size = Number(stats.size)
    const length = withBytes ? size : Math.min(size, 100)
    const buffer = new Uint8Array(length)
    let read = 0
    while (read < length) {
      const { bytesRead } = await handle.read(buffer, read, length - read, read)
      if (bytesRead === 0) break
      read += bytesRead
    }
    checkHeader(file, options.label, buffer.subarray(0, read), size)
    return { signature: signatureOf(stats), bytes: withBytes ? buffer : undefined }
  } catch (error) {
    if (AuthProfilesError.isInstance(error)) throw error
    throw new AuthProfilesError(
      'ERR_STORE_READ',
      `Could not read ${options.label} ${file} (${errnoCode(error)}).`,
      { path: file, cause: error },
    )
  } finally {
    await handle.close().catch(() => undefined)
  }
}

/** The 100-byte header: magic string, page size, and the page count a complete file must hold. */
function checkHeader(file: string, label: string, header: Uint8Array, size: number): void {
  if (header.length < 100) {
    throw invalidDatabase(file, label, `only ${size} bytes, shorter than an SQLite header`)
  }
  if (new TextDecoder('latin1').decode(header.subarray(0, 16)) !== SQLITE_HEADER) {
    throw invalidDatabase(file, label, 'no SQLite header')
  }
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength)
  const rawPageSize = view.getUint16(16)
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
    throw invalidDatabase(file, label, 'invalid page size in the header')
  }
  // The page count in the header is valid when the change counter matches "version-valid-for".
  const pages = view.getUint32(24) === view.getUint32(92) ? view.getUint32(28) : 0
  if (size % pageSize !== 0 || (pages > 0 && size < pages * pageSize)) {
    throw invalidDatabase(
      file,
      label,
      `truncated: ${size} bytes, the header describes ${pages} pages of ${pageSize} bytes`,
    )
  }
}

async function currentSignature(file: string, label: string): Promise<string> {
  try {
    return signatureOf(await stat(file, { bigint: true }))
  } catch (error) {
    throw new AuthProfilesError(
      'ERR_STORE_READ',
      `Could not inspect ${label} ${file} (${errnoCode(error)}).`,
      { path: file, cause: error },
    )
  }
}

function sqliteErrorToAuthError(file: string, label: string, error: unknown): AuthProfilesError {
  if (AuthProfilesError.isInstance(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  const code = ((error as { errcode?: unknown }).errcode as number | undefined) ?? -1
  const primary = code & 0xff
  if (
    primary === 5 ||
    primary === 6 ||
    /database is locked|database table is locked/i.test(message)
  ) {
    return new AuthProfilesError(
      'ERR_STORE_BUSY',
      `${label} ${file} is locked by another process. Import again once OpenClaw is stopped. Nothing was imported.`,
      { path: file, cause: error, retryable: true },
    )
  }
  if (primary === 11 || primary === 26 || /malformed|not a database|corrupt/i.test(message)) {
    return invalidDatabase(file, label, message.replace(/^.*?:\s*(?=database|file)/, ''), error)
  }
  return new AuthProfilesError('ERR_STORE_READ', `Could not read ${label} ${file}: ${message}.`, {
    path: file,
    cause: error,
  })
}

function openNodeSqlite(
  sqlite: NodeSqliteModule,
  file: string,
): {
  snapshot: SqliteSnapshot
  close: () => void
} {
  const url = pathToFileURL(file)
  url.search = '?immutable=1'
  const db = new sqlite.DatabaseSync(url.href, { readOnly: true })
  return {
    snapshot: {
      file,
      reader: 'node:sqlite',
      all: (sql, params = []) => db.prepare(sql).all(...params),
    },
    close: () => db.close(),
  }
}

function openSqlJs(
  sqlJs: SqlJsModule,
  file: string,
  bytes: Uint8Array,
): {
  snapshot: SqliteSnapshot
  close: () => void
} {
  const db = new sqlJs.Database(bytes)
  return {
    snapshot: {
      file,
      reader: 'sql.js',
      all(sql, params = []) {
        const statement = db.prepare(sql)
        try {
          statement.bind([...params])
          const rows: Record<string, unknown>[] = []
          while (statement.step()) rows.push(statement.getAsObject())
          return rows
        } finally {
          statement.free()
        }
      },
    },
    close: () => db.close(),
  }
}

/**
 * Runs `read` on a read-only snapshot of an SQLite file and returns its result. The file must be
 * settled (no pending `-wal` or hot `-journal`), a regular file under `maxBytes` with a complete
 * header; when its stat signature changes while it is read the read is repeated (3 tries).
 * SQLite errors become `AuthProfilesError`s naming the file: `ERR_STORE_INVALID` (corrupt,
 * truncated, not a database), `ERR_STORE_BUSY` (locked, being written), `ERR_STORE_READ`.
 *
 * @internal
 */
export async function readSqliteSnapshot<T>(
  file: string,
  options: ReadSqliteOptions,
  read: (snapshot: SqliteSnapshot) => T,
): Promise<T> {
  const engine = options.reader === 'sql.js' ? undefined : loadNodeSqlite()
  if (options.reader === 'node:sqlite' && !engine) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      `node:sqlite is not available in this Node (${nodeVersion()}), or cannot open files read-only without side files.`,
    )
  }
  const sqlJs = engine ? undefined : await loadSqlJs(file)
  for (let attempt = 1; ; attempt++) {
    await assertSettled(file, options.label)
    const { signature, bytes } = await inspect(file, options, sqlJs !== undefined)
    let result: T
    let opened: { snapshot: SqliteSnapshot; close: () => void } | undefined
    try {
      opened = engine ? openNodeSqlite(engine, file) : openSqlJs(sqlJs!, file, bytes!)
      result = read(opened.snapshot)
    } catch (error) {
      throw sqliteErrorToAuthError(file, options.label, error)
    } finally {
      bytes?.fill(0)
      opened?.close()
    }
    await assertSettled(file, options.label)
    if ((await currentSignature(file, options.label)) === signature) return result
    if (attempt >= CHANGE_RETRIES) {
      throw new AuthProfilesError(
        'ERR_STORE_BUSY',
        `${options.label} ${file} kept changing while it was read: another process is writing it. Import again once OpenClaw is stopped. Nothing was imported.`,
        { path: file, retryable: true },
      )
    }
  }
}
