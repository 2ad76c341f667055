// The help texts: `claw --help` (commands grouped by area), `claw <group> --help`, and
// `claw <command> --help`. Loaded only when help is asked for.
import { COMMON_OPTIONS, type CommandSpec, type OptionSpec } from './command.js'
import { COMMAND_FAMILIES, COMMAND_GROUPS, COMMANDS, type CommandEntry } from './registry.js'

/** Names longer than this get their own line, with the description on the next one. */
const MAX_NAME_COLUMN = 32

/**
 * Two-column lines: names padded to the longest name (at most {@link MAX_NAME_COLUMN}), so a long
 * flag never runs into its description; a longer name puts its description on the next line.
 */
export function twoColumns(
  rows: readonly (readonly [string, string])[],
  width: number = columnWidth(rows),
): string[] {
  const indent = '  '
  return rows.flatMap(([name, description]) =>
    name.length + 2 <= width
      ? [`${indent}${name.padEnd(width)}${description}`.trimEnd()]
      : [`${indent}${name}`, `${indent}${' '.repeat(width)}${description}`],
  )
}

/** The name column's width for these rows (names plus two spaces, capped). */
function columnWidth(rows: readonly (readonly [string, string])[]): number {
  return Math.min(MAX_NAME_COLUMN, Math.max(0, ...rows.map(([name]) => name.length))) + 2
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.every((word, index) => path[index] === word)
}

/**
 * The rows for a list of commands. At the root, families (`models aliases list|add|remove`)
 * take one row.
 */
function commandRows(
  entries: readonly CommandEntry[],
  collapse: boolean,
): (readonly [string, string])[] {
  const rows: (readonly [string, string])[] = []
  const seen = new Set<string>()
  for (const entry of entries) {
    const family = entry.path.slice(0, -1).join(' ')
    const summary = collapse ? COMMAND_FAMILIES[family] : undefined
    if (summary === undefined) {
      rows.push([entry.path.join(' '), entry.summary])
      continue
    }
    if (seen.has(family)) continue
    seen.add(family)
    const actions = entries
      .filter((other) => other.path.slice(0, -1).join(' ') === family)
      .map((other) => other.path.at(-1)!)
    rows.push([`${family} ${actions.join('|')}`, summary])
  }
  return rows
}

/** Help for `claw`, `claw models`, `claw models auth`, …: the commands under that prefix. */
export function groupHelp(prefix: readonly string[]): string {
  const entries = COMMANDS.filter((entry) => startsWith(entry.path, prefix))
  const root = prefix.length === 0
  const groups = COMMAND_GROUPS.map((group) => ({
    title: group.title,
    rows: commandRows(
      entries.filter((entry) => entry.group === group.id),
      root,
    ),
  })).filter((group) => group.rows.length > 0)
  // One name column for every section, so the descriptions line up down the page.
  const width = columnWidth(groups.flatMap((group) => group.rows))
  const sections =
    groups.length > 1
      ? groups.flatMap((group, index) => [
          ...(index > 0 ? [''] : []),
          `${group.title}:`,
          ...twoColumns(group.rows, width),
        ])
      : ['Commands:', ...twoColumns(commandRows(entries, root), width)]
  const lines = [
    `Usage: claw ${[...prefix, '<command>'].join(' ')} [options]`,
    '',
    ...(root ? ['Credentials, model catalog and failover for LLM agents.', ''] : []),
    ...sections,
    '',
    'Global options:',
    ...twoColumns([
      ['-h, --help', 'Help for any command (claw <command> --help)'],
      ['-v, --version', 'Print the version'],
    ]),
    '',
    'Environment: CLAW_STATE_DIR (default ~/.claw), CLAW_CONFIG_PATH, NO_COLOR.',
  ]
  return lines.join('\n')
}

function flagName(name: string, option: OptionSpec): string {
  return `${option.short ? `-${option.short}, ` : ''}--${name}${option.value ? ` <${option.value}>` : ''}`
}

/** The `--help` text of a command. */
export function formatCommandHelp(path: readonly string[], spec: CommandSpec): string {
  const args = (spec.positionals ?? []).map((positional) => {
    const name = `${positional.name}${positional.variadic ? '…' : ''}`
    return positional.required ? `<${name}>` : `[${name}]`
  })
  const lines = [`Usage: claw ${[...path, ...args].join(' ')} [options]`, '', spec.summary]
  if (spec.description) lines.push('', spec.description)
  if (spec.positionals?.length) {
    lines.push(
      '',
      'Arguments:',
      ...twoColumns(
        spec.positionals.map((positional) => [positional.name, positional.description]),
      ),
    )
  }
  const options = { ...spec.options, ...COMMON_OPTIONS }
  lines.push(
    '',
    'Options:',
    ...twoColumns(
      Object.entries(options).map(([name, option]) => [
        flagName(name, option),
        `${option.description}${option.multiple ? ' (repeatable)' : ''}`,
      ]),
    ),
  )
  if (spec.examples?.length) {
    lines.push('', 'Examples:', ...spec.examples.map((example) => `  ${example}`))
  }
  return lines.join('\n')
}
