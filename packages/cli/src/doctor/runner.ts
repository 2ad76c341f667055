// Runs the checks, applies repairs under `--fix` (asking for `confirm` repairs unless `--yes`),
// then checks again so the report shows what remains.
import { alertsJson, type AlertsJson } from '../credential-alerts-json.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'
import type { Context } from '../context.js'
import { DOCTOR_CHECKS } from './checks.js'
import { gatherDoctorState } from './state.js'
import type { AreaReport, DoctorCheck, Finding } from './types.js'

export interface DoctorOptions {
  /** Apply safe repairs. */
  readonly fix: boolean
  /** Also apply `confirm` repairs without asking. */
  readonly yes: boolean
  /** Answers `confirm` questions; undefined when no one can be asked. */
  readonly confirm?: (question: string) => Promise<boolean>
  readonly checks?: readonly DoctorCheck[]
}

export interface DoctorReport {
  readonly stateDir: string
  readonly configPath: string
  readonly areas: readonly AreaReport[]
  /** One line per change made by `--fix`. */
  readonly fixed: readonly string[]
  /** `confirm` repairs that were not applied (their prompts). */
  readonly declined: readonly string[]
  readonly exitCode: ExitCode
  /** What needs an operator in the agents' stores (after the repairs, with `--fix`). */
  readonly alerts: AlertsJson
}

/** Finding ids that mean "a file is unparseable" (exit 78). */
const INVALID_STATE_IDS = new Set(['config.invalid', 'store.invalid', 'redis.fleet_empty'])

async function runChecks(
  context: Context,
  checks: readonly DoctorCheck[],
): Promise<{ stateDir: string; configPath: string; areas: AreaReport[]; alerts: AlertsJson }> {
  const state = await gatherDoctorState(context)
  const areas: AreaReport[] = []
  for (const check of checks) {
    areas.push({
      area: check.area,
      title: check.title,
      okMessage: check.okMessage,
      findings: await check.run(state),
    })
  }
  return {
    stateDir: state.stateDir,
    configPath: state.configPath,
    areas,
    alerts: alertsJson(state.agents, state.now),
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message
}

/** The exit code for what remains: 78 unparseable files, 1 errors, else 0. */
export function doctorExitCode(areas: readonly AreaReport[]): ExitCode {
  const findings = areas.flatMap((area) => area.findings)
  if (findings.some((finding) => INVALID_STATE_IDS.has(finding.id))) return EXIT_CODES.invalidState
  if (findings.some((finding) => finding.severity === 'error')) return EXIT_CODES.error
  return EXIT_CODES.ok
}

export async function runDoctor(context: Context, options: DoctorOptions): Promise<DoctorReport> {
  const checks = options.checks ?? DOCTOR_CHECKS
  const first = await runChecks(context, checks)
  if (!options.fix) {
    return { ...first, fixed: [], declined: [], exitCode: doctorExitCode(first.areas) }
  }
  const fixed: string[] = []
  const declined = new Set<string>()
  const answers = new Map<string, boolean>()
  const failures = new Map<string, Finding[]>()
  for (const area of first.areas) {
    for (const finding of area.findings) {
      const repair = finding.repair
      if (!repair) continue
      if (repair.kind === 'confirm' && !options.yes) {
        const question = repair.prompt ?? 'Apply this repair?'
        let accepted = answers.get(question)
        if (accepted === undefined) {
          accepted = options.confirm ? await options.confirm(question) : false
          answers.set(question, accepted)
        }
        if (!accepted) {
          declined.add(question)
          continue
        }
      }
      try {
        fixed.push(...(await repair.apply()))
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        const list = failures.get(area.area) ?? []
        list.push({
          id: 'fix.failed',
          severity: 'warning',
          message: `Could not repair "${firstLine(finding.message)}": ${reason}`,
          ...(finding.agentId ? { agentId: finding.agentId } : {}),
          ...(finding.profileId ? { profileId: finding.profileId } : {}),
          ...(finding.file ? { file: finding.file } : {}),
        })
        failures.set(area.area, list)
      }
    }
  }
  const second = await runChecks(context, checks)
  const areas = second.areas.map((area) => ({
    ...area,
    findings: [...area.findings, ...(failures.get(area.area) ?? [])],
  }))
  return {
    stateDir: second.stateDir,
    configPath: second.configPath,
    areas,
    fixed,
    declined: [...declined],
    exitCode: doctorExitCode(areas),
    alerts: second.alerts,
  }
}
