import { lstatSync } from 'node:fs'
import { lstat } from 'node:fs/promises'

/** Whether anything (file, dir, symlink, even a dangling one) exists at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

/** {@link pathExists}, synchronously (for start-up paths that read small files). */
export function pathExistsSync(path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}
