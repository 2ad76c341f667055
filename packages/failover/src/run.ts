import {
  AuthProfilesError,
  collectProviderApiKeys,
  createSecretMasker,
  createFileAuthStore,
  createMemoryAuthStore,
  isAuthStoreBackend,
  probeLeasesFor,
  refreshOAuthCredential,
  resolveApiKeyForProfile,
  resolveApiKeyForProvider,
  type AuthProfileStore,
  type AuthStoreBackend,
  type CredentialMode,
  type FetchFunction,
  type OAuthRefreshSettings,
  type SecretMasker,
} from '@claw/auth-profiles'
import { resolveProviderBaseUrl } from '@claw/model-catalog'
import { isUserAbortError } from './classify/classify.js'
import type { FallbackCandidate } from './candidates.js'
import { runEngine } from './engine/engine.js'
import {
  failedCallOutcome,
  type CallOutcome,
  type CredentialSlot,
  type EngineHooks,
  type FailedCallOutcome,
} from './engine/engine-hooks.js'
import type { FailoverAttempt } from './errors.js'
import type { FailoverEvent } from './events.js'
import type { FailoverRunObserver, FailoverTelemetry } from './failover-telemetry.js'
import { redactOutcome } from './redact-error.js'
import { resolveClock, type Clock, type Sleep } from './runtime.js'
import type { FailoverTargetOptions } from './target-options.js'
import type { FailoverTraceEntry } from './trace.js'

/** What the caller's model call receives. @public */
export interface FailoverCallContext {
  readonly provider: string
  readonly model: string
  /** Absent only for ambient credentials (`aws-sdk`, `gcloud-adc`) the vendor SDK resolves. */
  readonly apiKey: string | undefined
  readonly profileId: string | undefined
  /**
   * Where to send the call: the credential's host when it decides one (GitHub Copilot), else
   * `models.providers.<id>.baseUrl` from config, else the provider's default base URL;
   * `undefined` only for an unknown provider with no configured URL.
   */
  readonly baseUrl: string | undefined
  readonly mode: CredentialMode
  /** `profile:<id>`, `env: VAR`, … (never the secret). */
  readonly source: string
  /** 1-based count of calls made in this run. */
  readonly attempt: number
  /** Aborted when the caller aborts: pass it to your HTTP client. */
  readonly signal: AbortSignal | undefined
}

/** @public */
export interface RunWithFailoverOptions<T> extends FailoverTargetOptions {
  /** The model call. Throw on failure: the error is classified (throw a `FailoverError` to decide). */
  readonly run: (context: FailoverCallContext) => Promise<T>
  readonly signal?: AbortSignal | undefined
  readonly onEvent?: ((event: FailoverEvent) => void) | undefined
  /** Total time budget for the run, in ms; each call is aborted when it runs out. */
  readonly deadlineMs?: number | undefined
  /** At least this long between two calls with the same credential (default 250 ms). */
  readonly minRetryGapMs?: number | undefined
  /** When every candidate is cooling down, wait up to this long for the soonest one (default 0: fail fast). */
  readonly maxWaitMs?: number | undefined
  /**
   * How to wait between attempts. The default is a timer that keeps the process alive, so a script
   * never exits in the middle of a run; tests pass one that advances a fake clock.
   */
  readonly sleep?: Sleep | undefined
  readonly fetch?: FetchFunction | undefined
  readonly oauth?: OAuthRefreshSettings | undefined
  /**
   * After a credential's cooldown or disable window ends, one run at a time probes it (the others
   * use the remaining credentials, or wait for the probe when nothing else is usable). A probe's
   * lease lasts at most this long (default 30 s, never past `deadlineMs`), so a run that crashes or
   * hangs mid-probe only delays the next one.
   */
  readonly probeLeaseMs?: number | undefined
  /**
   * An array the trace is appended to as the run goes, so it is complete also when the run
   * throws (createFailoverFetch hands it out with a failed response).
   *
   * @internal
   */
  readonly trace?: FailoverTraceEntry[] | undefined
  /**
   * Observes the run (a span with an event per attempt, metrics): `createClawTelemetry()` from
   * `@claw/failover/telemetry`. Absent: no telemetry work at all.
   */
  readonly telemetry?: FailoverTelemetry | undefined
}

