// OAuth refresh across threads, processes and hosts. Longer than 400 lines on purpose: it is one
// protocol (one in-flight refresh per profile, the cross-process lock, re-read and adopt inside it,
// the fenced compare-and-swap commit, the failure rules that keep a credential and throttle retries)
// and each step relies on what the previous one guaranteed; read top to bottom, the invariants can
// be checked in one place. Its settings and events are in refresh-lock.ts and refresh-events.ts.
import { AuthProfilesError, ReauthRequiredError } from '../errors.js'
import {
  createFileAuthStore,
  fileStoreOptionsOf,
  type FileAuthStoreOptions,
} from '../store/file-store.js'
import type { FileLockOptions } from '../store/file-lock.js'
import { describeId } from '../ids.js'
import { inferMainAgentDir, resolveStateDir } from '../store/paths.js'
import {
  resolveClock,
  resolveEnv,
  resolveFetch,
  testFault,
  type Clock,
  type Env,
} from '../runtime.js'
import type { AuthStoreBackend, AuthStoreUpdateOptions } from '../store/store-backend.js'
import type { AuthProfileStore, OAuthCredential } from '../types.js'
import { createBoundedFetch, DEFAULT_OAUTH_TIMEOUT_MS, type FetchFunction } from './http.js'
import { classifyTokenError, findAuthProfilesError } from './openid.js'
import { defaultOAuthProviders } from './providers.js'
import type { OAuthProviderRegistry } from './registry.js'
import {
  createFileRefreshLockProvider,
  type RefreshLock,
  type RefreshLockProvider,
} from './refresh-lock.js'
import {
  emitRefreshEvent,
  observeRefresh,
  type OAuthRefreshListener,
  type RefreshTiming,
} from './refresh-events.js'
import { DEFAULT_REFRESH_SKEW_MS } from './refresh-skew.js'
import type { OAuthRuntime, OAuthTokenSet } from './types.js'

export { DEFAULT_REFRESH_LOCK_OPTIONS } from './refresh-lock.js'

export { DEFAULT_REFRESH_SKEW_MS } from './refresh-skew.js'
/** At most one refresh attempt per profile per this window while refreshes keep failing. @public */
export const REFRESH_FAILURE_THROTTLE_MS = 30_000

/** Called after a refreshed credential is persisted, inside the refresh lock. @public */
export interface CredentialsUpdatedEvent {
  readonly profileId: string
  readonly provider: string
  readonly credential: OAuthCredential
}

/** Options shared by everything that may refresh an OAuth credential. @public */
export interface OAuthRefreshSettings {
  /** Refresh when fewer than this many ms remain; default 5 minutes. */
  readonly skewMs?: number
  /** Token endpoint timeout; must stay below the refresh lock's `ttlMs` (`staleMs`). Default 30 s. */
  readonly callTimeoutMs?: number
  /** Timings of the default file refresh lock (under `<stateDir>/locks/oauth-refresh`). */
  readonly lock?: FileLockOptions
  /**
   * The refresh lock; default the file lock under `<stateDir>/locks/oauth-refresh` with `lock`'s
   * timings. A fleet passes `fleet.refreshLock` (Redis, with a fencing token checked on commit).
   */
  readonly refreshLock?: RefreshLockProvider
  /** Adapters to use; the package's default registry when omitted. */
  readonly providers?: OAuthProviderRegistry
  /** Plain-http token endpoints (loopback test servers only). */
  readonly allowInsecureRequests?: boolean
  /** Hook for embedders that keep their own token sink; awaited before the new token is used. */
  readonly onCredentialsUpdated?: (event: CredentialsUpdatedEvent) => void | Promise<void>
  /**
   * Told how each refresh attempt ended (outcome, duration, refresh-lock wait; never a token):
   * for metrics. A still-valid token returned at once, or a call joining a refresh already in
   * flight in this process, is not an attempt. A listener that throws is ignored.
   */
  readonly onRefresh?: OAuthRefreshListener
}

