// Config file: parse and validation errors (exit 78), reported as a finding so the checks that do
// not need the config still run.
import type { DoctorCheck, Finding } from './types.js'

export const configCheck: DoctorCheck = {
  area: 'config',
  title: 'Config file',
  okMessage: 'The config file is valid.',
  run(state) {
    const findings: Finding[] = []
    if (state.configError) {
      findings.push({
        id: 'config.invalid',
        severity: 'error',
        message: state.configError.message,
        file: state.configPath,
        fix: `Repair the file (or restore ${state.configPath}.bak if it exists); the checks that need the config were skipped.`,
      })
    } else if (!state.configExists) {
      findings.push({
        id: 'config.absent',
        severity: 'info',
        message: `No config file at ${state.configPath}; defaults apply.`,
        file: state.configPath,
      })
    }
    return findings
  },
}
