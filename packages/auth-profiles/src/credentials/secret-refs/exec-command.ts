// Running an exec provider's command: the trust checks made before it runs, its environment, and
// one run with a deadline, an output limit and the abort signal (the process group is killed).
import type { ChildProcess } from 'node:child_process'
import { constants, type Stats } from 'node:fs'
import { access, lstat } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
import { strictModesProblem } from '../../store/checked-file.js'
// Signalling a process group is an OS call, not ambient configuration: it is imported rather than
// read from the `process` global, which library code never touches (see runtime.ts).
import { killProcessGroup, type Env } from '../../runtime.js'
import type { SecretProviderConfig } from '../../schemas.js'
import {
  DEFAULT_SECRET_MAX_BYTES,
  DEFAULT_SECRET_TIMEOUT_MS,
  MAX_SECRET_MAX_BYTES,
  MAX_SECRET_TIMEOUT_MS,
} from './secret-limits.js'
import { abortFailure, asFailure, errnoCode, Failure, limit } from './failure.js'
import { isPlainObject } from './json-value.js'

export type ExecProviderConfig = Extract<SecretProviderConfig, { source: 'exec' }>

/** How long a killed command may take to exit before the call rejects anyway. */
const KILL_GRACE_MS = 1000
/**
 * How long, after a command exited 0, its stdout may take to reach end-of-file: output it wrote
 * before exiting is already in the pipe, but a background process it left may hold the pipe open.
 */
const EXIT_DRAIN_MS = 250

/**
 * Checks the command before it is run: absolute, not a symlink, a regular executable file, and
 * (unless the provider sets `allowInsecurePermissions`) trusted like OpenSSH's StrictModes: owned
 * by the current user or root and not writable by group or others, nor any directory above it.
 */
export async function checkCommand(command: unknown, allowInsecure: boolean): Promise<string> {
  if (typeof command !== 'string' || !isAbsolute(command)) {
    throw new Failure("the provider's command must be an absolute path")
  }
  let stats: Stats
  try {
    stats = await lstat(command)
  } catch (error) {
    const code = errnoCode(error)
    throw new Failure(
      code === 'ENOENT'
        ? `command ${command} does not exist`
        : `command ${command} could not be inspected (${code})`,
      { cause: error },
    )
  }
  if (stats.isSymbolicLink()) {
    throw new Failure(
      `command ${command} is a symbolic link; claw does not follow links for secret commands, point the provider at the real file`,
    )
  }
  if (!stats.isFile()) throw new Failure(`command ${command} is not a regular file`)
  try {
    await access(command, constants.X_OK)
  } catch {
    throw new Failure(`command ${command} is not executable`)
  }
  if (!allowInsecure) {
    const untrusted = await strictModesProblem(command, stats)
    if (untrusted !== undefined) {
      throw new Failure(
        `the command is not trusted: ${untrusted} (set allowInsecurePermissions: true on the provider to run it anyway)`,
      )
    }
  }
  return command
}

/**
 * Why claw will not run this exec provider's command (the checks `resolveSecretRef` makes before
 * running it: absolute path, no symlink, a regular executable file, StrictModes owner and mode
 * unless `allowInsecurePermissions`), or `undefined` when it would run it. For `claw doctor`.
 *
 * @public
 */
export async function checkSecretExecCommand(
  config: Extract<SecretProviderConfig, { source: 'exec' }>,
): Promise<string | undefined> {
  try {
    await checkCommand(config.command, config.allowInsecurePermissions === true)
    return undefined
  } catch (error) {
    return asFailure(error).reason
  }
}

/** The command's environment: `PATH`, the `passEnv` variables, then the provider's `env`. */
function commandEnv(config: ExecProviderConfig, parentEnv: Env): Record<string, string> {
  const env: Record<string, string> = {}
  const names = ['PATH', ...(Array.isArray(config.passEnv) ? config.passEnv : [])]
  for (const name of names) {
    const value = parentEnv[name]
    if (typeof name === 'string' && value !== undefined) env[name] = value
  }
  if (isPlainObject(config.env)) {
    for (const [name, value] of Object.entries(config.env)) {
      if (typeof value === 'string') env[name] = value
    }
  }
  return env
}

/** SIGKILLs the child's process group (it leads one: spawned detached), then the child itself. */
function killTree(child: ChildProcess): void {
  if (child.pid !== undefined) killProcessGroup(child.pid)
  try {
    child.kill('SIGKILL')
  } catch {
    // Already exited.
  }
}

