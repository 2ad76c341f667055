// Lock paths: claw's locks are directories (`<file>.lock`). Anything else there — a regular file
// left by a tool or a mistake — makes every write to that file fail, so it is reported, and
// `--fix` offers to remove it (after a confirmation: it deletes a file claw did not create).
import { lstat, readdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { DoctorCheck, DoctorState, Finding } from './types.js'

/** The lock paths claw uses for this state dir: the config's, each store's, the refresh locks'. */
async function lockPaths(state: DoctorState): Promise<string[]> {
  const paths = [
    `${state.configPath}.lock`,
    ...state.agents.map((agent) => `${agent.storePath}.lock`),
  ]
  const refreshLocks = join(state.stateDir, 'locks', 'oauth-refresh')
  try {
    for (const name of await readdir(refreshLocks)) {
      if (name.endsWith('.lock')) paths.push(join(refreshLocks, name))
    }
  } catch {
    // No refresh locks yet.
  }
  return [...new Set(paths)]
}

const PROMPT = 'Remove the files that sit where claw puts its locks?'

export const locksCheck: DoctorCheck = {
  area: 'locks',
  title: 'Lock paths',
  okMessage: 'Nothing blocks claw’s lock paths.',
  async run(state) {
    const findings: Finding[] = []
    for (const path of await lockPaths(state)) {
      let stats
      try {
        stats = await lstat(path)
      } catch {
        continue
      }
      if (stats.isDirectory()) continue
      findings.push({
        id: 'locks.not_a_directory',
        severity: 'error',
        message: `${path} is not a lock directory (found a ${stats.isSymbolicLink() ? 'symbolic link' : stats.isFile() ? 'regular file' : 'special file'}); every write that needs this lock fails until it is removed.`,
        file: path,
        fix: `rm ${path}`,
        repair: {
          kind: 'confirm',
          prompt: PROMPT,
          async apply() {
            const current = await lstat(path).catch(() => undefined)
            if (!current || current.isDirectory()) return []
            await unlink(path)
            return [`removed ${path} (it blocked a lock)`]
          },
        },
      })
    }
    return findings
  },
}
