// Config file: parse and validation errors (exit 78), reported as a finding so the checks that do
// not need the config still run; and exec secret providers whose command claw would refuse to run
// (another user owns it or can change it, a symlink, not executable).
import { checkSecretExecCommand } from '@claw/auth-profiles/secret-refs'
import { safe } from '../text.js'
import type { DoctorCheck, DoctorState, Finding } from './types.js'

async function execCommandFindings(state: DoctorState): Promise<Finding[]> {
  const findings: Finding[] = []
  for (const [alias, provider] of Object.entries(state.config?.secrets?.providers ?? {})) {
    if (provider.source !== 'exec') continue
    const problem = await checkSecretExecCommand(provider)
    if (problem === undefined) continue
    findings.push({
      id: 'config.exec_command',
      severity: 'error',
      message: `secrets.providers.${safe(alias)}: ${safe(problem)}.`,
      file: state.configPath,
      fix: 'Fix the command or its permissions; SecretRefs of this provider stay unresolved until then.',
    })
  }
  return findings
}

export const configCheck: DoctorCheck = {
  area: 'config',
  title: 'Config file',
  okMessage: 'The config file is valid.',
  async run(state) {
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
    findings.push(...(await execCommandFindings(state)))
    return findings
  },
}