/** @public */
export interface RunWithFailoverResult<T> {
  readonly result: T
  readonly provider: string
  readonly model: string
  readonly profileId: string | undefined
  /** Failed attempts before the success (empty when the first call succeeded). */
  readonly attempts: readonly FailoverAttempt[]
  readonly trace: readonly FailoverTraceEntry[]
}

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

/** `() => backend.load()` for each backend, built once rather than per run. */
const reloaders = new WeakMap<AuthStoreBackend, () => Promise<AuthProfileStore>>()

function reloaderOf(backend: AuthStoreBackend): () => Promise<AuthProfileStore> {
  let reload = reloaders.get(backend)
  if (reload === undefined) {
    reload = () => backend.load()
    reloaders.set(backend, reload)
  }
  return reload
}

interface ReadyCredential {
  readonly apiKey: string | undefined
  readonly baseUrl: string | undefined
  readonly mode: CredentialMode
  readonly source: string
}

/** The answer to every successful `resolve`: one shared object, not a new one per call. */
const READY = Object.freeze({ ready: true } as const)

/**
 * The state of one `runWithFailover` call, with the engine hooks as its methods. Methods live on
 * the prototype: hooks built as closures (and their context) would be allocated on every run, and
 * the allocations per run are what sets the young-generation GC pauses in the overhead's p99.
 */
class FailoverRun<T> implements EngineHooks<T> {
  /**
   * What `resolveApiKeyForProfile` and `resolveApiKeyForProvider` get besides the profile or
   * provider and the store.
   */
  private readonly profileOptions: Record<string, unknown>
  /**
   * The credential of the last successful `resolve`: the engine resolves a slot right before its
   * calls (and again after an OAuth refresh), so `call` only ever needs the latest one.
   */
  private ready: ReadyCredential | undefined = undefined
  /**
   * The keys handed to `run` whose call failed, compiled: masked in everything the run reports.
   * Made on the first failure (a successful run allocates nothing for it).
   */
  private secrets: string[] | undefined = undefined
  private masker: SecretMasker | undefined = undefined
  private readyCandidate: FallbackCandidate | undefined = undefined
  private readySlot: CredentialSlot | undefined = undefined

  constructor(
    private readonly options: RunWithFailoverOptions<T>,
    private readonly clock: Clock,
    /** The end of the time budget (clock ms), shared by the engine and each call's signal. */
    private readonly deadlineAt: number | undefined,
    private readonly backend: AuthStoreBackend,
    /** The OAuth settings refreshes use: the caller's, or its observer's. */
    private readonly oauth: OAuthRefreshSettings | undefined,
  ) {
    // Built once per run, explicit properties first (see the note in `resolve`).
    const profileOptions: Record<string, unknown> = { config: options.config }
    if (options.env) profileOptions.env = options.env
    if (options.now) profileOptions.now = options.now
    if (options.signal) profileOptions.signal = options.signal
    if (options.fetch) profileOptions.fetch = options.fetch
    if (oauth) profileOptions.oauth = oauth
    this.profileOptions = profileOptions
  }

  private setReady(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
    credential: ReadyCredential,
  ): typeof READY {
    this.ready = credential
    this.readyCandidate = candidate
    this.readySlot = slot
    return READY
  }

  private readyFor(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
  ): ReadyCredential | undefined {
    return this.readyCandidate === candidate && this.readySlot === slot ? this.ready : undefined
  }

