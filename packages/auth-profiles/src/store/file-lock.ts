import * as fs from 'node:fs'
import { dirname } from 'node:path'
import type * as Lockfile from 'proper-lockfile'
import { ensurePrivateDir } from './atomic-write.js'
import { fileKind } from './checked-file.js'
import { AuthProfilesError } from '../errors.js'

type LockfileModule = typeof Lockfile
let lockfileModule: Promise<LockfileModule> | undefined

/** proper-lockfile (and graceful-fs under it) costs ~30 ms to import: load it on the first write. */
function loadLockfile(): Promise<LockfileModule> {
  lockfileModule ??= import('proper-lockfile').then((module) => module.default as LockfileModule)
  return lockfileModule
}

/**
 * Options of the inter-process file lock (a `<file>.lock` directory managed by proper-lockfile).
 *
 * @public
 */
export interface FileLockOptions {
  /**
   * A lock whose holder has not refreshed it for this long is considered abandoned and may be
   * taken over. Default 10 000 ms, minimum 2 000 ms.
   */
  readonly staleMs?: number
  /** How often a holder refreshes its lock; default `staleMs / 2`. */
  readonly updateMs?: number
  /** Retry schedule while the lock is busy (exponential, randomised). */
  readonly retries?: number
  readonly minRetryDelayMs?: number
  readonly maxRetryDelayMs?: number
  readonly retryFactor?: number
}

/** {@link FileLockOptions} with every default filled in (see {@link DEFAULT_FILE_LOCK_OPTIONS}). @public */
export interface ResolvedFileLockOptions {
  readonly staleMs: number
  readonly updateMs: number
  readonly retries: number
  readonly minRetryDelayMs: number
  readonly maxRetryDelayMs: number
  readonly retryFactor: number
}

/** Defaults: a crashed holder is taken over after 10 s; waiters keep trying for ~25 s. @public */
export const DEFAULT_FILE_LOCK_OPTIONS: ResolvedFileLockOptions = Object.freeze({
  staleMs: 10_000,
  updateMs: 5_000,
  retries: 30,
  minRetryDelayMs: 50,
  maxRetryDelayMs: 1_000,
  retryFactor: 1.5,
})

/** The shortest total time waiters keep retrying with these settings (randomisation only adds). @internal */
export function minimumRetryWindowMs(options: ResolvedFileLockOptions): number {
  let total = 0
  for (let attempt = 0; attempt < options.retries; attempt += 1) {
    total += Math.min(
      options.maxRetryDelayMs,
      options.minRetryDelayMs * options.retryFactor ** attempt,
    )
  }
  return total
}

/**
 * Fills in defaults and checks the lock invariants: `staleMs ≥ 2000`, `updateMs < staleMs`, and
 * waiters retry for longer than `staleMs + 2000`, so a crashed holder's lock is taken over before
 * anyone gives up.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ARGUMENT` when an invariant does not hold.
 * @internal
 */
export function resolveFileLockOptions(options: FileLockOptions = {}): ResolvedFileLockOptions {
  const staleMs = options.staleMs ?? DEFAULT_FILE_LOCK_OPTIONS.staleMs
  const resolved: ResolvedFileLockOptions = {
    staleMs,
    updateMs: options.updateMs ?? Math.max(1_000, Math.floor(staleMs / 2)),
    retries: options.retries ?? DEFAULT_FILE_LOCK_OPTIONS.retries,
    minRetryDelayMs: options.minRetryDelayMs ?? DEFAULT_FILE_LOCK_OPTIONS.minRetryDelayMs,
    maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULT_FILE_LOCK_OPTIONS.maxRetryDelayMs,
    retryFactor: options.retryFactor ?? DEFAULT_FILE_LOCK_OPTIONS.retryFactor,
  }
  const problems: string[] = []
  if (!Number.isFinite(staleMs) || staleMs < 2_000) problems.push('staleMs must be at least 2000')
  if (!(resolved.updateMs > 0 && resolved.updateMs < staleMs))
    problems.push('updateMs must be positive and below staleMs')
  if (!Number.isInteger(resolved.retries) || resolved.retries < 0)
    problems.push('retries must be a non-negative integer')
  if (!(
    resolved.minRetryDelayMs > 0 &&
    resolved.maxRetryDelayMs >= resolved.minRetryDelayMs &&
    resolved.retryFactor >= 1
  )) {
    problems.push(
      'retry delays must be positive, maxRetryDelayMs ≥ minRetryDelayMs and retryFactor ≥ 1',
    )
  }
  const window = minimumRetryWindowMs(resolved)
  if (problems.length === 0 && window < staleMs + 2_000) {
    problems.push(
      `the retry window (${Math.round(window)} ms) must exceed staleMs + 2000 (${staleMs + 2_000} ms) so an abandoned lock is taken over before waiters give up`,
    )
  }
  if (problems.length > 0) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      `Invalid lock options: ${problems.join('; ')}.`,
    )
  }
  return resolved
}