/** Runs the command once; resolves with its stdout when it exits 0 within the limits. */
export async function runCommand(
  command: string,
  config: ExecProviderConfig,
  request: string,
  parentEnv: Env,
  signal: AbortSignal | undefined,
): Promise<Buffer> {
  const timeoutMs = limit(
    config.timeoutMs,
    DEFAULT_SECRET_TIMEOUT_MS,
    'timeoutMs',
    MAX_SECRET_TIMEOUT_MS,
  )
  const maxOutputBytes = limit(
    config.maxOutputBytes,
    DEFAULT_SECRET_MAX_BYTES,
    'maxOutputBytes',
    MAX_SECRET_MAX_BYTES,
  )
  const args = Array.isArray(config.args) ? config.args.map(String) : []
  if (signal?.aborted) throw abortFailure(signal)
  // node:child_process is loaded on first use (only exec SecretRefs need it).
  const { spawn } = await import('node:child_process')

  return new Promise<Buffer>((resolve, reject) => {
    let child: ChildProcess
    try {
      child = spawn(command, args, {
        shell: false,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: commandEnv(config, parentEnv),
        windowsHide: true,
      })
    } catch (error) {
      reject(new Failure(`command ${command} could not be started (${errnoCode(error)})`))
      return
    }

    const chunks: Buffer[] = []
    let outputBytes = 0
    let failure: Failure | undefined
    let settled = false
    let graceTimer: NodeJS.Timeout | undefined
    const wipe = (): void => {
      for (const chunk of chunks) chunk.fill(0)
      chunks.length = 0
    }
    const settle = (): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(graceTimer)
      signal?.removeEventListener('abort', onAbort)
      // Stop listening: a background process the command left behind may hold these pipes open,
      // and neither it nor a child that ignores SIGKILL may keep the caller waiting.
      child.stdout?.destroy()
      child.stderr?.destroy()
      child.stdin?.destroy()
      child.unref()
      if (failure) {
        wipe()
        reject(failure)
      } else {
        const output = Buffer.concat(chunks)
        wipe()
        resolve(output)
      }
    }
    /** Kills the process group and rejects once the child has exited (or after a grace period). */
    const terminate = (reason: Failure): void => {
      if (settled || failure) return
      failure = reason
      wipe()
      killTree(child)
      if (child.exitCode !== null || child.signalCode !== null) settle()
      else graceTimer = setTimeout(settle, KILL_GRACE_MS)
    }
    const onAbort = (): void => terminate(abortFailure(signal as AbortSignal))
    const timer = setTimeout(
      () =>
        terminate(new Failure(`the command did not finish within ${timeoutMs} ms and was killed`)),
      timeoutMs,
    )
    signal?.addEventListener('abort', onAbort, { once: true })

    const exitFailure = (code: number | null, exitSignal: NodeJS.Signals | null): Failure =>
      new Failure(
        code === null
          ? `the command was terminated by ${exitSignal ?? 'a signal'}`
          : `the command exited with code ${code}`,
      )
    child.on('error', (error) => {
      // Spawn failures (ENOENT, EACCES, …). No cause: the error carries the command's arguments.
      failure ??= new Failure(`command ${command} could not be started (${errnoCode(error)})`)
      killTree(child)
      settle()
    })
    child.on('exit', (code, exitSignal) => {
      if (failure) return settle()
      if (code !== 0) {
        failure = exitFailure(code, exitSignal)
        return settle()
      }
      // It replied and exited 0: what it wrote is in the pipe, read on the next turns of the event
      // loop. End-of-file normally follows at once ('close'); a background process it left may hold
      // the pipe open, so the wait for it is short and the exit counts as the answer.
      clearTimeout(timer)
      graceTimer = setTimeout(settle, EXIT_DRAIN_MS)
    })
    child.on('close', (code, exitSignal) => {
      if (!failure && code !== 0) failure = exitFailure(code, exitSignal)
      settle()
    })
    child.stdout?.on('data', (chunk: Buffer) => {
      if (failure) return
      outputBytes += chunk.length
      if (outputBytes > maxOutputBytes) {
        chunk.fill(0)
        terminate(
          new Failure(
            `the command wrote more than the provider's ${maxOutputBytes}-byte output limit and was killed`,
          ),
        )
        return
      }
      chunks.push(chunk)
    })
    child.stdout?.on('error', () => undefined)
    // stderr is drained and dropped: it may contain secrets, and the library never prints.
    child.stderr?.on('data', () => undefined)
    child.stderr?.on('error', () => undefined)
    // A command that exits without reading its request makes this write fail with EPIPE.
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(request)
  })
}
