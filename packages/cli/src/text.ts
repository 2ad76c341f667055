// Text helpers for terminal output: escaping what must not reach a terminal raw, colours that
// honour NO_COLOR and TTY detection, and fixed-width tables.

// C0/C1 controls, DEL, and the bidi overrides/isolates that can reorder what a terminal shows.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * Makes a value from a file or the network safe to print: control characters (including ESC, so
 * no terminal escape sequences) and bidi overrides become `\u{…}` escapes. Newlines and tabs are
 * escaped too when `singleLine` (ids, labels) is set.
 */
export function escapeControl(value: string, options: { singleLine?: boolean } = {}): string {
  const escaped = value.replace(UNSAFE, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`)
  return options.singleLine
    ? escaped.replace(/[\n\t]/g, (char) => (char === '\n' ? '\\n' : '\\t'))
    : escaped
}

/** Escapes a single-line value (an id, a label, a model key). */
export function safe(value: string): string {
  return escapeControl(value, { singleLine: true })
}

/**
 * Orders strings by UTF-16 code units, the same on every machine. Ids and keys are sorted with this
 * rather than `localeCompare`, whose order depends on the user's locale and whose first call
 * loads the ICU collator (about 7 ms of a command's start-up).
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** ANSI styles, or identity functions when colour is off. */
export interface Styles {
  readonly enabled: boolean
  bold(text: string): string
  dim(text: string): string
  red(text: string): string
  green(text: string): string
  yellow(text: string): string
  cyan(text: string): string
}

const wrap =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`

const identity = (text: string): string => text

/** Colour only on a TTY, never with `NO_COLOR` set (any value) or `TERM=dumb`. */
export function createStyles(options: {
  isTTY: boolean
  env: Readonly<Record<string, string | undefined>>
}): Styles {
  const enabled =
    options.isTTY && options.env['NO_COLOR'] === undefined && options.env['TERM'] !== 'dumb'
  if (!enabled) {
    return {
      enabled,
      bold: identity,
      dim: identity,
      red: identity,
      green: identity,
      yellow: identity,
      cyan: identity,
    }
  }
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  }
}

/** One table column: a header and a minimum width (cells are padded, never cut). */
export interface Column {
  readonly header: string
  readonly width?: number
}

/** A plain-text table: padded columns separated by two spaces, the last column unpadded. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
): string {
  const widths = columns.map((column, index) =>
    Math.max(
      column.width ?? 0,
      column.header.length,
      ...rows.map((row) => (row[index] ?? '').length),
    ),
  )
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd()
  return [line(columns.map((column) => column.header)), ...rows.map(line)].join('\n')
}
