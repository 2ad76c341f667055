// Runs `claw` on a real pseudo-terminal through util-linux `script`, for flows that need a TTY
// (hidden prompts, colours, interactive wizards). Input is written to the pty as typed keys.
import { spawn } from 'node:child_process'
import { CLAW_BIN } from './claw.ts'

/** Keys as a terminal sends them, for `steps` inputs. */
export const KEYS = {
  enter: '\r',
  up: '\u001b[A',
  down: '\u001b[B',
  space: ' ',
  backspace: '\u007f',
  escape: '\u001b',
  ctrlC: '\u0003',
  /** Ctrl-U: clears the line typed so far. */
  clearLine: '\u0015',
} as const

export interface TtyResult {
  readonly code: number | null
  /** Everything the terminal showed (stdout and stderr interleaved, with CRLF line ends). */
  readonly output: string
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/**
 * Runs `claw <args>` on a pty. `steps` are written in order, each once `waitFor` appears in the
 * output (or immediately when it is omitted).
 */
export function runClawOnTty(
  args: readonly string[],
  env: Record<string, string>,
  steps: readonly { readonly waitFor?: string; readonly input: string }[] = [],
  timeoutMs = 30_000,
): Promise<TtyResult> {
  const command = [process.execPath, CLAW_BIN, ...args].map(shellQuote).join(' ')
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      env: { ...env, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let output = ''
    let next = 0
    const advance = (): void => {
      while (next < steps.length) {
        const step = steps[next]!
        if (step.waitFor !== undefined && !output.includes(step.waitFor)) return
        child.stdin.write(step.input)
        next += 1
      }
    }
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      advance()
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `claw ${args.join(' ')} on a pty did not exit within ${timeoutMs} ms:\n${output}`,
        ),
      )
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
    advance()
  })
}
