// Credential stores: every agent's auth-profiles.json must parse (exit 78 otherwise); entries the
// loader had to drop are reported as warnings.
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
        findings.push({
          id: 'store.dropped_entry',
          severity: 'warning',
          message: `${agent.storePath} ${diagnostic.path}${agentSuffix(agent.agentId)}: ${diagnostic.message}`,
          agentId: agent.agentId,
          file: agent.storePath,
        })
      }
    }
    return findings
  },
}
