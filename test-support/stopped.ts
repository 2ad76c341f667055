// Waiting for a child process to be stopped (SIGSTOP), for tests that freeze a writer at a
// chosen point and resume it later. Linux only: the state is read from /proc/<pid>/stat.
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

/** True on platforms where {@link waitUntilStopped} can see a process's state. */
export const canSeeStoppedProcesses = process.platform === 'linux'

/** The one-letter state of a process (`T` when stopped), or `undefined` once it is gone. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) is in parentheses and may contain spaces: the state follows it.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
  } catch {
    return undefined
  }
}

/** Resolves once `pid` is stopped; rejects after `timeoutMs` or when the process is gone. */
export async function waitUntilStopped(pid: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const state = processState(pid)
    if (state === 'T' || state === 't') return
    if (state === undefined) throw new Error(`process ${pid} exited before it stopped`)
    if (performance.now() > deadline)
      throw new Error(`process ${pid} did not stop within ${timeoutMs} ms`)
    await sleep(20)
  }
}