  async resolve(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
    _store: AuthProfileStore,
  ): Promise<{ readonly skip: string } | typeof READY> {
    const { options, backend } = this
    try {
      if (slot.profileId) {
        // The per-call field comes first: a literal that starts with a spread and then adds
        // properties gets a new hidden class on every call in V8 (Node 20), and those keep
        // the run's young objects alive through GCs (see copyRecord in @claw/auth-profiles).
        // The handle, not the snapshot: an OAuth refresh is saved through it.
        const resolved = await resolveApiKeyForProfile({
          profileId: slot.profileId,
          ...this.profileOptions,
          store: backend,
        })
        if (!resolved) return { skip: 'no usable credential' }
        return this.setReady(candidate, slot, {
          apiKey: resolved.apiKey,
          baseUrl: resolved.baseUrl,
          mode: resolved.mode,
          source: slot.label,
        })
      }
      if (slot.envKeyIndex !== undefined) {
        const keys = collectProviderApiKeys(
          candidate.provider,
          options.env ? { env: options.env } : {},
        )
        const apiKey = keys[slot.envKeyIndex]
        if (!apiKey) return { skip: 'env key no longer set' }
        return this.setReady(candidate, slot, {
          apiKey,
          baseUrl: undefined,
          mode: 'api-key',
          source: slot.label,
        })
      }
      const resolved = await resolveApiKeyForProvider({
        provider: candidate.provider,
        model: candidate.model,
        ...this.profileOptions,
        store: backend,
      })
      return this.setReady(candidate, slot, {
        apiKey: resolved.apiKey,
        baseUrl: resolved.baseUrl,
        mode: resolved.mode,
        source: resolved.source,
      })
    } catch (error) {
      if (AuthProfilesError.isInstance(error)) return { skip: error.message }
      throw error
    }
  }

  async call(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
    attempt: number,
  ): Promise<CallOutcome<T>> {
    const { options, deadlineAt } = this
    const credential = this.readyFor(candidate, slot)
    // With a time budget the call itself is bounded too: the remaining time aborts it.
    const remainingMs =
      deadlineAt === undefined ? undefined : Math.max(0, deadlineAt - this.clock())
    const budget =
      remainingMs === undefined ? undefined : AbortSignal.timeout(Math.max(1, remainingMs))
    const signal =
      budget === undefined
        ? options.signal
        : options.signal
          ? AbortSignal.any([options.signal, budget])
          : budget
    try {
      const value = await options.run({
        provider: candidate.provider,
        model: candidate.model,
        apiKey: credential?.apiKey,
        profileId: slot.profileId,
        baseUrl: credential?.baseUrl ?? resolveProviderBaseUrl(candidate.provider, options.config),
        mode: credential?.mode ?? 'api-key',
        source: credential?.source ?? slot.label,
        attempt,
        signal,
      })
      return { ok: true, value }
    } catch (error) {
      // The keys of this run never leave it: a provider that echoes one in its error gets it
      // masked in every message, and the caller gets a redacted copy of its error back.
      const apiKey = credential?.apiKey
      if (apiKey !== undefined && !this.secrets?.includes(apiKey)) {
        ;(this.secrets ??= []).push(apiKey)
        this.masker = createSecretMasker(this.secrets)
      }
      return redactOutcome(this.failed(error, budget, candidate, slot), this.masker)
    }
  }

  /** What a call that threw amounts to (before redaction). */
  private failed(
    error: unknown,
    budget: AbortSignal | undefined,
    candidate: FallbackCandidate,
    slot: CredentialSlot,
  ): FailedCallOutcome {
    if (this.options.signal?.aborted)
      return { ok: false, reason: null, error, message: 'aborted', aborted: true }
    // The time budget ran out mid-call: that is a timeout, whatever the call threw.
    if (budget?.aborted)
      return { ok: false, reason: 'timeout', error, message: 'call exceeded the time budget' }
    if (isUserAbortError(error))
      return { ok: false, reason: null, error, message: 'aborted', aborted: true }
    return failedCallOutcome(error, {
      provider: candidate.provider,
      model: candidate.model,
      profileId: slot.profileId,
    })
  }

  async refreshAfterAuthFailure(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
    store: AuthProfileStore,
  ): Promise<boolean> {
    const { options, backend } = this
    const profileId = slot.profileId
    if (!profileId || store.profiles[profileId]?.type !== 'oauth') return false
    const credential = this.readyFor(candidate, slot)
    try {
      const refreshed = await refreshOAuthCredential({
        ...(this.oauth ?? {}),
        profileId,
        backend,
        ...(credential?.apiKey ? { rejectedAccessToken: credential.apiKey } : { force: true }),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.now ? { now: options.now } : {}),
        ...(options.env ? { env: options.env } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      })
      if (refreshed.credential.access === credential?.apiKey) return false
      const again = await this.resolve(candidate, slot, store)
      return 'ready' in again
    } catch {
      return false
    }
  }
}

