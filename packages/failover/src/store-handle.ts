// The store handle a run works on: the caller's handle, the file store of an agent dir, or an
// empty memory store for runs that use only env and config keys.
import {
  AuthProfilesError,
  createFileAuthStore,
  createMemoryAuthStore,
  isAuthStoreBackend,
  type AuthProfileStore,
  type AuthStoreBackend,
} from '@claw/auth-profiles'
import type { FailoverTargetOptions } from './target-options.js'

/**
 * The store handle a run records through: `store` when it is one, the file store of `agentDir`,
 * or (with neither) an empty store, so only env and config keys are used.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ARGUMENT` for a loaded store object: bookkeeping on it
 *   would stay in memory and be lost.
 * @internal
 */
export function runStoreHandle(
  options: Pick<FailoverTargetOptions, 'store' | 'agentDir' | 'mainAgentDir' | 'env'>,
  caller: string,
): AuthStoreBackend {
  const { store } = options
  if (isAuthStoreBackend(store)) return store
  if (store !== undefined) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      `${caller} needs the store handle as \`store\`, not a loaded store object: pass openAuthStore({ agentDir }) to record cooldowns in the store file, or createMemoryAuthStore(store) to keep them in memory only.`,
    )
  }
  if (options.agentDir) {
    return createFileAuthStore({
      agentDir: options.agentDir,
      ...(options.mainAgentDir === undefined ? {} : { mainAgentDir: options.mainAgentDir }),
      ...(options.env ? { env: options.env } : {}),
    })
  }
  emptyStore ??= createMemoryAuthStore()
  return emptyStore
}

/**
 * For the functions that only read a store (`planFailover`, `runWithModelFallback`), loaded store
 * data is as good as a handle: a private memory store over it, and what it holds now.
 *
 * @internal
 */
export async function openStoreForReading(
  options: Pick<FailoverTargetOptions, 'store' | 'agentDir' | 'mainAgentDir' | 'env'>,
  caller: string,
): Promise<{ readonly backend: AuthStoreBackend; readonly store: AuthProfileStore }> {
  const data =
    options.store !== undefined && !isAuthStoreBackend(options.store)
      ? options.store
      : await runStoreHandle(options, caller).load()
  const backend = createMemoryAuthStore(data)
  return { backend, store: await backend.load() }
}

/** The store of runs given neither a store nor an agent dir: it has no profiles to record on. */
let emptyStore: AuthStoreBackend | undefined
