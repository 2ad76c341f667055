// Runs a short ES module program in a separate Node process, killed (with its process group) when
// it runs past a deadline. For tests whose failure mode is a hang that no timer in the test's own
// process could interrupt: a synchronous read of a FIFO, say.
import { spawn } from 'node:child_process'

export interface NodeScriptResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** True when the deadline killed the process. */
  readonly timedOut: boolean
  readonly durationMs: number
}

/** Runs `program` (an ES module body, top-level await allowed) with `node --input-type=module`. */
export function runNodeScript(
  program: string,
  options: { readonly timeoutMs: number; readonly env?: Record<string, string | undefined> },
): Promise<NodeScriptResult> {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', program], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: options.env ?? { PATH: process.env['PATH'] },
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // Gone already.
      }
    }, options.timeoutMs)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, timedOut, durationMs: performance.now() - started })
    })
  })
}
