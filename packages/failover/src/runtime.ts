// The one place where @claw/failover reads ambient globals: the clock, timers, env and fetch.
// Every function takes them as options; defaults are resolved here at call time.
import type { FetchFunction } from '@claw/auth-profiles'

/** A clock returning epoch milliseconds. @public */
export type Clock = () => number

/** Waits `ms` (or until `signal` aborts, rejecting). @public */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>

/** @internal */
export function resolveClock(options: { readonly now?: Clock | undefined }): Clock {
  return options.now ?? Date.now
}

/**
 * An abortable `setTimeout` wait. The timer keeps the process alive: between two attempts nothing
 * else may hold the event loop (the failed call's socket is closed), and an unref'd timer would
 * let a script exit in the middle of a failover, its work silently lost. A caller who wants
 * otherwise passes its own `sleep`.
 *
 * @internal
 */
export const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error)
      return
    }
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      },
      Math.max(0, ms),
    )
    function onAbort() {
      clearTimeout(timer)
      reject(signal?.reason as Error)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/** @internal */
export function resolveSleep(options: { readonly sleep?: Sleep | undefined }): Sleep {
  return options.sleep ?? defaultSleep
}

/** @internal */
export function resolveFetch(options: {
  readonly fetch?: FetchFunction | undefined
}): FetchFunction {
  return options.fetch ?? globalThis.fetch
}

/** @internal */
export function resolveEnv(options: {
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
}): Readonly<Record<string, string | undefined>> {
  return options.env ?? process.env
}