/** @public */
export interface RefreshOAuthCredentialOptions extends OAuthRefreshSettings {
  readonly profileId: string
  /** The agent dir whose store holds (or reads through to) the profile. */
  readonly agentDir?: string
  readonly mainAgentDir?: string | null
  /** Or an explicit backend. */
  readonly backend?: AuthStoreBackend
  /** Directory for the refresh locks' parent (`<stateDir>/locks`); inferred from `agentDir`. */
  readonly stateDir?: string
  /** Refresh even if the token is still valid. */
  readonly force?: boolean
  /**
   * The access token a provider just rejected (401). If the stored token differs, another process
   * already refreshed: it is used without a network call. Implies `force`.
   */
  readonly rejectedAccessToken?: string
  readonly fetch?: FetchFunction
  readonly now?: Clock
  readonly env?: Env
  readonly homeDir?: string
  readonly signal?: AbortSignal
  /** File-backend options (lock, symlink policy, diagnostics) for the store. */
  readonly store?: Omit<FileAuthStoreOptions, 'agentDir' | 'mainAgentDir'>
}

/** @public */
export interface RefreshOAuthCredentialResult {
  readonly credential: OAuthCredential
  /** A token request was made and its result persisted. */
  readonly refreshed: boolean
  /** Another process (or agent) had already refreshed; its credential was adopted. */
  readonly adopted: boolean
  /**
   * The refresh failed transiently but the current access token is still valid and was returned.
   */
  readonly stale: boolean
}

const inFlight = new Map<string, Promise<RefreshOAuthCredentialResult>>()

function usable(credential: OAuthCredential, now: number, skewMs: number): boolean {
  return credential.access !== '' && now < credential.expires - skewMs
}

function stillValid(credential: OAuthCredential, now: number): boolean {
  return credential.access !== '' && now < credential.expires
}

function stateDirFor(options: RefreshOAuthCredentialOptions): string {
  if (options.stateDir) return options.stateDir
  const match = options.agentDir
    ? /^(.*)[/\\]agents[/\\][^/\\]+[/\\]agent[/\\]?$/.exec(options.agentDir)
    : null
  if (match?.[1]) return match[1]
  return resolveStateDir({
    env: resolveEnv(options),
    ...(options.homeDir ? { homeDir: options.homeDir } : {}),
  })
}

/**
 * The backend that owns a profile: an explicit backend, else the agent's own store when it holds
 * the profile, else the main agent's store (sub-agents read OAuth credentials through; a
 * refreshed token is written only to its single owner).
 */
async function owningBackend(options: RefreshOAuthCredentialOptions): Promise<AuthStoreBackend> {
  if (options.backend) return options.backend
  if (!options.agentDir) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      'refreshOAuthCredential needs an agentDir or a backend.',
    )
  }
  const storeOptions = { ...options.store, ...(options.env ? { env: options.env } : {}) }
  const own = createFileAuthStore({
    ...storeOptions,
    agentDir: options.agentDir,
    mainAgentDir: null,
  })
  if ((await own.load()).profiles[options.profileId]) return own
  const main =
    options.mainAgentDir === null
      ? undefined
      : (options.mainAgentDir ?? inferMainAgentDir(options.agentDir))
  if (main) {
    const mainBackend = createFileAuthStore({ ...storeOptions, agentDir: main, mainAgentDir: null })
    if ((await mainBackend.load()).profiles[options.profileId]) return mainBackend
  }
  return own
}

/**
 * A file store handle passed as `backend` stands for its agent dir: the profile's owner (the main
 * agent's store, for a sub-agent's read-through profile) is where the refresh is written, and the
 * agent dir locates the refresh locks.
 */
