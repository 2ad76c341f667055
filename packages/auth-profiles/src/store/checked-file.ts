// Over 400 lines: one checked-read sequence, kept together for review.
// The one way claw reads a file it did not write in this process: open it once (never blocking on
// a FIFO, optionally refusing a symbolic link), check the OPENED descriptor with `fstat` (regular
// file, size cap, owner and mode), and only then read at most the cap. Checking the path first and
// reading it afterwards would check one file and read another (a link swapped in between, a link
// to /dev/zero or to a FIFO).
import { constants, type BigIntStats } from 'node:fs'
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { AuthProfilesError } from '../errors.js'
import { currentUid } from '../runtime.js'

/**
 * Who may own a file claw reads: anyone, the current user, or the current user or root (OpenSSH's
 * StrictModes rule for files that decide what runs).
 *
 * @public
 */
export type FileOwnerRule = 'any' | 'self' | 'self-or-root'

/**
 * What other users may do with a file claw reads: anything, nothing (`private`: no group or other
 * permission bit, like a 0600 secret file), or anything but write it (`not-writable`: no group or
 * other write bit, StrictModes).
 *
 * @public
 */
export type FileModeRule = 'any' | 'private' | 'not-writable'

/** Options of {@link readCheckedFile}. @public */
export interface ReadCheckedFileOptions {
  /** What the file is, capitalised, for messages: `Config file`, `Credential store`, … */
  readonly label: string
  /** Files larger than this are refused before a byte is read. */
  readonly maxBytes: number
  /** Follow a symbolic link at `path`. Default `false`: a link is refused. */
  readonly followSymlinks?: boolean
  /** Appended to the message that refuses a symbolic link (how to opt in, say). */
  readonly symlinkHint?: string
  /** Default `any`. */
  readonly owner?: FileOwnerRule
  /** Default `any`. */
  readonly mode?: FileModeRule
  /** Keep a leading byte order mark in `text` (default: dropped), to write the same bytes back. */
  readonly keepByteOrderMark?: boolean
}

/** What {@link readCheckedFile} read: the text and the `fstat` of the descriptor it came from. @public */
export interface CheckedFile {
  readonly text: string
  readonly stats: BigIntStats
}

/** `label` as it reads inside a sentence: `Credential store` → `credential store`. */
function lowerFirst(label: string): string {
  return `${label.charAt(0).toLowerCase()}${label.slice(1)}`
}

function errnoCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' ? code : 'unknown error'
}

/** `a FIFO`, `a directory`, … for messages about a file that is not a regular file. @internal */
export function fileKind(stats: {
  isFile(): boolean
  isDirectory(): boolean
  isFIFO(): boolean
  isSocket(): boolean
  isCharacterDevice(): boolean
  isBlockDevice(): boolean
  isSymbolicLink(): boolean
}): string {
  if (stats.isFile()) return 'a regular file'
  if (stats.isDirectory()) return 'a directory'
  if (stats.isFIFO()) return 'a FIFO'
  if (stats.isSocket()) return 'a socket'
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device'
  if (stats.isSymbolicLink()) return 'a symbolic link'
  return 'a special file'
}

/** `0644`-style text of a mode's permission bits. @internal */
export function octalMode(mode: number | bigint): string {
  return (Number(mode) & 0o777).toString(8).padStart(4, '0')
}

/**
 * Why a file with these stats breaks the owner and mode rules, or `undefined`. The reason names
 * the rule, never the file's content.
 *
 * @internal
 */
export function ownerModeProblem(
  path: string,
  stats: { readonly uid: number | bigint; readonly mode: number | bigint },
  owner: FileOwnerRule,
  mode: FileModeRule,
): string | undefined {
  const uid = currentUid()
  // No uids on this platform (Windows): nothing to compare.
  if (uid === undefined) return undefined
  const fileUid = Number(stats.uid)
  if (owner === 'self' && fileUid !== uid) {
    return `is owned by uid ${fileUid}, not by the current user (uid ${uid})`
  }
  if (owner === 'self-or-root' && fileUid !== uid && fileUid !== 0) {
    return `is owned by uid ${fileUid}, neither the current user (uid ${uid}) nor root`
  }
  const bits = Number(stats.mode)
  if (mode === 'private' && (bits & 0o077) !== 0) {
    return `has mode ${octalMode(bits)}, so other users can access it; run \`chmod 600 ${path}\``
  }
  if (mode === 'not-writable' && (bits & 0o022) !== 0) {
    return `has mode ${octalMode(bits)}, so other users can change it; run \`chmod go-w ${path}\``
  }
  return undefined
}

/**
 * The byte offset of the first byte that is not part of a valid UTF-8 sequence, or `undefined`
 * when all of `bytes` is valid UTF-8.
 *
 * @internal
 */
