// A one-line progress spinner on stderr, shown only when stderr is a terminal (never with
// TERM=dumb). Elsewhere each status line is printed once, so logs of headless runs stay readable.
import type { CliIo } from '../io.js'
import { safe } from '../text.js'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const INTERVAL_MS = 80

/** A status line that animates on a terminal. */
export interface Spinner {
  /** Shows `text` (starting the animation on a terminal). */
  update(text: string): void
  /** Clears the line (terminal) and stops; safe to call twice. */
  stop(): void
  /** Stops, then prints `text` as a permanent line on stderr. */
  stopWith(text: string): void
}

export function createSpinner(io: CliIo): Spinner {
  const animated = io.stderr.isTTY === true && io.env['TERM'] !== 'dumb'
  let text = ''
  let frame = 0
  let timer: NodeJS.Timeout | undefined
  const draw = (): void => {
    io.stderr.write(`\r\u001b[K${FRAMES[frame % FRAMES.length]} ${text}`)
    frame += 1
  }
  const stop = (): void => {
    if (timer === undefined) return
    clearInterval(timer)
    timer = undefined
    io.stderr.write('\r\u001b[K')
  }
  return {
    update(next) {
      const line = safe(next)
      if (!animated) {
        if (line !== text) io.stderr.write(`${line}\n`)
        text = line
        return
      }
      text = line
      if (timer === undefined) {
        timer = setInterval(draw, INTERVAL_MS)
        timer.unref()
      }
      draw()
    },
    stop,
    stopWith(line) {
      stop()
      io.stderr.write(`${line}\n`)
    },
  }
}

/**
 * Progress for long network work (probes, refreshes): a spinner on a terminal, and nothing at all
 * elsewhere (a script's stderr stays as it was). Never writes to stdout, so `--json` is clean.
 */
export function createTerminalProgress(io: CliIo): Spinner {
  if (io.stderr.isTTY === true && io.env['TERM'] !== 'dumb') return createSpinner(io)
  return { update: () => undefined, stop: () => undefined, stopWith: () => undefined }
}
