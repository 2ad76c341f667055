// The fs safety checks of a source file (regular file, size cap, no FIFO blocking) and its strict
// JSON parse, whose errors never quote the content.
import type { BigIntStats } from 'node:fs'
import { findUnsafeKeys } from '@claw/model-catalog'
import { readCheckedFile, type CheckedFile } from '../../store/checked-file.js'
import { AuthProfilesError, formatIssues, type AuthProfilesIssue } from '../../errors.js'

/** Source files larger than this (1 MiB) are refused before they are read. @public */
export const MAX_EXTERNAL_CREDENTIALS_BYTES = 1024 * 1024

export function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error'
}

export function signatureOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}`
}

/**
 * Reads a source file through the shared checked read: never blocking on a FIFO, checked with
 * `fstat` on the opened descriptor (a regular file under the size cap) before anything is read.
 * Symlinks are followed (dotfile managers link these files). `undefined` when the file does not
 * exist. A file claw refuses is an `ERR_INVALID_ARGUMENT` naming it.
 */
export async function readSourceFileText(
  path: string,
  label: string,
): Promise<CheckedFile | undefined> {
  try {
    return await readCheckedFile(path, {
      label: `The ${label} credentials file`,
      maxBytes: MAX_EXTERNAL_CREDENTIALS_BYTES,
      followSymlinks: true,
    })
  } catch (error) {
    if (!AuthProfilesError.isInstance(error)) throw error
    const errno = (error.cause as NodeJS.ErrnoException | undefined)?.code
    if (errno === 'ENOTDIR') return undefined
    if (error.code === 'ERR_STORE_READ') throw error
    throw new AuthProfilesError('ERR_INVALID_ARGUMENT', error.message, {
      ...(error.path === undefined ? {} : { path: error.path }),
      issues: error.issues,
    })
  }
}

export function invalidFile(
  label: string,
  path: string,
  issues: readonly AuthProfilesIssue[],
): AuthProfilesError {
  return new AuthProfilesError(
    'ERR_INVALID_ARGUMENT',
    `Invalid ${label} credentials file ${path}:\n${formatIssues(issues)}\nThe file was not changed.`,
    { path, issues },
  )
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset)
  return `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`
}

/**
 * `JSON.parse` whose errors never carry the text: V8 quotes a snippet of the input (possibly a
 * secret) in its messages, so only the position is kept and the original error is dropped.
 */
export function parseSourceJson(text: string, path: string, label: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text) as unknown
  } catch (error) {
    const message = error instanceof Error ? error.message : ''
    const position = /position (\d+)/.exec(message)?.[1]
    const where =
      position !== undefined
        ? lineAndColumn(text, Number(position))
        : /end of JSON input/.test(message)
          ? 'the end of the file (truncated?)'
          : 'an unknown position'
    throw invalidFile(label, path, [
      { path: '(root)', message: `not valid JSON (syntax error at ${where})` },
    ])
  }
  const unsafe = findUnsafeKeys(value)
  if (unsafe.length > 0) throw invalidFile(label, path, unsafe)
  return value
}
