// Legacy credential files: an agent dir's `auth.json` and `<state>/credentials/oauth.json`. When
// no `auth-profiles.json` exists yet, `--fix` imports them through the library's migration (which
// removes `auth.json` once the store is written; `oauth.json` is kept).
import { join } from 'node:path'
import {
  DEFAULT_AGENT_ID,
  LEGACY_AUTH_FILENAME,
  migrateLegacyAuthStore,
  resolveLegacyOAuthPath,
} from '@claw/auth-profiles'
import { pathExists } from '../fs-exists.js'
import { agentSuffix } from './state.js'
import type { AgentState, DoctorCheck, DoctorState, Finding, Repair } from './types.js'

function migration(state: DoctorState, agent: AgentState, oauthPath: string): Repair {
  return {
    kind: 'safe',
    async apply() {
      // An earlier repair (the other legacy file) may have migrated already.
      if (await pathExists(agent.storePath)) return []
      const authJson = join(agent.agentDir, LEGACY_AUTH_FILENAME)
      const hadAuthJson = await pathExists(authJson)
      const written = await migrateLegacyAuthStore({
        agentDir: agent.agentDir,
        mainAgentDir: null,
        // Main imports the state dir's oauth.json even when its dir is configured elsewhere;
        // sub-agents keep the library's default.
        ...(agent.agentId === DEFAULT_AGENT_ID ? { legacyOAuthPath: oauthPath } : {}),
        env: state.context.env,
      })
      if (!written) {
        throw new Error(
          `nothing could be imported from the legacy files of ${agent.agentDir} (not in a known format)`,
        )
      }
      const lines = [`Imported legacy credentials into ${agent.storePath}`]
      if (hadAuthJson && !(await pathExists(authJson))) lines.push(`Removed ${authJson}`)
      return lines
    },
  }
}

export const legacyCheck: DoctorCheck = {
  area: 'legacy',
  title: 'Legacy files',
  okMessage: 'No legacy credential files to import.',
  async run(state) {
    const findings: Finding[] = []
    const oauthPath = resolveLegacyOAuthPath({
      stateDir: state.stateDir,
      env: state.context.env,
      homeDir: state.context.io.homeDir,
    })
    for (const agent of state.agents) {
      const authJson = join(agent.agentDir, LEGACY_AUTH_FILENAME)
      if (!(await pathExists(authJson))) continue
      if (!agent.storeExists) {
        findings.push({
          id: 'legacy.auth_json',
          severity: 'warning',
          message: `Legacy ${authJson}${agentSuffix(agent.agentId)} has not been migrated to auth-profiles.json.`,
          agentId: agent.agentId,
          file: authJson,
          fix: 'claw doctor --fix imports it (and removes auth.json once auth-profiles.json is written).',
          repair: migration(state, agent, oauthPath),
        })
      } else {
        findings.push({
          id: 'legacy.auth_json_leftover',
          severity: 'warning',
          message: `Leftover legacy ${authJson}${agentSuffix(agent.agentId)}: auth-profiles.json takes precedence, and this file may hold plaintext secrets.`,
          agentId: agent.agentId,
          file: authJson,
          fix: 'Check that its profiles are listed by `claw models auth list`, then delete it.',
        })
      }
    }
    if (await pathExists(oauthPath)) {
      const main = state.agents.find((agent) => agent.agentId === DEFAULT_AGENT_ID)
      if (main && !main.storeExists && !main.storeError) {
        findings.push({
          id: 'legacy.oauth_json',
          severity: 'warning',
          message: `Legacy ${oauthPath} has not been imported into ${main.storePath}.`,
          agentId: main.agentId,
          file: oauthPath,
          fix: 'claw doctor --fix imports it (the file is kept).',
          repair: migration(state, main, oauthPath),
        })
      } else if (main?.storeExists) {
        findings.push({
          id: 'legacy.oauth_json_present',
          severity: 'info',
          message: `Legacy ${oauthPath} is still present; auth-profiles.json takes precedence over it.`,
          file: oauthPath,
          fix: 'Delete it once `claw models auth list` shows its OAuth profiles.',
        })
      }
    }
    return findings
  },
}
