// Credential stores: every agent's auth-profiles.json must parse (exit 78 otherwise); entries the
// store keeps but cannot use (an unknown credential type, an id claw refuses, malformed routing
// entries) and a store written by a newer format are reported as warnings.
import { agentSuffix } from './state.js'
import type { DoctorCheck, Finding } from './types.js'

export const storesCheck: DoctorCheck = {
  area: 'stores',
  title: 'Credential stores',
  okMessage: 'Every credential store parses.',
  run(state) {
    const findings: Finding[] = []
    for (const agent of state.agents) {
      // An empty fleet is the Redis check's finding (its fix is not a file repair).
      if (agent.storeError?.code === 'ERR_FLEET_EMPTY') continue
      if (agent.locationProblem) {
        findings.push({
          id: 'store.outside_state_dir',
          severity: 'error',
          message: `Agent ${agent.agentId}: ${agent.locationProblem}.`,
          agentId: agent.agentId,
          file: agent.agentDir,
          fix: 'Replace the link with a real directory, or configure agents.list[].agentDir.',
        })
        continue
      }
      if (agent.storeError) {
        findings.push({
          id: 'store.invalid',
          severity: 'error',
          message: agent.storeError.message,
          agentId: agent.agentId,
          file: agent.storePath,
          fix: 'Repair the file or restore a backup; claw does not write to it until then.',
        })
        continue
      }
      for (const diagnostic of agent.diagnostics) {
        const ignored = diagnostic.code.startsWith('ignored_')
        findings.push({
          id: ignored ? 'store.ignored_entry' : `store.${diagnostic.code}`,
          severity: 'warning',
          message: `${agent.storePath} ${diagnostic.path}${agentSuffix(agent.agentId)}: ${diagnostic.message}`,
          agentId: agent.agentId,
          file: agent.storePath,
          ...(ignored
            ? {
                fix: 'Nothing is lost: claw writes the entry back as it is. Edit the file to repair or remove it.',
              }
            : {}),
        })
      }
    }
    return findings
  },
}
