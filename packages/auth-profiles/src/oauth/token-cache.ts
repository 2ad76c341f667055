import { resolveClock, type Clock } from '../runtime.js'

/**
 * A small time-to-live cache for derived credentials: short-lived tokens obtained from a stored
 * credential (the Copilot API token from a GitHub token) that are never written to the profile
 * store. Keys are digests chosen by the caller, never a secret. Implement it over your own storage
 * (keyv, Redis…) to share derived tokens between processes; errors thrown by an implementation
 * are treated as cache misses.
 *
 * @public
 */
export interface DerivedTokenCache<T> {
  /** The value stored under `key`, or `undefined` when absent or expired. */
  get(key: string): Promise<T | undefined>
  /** Stores `value` for `ttlMs` milliseconds (replacing any earlier value). */
  set(key: string, value: T, ttlMs: number): Promise<void>
}

/** Options of {@link createMemoryTokenCache}. @public */
export interface MemoryTokenCacheOptions {
  /** The clock that decides expiry; default `Date.now`. */
  readonly now?: Clock
  /** Most entries kept; when full, expired entries and then the oldest are dropped. Default 256. */
  readonly maxEntries?: number
}

/**
 * An in-process {@link DerivedTokenCache}. Expiry is checked lazily against the clock on every
 * read (no timers, so it never keeps a process alive); the size is bounded.
 *
 * @example
 * ```ts
 * const cache = createMemoryTokenCache<CopilotToken>({ now: clock.now })
 * await resolveCopilotApiKey({ githubToken, runtime, cache })
 * ```
 * @public
 */
export function createMemoryTokenCache<T>(
  options: MemoryTokenCacheOptions = {},
): DerivedTokenCache<T> {
  const now = resolveClock(options)
  const maxEntries = Math.max(1, options.maxEntries ?? 256)
  const entries = new Map<string, { readonly value: T; readonly expiresAt: number }>()

  const prune = (): void => {
    const current = now()
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= current) entries.delete(key)
    }
    // Maps iterate in insertion order, and `set` re-inserts: the first key is the oldest.
    while (entries.size >= maxEntries) {
      const oldest = entries.keys().next()
      if (oldest.done === true) break
      entries.delete(oldest.value)
    }
  }

  return {
    get(key) {
      const entry = entries.get(key)
      if (entry === undefined) return Promise.resolve(undefined)
      if (entry.expiresAt <= now()) {
        entries.delete(key)
        return Promise.resolve(undefined)
      }
      return Promise.resolve(entry.value)
    },
    set(key, value, ttlMs) {
      entries.delete(key)
      if (!(ttlMs > 0)) return Promise.resolve()
      prune()
      entries.set(key, { value, expiresAt: now() + ttlMs })
      return Promise.resolve()
    },
  }
}