/** A held lock. @internal */
export interface FileLock {
  /**
   * Throws `ERR_LOCK_COMPROMISED` unless the lock is still this holder's: checked on the disk, not
   * only from proper-lockfile's notices (which arrive only when its timer runs, so a holder that
   * resumes after a freeze would otherwise commit before hearing of the takeover).
   */
  assertHeld(): void
  release(): Promise<void>
}

type Callback = (error: NodeJS.ErrnoException | null) => void

/**
 * The file system proper-lockfile works through for one lock: node:fs, except that the lock
 * directory is created 0700 whatever the umask, and the lock's modification time is remembered
 * each time this holder sets (or, while acquiring, reads) it — the time a takeover replaces.
 */
function lockFileSystem(lockPath: string): {
  readonly fs: typeof fs
  /** Whether `mtime` (ms) is one this holder set on the lock directory (or one being set now). */
  isOurs(mtime: number): boolean
  acquired(): void
} {
  let mtime: number | undefined
  /** The time of an update in flight: on the disk already, perhaps, with its callback to come. */
  let pending: number | undefined
  let acquiring = true
  const wrapped = {
    ...fs,
    mkdir(path: string, callback: Callback) {
      fs.mkdir(path, { mode: 0o700 }, (error) => {
        if (error || path !== lockPath) return callback(error)
        fs.chmod(path, 0o700, () => callback(null))
      })
    },
    stat(path: string, callback: (error: NodeJS.ErrnoException | null, stats?: fs.Stats) => void) {
      fs.stat(path, (error, stats) => {
        if (!error && acquiring && path === lockPath) mtime = stats.mtime.getTime()
        callback(error, stats)
      })
    },
    utimes(path: string, atime: Date, modified: Date, callback: Callback) {
      if (path === lockPath) pending = modified.getTime()
      fs.utimes(path, atime, modified, (error) => {
        if (path === lockPath) {
          if (!error) mtime = modified.getTime()
          pending = undefined
        }
        callback(error)
      })
    },
  }
  return {
    fs: wrapped as unknown as typeof fs,
    isOurs: (value) => value === mtime || value === pending,
    acquired: () => {
      acquiring = false
    },
  }
}

/** Fails at once when something other than a lock directory sits where the lock goes. */
function checkLockPath(lockPath: string): void {
  let stats: fs.Stats | undefined
  try {
    stats = fs.lstatSync(lockPath, { throwIfNoEntry: false })
  } catch {
    return // Not inspectable: the lock attempt reports it.
  }
  if (stats && !stats.isDirectory()) {
    throw new AuthProfilesError(
      'ERR_STORE_WRITE',
      `${lockPath} is ${fileKind(stats)}, not a lock directory, so nothing can be written until it is removed (\`claw doctor --fix\` offers to).`,
      { path: lockPath },
    )
  }
}

/**
 * Takes the lock for `target` (the lock itself is the directory `<target>.lock`, created 0700).
 * Never crashes the process when the lock is compromised: the loss is recorded, and `assertHeld()`
 * checks the lock directory itself before the holder commits anything.
 *
 * @throws {AuthProfilesError} `ERR_LOCK_TIMEOUT` naming the lock path when the lock stays busy;
 *   `ERR_STORE_WRITE` at once when a file that is not a directory sits at the lock path.
 * @internal
 */