function withFileHandleResolved(
  options: RefreshOAuthCredentialOptions,
): RefreshOAuthCredentialOptions {
  const file = options.backend ? fileStoreOptionsOf(options.backend) : undefined
  if (!file) return options
  const { backend: _backend, ...rest } = options
  const { agentDir, mainAgentDir, env, ...storeOptions } = file
  return {
    ...rest,
    agentDir,
    ...(mainAgentDir === undefined ? {} : { mainAgentDir }),
    ...(rest.env === undefined && env !== undefined ? { env } : {}),
    store: { ...storeOptions, ...rest.store },
  }
}

function oauthCredentialOf(store: AuthProfileStore, profileId: string): OAuthCredential {
  const credential = store.profiles[profileId]
  if (!credential) {
    throw new AuthProfilesError(
      'ERR_PROFILE_NOT_FOUND',
      `Auth profile ${describeId(profileId)} not found.`,
      { profileId },
    )
  }
  if (credential.type !== 'oauth') {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      `Auth profile ${describeId(profileId)} is not an OAuth profile.`,
      {
        profileId,
      },
    )
  }
  return credential
}

function throttled(store: AuthProfileStore, profileId: string, now: number): number | undefined {
  const failedAt = store.usageStats?.[profileId]?.refreshFailedAt
  return failedAt !== undefined && now - failedAt < REFRESH_FAILURE_THROTTLE_MS
    ? failedAt
    : undefined
}

function reauthReason(reason: string): string {
  return `the provider rejected its refresh token (${reason})`
}

/**
 * Refreshes an OAuth profile safely across threads, processes and agents:
 *
 * 1. A valid token (more than `skewMs` left) is returned without a lock or network call.
 * 2. Concurrent callers in one process share one refresh.
 * 3. Across processes a lock per `(provider, profileId)` under `<stateDir>/locks/oauth-refresh`
 *    serialises refreshes; inside it the store is re-read, and a credential another process has
 *    already refreshed is adopted with no network call.
 * 4. The result is persisted with compare-and-swap on the profile's `generation`: a holder whose
 *    lock was stolen can never overwrite a newer credential.
 * 5. `invalid_grant`, `refresh_token_reused`, `404 not_found` … reload the store once and adopt a
 *    newer credential if one exists; otherwise the profile is marked `needs_reauth` (its stored
 *    bytes otherwise unchanged) and {@link ReauthRequiredError} names the login command. A
 *    credential is never blanked or deleted by a failed refresh.
 * 6. Transient failures (5xx, network, timeouts, malformed or oversize responses) keep serving a
 *    still-valid token; otherwise they throw a retryable `ERR_REFRESH_FAILED`. While refreshes keep
 *    failing, each profile is attempted at most once per 30 s across processes.
 *
 * @throws {ReauthRequiredError} when a new login is needed.
 * @throws {AuthProfilesError} `ERR_REFRESH_FAILED` (retryable), `ERR_PROFILE_NOT_FOUND`,
 *   `ERR_OAUTH` (no adapter), `ERR_LOCK_TIMEOUT`, store errors.
 * @public
 */
export async function refreshOAuthCredential(
  given: RefreshOAuthCredentialOptions,
): Promise<RefreshOAuthCredentialResult> {
  const options = withFileHandleResolved(given)
  const now = resolveClock(options)
  const skewMs = options.skewMs ?? DEFAULT_REFRESH_SKEW_MS
  const backend = await owningBackend(options)
  const current = oauthCredentialOf(await backend.load(), options.profileId)
  const force = options.force === true || options.rejectedAccessToken !== undefined
  const startedAt = performance.now()
  if (
    options.rejectedAccessToken !== undefined &&
    current.access !== options.rejectedAccessToken &&
    stillValid(current, now())
  ) {
    emitRefreshEvent(options.onRefresh, {
      profileId: options.profileId,
      provider: current.provider,
      outcome: 'adopted',
      durationMs: performance.now() - startedAt,
    })
    return { credential: current, refreshed: false, adopted: true, stale: false }
  }
  if (!force && usable(current, now(), skewMs))
    return { credential: current, refreshed: false, adopted: false, stale: false }
  if (current.status === 'needs_reauth') {
    emitRefreshEvent(options.onRefresh, {
      profileId: options.profileId,
      provider: current.provider,
      outcome: 'reauth_required',
      durationMs: performance.now() - startedAt,
      errorCode: 'ERR_REAUTH_REQUIRED',
    })
    throw new ReauthRequiredError({
      profileId: options.profileId,
      provider: current.provider,
      reason: 'a previous refresh was rejected',
    })
  }
  const key = `${backend.location}\u0000${current.provider}\u0000${options.profileId}`
  const pending = inFlight.get(key)
  if (pending) return pending
  const timing: RefreshTiming = { lockWaitMs: undefined }
  const run = observeRefresh(
    options.onRefresh,
    { profileId: options.profileId, provider: current.provider, startedAt },
    timing,
    refreshUnderLock(options, backend, current, force, timing),
  ).finally(() => inFlight.delete(key))
  inFlight.set(key, run)
  return run
}

