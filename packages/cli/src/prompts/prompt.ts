// Arrow-key prompts on the terminal: pick one, pick several, or type a line that is checked before
// it is accepted. Drawn on stderr (stdout stays the command's output) from node:readline keypress
// events, so the commands that ask questions need no prompt library. Ctrl-C or Esc cancels.
import { emitKeypressEvents } from 'node:readline'
import { CliError } from '../errors.js'
import type { CliIo } from '../io.js'
import { safe } from '../text.js'

/** One entry of a {@link select} or {@link multiSelect} list. */
export interface Choice<T> {
  readonly label: string
  readonly value: T
  /** Shown after the label, e.g. `(recommended)`. */
  readonly hint?: string
}

interface Keypress {
  readonly name?: string
  readonly ctrl?: boolean
  readonly meta?: boolean
}

/** How one prompt draws itself and reacts to keys; `key` returns the answer once given. */
interface PromptState<T> {
  /** What follows the question on its line (what is typed so far, or how to answer). */
  head(): string
  /** The lines under the question (choices, an error). */
  body(): readonly string[]
  key(input: string | undefined, key: Keypress): { readonly value: T } | undefined
  /** The answer shown after the question once it is given. */
  answer(value: T): string
}

const HIDE_CURSOR = '\u001b[?25l'
const SHOW_CURSOR = '\u001b[?25h'
const PAGE_SIZE = 10

/** The error every prompt rejects with when the user cancels (exit 1, nothing written). */
export function cancelled(): CliError {
  return new CliError('Cancelled.')
}

/** A typed character (not a control key or an escape sequence). */
function printable(input: string | undefined, key: Keypress): input is string {
  return input !== undefined && !key.ctrl && !key.meta && /^[^\p{Cc}]+$/u.test(input)
}

function runPrompt<T>(io: CliIo, message: string, state: PromptState<T>): Promise<T> {
  const { stdin } = io
  if (stdin.isTTY !== true) return Promise.reject(new CliError(`${message}: needs a terminal.`))
  const columns = (): number => (io.stderr as { columns?: number }).columns || 80
  // Rows on screen of what was drawn last (a long line wraps), to move back over when redrawing.
  let drawn = 0
  const draw = (lines: readonly string[]): void => {
    const clear = drawn > 0 ? `\u001b[${drawn}A\r\u001b[J` : ''
    io.stderr.write(`${clear}${lines.join('\n')}\n`)
    drawn = lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(line.length / columns())), 0)
  }
  const render = (): void => draw([`? ${message} ${state.head()}`.trimEnd(), ...state.body()])

  return new Promise<T>((resolve, reject) => {
    const finish = (outcome: { readonly value: T } | { readonly error: Error }): void => {
      stdin.removeListener('keypress', onKeypress)
      stdin.setRawMode?.(false)
      stdin.pause()
      draw([`? ${message} ${'value' in outcome ? state.answer(outcome.value) : '(cancelled)'}`])
      io.stderr.write(SHOW_CURSOR)
      if ('value' in outcome) resolve(outcome.value)
      else reject(outcome.error)
    }
    const onKeypress = (input: string | undefined, key: Keypress = {}): void => {
      if ((key.ctrl === true && key.name === 'c') || key.name === 'escape') {
        finish({ error: cancelled() })
        return
      }
      const outcome = state.key(input, key)
      if (outcome) finish(outcome)
      else render()
    }
    emitKeypressEvents(stdin)
    stdin.setRawMode?.(true)
    io.stderr.write(HIDE_CURSOR)
    stdin.on('keypress', onKeypress)
    stdin.resume()
    render()
  })
}

/** A list that moves with the arrow keys and narrows to what is typed. */
class FilteredList<T> {
  filter = ''
  cursor: number

  constructor(
    readonly choices: readonly Choice<T>[],
    initial: number,
  ) {
    this.cursor = Math.max(0, Math.min(initial, choices.length - 1))
  }

  visible(): readonly Choice<T>[] {
    const needle = this.filter.toLowerCase()
    return needle === ''
      ? this.choices
      : this.choices.filter((choice) => choice.label.toLowerCase().includes(needle))
  }

  /** Handles movement and filter keys; false for keys it does not use. */
  key(input: string | undefined, key: Keypress): boolean {
    const count = this.visible().length
    const step: Record<string, number> = {
      up: -1,
      down: 1,
      pageup: -PAGE_SIZE,
      pagedown: PAGE_SIZE,
    }
    if (key.name !== undefined && key.name in step && count > 0) {
      const moved = this.cursor + step[key.name]!
      this.cursor = Math.abs(step[key.name]!) === 1 ? (moved + count) % count : clamp(moved, count)
    } else if (key.name === 'backspace') {
      this.filter = this.filter.slice(0, -1)
      this.cursor = 0
    } else if (printable(input, key) && input !== ' ') {
      this.filter += input
      this.cursor = 0
    } else return false
    return true
  }

