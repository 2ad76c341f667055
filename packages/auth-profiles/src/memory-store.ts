import type { AuthStoreBackend, AuthStoreUpdateResult, AuthStoreUpdater } from './store-backend.js'
import { storeFileShape } from './store-parse.js'
import type { AuthProfileStore } from './types.js'

/** A memory store: the file backend's interface without a file. @public */
export interface MemoryAuthStore extends AuthStoreBackend {
  readonly kind: 'memory'
  /** A deep copy of the current contents. */
  snapshot(): AuthProfileStore
}

/**
 * A credential store in memory with the same interface as the file backend: `load()`, and
 * `update()` serialised like a lock (one updater at a time, each on a fresh copy). For embedders
 * that keep credentials elsewhere, and for tests.
 *
 * @example
 * ```ts
 * const backend = createMemoryAuthStore({ version: 1, profiles: { 'openai:default': { type: 'api_key', provider: 'openai', key } } })
 * await resolveApiKeyForProvider({ provider: 'openai', backend })
 * ```
 * @public
 */
export function createMemoryAuthStore(initial?: AuthProfileStore): MemoryAuthStore {
  let current: AuthProfileStore = initial ? structuredClone(initial) : { version: 1, profiles: {} }
  // The serialised form of `current`: updates start from it (a deep copy) and compare against it.
  let currentText = serialize(current)
  let queue: Promise<unknown> = Promise.resolve()
  return {
    kind: 'memory',
    location: 'memory:',
    diagnostics: () => [],
    load: () => Promise.resolve(current),
    snapshot: () => structuredClone(current),
    update<T>(updater: AuthStoreUpdater<T>): Promise<AuthStoreUpdateResult<T>> {
      const run = async (): Promise<AuthStoreUpdateResult<T>> => {
        const store = JSON.parse(currentText) as AuthProfileStore
        const result = await updater(store)
        const after = serialize(store)
        const written = after !== currentText
        if (written) {
          current = store
          currentText = after
        }
        return { store: current, result, written }
      }
      const next = queue.then(run, run)
      queue = next.catch(() => undefined)
      return next
    },
  }
}

/** Compact: the memory store only compares and copies with it, nobody reads it. */
function serialize(store: AuthProfileStore): string {
  return JSON.stringify(storeFileShape(store))
}