/**
 * Runs a model call with failover (profile rotation and model fallback, with model-scoped
 * cooldowns, Retry-After deadlines and a decision trace):
 *
 * - candidates: the requested model, then the fallbacks (see `buildFallbackCandidates`);
 * - within a candidate's provider, its profiles in `resolveAuthProfileOrder` order (cooling profiles
 *   skipped; a provider whose profiles are all cooling is skipped without a call), or its env keys
 *   (rotated on rate limits only), or its env/config key;
 * - each failure is classified and handled per {@link FAILOVER_POLICY}: the profile is marked
 *   (model-scoped where the reason is), then the next profile, the next model, or the error is
 *   surfaced (`format`, `context_overflow`, unclassifiable errors);
 * - after a profile's cooldown or disable window ends, one run at a time probes it (half-open); the
 *   others keep to the remaining credentials, or, when nothing else is usable, wait for the probe's
 *   outcome (at most `probeLeaseMs`, never past `deadlineMs`) and then use it or fail fast;
 * - a user-pinned profile (`sessionProfile.source: 'user'`) is used even in cooldown and never
 *   rotated; an `auth` failure on an OAuth profile gets one forced refresh first;
 * - success marks the profile used and good;
 * - the caller's signal stops everything (no further calls); at most `maxAttempts` calls, at least
 *   `minRetryGapMs` between calls on one credential, optional total `deadlineMs`;
 * - every key handed to `run` whose call failed is masked in everything derived from the failure
 *   (summary message, attempts, trace); an error that shows one (message, stack, properties,
 *   causes) is replaced by a redacted copy of the same class before it is thrown or becomes a
 *   summary's `cause`.
 *
 * @throws the original error — or its redacted copy when it shows one of the run's keys — when it
 *   is not failover-worthy, when it was a user abort, or when only one call was made; otherwise a
 *   `FailoverSummaryError` with every attempt and the soonest cooldown expiry (`retryAfterMs`).
 * @public
 */
export function runWithFailover<T>(
  options: RunWithFailoverOptions<T>,
): Promise<RunWithFailoverResult<T>> {
  const { telemetry } = options
  return telemetry === undefined
    ? runFailover(options, undefined)
    : telemetry.observeRun(options, (observer) => runFailover(options, observer))
}

async function runFailover<T>(
  options: RunWithFailoverOptions<T>,
  observer: FailoverRunObserver | undefined,
): Promise<RunWithFailoverResult<T>> {
  const clock = resolveClock(options)
  const deadlineAt = options.deadlineMs === undefined ? undefined : clock() + options.deadlineMs
  const backend = runStoreHandle(options, 'runWithFailover')
  const store = await backend.load()
  const run = new FailoverRun(
    options,
    clock,
    deadlineAt,
    backend,
    observer === undefined ? options.oauth : observer.oauth,
  )
  const engine = await runEngine<T>(
    {
      config: options.config,
      backend,
      store,
      reloadStore: reloaderOf(backend),
      // Just read (nothing awaited since): the first candidate works on it without a re-read.
      storeIsFresh: true,
      provider: options.provider,
      model: options.model,
      fallbacksOverride: options.fallbacksOverride,
      agentId: options.agentId,
      sessionProfile: options.sessionProfile,
      env: options.env,
      signal: options.signal,
      onEvent: observer === undefined ? options.onEvent : observer.onEvent,
      maxAttempts: options.maxAttempts,
      deadlineAt,
      minRetryGapMs: options.minRetryGapMs,
      maxWaitMs: options.maxWaitMs,
      now: options.now,
      sleep: options.sleep,
      trace: options.trace,
      probeLeases: probeLeasesFor(backend),
      probeLeaseMs: options.probeLeaseMs,
    },
    run,
  )
  return {
    result: engine.value,
    provider: engine.candidate.provider,
    model: engine.candidate.model,
    profileId: engine.slot.profileId,
    attempts: engine.attempts,
    trace: engine.trace,
  }
}
