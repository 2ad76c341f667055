// Shared by the `claw doctor` tests: its `--json` document with the sandbox's temp state dir
// written as `<state>` (stable goldens), and a fingerprint of the state dir for "nothing changed".
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parseJsonOutput, type ClawResult, type ClawSandbox } from './claw.ts'

export interface DoctorJson {
  alerts: unknown
  schemaVersion: number
  stateDir: string
  configPath: string
  findings: {
    id: string
    area: string
    severity: string
    message: string
    fix?: string
    agentId?: string
    profileId?: string
    file?: string
    repair?: string
  }[]
  fixed: string[]
  summary: { errors: number; warnings: number; infos: number }
}

/** Runs `claw doctor --json …` in the sandbox; the document has `<state>` for its state dir. */
export async function doctorJson(
  sandbox: ClawSandbox,
  args: string[] = [],
  env?: Record<string, string>,
): Promise<{ result: ClawResult; json: DoctorJson }> {
  const result = await sandbox.run(['doctor', '--json', ...args], env ? { env } : {})
  const text = JSON.stringify(parseJsonOutput<DoctorJson>(result))
  return { result, json: JSON.parse(text.split(sandbox.stateDir).join('<state>')) as DoctorJson }
}

/** Findings other than the always-present notes, as their ids. */
export function ids(json: DoctorJson): string[] {
  return json.findings.map((finding) => finding.id).filter((id) => id !== 'config.absent')
}

/** A fingerprint of every file and dir under the state dir: path, mode and content. */
export function hashStateDir(sandbox: ClawSandbox): string {
  const hash = createHash('sha256')
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name)
      const stats = statSync(path)
      hash.update(`${relative(sandbox.stateDir, path)}:${stats.mode}\n`)
      if (entry.isDirectory()) walk(path)
      else hash.update(readFileSync(path))
    }
  }
  hash.update(`state:${statSync(sandbox.stateDir).mode}\n`)
  walk(sandbox.stateDir)
  return hash.digest('hex')
}

/** The permission bits of a file or dir. */
export const mode = (path: string): number => statSync(path).mode & 0o777

export const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
