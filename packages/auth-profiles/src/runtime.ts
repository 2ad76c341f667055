// The one place where @claw/auth-profiles reads ambient globals. Every function takes these as
// options; when an option is omitted its default is resolved here, at call time.
import { homedir } from 'node:os'

/** The environment, as a plain read-only map. @public */
export type Env = Readonly<Record<string, string | undefined>>

/** A clock returning epoch milliseconds. @public */
export type Clock = () => number

/** Options every IO-touching function accepts. @public */
export interface RuntimeOptions {
  /** Environment variables; default `process.env`. */
  readonly env?: Env
  /** Clock; default `Date.now`. */
  readonly now?: Clock
  /** Home directory; default `os.homedir()`. */
  readonly homeDir?: string
}

/** @internal */
export function resolveEnv(options: { readonly env?: Env | undefined }): Env {
  return options.env ?? process.env
}

/**
 * The caller's `fetch`, or `globalThis.fetch` looked up at call time (never captured at import,
 * so test doubles and proxies installed later are honoured).
 *
 * @internal
 */
export function resolveFetch(options: {
  readonly fetch?:
    ((input: string | URL | Request, init?: RequestInit) => Promise<Response>) | undefined
}): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return options.fetch ?? ((input, init) => fetch(input, init))
}

/** @internal */
export function resolveClock(options: { readonly now?: Clock | undefined }): Clock {
  return options.now ?? Date.now
}

/** @internal */
export function resolveHomeDir(options: { readonly homeDir?: string | undefined }): string {
  return options.homeDir ?? homedir()
}

/** The current process id (for temp-file names and lock diagnostics). @internal */
export function currentPid(): number {
  return process.pid
}

/**
 * The current user id, for ownership checks; `undefined` where the platform has none (Windows).
 *
 * @internal
 */
export function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined
}

/** The process umask, for permission diagnostics. @internal */
export function currentUmask(): number {
  const mask = process.umask()
  return mask
}

/**
 * Fault injection for the reliability tests: only active when `CLAW_ENABLE_TEST_HOOKS=1` in the
 * environment, and then driven by `CLAW_TEST_FAULTS`, a comma-separated list such as
 * `die@before-rename,fs-error@write:ENOSPC`. Without the flag nothing here has any effect.
 *
 * @internal
 */
export function testFault(env: Env, point: string): string | undefined {
  if (env['CLAW_ENABLE_TEST_HOOKS'] !== '1') return undefined
  const faults = env['CLAW_TEST_FAULTS']
  if (!faults) return undefined
  for (const fault of faults.split(',')) {
    const [action, where] = fault.trim().split('@')
    if (!action || !where) continue
    const [faultPoint, argument] = where.split(':')
    if (faultPoint !== point) continue
    if (action === 'die') process.kill(process.pid, 'SIGKILL')
    return `${action}${argument === undefined ? '' : `:${argument}`}`
  }
  return undefined
}

/** SIGKILLs a process group (negative pid); errors (already gone) are ignored. @internal */
export function killProcessGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // The group is gone already, or the platform has no process groups.
  }
}

/**
 * Runs `listener` each time the event loop runs dry (`beforeExit`), e.g. to write what is held
 * back before a clean exit. Never called on `process.exit()` or a fatal signal.
 *
 * @internal
 */
export function onProcessBeforeExit(listener: () => void): void {
  process.on('beforeExit', listener)
}

/** A Node process warning (the default warning sink of long-lived helpers). @internal */
export function emitProcessWarning(message: string, type: string): void {
  process.emitWarning(message, type)
}

/**
 * A built-in module if this Node has it (`process.getBuiltinModule`, Node >= 20.16), else
 * `undefined` (older Node, or a module still behind a flag). The ExperimentalWarning that loading
 * an experimental module prints once per process (`node:sqlite` on Node 22/23) is dropped: it is
 * about Node's API, not something a claw user can act on. Loading is synchronous, so no other
 * code runs while the filter is in place.
 *
 * @internal
 */
export function loadBuiltinModule(id: string, experimentalFeature: string): unknown {
  const runtime = process as typeof process & {
    getBuiltinModule?: (this: void, id: string) => unknown
  }
  if (typeof runtime.getBuiltinModule !== 'function') return undefined
  const emitWarning = runtime.emitWarning.bind(runtime) as (...args: unknown[]) => void
  // Put back exactly as it was (unbound), so any other patch of it stays intact.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = runtime.emitWarning
  runtime.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: unknown })?.type
    if (type === 'ExperimentalWarning' && text.includes(experimentalFeature)) return
    emitWarning(warning, ...rest)
  }
  try {
    return runtime.getBuiltinModule(id)
  } catch {
    return undefined
  } finally {
    runtime.emitWarning = original
  }
}

/** This Node's version (`v22.13.0`), for messages. @internal */
export function nodeVersion(): string {
  return process.version
}
