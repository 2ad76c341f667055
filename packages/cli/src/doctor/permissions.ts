// File and directory permissions: credential files should be 0600 and their directories 0700.
// Wider modes let other users read secrets; `--fix` narrows them with chmod.
import { chmod, lstat } from 'node:fs/promises'
import { join } from 'node:path'
import { LEGACY_AUTH_FILENAME, resolveLegacyOAuthPath } from '@claw/auth-profiles'
import type { DoctorCheck, DoctorState, Finding } from './types.js'

interface Target {
  readonly path: string
  readonly kind: 'file' | 'dir'
}

function targets(state: DoctorState): Target[] {
  const list: Target[] = [
    { path: state.stateDir, kind: 'dir' },
    { path: state.configPath, kind: 'file' },
    { path: `${state.configPath}.bak`, kind: 'file' },
  ]
  const oauthPath = resolveLegacyOAuthPath({
    stateDir: state.stateDir,
    env: state.context.env,
    homeDir: state.context.io.homeDir,
  })
  list.push({ path: join(oauthPath, '..'), kind: 'dir' }, { path: oauthPath, kind: 'file' })
  for (const agent of state.agents) {
    list.push(
      { path: agent.agentDir, kind: 'dir' },
      { path: agent.storePath, kind: 'file' },
      { path: join(agent.agentDir, LEGACY_AUTH_FILENAME), kind: 'file' },
      { path: join(agent.agentDir, 'models.json'), kind: 'file' },
    )
  }
  const seen = new Set<string>()
  return list.filter((target) => !seen.has(target.path) && seen.add(target.path))
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0')
}

export const permissionsCheck: DoctorCheck = {
  area: 'permissions',
  title: 'File permissions',
  okMessage: 'Credential files are 0600 and their directories 0700.',
  async run(state) {
    const findings: Finding[] = []
    for (const target of targets(state)) {
      let stats
      try {
        stats = await lstat(target.path)
      } catch {
        continue
      }
      // chmod follows links; a linked store is reported by the store check instead.
      if (stats.isSymbolicLink()) continue
      if (target.kind === 'dir' ? !stats.isDirectory() : !stats.isFile()) continue
      if ((stats.mode & 0o077) === 0) continue
      const wanted = target.kind === 'dir' ? 0o700 : 0o600
      const wantedText = octal(wanted)
      findings.push({
        id: target.kind === 'dir' ? 'permissions.dir' : 'permissions.file',
        severity: 'warning',
        message: `${target.path} is mode ${octal(stats.mode)}; other users can ${target.kind === 'dir' ? 'list or enter it' : 'read it'} (should be ${wantedText}).`,
        file: target.path,
        fix: `chmod ${wantedText.slice(1)} ${target.path}`,
        repair: {
          kind: 'safe',
          async apply() {
            try {
              await chmod(target.path, wanted)
            } catch (error) {
              // Moved away by an earlier repair (a migrated legacy file): nothing to do.
              if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
              throw error
            }
            return [`chmod ${wantedText.slice(1)} ${target.path} (was ${octal(stats.mode)})`]
          },
        },
      })
    }
    return findings
  },
}