export async function acquireFileLock(
  target: string,
  options: ResolvedFileLockOptions,
): Promise<FileLock> {
  const lockPath = `${target}.lock`
  checkLockPath(lockPath)
  let lost: Error | undefined
  const lockfile = await loadLockfile()
  const lockFs = lockFileSystem(lockPath)
  let release: () => Promise<void>
  try {
    release = await lockfile.lock(target, {
      lockfilePath: lockPath,
      realpath: false,
      fs: lockFs.fs,
      stale: options.staleMs,
      update: options.updateMs,
      retries: {
        retries: options.retries,
        factor: options.retryFactor,
        minTimeout: options.minRetryDelayMs,
        maxTimeout: options.maxRetryDelayMs,
        randomize: true,
      },
      onCompromised: (error) => {
        lost = error
      },
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ELOCKED') {
      throw new AuthProfilesError(
        'ERR_LOCK_TIMEOUT',
        `Timed out waiting for the lock ${lockPath}: another process holds it. If no claw process is running, the lock is taken over automatically after ${options.staleMs} ms.`,
        { path: lockPath, cause: error },
      )
    }
    checkLockPath(lockPath)
    throw new AuthProfilesError(
      'ERR_STORE_WRITE',
      `Could not take the lock ${lockPath} (${code ?? 'unknown error'}).`,
      {
        path: lockPath,
        cause: error,
      },
    )
  }
  lockFs.acquired()
  const compromised = (why: string, cause?: unknown) =>
    new AuthProfilesError(
      'ERR_LOCK_COMPROMISED',
      `The lock ${lockPath} was lost before the write could be committed (${why}); nothing was written.`,
      { path: lockPath, ...(cause === undefined ? {} : { cause }) },
    )
  return {
    assertHeld() {
      if (lost)
        throw compromised('the holder stalled past the stale time, or the lock was removed', lost)
      let stats: fs.Stats | undefined
      try {
        stats = fs.statSync(lockPath, { throwIfNoEntry: false })
      } catch (error) {
        throw compromised('the lock directory cannot be inspected', error)
      }
      if (!stats) throw compromised('the lock directory was removed')
      if (!lockFs.isOurs(stats.mtime.getTime())) {
        throw compromised(
          'another process took it over after this holder stalled past the stale time',
        )
      }
    },
    async release() {
      try {
        await release()
      } catch {
        // Already released or compromised: nothing left to undo.
      }
    },
  }
}

/** What {@link withFileLock} hands its callback. @public */
export interface HeldFileLock {
  /**
   * Throws `ERR_LOCK_COMPROMISED` when the lock was lost (the holder stalled past `staleMs` and
   * another process took it over, or the lock directory was removed), checking the lock directory
   * itself. Pass the lock to `writePrivateFileAtomic` (`{ lock }`) to have this run right before
   * the rename; call it yourself before any other kind of commit.
   */
  assertHeld(): void
}

/**
 * Runs `fn` while holding the cross-process lock of `target`: the `<target>.lock` directory
 * (created 0700), the same lock the credential store takes for its writes. Use it for a
 * read-modify-write of a file of your own next to the store, writing with
 * {@link writePrivateFileAtomic} and `{ lock }`: that write checks, right before its final rename,
 * that the lock is still yours, so a process that stalled past the stale time (and whose lock
 * another process took over) cannot overwrite the newer edit. The target's directory is created
 * (0700) when missing; the target itself need not exist. The lock is released when `fn` settles.
 *
 * @throws {AuthProfilesError} `ERR_LOCK_TIMEOUT` naming the lock path when another process keeps
 *   the lock past the retry window; `ERR_STORE_WRITE` at once when something other than a
 *   directory sits at the lock path; whatever `fn` throws.
 * @example
 * ```ts
 * await withFileLock(configPath, async (lock) => {
 *   const config = JSON.parse(await readFile(configPath, 'utf8'))
 *   config.count += 1
 *   await writePrivateFileAtomic(configPath, JSON.stringify(config), { lock })
 * })
 * ```
 * @public
 */
export async function withFileLock<T>(
  target: string,
  fn: (lock: HeldFileLock) => Promise<T>,
  options: { readonly lock?: FileLockOptions } = {},
): Promise<T> {
  const resolved = resolveFileLockOptions(options.lock)
  await ensurePrivateDir(dirname(target))
  const lock = await acquireFileLock(target, resolved)
  try {
    return await fn({ assertHeld: () => lock.assertHeld() })
  } finally {
    await lock.release()
  }
}
