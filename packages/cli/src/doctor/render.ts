// Human and JSON output of `claw doctor`.
import type { Output } from '../io.js'
import { escapeControl } from '../text.js'
import type { DoctorReport } from './runner.js'
import type { Finding, Severity } from './types.js'

/** Counts of the remaining findings by severity. */
export function summarize(report: DoctorReport): {
  errors: number
  warnings: number
  infos: number
} {
  const findings = report.areas.flatMap((area) => area.findings)
  const count = (severity: Severity): number =>
    findings.filter((finding) => finding.severity === severity).length
  return { errors: count('error'), warnings: count('warning'), infos: count('info') }
}

/** A finding as JSON: no repair closure, `repair` says whether `--fix` can handle it. */
function findingJson(area: string, finding: Finding): Record<string, unknown> {
  return {
    id: finding.id,
    area,
    severity: finding.severity,
    message: finding.message,
    ...(finding.fix === undefined ? {} : { fix: finding.fix }),
    ...(finding.agentId === undefined ? {} : { agentId: finding.agentId }),
    ...(finding.profileId === undefined ? {} : { profileId: finding.profileId }),
    ...(finding.file === undefined ? {} : { file: finding.file }),
    ...(finding.repair === undefined ? {} : { repair: finding.repair.kind }),
  }
}

/** `--json`: `{ schemaVersion, stateDir, configPath, findings, fixed, summary, alerts }`. */
export function renderDoctorJson(out: Output, report: DoctorReport): void {
  out.json({
    stateDir: report.stateDir,
    configPath: report.configPath,
    findings: report.areas.flatMap((area) =>
      area.findings.map((finding) => findingJson(area.area, finding)),
    ),
    fixed: report.fixed,
    summary: summarize(report),
    alerts: report.alerts,
  })
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

/** The grouped, human-readable report (✓/!/✗ with colour on a TTY, ASCII tags otherwise). */
export function renderDoctorHuman(
  out: Output,
  report: DoctorReport,
  options: { readonly fix: boolean },
): void {
  const { styles } = out
  const marker = {
    ok: styles.enabled ? styles.green('✓') : '[ok]',
    error: styles.enabled ? styles.red('✗') : '[error]',
    warning: styles.enabled ? styles.yellow('!') : '[warn]',
    info: styles.enabled ? styles.cyan('i') : '[info]',
  }
  const lines: string[] = [
    styles.bold('claw doctor'),
    `State dir: ${escapeControl(report.stateDir, { singleLine: true })}`,
    `Config:    ${escapeControl(report.configPath, { singleLine: true })}`,
  ]
  let repairable = { safe: 0, confirm: 0 }
  for (const area of report.areas) {
    lines.push('', styles.bold(area.title))
    if (area.findings.length === 0) {
      lines.push(`  ${marker.ok} ${area.okMessage}`)
      continue
    }
    for (const finding of area.findings) {
      const [head = '', ...rest] = escapeControl(finding.message).split('\n')
      lines.push(`  ${marker[finding.severity]} ${head}`, ...rest.map((line) => `      ${line}`))
      if (finding.fix)
        lines.push(
          `      ${styles.dim(`fix: ${escapeControl(finding.fix, { singleLine: true })}`)}`,
        )
      if (finding.repair) {
        repairable = { ...repairable, [finding.repair.kind]: repairable[finding.repair.kind] + 1 }
      }
    }
  }
  if (options.fix) {
    lines.push('', styles.bold('Changes'))
    if (report.fixed.length === 0) lines.push('  No changes.')
    else
      lines.push(...report.fixed.map((line) => `  - ${escapeControl(line, { singleLine: true })}`))
    for (const question of report.declined) {
      lines.push(`  Skipped: ${question} (answer yes, or pass --yes)`)
    }
  }
  const summary = summarize(report)
  lines.push(
    '',
    `Summary: ${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}, ${plural(summary.infos, 'note')}.`,
  )
  if (!options.fix && repairable.safe + repairable.confirm > 0) {
    const parts = [
      ...(repairable.safe > 0 ? [`\`claw doctor --fix\` repairs ${repairable.safe}`] : []),
      ...(repairable.confirm > 0
        ? [`\`claw doctor --fix --yes\` also ${repairable.confirm} more`]
        : []),
    ]
    lines.push(`${parts.join('; ')}.`)
  }
  out.line(...lines)
}