export function invalidUtf8Offset(bytes: Uint8Array): number | undefined {
  let index = 0
  while (index < bytes.length) {
    const first = bytes[index]!
    if (first < 0x80) {
      index += 1
      continue
    }
    let length: number
    let min: number
    if (first >= 0xc2 && first <= 0xdf) [length, min] = [2, 0x80]
    else if (first >= 0xe0 && first <= 0xef) [length, min] = [3, 0x800]
    else if (first >= 0xf0 && first <= 0xf4) [length, min] = [4, 0x10000]
    else return index
    if (index + length > bytes.length) return index
    let code = first & (0xff >> (length + 1))
    for (let next = 1; next < length; next += 1) {
      const byte = bytes[index + next]!
      if ((byte & 0xc0) !== 0x80) return index
      code = (code << 6) | (byte & 0x3f)
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (code < min || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return index
    index += length
  }
  return undefined
}

/**
 * Decodes strict UTF-8; invalid input is an `ERR_STORE_INVALID` naming the file and the byte
 * offset (never the bytes).
 *
 * @internal
 */
export function decodeUtf8(
  bytes: Uint8Array,
  label: string,
  path: string,
  keepByteOrderMark = false,
): string {
  const offset = invalidUtf8Offset(bytes)
  if (offset !== undefined) {
    const message = `not valid UTF-8 (byte offset ${offset})`
    throw new AuthProfilesError(
      'ERR_STORE_INVALID',
      `${label} ${path} is ${message}; it was left unchanged.`,
      { path, issues: [{ path: '(root)', message }] },
    )
  }
  return new TextDecoder('utf-8', { ignoreBOM: keepByteOrderMark }).decode(bytes)
}

async function openFile(
  path: string,
  options: ReadCheckedFileOptions,
): Promise<FileHandle | undefined> {
  const flags =
    constants.O_RDONLY | constants.O_NONBLOCK | (options.followSymlinks ? 0 : constants.O_NOFOLLOW)
  try {
    return await open(path, flags)
  } catch (error) {
    const code = errnoCode(error)
    if (code === 'ENOENT') return undefined
    if (code === 'ELOOP') {
      throw new AuthProfilesError(
        'ERR_STORE_SYMLINK',
        options.followSymlinks
          ? `${options.label} ${path} is a symbolic link loop.`
          : `${options.label} ${path} is a symbolic link; claw does not follow it. Replace it with the real file${options.symlinkHint ? `, ${options.symlinkHint}` : ''}.`,
        { path },
      )
    }
    throw new AuthProfilesError(
      'ERR_STORE_READ',
      `Could not open ${lowerFirst(options.label)} ${path} (${code}).`,
      { path, cause: error },
    )
  }
}

/** Type, size, owner and mode checks of the opened descriptor, before anything is read. */
function checkOpened(path: string, stats: BigIntStats, options: ReadCheckedFileOptions): void {
  if (!stats.isFile()) {
    throw new AuthProfilesError(
      'ERR_STORE_NOT_REGULAR_FILE',
      `${options.label} ${path} is not a regular file (found ${fileKind(stats)}); claw will not read it.`,
      { path },
    )
  }
  if (stats.size > BigInt(options.maxBytes)) {
    throw new AuthProfilesError(
      'ERR_STORE_TOO_LARGE',
      `${options.label} ${path} is ${stats.size} bytes, over the ${options.maxBytes}-byte limit; it was not read.`,
      { path },
    )
  }
  const problem = ownerModeProblem(path, stats, options.owner ?? 'any', options.mode ?? 'any')
  if (problem !== undefined) {
    throw new AuthProfilesError(
      'ERR_STORE_READ',
      `${options.label} ${path} ${problem}; claw refuses to use it.`,
      {
        path,
      },
    )
  }
}

/** A file {@link openCheckedFile} opened and checked: its handle (close it) and its `fstat`. @internal */
export interface OpenedCheckedFile {
  readonly handle: FileHandle
  readonly stats: BigIntStats
}

/**
 * Opens a file once (without blocking on a FIFO and, unless `followSymlinks`, refusing a symbolic
 * link) and checks the opened descriptor with `fstat` (a regular file, at most `maxBytes`, the owner
 * and mode rules) before the caller reads a byte; `undefined` when the file does not exist. For
 * readers of binary files (an SQLite database); text files use {@link readCheckedFile}.
 *
 * @throws {AuthProfilesError} as {@link readCheckedFile}, but never `ERR_STORE_INVALID`.
 * @internal
 */
export async function openCheckedFile(
  path: string,
  options: ReadCheckedFileOptions,
): Promise<OpenedCheckedFile | undefined> {
  const handle = await openFile(path, options)
  if (!handle) return undefined
  try {
    let stats: BigIntStats
    try {
      stats = await handle.stat({ bigint: true })
    } catch (error) {
      throw new AuthProfilesError(
        'ERR_STORE_READ',
        `Could not inspect ${lowerFirst(options.label)} ${path} (${errnoCode(error)}).`,
        { path, cause: error },
      )
    }
    checkOpened(path, stats, options)
    return { handle, stats }
  } catch (error) {
    await handle.close().catch(() => undefined)
    throw error
  }
}

/**
 * Reads a file the safe way: opened once (without blocking on a FIFO and, unless
 * `followSymlinks`, refusing a symbolic link), checked with `fstat` on the opened descriptor (a
 * regular file, at most `maxBytes`, owner and mode rules), then read (at most `maxBytes`, even if
 * the file grows meanwhile) and decoded as strict UTF-8. `undefined` when the file does not exist.
 * Every file claw reads goes through here: the credential store, the config, legacy stores, secret
 * files and other tools' credential files.
 *
 * @throws {AuthProfilesError} naming the file and the rule it broke, never its content:
 *   `ERR_STORE_SYMLINK`, `ERR_STORE_NOT_REGULAR_FILE`, `ERR_STORE_TOO_LARGE`, `ERR_STORE_READ`
 *   (owner or mode, or an I/O error), `ERR_STORE_INVALID` (not UTF-8: names the byte offset).
 * @example
 * ```ts
 * const file = await readCheckedFile('/home/me/.claw/claw.json', {
 *   label: 'Config file',
 *   maxBytes: 4 * 1024 * 1024,
 *   followSymlinks: true,
 * })
 * ```
 * @public
 */
export async function readCheckedFile(
  path: string,
  options: ReadCheckedFileOptions,
): Promise<CheckedFile | undefined> {
  const opened = await openCheckedFile(path, options)
  if (!opened) return undefined
  const { handle, stats } = opened
  // One byte more than the file claims, to notice a file that grows while it is read.
  const buffer = Buffer.alloc(Number(stats.size) + 1)
  try {
    let length = 0
    try {
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length)
        if (bytesRead === 0) break
        length += bytesRead
      }
    } catch (error) {
      throw new AuthProfilesError(
        'ERR_STORE_READ',
        `Could not read ${lowerFirst(options.label)} ${path} (${errnoCode(error)}).`,
        { path, cause: error },
      )
    }
    if (length > Number(stats.size)) {
      throw new AuthProfilesError(
        'ERR_STORE_READ',
        `${options.label} ${path} changed while it was read; try again.`,
        { path, retryable: true },
      )
    }
    const text = decodeUtf8(
      buffer.subarray(0, length),
      options.label,
      path,
      options.keepByteOrderMark,
    )
    return { text, stats }
  } finally {
    // The bytes may be secrets: wipe the copy this function made.
    buffer.fill(0)
    await handle.close().catch(() => undefined)
  }
}

