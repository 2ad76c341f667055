import { chmod, mkdir, open, readdir, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join, relative, sep } from 'node:path'
import { AuthProfilesError } from '../errors.js'
import type { HeldFileLock } from './file-lock.js'
import { currentPid, resolveEnv, testFault, type Env } from '../runtime.js'

const TEMP_SUFFIX = '.tmp'

function tempPrefix(target: string): string {
  return `.${basename(target)}.`
}

/**
 * Creates `dir` (and missing parents) with mode 0700, whatever the umask: directories this call
 * creates are chmod-ed after `mkdir`. Existing directories are left as they are.
 *
 * @internal
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: 0o700 })
  if (first === undefined) return
  const created = relative(first, dir)
  let current = first
  await chmod(current, 0o700)
  for (const part of created === '' ? [] : created.split(sep)) {
    current = join(current, part)
    await chmod(current, 0o700)
  }
}

/**
 * Removes temp files a crashed writer left next to `target`. Only call it while holding the
 * target's lock: every writer writes under that lock, so any temp file present then is orphaned.
 *
 * @internal
 */
export async function sweepTempFiles(target: string): Promise<number> {
  const prefix = tempPrefix(target)
  let removed = 0
  let names: string[]
  try {
    names = await readdir(dirname(target))
  } catch {
    return 0
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue
    try {
      await unlink(join(dirname(target), name))
      removed += 1
    } catch {
      // Gone already.
    }
  }
  return removed
}

function writeError(target: string, error: unknown): AuthProfilesError {
  if (AuthProfilesError.isInstance(error)) return error
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error'
  return new AuthProfilesError(
    'ERR_STORE_WRITE',
    `Could not write ${target} (${code}); the previous file is unchanged.`,
    {
      path: target,
      cause: error,
    },
  )
}

/** @internal */
export interface AtomicWriteOptions {
  readonly env: Env
  /** Called after the data is durable in the temp file, right before the rename (lock check). */
  readonly beforeCommit?: () => void
}

/**
 * Replaces `target` atomically and durably: a temp file in the same directory (created with
 * O_EXCL, mode 0600) → write → fsync → rename over `target` → fsync the directory. A reader
 * always sees the old or the new file, never a mix; on any failure the old file is untouched and
 * the temp file is removed.
 *
 * @throws {AuthProfilesError} `ERR_STORE_WRITE` naming the file and the errno.
 * @internal
 */
export async function writeFileAtomic(
  target: string,
  data: string,
  options: AtomicWriteOptions,
): Promise<void> {
  // node:crypto loads on the first write: read-only commands never need it (~3 ms of start-up).
  const { randomBytes } = await import('node:crypto')
  const temp = join(
    dirname(target),
    `${tempPrefix(target)}${currentPid()}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
  )
  let created = false
  try {
    const injected = testFault(options.env, 'write')
    if (injected?.startsWith('fs-error:')) {
      const code = injected.slice('fs-error:'.length)
      throw Object.assign(new Error(`injected ${code}`), { code })
    }
    const handle = await open(temp, 'wx', 0o600)
    created = true
    try {
      await handle.chmod(0o600)
      if (testFault(options.env, 'mid-write') !== undefined) {
        await handle.writeFile(data.slice(0, Math.floor(data.length / 2)))
      }
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    testFault(options.env, 'before-rename')
    // The last thing before the rename: a check that fails here leaves the target untouched.
    options.beforeCommit?.()
    await rename(temp, target)
    created = false
    const directory = await open(dirname(target), 'r')
    try {
      await directory.sync()
    } finally {
      await directory.close()
    }
  } catch (error) {
    if (created) await unlink(temp).catch(() => undefined)
    throw writeError(target, error)
  }
}

/** Options of {@link writePrivateFileAtomic}. @public */
export interface WritePrivateFileOptions {
  readonly env?: Env
  /**
   * The lock (from `withFileLock`) this write happens under: its ownership is checked right before
   * the rename, the last step, and the write is abandoned (`ERR_LOCK_COMPROMISED`, the target
   * untouched) when another process took the lock over meanwhile.
   */
  readonly lock?: HeldFileLock
}

/**
 * Writes a private file (mode 0600, its missing parent directories 0700) atomically and durably:
 * readers see the old content or the new, never a mix, and a failed write leaves the old file
 * untouched. The temp file is created with O_EXCL next to the target and renamed over it, so a
 * symbolic link at the target is replaced, never followed. This is how the credential store is
 * written; the CLI uses it for `claw.json` and its `.bak`.
 *
 * @throws {AuthProfilesError} `ERR_STORE_WRITE` naming the file and the errno (never the data);
 *   `ERR_LOCK_COMPROMISED` when `lock` was lost before the rename.
 * @example
 * ```ts
 * await writePrivateFileAtomic('/home/me/.claw/claw.json', JSON.stringify(config, null, 2))
 * ```
 * @public
 */
export async function writePrivateFileAtomic(
  target: string,
  data: string,
  options: WritePrivateFileOptions = {},
): Promise<void> {
  await ensurePrivateDir(dirname(target))
  const { lock } = options
  await writeFileAtomic(target, data, {
    env: resolveEnv(options),
    ...(lock ? { beforeCommit: () => lock.assertHeld() } : {}),
  })
}