  /** The visible rows, `mark(choice)` before each label. */
  rows(mark: (choice: Choice<T>, index: number) => string): string[] {
    const visible = this.visible()
    if (visible.length === 0) return [`  No choice matches "${safe(this.filter)}".`]
    const start = clamp(this.cursor - PAGE_SIZE + 1, Math.max(1, visible.length - PAGE_SIZE + 1))
    const rows = visible.slice(start, start + PAGE_SIZE).map((choice, offset) => {
      const index = start + offset
      const hint = choice.hint === undefined ? '' : `  ${safe(choice.hint)}`
      return `${index === this.cursor ? '>' : ' '} ${mark(choice, index)}${safe(choice.label)}${hint}`
    })
    if (visible.length > PAGE_SIZE) rows.push(`  (${visible.length} choices, ↑↓ for more)`)
    return rows
  }

  filterHead(help: string): string {
    return this.filter === '' ? help : `${safe(this.filter)}`
  }
}

function clamp(value: number, count: number): number {
  return Math.max(0, Math.min(value, count - 1))
}

/**
 * Asks for one of `choices`: ↑/↓ move, typing narrows the list, Enter picks. Rejects with
 * {@link cancelled} on Ctrl-C or Esc.
 */
export function select<T>(
  io: CliIo,
  message: string,
  choices: readonly Choice<T>[],
  options: { readonly initial?: number } = {},
): Promise<T> {
  const list = new FilteredList(choices, options.initial ?? 0)
  return runPrompt(io, message, {
    head: () => list.filterHead('(↑↓ to move, type to filter, Enter to choose, Esc to cancel)'),
    body: () => list.rows(() => ''),
    key(input, key) {
      if (key.name === 'return' || key.name === 'enter') {
        const picked = list.visible()[list.cursor]
        return picked && { value: picked.value }
      }
      list.key(input, key)
      return undefined
    },
    answer: (value) => safe(choices.find((choice) => choice.value === value)?.label ?? ''),
  })
}

/**
 * Asks for any number of `choices`: ↑/↓ move, Space ticks, typing narrows the list, Enter
 * confirms what is ticked (possibly nothing).
 */
export function multiSelect<T>(
  io: CliIo,
  message: string,
  choices: readonly Choice<T>[],
): Promise<T[]> {
  const list = new FilteredList(choices, 0)
  const ticked = new Set<Choice<T>>()
  return runPrompt<T[]>(io, message, {
    head: () =>
      list.filterHead(
        '(↑↓ to move, Space to tick, type to filter, Enter to confirm, Esc to cancel)',
      ),
    body: () => list.rows((choice) => (ticked.has(choice) ? '[x] ' : '[ ] ')),
    key(input, key) {
      if (key.name === 'return' || key.name === 'enter') {
        return { value: choices.filter((choice) => ticked.has(choice)).map((c) => c.value) }
      }
      if (key.name === 'space') {
        const choice = list.visible()[list.cursor]
        if (choice && !ticked.delete(choice)) ticked.add(choice)
      } else list.key(input, key)
      return undefined
    },
    answer: (values) =>
      values.length === 0
        ? '(none)'
        : choices
            .filter((choice) => values.includes(choice.value))
            .map((choice) => safe(choice.label))
            .join(', '),
  })
}

/**
 * Asks for a line of text (echoed). `check` returns an error message to show under the line (the
 * user edits and tries again) or nothing to accept it; Enter on an empty line takes `initial`.
 */
export function input(
  io: CliIo,
  message: string,
  options: { readonly initial?: string; readonly check?: (value: string) => string | undefined },
): Promise<string> {
  let typed = ''
  let error: string | undefined
  return runPrompt(io, message, {
    head: () =>
      `${options.initial === undefined ? '' : `(${safe(options.initial)}) `}${safe(typed)}`,
    body: () => (error === undefined ? [] : [`  ${error}`]),
    key(typedKey, key) {
      if (key.name === 'return' || key.name === 'enter') {
        const value = typed.trim() === '' ? (options.initial ?? '') : typed.trim()
        error = value === '' ? 'Enter a value (Esc to cancel).' : options.check?.(value)
        return error === undefined ? { value } : undefined
      }
      if (key.name === 'backspace') typed = typed.slice(0, -1)
      else if (key.ctrl === true && key.name === 'u') typed = ''
      else if (printable(typedKey, key)) typed += typedKey
      error = undefined
      return undefined
    },
    answer: (value) => safe(value),
  })
}