/** Why a directory on the way to a trusted file breaks the StrictModes rule, or `undefined`. */
async function directoryProblem(dir: string): Promise<string | undefined> {
  let stats
  try {
    stats = await lstat(dir)
  } catch (error) {
    return `its directory ${dir} cannot be inspected (${errnoCode(error)})`
  }
  const owner = ownerModeProblem(dir, stats, 'self-or-root', 'any')
  if (owner !== undefined) return `its directory ${dir} ${owner}`
  // Others may write a sticky directory (/tmp) but cannot replace what they do not own in it.
  const sticky = (stats.mode & 0o1000) !== 0
  if (!sticky && (stats.mode & 0o022) !== 0) {
    return `its directory ${dir} has mode ${octalMode(stats.mode)}, so other users can replace what is in it; run \`chmod go-w ${dir}\``
  }
  return undefined
}

/** Every directory from `dir` up to the root. */
function ancestors(dir: string): string[] {
  const list = [dir]
  for (let current = dir; dirname(current) !== current; current = dirname(current)) {
    list.push(dirname(current))
  }
  return list
}

/**
 * Why `path` cannot be trusted to decide what claw runs, OpenSSH StrictModes style, or
 * `undefined` when it can: the file (after links) must be owned by the current user or root and
 * not writable by group or others, and so must every directory above it and above the link (a
 * sticky directory such as /tmp may be writable by others). `stats` are the file's own, from the
 * descriptor it was read through, when there is one. The reason names the file or directory and
 * the rule, and how to fix it.
 *
 * @public
 */
export async function strictModesProblem(
  path: string,
  stats?: { readonly uid: number | bigint; readonly mode: number | bigint },
): Promise<string | undefined> {
  let real: string
  let own: { readonly uid: number | bigint; readonly mode: number | bigint }
  try {
    real = await realpath(path)
    own = stats ?? (await lstat(real))
  } catch (error) {
    return `${path} cannot be inspected (${errnoCode(error)})`
  }
  const problem = ownerModeProblem(path, own, 'self-or-root', 'not-writable')
  if (problem !== undefined) return `${path} ${problem}`
  const dirs = new Set([...ancestors(dirname(real))])
  try {
    for (const dir of ancestors(await realpath(dirname(path)))) dirs.add(dir)
  } catch (error) {
    return `the directory of ${path} cannot be inspected (${errnoCode(error)})`
  }
  for (const dir of dirs) {
    const found = await directoryProblem(dir)
    if (found !== undefined) return `${path}: ${found}`
  }
  return undefined
}
