// OpenClaw 2026.4+ state dirs keep credentials in SQLite, which claw imports rather than reads in
// place. Doctor looks at claw's own state dir and at OpenClaw's ($OPENCLAW_STATE_DIR or
// ~/.openclaw), says what it found there and the command that imports it. Only reads.
import { join, resolve } from 'node:path'
import { isAuthProfilesError } from '@claw/auth-profiles'
import {
  importOpenClawState,
  OPENCLAW_STATE_DATABASE,
  readOpenClawState,
} from '@claw/auth-profiles/openclaw'
import { openClawStateDir } from '../commands/import-openclaw.js'
import { pathExists } from '../fs-exists.js'
import type { DoctorCheck, DoctorState, Finding } from './types.js'

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

function unreadable(dir: string, error: unknown): Finding {
  const message = error instanceof Error ? error.message : String(error)
  return {
    id: 'openclaw.unreadable',
    severity: 'warning',
    message: `OpenClaw state dir ${dir} could not be read: ${message}`,
    file: join(dir, OPENCLAW_STATE_DATABASE),
  }
}

/** claw's state dir is itself an OpenClaw dir: claw finds no credentials there. */
async function stateDirFinding(dir: string): Promise<Finding> {
  try {
    const found = await readOpenClawState({ stateDir: dir })
    const counts = found.agents.map(
      (agent) => `${agent.agentId} ${Object.keys(agent.store.profiles).length}`,
    )
    return {
      id: 'openclaw.state_dir',
      severity: 'warning',
      message: `This state dir is an OpenClaw ${found.appVersion ?? ''} dir: its profiles (${counts.join(', ')}) are in SQLite, which claw imports but does not read in place.`,
      file: join(dir, OPENCLAW_STATE_DATABASE),
      fix: `Import them into a claw state dir of their own: CLAW_STATE_DIR=~/.claw claw import --from openclaw ${dir}`,
    }
  } catch (error) {
    return unreadable(dir, error)
  }
}

/** An OpenClaw dir next to claw's: what an import would bring over. */
async function otherDirFinding(state: DoctorState, dir: string): Promise<Finding | undefined> {
  const { context } = state
  try {
    const plan = await importOpenClawState({
      stateDir: dir,
      target: (agentId) => context.storeTarget(agentId),
      dryRun: true,
      env: context.env,
    })
    const pending = plan.agents.reduce((sum, agent) => sum + agent.imported.length, 0)
    const version = plan.appVersion ?? ''
    if (pending === 0) {
      return {
        id: 'openclaw.imported',
        severity: 'info',
        message: `OpenClaw ${version} state dir ${dir}: every profile is already in claw.`,
      }
    }
    const perAgent = plan.agents
      .filter((agent) => agent.imported.length > 0)
      .map((agent) => `${agent.agentId}: ${agent.imported.length}`)
    return {
      id: 'openclaw.found',
      severity: 'info',
      message: `OpenClaw ${version} state dir ${dir} has ${plural(pending, 'profile')} claw does not have yet (${perAgent.join(', ')}), with their order and usage state.`,
      file: join(dir, OPENCLAW_STATE_DATABASE),
      fix: `Stop OpenClaw, then: claw import --from openclaw ${dir} (add --dry-run to see each decision first).`,
    }
  } catch (error) {
    if (isAuthProfilesError(error) && error.code === 'ERR_NO_CREDENTIALS') return undefined
    return unreadable(dir, error)
  }
}

export const openClawCheck: DoctorCheck = {
  area: 'openclaw',
  title: 'OpenClaw',
  okMessage: 'No OpenClaw state dir to import.',
  async run(state) {
    const findings: Finding[] = []
    const own = resolve(state.stateDir)
    if (await pathExists(join(own, OPENCLAW_STATE_DATABASE))) {
      findings.push(await stateDirFinding(own))
    }
    const other = openClawStateDir(state.context, undefined)
    if (other !== own && (await pathExists(join(other, OPENCLAW_STATE_DATABASE)))) {
      const finding = await otherDirFinding(state, other)
      if (finding) findings.push(finding)
    }
    return findings
  },
}