async function refreshUnderLock(
  options: RefreshOAuthCredentialOptions,
  backend: AuthStoreBackend,
  before: OAuthCredential,
  force: boolean,
  timing: RefreshTiming,
): Promise<RefreshOAuthCredentialResult> {
  const now = resolveClock(options)
  const env = resolveEnv(options)
  const skewMs = options.skewMs ?? DEFAULT_REFRESH_SKEW_MS
  const { profileId } = options
  const provider = before.provider
  const adapter = (options.providers ?? defaultOAuthProviders()).get(provider)
  if (!adapter?.refresh) {
    throw new AuthProfilesError(
      'ERR_OAUTH',
      `No OAuth refresh is available for provider ${provider}.`,
      { profileId, provider },
    )
  }
  const refreshLock =
    options.refreshLock ??
    createFileRefreshLockProvider({
      stateDir: stateDirFor(options),
      ...(options.lock ? { lock: options.lock } : {}),
    })
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS
  if (!(callTimeoutMs > 0 && callTimeoutMs < refreshLock.ttlMs)) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      `The token call timeout (${callTimeoutMs} ms) must be positive and below the refresh lock's TTL (staleMs, ${refreshLock.ttlMs} ms): a holder must finish before its lock can be taken over.`,
    )
  }

  const beforeThrottle = throttled(await backend.load(), profileId, now())
  if (beforeThrottle !== undefined) return throttledResult(before, beforeThrottle, options, now())

  const lockKey = {
    provider,
    profileId,
    ...(backend.agentId === undefined ? {} : { agentId: backend.agentId }),
  }
  const waitStarted = performance.now()
  let lock: RefreshLock
  try {
    lock = await refreshLock.acquire(lockKey, options.signal)
  } finally {
    timing.lockWaitMs = performance.now() - waitStarted
  }
  try {
    testFault(env, 'after-lock')
    const fresh = await backend.load()
    const latest = oauthCredentialOf(fresh, profileId)
    const changedSinceStart =
      (latest.generation ?? 0) !== (before.generation ?? 0) || latest.refresh !== before.refresh
    if (changedSinceStart && usable(latest, now(), force ? 0 : skewMs)) {
      return { credential: latest, refreshed: false, adopted: true, stale: false }
    }
    if (latest.status === 'needs_reauth') {
      throw new ReauthRequiredError({
        profileId,
        provider,
        reason: 'a previous refresh was rejected',
      })
    }
    const lockedThrottle = throttled(fresh, profileId, now())
    if (lockedThrottle !== undefined) return throttledResult(latest, lockedThrottle, options, now())

    const runtime: OAuthRuntime = {
      fetch: createBoundedFetch(resolveFetch(options), {
        timeoutMs: callTimeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
      now,
      env,
      signal: options.signal,
      allowInsecureRequests: options.allowInsecureRequests === true,
    }
    let tokens: OAuthTokenSet
    try {
      tokens = await adapter.refresh(latest, runtime)
    } catch (error) {
      return await handleRefreshError(error, { backend, latest, options })
    }
    testFault(env, 'after-token-response')
    const delay = testFault(env, 'before-commit')
    if (delay?.startsWith('delay:'))
      await new Promise((resolve) => setTimeout(resolve, Number(delay.slice(6))))
    return await commitFenced(backend, latest, tokens, options, {
      lock,
      reacquire: () => refreshLock.acquire(lockKey, options.signal),
    })
  } finally {
    await lock.release()
  }
}

function throttledResult(
  credential: OAuthCredential,
  failedAt: number,
  options: RefreshOAuthCredentialOptions,
  now: number,
): RefreshOAuthCredentialResult {
  if (stillValid(credential, now))
    return { credential, refreshed: false, adopted: false, stale: true }
  const waitSeconds = Math.ceil((failedAt + REFRESH_FAILURE_THROTTLE_MS - now) / 1000)
  throw new AuthProfilesError(
    'ERR_REFRESH_FAILED',
    `Refreshing ${options.profileId} failed moments ago; the next attempt is allowed in ${waitSeconds} s.`,
    { profileId: options.profileId, provider: credential.provider, retryable: true },
  )
}

function isFenceRejection(error: unknown): boolean {
  return findAuthProfilesError(error)?.code === 'ERR_LOCK_COMPROMISED'
}

/**
 * A refresh runs on a request's path: a fleet whose Redis is unreachable records its outcome
 * (the new tokens, a re-auth marker, `refreshFailedAt`) locally instead of failing the request.
 */
const REQUEST_PATH: AuthStoreUpdateOptions = Object.freeze({ localFallback: true })

/**
 * Commits under the lock's fencing token. A rejected token means another holder took the lock
 * over while this one stalled: a newer credential it committed is adopted; if it has committed
 * nothing (yet), this holder waits for the lock again and commits its token set under the new
 * token (it may hold the only live refresh token), unless a newer credential appeared meanwhile.
 * Nothing is ever blanked.
 */
async function commitFenced(
  backend: AuthStoreBackend,
  latest: OAuthCredential,
  tokens: OAuthTokenSet,
  options: RefreshOAuthCredentialOptions,
  locking: { readonly lock: RefreshLock; readonly reacquire: () => Promise<RefreshLock> },
): Promise<RefreshOAuthCredentialResult> {
  try {
    return await commit(backend, latest, tokens, options, locking.lock)
  } catch (error) {
    if (!isFenceRejection(error)) throw error
  }
  const adopted = await adoptNewer(backend, latest, options.profileId)
  if (adopted) return adopted
  const again = await locking.reacquire()
  try {
    return (
      (await adoptNewer(backend, latest, options.profileId)) ??
      (await commit(backend, latest, tokens, options, again))
    )
  } finally {
    await again.release()
  }
}

/** The stored credential when it is newer than `latest` (and not blank), else `undefined`. */
async function adoptNewer(
  backend: AuthStoreBackend,
  latest: OAuthCredential,
  profileId: string,
): Promise<RefreshOAuthCredentialResult | undefined> {
  const stored = oauthCredentialOf(await backend.load(), profileId)
  const newer =
    (stored.generation ?? 0) !== (latest.generation ?? 0) || stored.refresh !== latest.refresh
  if (!newer || stored.access === '') return undefined
  return { credential: stored, refreshed: false, adopted: true, stale: false }
}

async function commit(
  backend: AuthStoreBackend,
  latest: OAuthCredential,
  tokens: OAuthTokenSet,
  options: RefreshOAuthCredentialOptions,
  lock: RefreshLock,
): Promise<RefreshOAuthCredentialResult> {
  const { profileId } = options
  const generation = latest.generation ?? 0
  const { result } = await backend.update(
    (store) => {
      const stored = store.profiles[profileId]
      if (!stored || stored.type !== 'oauth') return { kind: 'gone' as const }
      if ((stored.generation ?? 0) !== generation || stored.refresh !== latest.refresh) {
        return { kind: 'conflict' as const, credential: stored }
      }
      const { status: _status, ...kept } = stored
      const next: OAuthCredential = {
        ...kept,
        ...tokens,
        refresh: tokens.refresh ?? stored.refresh,
        generation: generation + 1,
      }
      store.profiles[profileId] = next
      const stats = store.usageStats?.[profileId]
      if (stats?.refreshFailedAt !== undefined && store.usageStats) {
        const { refreshFailedAt: _failedAt, ...rest } = stats
        store.usageStats[profileId] = rest
      }
      return { kind: 'written' as const, credential: next }
    },
    lock.fence ? { fence: lock.fence, localFallback: true } : REQUEST_PATH,
  )
  if (result.kind === 'gone') {
    throw new AuthProfilesError(
      'ERR_PROFILE_NOT_FOUND',
      `Auth profile ${describeId(profileId)} was removed during its refresh.`,
      {
        profileId,
      },
    )
  }
  if (result.kind === 'conflict') {
    // Someone committed a newer credential while we waited (a stolen lock, clock trouble): theirs
    // wins, ours is dropped.
    return {
      credential: result.credential,
      refreshed: false,
      adopted: true,
      stale: false,
    }
  }
  await options.onCredentialsUpdated?.({
    profileId,
    provider: result.credential.provider,
    credential: result.credential,
  })
  return { credential: result.credential, refreshed: true, adopted: false, stale: false }
}

async function handleRefreshError(
  error: unknown,
  context: {
    backend: AuthStoreBackend
    latest: OAuthCredential
    options: RefreshOAuthCredentialOptions
  },
): Promise<RefreshOAuthCredentialResult> {
  const { backend, latest, options } = context
  const { profileId } = options
  const now = resolveClock(options)()
  // A caller's cancel is not a refresh failure: nothing is marked, nothing is throttled.
  if (options.signal?.aborted || findAuthProfilesError(error)?.code === 'ERR_ABORTED') {
    throw new AuthProfilesError('ERR_ABORTED', `Refreshing ${profileId} was cancelled.`, {
      profileId,
    })
  }
  // A local problem (missing client secret, bad configuration) is not a provider answer: report it
  // as it is, without marking or throttling the profile.
  const local = findAuthProfilesError(error)
  if (
    local &&
    !local.retryable &&
    (local.code === 'ERR_OAUTH' || local.code === 'ERR_INVALID_ARGUMENT')
  )
    throw local
  const classification = classifyTokenError(error)
  // Another writer may have rotated the token under us (a lost race or a stolen lock): adopt it
  // rather than declare the login dead.
  const reloaded = oauthCredentialOf(await backend.load(), profileId)
  if ((reloaded.generation ?? 0) !== (latest.generation ?? 0) && stillValid(reloaded, now)) {
    return { credential: reloaded, refreshed: false, adopted: true, stale: false }
  }
  if (classification.permanent) {
    await backend.update((store) => {
      const stored = store.profiles[profileId]
      if (stored?.type === 'oauth' && (stored.generation ?? 0) === (latest.generation ?? 0)) {
        store.profiles[profileId] = { ...stored, status: 'needs_reauth' }
      }
    }, REQUEST_PATH)
    // No `cause`: token endpoint error bodies can echo the refresh token.
    throw new ReauthRequiredError({
      profileId,
      provider: latest.provider,
      reason: reauthReason(classification.reason),
    })
  }
  await backend.update((store) => {
    store.usageStats = {
      ...store.usageStats,
      [profileId]: { ...store.usageStats?.[profileId], refreshFailedAt: now },
    }
  }, REQUEST_PATH)
  if (stillValid(latest, now))
    return { credential: latest, refreshed: false, adopted: false, stale: true }
  throw new AuthProfilesError(
    'ERR_REFRESH_FAILED',
    `Refreshing ${profileId} (${latest.provider}) failed (${classification.reason}); the stored credential is unchanged. Try again shortly.`,
    { profileId, provider: latest.provider, retryable: true },
  )
}
