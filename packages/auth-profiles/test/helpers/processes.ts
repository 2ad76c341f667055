// Spawning and controlling the workers for the multi-process tests: the store workers
// (test/fixtures/store-worker.mjs) and the OAuth refresh workers (test/fixtures/refresh-worker.mjs). Every child is spawned detached (its own process group), tracked here, and
// killed by process group in `killAllWorkers()` (call it from `afterEach`), so nothing leaks even
// when a test fails half-way. Every wait is bounded by a timeout.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The worker script, run with the current Node binary. */
export const WORKER_PATH = fileURLToPath(new URL('../fixtures/store-worker.mjs', import.meta.url))

/** The OAuth refresh worker (see the fixture for its protocol). */
export const REFRESH_WORKER_PATH = fileURLToPath(
  new URL('../fixtures/refresh-worker.mjs', import.meta.url),
)

/** The fleet refresh worker: one process of a fleet host (Redis credentials and refresh lock). */
export const FLEET_REFRESH_WORKER_PATH = fileURLToPath(
  new URL('../fixtures/fleet-refresh-worker.mjs', import.meta.url),
)

/** A job for the worker (see the fixture for the fields each kind reads). */
export interface WorkerJob {
  readonly kind:
    'upsert-many' | 'mark-failures' | 'write-loop' | 'exclusive-append' | 'hold-and-die'
  readonly worker: number
  readonly agentDir: string
  readonly lock: Readonly<Record<string, number>>
  readonly count?: number
  readonly canary?: string
  readonly profileId?: string
  readonly retryAfterMs?: number
  readonly log?: string
  readonly journal?: string
  readonly startAt?: number
  readonly maxIterations?: number
  /** Watchdog: the child exits by itself after this long. */
  readonly maxMs?: number
}

/** A job for the refresh worker: `concurrency` refreshes or key resolutions of one profile. */
export interface RefreshWorkerJob {
  readonly kind: 'refresh' | 'resolve'
  readonly worker: number
  readonly agentDir: string
  readonly profileId: string
  readonly tokenEndpoint: string
  /** The cross-process refresh lock (`lock` of the refresh settings). */
  readonly refreshLock: Readonly<Record<string, number>>
  /** The store file's lock. */
  readonly storeLock: Readonly<Record<string, number>>
  readonly callTimeoutMs: number
  /** Concurrent calls inside the worker; default 1. */
  readonly concurrency?: number
  /** Watchdog: the child exits by itself after this long. */
  readonly maxMs?: number
}

/** A job for the fleet refresh worker: one refresh of a profile held in the Redis credential backend. */
export interface FleetRefreshWorkerJob {
  readonly kind: 'fleet-refresh'
  readonly worker: number
  readonly redisUrl: string | readonly string[]
  readonly agentId: string
  readonly profileId: string
  readonly tokenEndpoint: string
  readonly callTimeoutMs: number
  readonly commandTimeoutMs?: number
  /** Watchdog: the child exits by itself after this long. */
  readonly maxMs?: number
}

/** Any job a worker script accepts. */
export type AnyWorkerJob = WorkerJob | RefreshWorkerJob | FleetRefreshWorkerJob

/** A message from a worker. */
export interface WorkerMessage {
  readonly type: 'ready' | 'recorded' | 'result' | 'error'
  readonly pid: number
  readonly worker: number
  readonly error?: { readonly name?: string; readonly code?: string; readonly message: string }
  readonly [field: string]: unknown
}

export interface WorkerExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface WorkerHandle {
  readonly job: AnyWorkerJob
  readonly child: ChildProcess
  readonly pid: number
  readonly messages: WorkerMessage[]
  /** Everything the child wrote to stdout / stderr so far. */
  output(): { readonly stdout: string; readonly stderr: string }
  /** Resolves once the process has exited and its stdio and IPC channel are closed. */
  readonly closed: Promise<WorkerExit>
}

export interface SpawnOptions {
  /** The child's HOME (and the parent of its CLAW_STATE_DIR): a temp dir. */
  readonly home: string
  readonly stateDir: string
  readonly env?: Readonly<Record<string, string>>
  /** The worker script; default the store worker ({@link WORKER_PATH}). */
  readonly script?: string
}

const live = new Set<WorkerHandle>()

function describeWorker(handle: WorkerHandle): string {
  const { stdout, stderr } = handle.output()
  return `worker ${handle.job.worker} (${handle.job.kind}, pid ${handle.pid}); messages: ${JSON.stringify(handle.messages)}; stdout: ${JSON.stringify(stdout.slice(-2000))}; stderr: ${JSON.stringify(stderr.slice(-2000))}`
}

/**
 * Forks one worker. Test-hook variables are stripped from the inherited environment, so only a
 * job that asks for a fault gets one.
 */
export function spawnWorker(job: AnyWorkerJob, options: SpawnOptions): WorkerHandle {
  const env: Record<string, string | undefined> = { ...process.env }
  delete env['CLAW_ENABLE_TEST_HOOKS']
  delete env['CLAW_TEST_FAULTS']
  Object.assign(env, { HOME: options.home, CLAW_STATE_DIR: options.stateDir }, options.env)
  const child = spawn(process.execPath, [options.script ?? WORKER_PATH, JSON.stringify(job)], {
    detached: true,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  if (child.pid === undefined) throw new Error(`could not spawn the ${job.kind} worker`)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const messages: WorkerMessage[] = []
  child.on('message', (message: WorkerMessage) => messages.push(message))
  const closed = new Promise<WorkerExit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
  const handle: WorkerHandle = {
    job,
    child,
    pid: child.pid,
    messages,
    output: () => ({ stdout, stderr }),
    closed,
  }
  live.add(handle)
  void closed.then(() => live.delete(handle))
  return handle
}

/** Resolves with the first message of `type`, or rejects (with the worker's output) on timeout or exit. */
export function waitForMessage(
  handle: WorkerHandle,
  type: WorkerMessage['type'],
  timeoutMs: number,
): Promise<WorkerMessage> {
  const existing = handle.messages.find((message) => message.type === type)
  if (existing) return Promise.resolve(existing)
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage): void => {
      if (message.type === type) {
        cleanup()
        resolve(message)
      } else if (message.type === 'error') {
        cleanup()
        reject(new Error(`expected '${type}', got an error from ${describeWorker(handle)}`))
      }
    }
    const onClose = (): void => {
      cleanup()
      reject(new Error(`exited before sending '${type}': ${describeWorker(handle)}`))
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`no '${type}' within ${timeoutMs} ms from ${describeWorker(handle)}`))
    }, timeoutMs)
    const cleanup = (): void => {
      clearTimeout(timer)
      handle.child.off('message', onMessage)
      handle.child.off('close', onClose)
    }
    handle.child.on('message', onMessage)
    handle.child.once('close', onClose)
  })
}

/**
 * The barrier: waits until every worker reported `ready` (start-up done), then sends `go` to all
 * of them back to back, so their jobs really overlap.
 */
export async function startTogether(
  handles: readonly WorkerHandle[],
  timeoutMs = 15_000,
): Promise<void> {
  await Promise.all(handles.map((handle) => waitForMessage(handle, 'ready', timeoutMs)))
  for (const handle of handles) handle.child.send({ type: 'go' })
}

/** Waits for every worker's `result` and for the process to exit cleanly (code 0). */
export async function collectResults(
  handles: readonly WorkerHandle[],
  timeoutMs: number,
): Promise<WorkerMessage[]> {
  const results = await Promise.all(
    handles.map((handle) => waitForMessage(handle, 'result', timeoutMs)),
  )
  const exits = await Promise.all(handles.map((handle) => waitForExit(handle, timeoutMs)))
  exits.forEach((exit, index) => {
    if (exit.code !== 0) {
      throw new Error(`unclean exit ${JSON.stringify(exit)}: ${describeWorker(handles[index]!)}`)
    }
  })
  return results
}

/** Waits for the worker to exit, up to `timeoutMs`. */
export function waitForExit(handle: WorkerHandle, timeoutMs: number): Promise<WorkerExit> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`did not exit within ${timeoutMs} ms: ${describeWorker(handle)}`)),
      timeoutMs,
    )
    void handle.closed.then((exit) => {
      clearTimeout(timer)
      resolve(exit)
    })
  })
}

/** SIGKILLs the worker's whole process group (the worker and anything it started). */
export function killWorker(handle: WorkerHandle): void {
  try {
    process.kill(-handle.pid, 'SIGKILL')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

/** Kills every worker still running and waits (bounded) until each has exited. For `afterEach`. */
export async function killAllWorkers(timeoutMs = 5_000): Promise<void> {
  const handles = [...live]
  for (const handle of handles) killWorker(handle)
  await Promise.all(handles.map((handle) => waitForExit(handle, timeoutMs)))
}

/** Output of all workers, for the canary scan. */
export function combinedOutput(handles: readonly WorkerHandle[]): string {
  return handles
    .map((handle) => {
      const { stdout, stderr } = handle.output()
      return `${stdout}\n${stderr}`
    })
    .join('\n')
}
