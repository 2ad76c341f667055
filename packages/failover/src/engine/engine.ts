// The failover loop shared by runWithFailover (real calls) and planFailover (a dry run): the same
// candidates, the same order, the same skips and the same policy, so a plan predicts a run.
import {
  collectProviderApiKeys,
  evaluateProfileEligibility,
  findOrphanOrders,
  isCooldownBypassProvider,
  listProfilesForProvider,
  markAuthProfileFailure,
  markAuthProfileGood,
  markAuthProfileUsed,
  resolveAuthProfileOrder,
  resolveExplicitOrder,
  resolveProfileProbation,
  resolveProfileUnusableCause,
  resolveProfileUnusableUntil,
  DEFAULT_PROBE_LEASE_MS,
  type AuthProfileStore,
  type AuthStoreBackend,
  type ClawConfig,
  type ProbeLeaseResult,
  type ProbeLeases,
  type ProbeRequest,
  type ProfileProbation,
} from '@claw/auth-profiles'
import { normalizeProviderId } from '@claw/model-catalog'
import { buildFallbackCandidates, type FallbackCandidate } from '../candidates.js'
import {
  classifyFailure,
  describeFailoverError,
  type FailoverErrorContext,
} from '../classify/classify.js'
import type { UsageLimitReport } from '../usage-limit.js'
import { FailoverSummaryError, type FailoverAttempt } from '../errors.js'
import type { FailoverEvent } from '../events.js'
import { FAILOVER_POLICY, toProfileFailureReason } from '../policy.js'
import type { FailoverReason } from '../reasons.js'
import { resolveClock, resolveSleep, type Clock, type Sleep } from '../runtime.js'
import type { FailoverTraceEntry } from '../trace.js'

/** A credential to try for a candidate: a stored profile, or an env/config key. @internal */
export interface CredentialSlot {
  readonly profileId?: string
  /** `profile:<id>`, `env: VAR`, `env: VAR #2`, `config: …` — never the secret. */
  readonly label: string
  /** Index into the env key list for env slots. */
  readonly envKeyIndex?: number
}

/** The outcome of one call, as the engine sees it. @internal */
export type CallOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false
      /** `null`: not failover-worthy (rethrow, stop). */
      readonly reason: FailoverReason | null
      readonly error: unknown
      readonly message: string
      readonly status?: number | undefined
      readonly code?: string | undefined
      readonly retryAfterMs?: number | undefined
      /** A subscription usage window that ran out: the whole profile cools down until it resets. */
      readonly usageLimit?: UsageLimitReport | undefined
      /** A user abort: stop everything. */
      readonly aborted?: boolean
    }

/** A failed call's outcome. @internal */
export type FailedCallOutcome = Extract<CallOutcome<never>, { ok: false }>

/** The outcome of a call that threw something other than a user abort. @internal */
export function failedCallOutcome(
  error: unknown,
  context: FailoverErrorContext,
): FailedCallOutcome {
  // What coerceToFailoverError would say, without building (and capturing the stack of) an error
  // that nobody sees: the outcome keeps the original.
  const coerced = classifyFailure(error, context.now)
  if (!coerced)
    return { ok: false, reason: null, error, message: describeFailoverError(error).message }
  return {
    ok: false,
    reason: coerced.reason,
    error,
    message: coerced.message,
    status: coerced.status,
    code: coerced.code,
    retryAfterMs: coerced.retryAfterMs,
    usageLimit: coerced.usageLimit,
  }
}

/** How the engine gets keys and makes calls; runWithFailover and planFailover differ only here. @internal */
export interface EngineHooks<T> {
  /** A usable credential for the slot, or why not (`skip`); `store` is the store as last (re-)read. */
  resolve(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
    store: AuthProfileStore,
  ): Promise<{ readonly skip: string } | { readonly ready: true }>
  call(candidate: FallbackCandidate, slot: CredentialSlot, attempt: number): Promise<CallOutcome<T>>
  /** After an `auth` failure on an OAuth profile: refresh once; true when it is worth retrying. */
  refreshAfterAuthFailure?(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
    store: AuthProfileStore,
  ): Promise<boolean>
}

/** @internal */
export interface EngineOptions {
  readonly config?: ClawConfig | undefined
  /** The store handle bookkeeping is recorded through. */
  readonly backend: AuthStoreBackend
  /** The store as just loaded from `backend`. */
  readonly store: AuthProfileStore
  readonly provider?: string | undefined
  readonly model?: string | undefined
  readonly fallbacksOverride?: readonly string[] | undefined
  readonly agentId?: string | undefined
  readonly sessionProfile?:
    { readonly profileId: string; readonly source?: 'auto' | 'user' } | undefined
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  readonly signal?: AbortSignal | undefined
  readonly onEvent?: ((event: FailoverEvent) => void) | undefined
  readonly maxAttempts?: number | undefined
  readonly deadlineMs?: number | undefined
  /**
   * The budget's absolute end (clock ms), when the caller already fixed it: `runWithFailover` bounds
   * each call's signal by the same instant, so the engine and the call agree on when time is up.
   */
  readonly deadlineAt?: number | undefined
  readonly minRetryGapMs?: number | undefined
  readonly maxWaitMs?: number | undefined
  readonly now?: Clock | undefined
  readonly sleep?: Sleep | undefined
  /** Collects the trace (also when the run fails). */
  readonly trace?: FailoverTraceEntry[] | undefined
  /**
   * Re-reads the shared store (one `stat` for the file backend) before each candidate and
   * credential, so cooldowns recorded by concurrent runs and other processes are honoured.
   */
  readonly reloadStore?: (() => Promise<AuthProfileStore>) | undefined
  /**
   * `store` was just read by the caller (nothing awaited since): the first candidate works on it
   * instead of re-reading it at once. Later candidates and credentials are re-read as usual.
   */
  readonly storeIsFresh?: boolean | undefined
  /**
   * `none`: model fallback only — one call per candidate, the caller picks credentials; a candidate
   * is still skipped when every profile of its provider is cooling down.
   */
  readonly credentials?: 'profiles' | 'none' | undefined
  /**
   * Where probe leases live (half-open probes: after a window ends, one run probes the credential).
   * Without them no credential is held back for a probe.
   */
  readonly probeLeases?: ProbeLeases | undefined
  /** A probe lease's lifetime at most (default `DEFAULT_PROBE_LEASE_MS`, and never past the deadline). */
  readonly probeLeaseMs?: number | undefined
  /**
   * When nothing else is usable, wait for another run's probe (bounded by the lease's lifetime and
   * the deadline) and then try again. Default true; plans do not wait.
   */
  readonly waitForProbes?: boolean | undefined
}

/** @internal */
export interface EngineResult<T> {
  readonly value: T
  readonly candidate: FallbackCandidate
  readonly slot: CredentialSlot
  readonly attempts: readonly FailoverAttempt[]
  readonly trace: readonly FailoverTraceEntry[]
}

/** Default budget: at most this many calls per logical request. @public */
export const DEFAULT_MAX_ATTEMPTS = 6
/** No hot loops: at least this long between two calls with the same credential. @public */
export const DEFAULT_MIN_RETRY_GAP_MS = 250

class StopError extends Error {
  constructor(readonly original: unknown) {
    super('stop')
  }
}

function abortError(signal: AbortSignal | undefined): unknown {
  return (
    signal?.reason ?? Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' })
  )
}

/**
 * The state of one engine run. The steps of the loop are module functions taking it, not
 * closures inside `runEngine`: closures (and their context) would be allocated on every run, and
 * this loop's allocations per run are what sets the young-generation GC pauses in its p99.
 */
interface EngineRun<T> {
  readonly options: EngineOptions
  readonly hooks: EngineHooks<T>
  readonly clock: Clock
  readonly sleep: Sleep
  /** The shared store as last (re-)read. */
  store: AuthProfileStore
  readonly maxAttempts: number
  readonly minGap: number
  /** Absolute time budget end (ms), `Infinity` without one. */
  readonly deadline: number
  readonly candidates: readonly FallbackCandidate[]
  readonly attempts: FailoverAttempt[]
  readonly trace: FailoverTraceEntry[]
  /** When each credential (by label) was last called. */
  readonly lastCallAt: Map<string, number>
  /** Env keys cooling down for this run only, by `provider\0label` (created on first use). */
  envCooldowns: Map<string, number> | undefined
  /** `store` is as fresh as a re-read would make it (the caller's store, before the first candidate). */
  storeIsFresh: boolean
  calls: number
  lastError: unknown
  budgetExhausted: boolean
  /** The probe lease this run holds for the credential it is trying now (released after it). */
  probeLease: Extract<ProbeLeaseResult, { status: 'acquired' }> | undefined
  /** Probes of other runs this pass stepped aside for (created on first use). */
  probesHeld: ProbeRequest[] | undefined
}

/**
 * Runs the failover loop. Throws the original error for non-failover-worthy failures and user
 * aborts, the single attempt's error when only one call was made, and a `FailoverSummaryError`
 * otherwise.
 *
 * @internal
 */
export async function runEngine<T>(
  options: EngineOptions,
  hooks: EngineHooks<T>,
): Promise<EngineResult<T>> {
  const clock = resolveClock(options)
  const started = clock()
  const run: EngineRun<T> = {
    options,
    hooks,
    clock,
    sleep: resolveSleep(options),
    store: options.store,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    minGap: options.minRetryGapMs ?? DEFAULT_MIN_RETRY_GAP_MS,
    deadline:
      options.deadlineAt ??
      (options.deadlineMs === undefined ? Number.POSITIVE_INFINITY : started + options.deadlineMs),
    candidates: buildFallbackCandidates({
      config: options.config,
      provider: options.provider,
      model: options.model,
      fallbacksOverride: options.fallbacksOverride,
      agentId: options.agentId,
    }),
    attempts: [],
    trace: options.trace ?? [],
    lastCallAt: new Map(),
    envCooldowns: undefined,
    storeIsFresh: options.storeIsFresh === true,
    calls: 0,
    lastError: undefined,
    budgetExhausted: false,
    probeLease: undefined,
    probesHeld: undefined,
  }
  const { candidates, attempts } = run

  let waitedForCooldown = false
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    run.probesHeld = undefined
    for (let index = 0; index < candidates.length; index += 1) {
      const candidate = candidates[index] as FallbackCandidate
      try {
        const outcome = await tryCandidate(run, candidate)
        if (outcome) return outcome
      } catch (error) {
        if (error instanceof StopError) throw error.original
        throw error
      } finally {
        // A probe's outcome is recorded by now (success or the next window): others may go on.
        if (run.probeLease !== undefined) await releaseProbe(run)
      }
      if (run.budgetExhausted) break
      const next = candidates[index + 1]
      if (next) {
        options.onEvent?.({
          type: 'fallback',
          from: { provider: candidate.provider, model: candidate.model },
          to: { provider: next.provider, model: next.model },
          reason: attempts[attempts.length - 1]?.reason ?? 'unknown',
        })
      }
    }
    if (run.budgetExhausted) break
    // Nothing else was usable while other runs probed a credential: wait for their outcome.
    if (run.probesHeld !== undefined) {
      if (await waitForProbes(run, run.probesHeld)) continue
      break
    }
    if (waitedForCooldown || !(options.maxWaitMs && options.maxWaitMs > 0)) break
    waitedForCooldown = true
    // Everything was cooling down: wait for the soonest window if the caller allows it.
    const retryAt = soonestRetryAt(run)
    const waitMs = retryAt === undefined ? undefined : retryAt - clock()
    if (waitMs === undefined || waitMs > (options.maxWaitMs ?? 0) || run.calls > 0) break
    try {
      await run.sleep(Math.max(0, waitMs), options.signal)
    } catch {
      throw abortError(options.signal)
    }
  }

  if (attempts.filter((attempt) => !attempt.skipped).length <= 1 && run.lastError !== undefined) {
    // One call was made: the caller gets its own error back, whatever it threw, as from a plain call.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw run.lastError
  }
  throw new FailoverSummaryError(attempts, {
    retryAt: soonestRetryAt(run),
    now: clock(),
    cause: run.lastError,
    trace: run.trace,
  })
}

/** At most this many passes over the candidates (after waits for a cooldown or another run's probe). */
const MAX_PASSES = 4
/** How often a run waiting for another run's probe checks whether it has ended. */
const PROBE_POLL_MS = 50

/** Taken as `closed` (use the credential) when the lease store fails: it never fails a run. */
const LEASE_FAILED = Object.freeze({ status: 'closed' } as const)

async function acquireProbe(leases: ProbeLeases, request: ProbeRequest): Promise<ProbeLeaseResult> {
  try {
    return await leases.acquire(request)
  } catch {
    return LEASE_FAILED
  }
}

/** Releases the probe lease of the credential just tried. Never throws: the lease expires anyway. */
async function releaseProbe(run: EngineRun<unknown>): Promise<void> {
  const lease = run.probeLease
  run.probeLease = undefined
  try {
    await lease?.release()
  } catch {
    // The lease ends with its lifetime.
  }
}

/** The lifetime of a probe lease taken now: the configured one, never past the deadline. */
function probeLeaseTtl(run: EngineRun<unknown>, now: number): number {
  const ttl = run.options.probeLeaseMs ?? DEFAULT_PROBE_LEASE_MS
  return Math.max(1, Math.min(ttl, run.deadline - now))
}

/**
 * Waits until one of the probes this run stepped aside for has ended (released, or expired), at
 * most a lease's lifetime and never past the deadline. True when another pass is worth it.
 */
async function waitForProbes(
  run: EngineRun<unknown>,
  held: readonly ProbeRequest[],
): Promise<boolean> {
  const leases = run.options.probeLeases
  if (leases === undefined || run.options.waitForProbes === false) return false
  const limit = Math.min(run.clock() + probeLeaseTtl(run, run.clock()), run.deadline)
  // Bounded by polls too, so a clock that does not move cannot keep a run here.
  const maxPolls =
    Math.ceil((run.options.probeLeaseMs ?? DEFAULT_PROBE_LEASE_MS) / PROBE_POLL_MS) + 1
  for (let polls = 0; polls < maxPolls && run.clock() < limit; polls += 1) {
    try {
      await run.sleep(Math.min(PROBE_POLL_MS, limit - run.clock()), run.options.signal)
    } catch {
      throw abortError(run.options.signal)
    }
    const now = run.clock()
    for (const request of held) {
      // A lease store that fails ends the wait: the next pass decides again.
      const still = await leases.held({ ...request, now }).catch(() => false)
      if (!still) return true
    }
  }
  return run.clock() + 1 <= run.deadline
}

function checkAbort(run: EngineRun<unknown>): void {
  if (run.options.signal?.aborted) throw new StopError(abortError(run.options.signal))
}

function soonestRetryAt(run: EngineRun<unknown>): number | undefined {
  const now = run.clock()
  let soonest: number | undefined
  for (const candidate of run.candidates) {
    for (const profileId of listProfilesForProvider(run.store, candidate.provider)) {
      const until = profileUnusableUntil(run, candidate, profileId, now)
      if (until !== undefined && (soonest === undefined || until < soonest)) soonest = until
    }
  }
  for (const until of run.envCooldowns?.values() ?? []) {
    if (until > now && (soonest === undefined || until < soonest)) soonest = until
  }
  return soonest
}

/**
 * Profile slots depend only on the profile id and are never modified: they are shared across runs
 * instead of being rebuilt (object and `profile:<id>` label) for every candidate of every run.
 */
const profileSlots = new Map<string, CredentialSlot>()
/** Ids are configuration, so the cache stays small; this bound only guards against churn. */
const MAX_CACHED_PROFILE_SLOTS = 1_000

function profileSlot(profileId: string): CredentialSlot {
  let slot = profileSlots.get(profileId)
  if (slot === undefined) {
    if (profileSlots.size >= MAX_CACHED_PROFILE_SLOTS) profileSlots.clear()
    slot = Object.freeze({ profileId, label: `profile:${profileId}` })
    profileSlots.set(profileId, slot)
  }
  return slot
}

/**
 * The slots of a model-only run (`credentials: 'none'`). A helper of its own: the closure below
 * would otherwise put `run` and `candidate` in a context allocated on every call of slotsFor.
 */
function modelOnlySlots(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
): { slots: CredentialSlot[]; locked: boolean } {
  const order = resolveAuthProfileOrder({
    store: run.store,
    provider: candidate.provider,
    config: run.options.config,
    model: candidate.model,
    now: run.clock,
  })
  const now = run.clock()
  const cooling =
    order.length > 0 &&
    order.every((profileId) => profileUnusableUntil(run, candidate, profileId, now) !== undefined)
  if (cooling) {
    return {
      slots: order.map(profileSlot),
      locked: false,
    }
  }
  return { slots: [{ label: 'caller credentials' }], locked: true }
}

function slotsFor(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
): { slots: CredentialSlot[]; locked: boolean } {
  if (run.options.credentials === 'none') return modelOnlySlots(run, candidate)
  const pinned = run.options.sessionProfile
  const pinnedCredential = pinned ? run.store.profiles[pinned.profileId] : undefined
  const pinnedHere =
    pinned !== undefined &&
    pinnedCredential !== undefined &&
    normalizeProviderId(pinnedCredential.provider) === candidate.provider
  const order = resolveAuthProfileOrder({
    store: run.store,
    provider: candidate.provider,
    config: run.options.config,
    preferredProfile: pinnedHere ? pinned.profileId : undefined,
    model: candidate.model,
    now: run.clock,
  })
  explainUnordered(run, candidate, order)
  if (pinnedHere && pinned.source === 'user') {
    if (!order.includes(pinned.profileId)) {
      throw new StopError(
        new Error(
          `Auth profile "${pinned.profileId}" is not configured for ${candidate.provider}.`,
        ),
      )
    }
    return {
      slots: [profileSlot(pinned.profileId)],
      locked: true,
    }
  }
  if (order.length > 0)
    return {
      slots: order.map(profileSlot),
      locked: false,
    }
  const keys = collectProviderApiKeys(candidate.provider, {
    ...(run.options.env ? { env: run.options.env } : {}),
  })
  if (keys.length > 1)
    return {
      slots: keys.map((_key, envKeyIndex) => ({
        label: `env key #${envKeyIndex + 1}`,
        envKeyIndex,
      })),
      locked: false,
    }
  return { slots: [{ label: 'env or config' }], locked: false }
}

/**
 * Trace lines for explicit orders that were ignored because they name no stored profile of the
 * provider (the order fell back to the stored profiles), one per id they list.
 */
function explainOrphanOrders(run: EngineRun<unknown>, candidate: FallbackCandidate): void {
  for (const orphan of findOrphanOrders(run.store, candidate.provider, run.options.config)) {
    for (const profileId of orphan.profileIds) {
      run.trace.push({
        provider: candidate.provider,
        model: candidate.model,
        profileId,
        outcome: 'skipped',
        reason: 'orphan_order',
        detail: orphan.message,
      })
    }
  }
}

/** Trace lines for stored profiles that the order left out, and why. */
function explainUnordered(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  order: readonly string[],
): void {
  // Only stores or configs with explicit orders can have orphan ones (no lookups otherwise).
  if (run.store.order !== undefined || run.options.config?.auth?.order !== undefined)
    explainOrphanOrders(run, candidate)
  const explicit = resolveExplicitOrder(run.store, candidate.provider, run.options.config)
  for (const profileId of listProfilesForProvider(run.store, candidate.provider)) {
    if (order.includes(profileId)) continue
    if (explicit && !explicit.includes(profileId)) {
      run.trace.push({
        provider: candidate.provider,
        model: candidate.model,
        profileId,
        outcome: 'skipped',
        reason: 'excluded_by_auth_order',
        detail: 'not in the explicit auth order for this provider',
      })
      continue
    }
    const eligibility = evaluateProfileEligibility({
      store: run.store,
      profileId,
      provider: candidate.provider,
      config: run.options.config,
      now: run.clock,
    })
    run.trace.push({
      provider: candidate.provider,
      model: candidate.model,
      profileId,
      outcome: 'skipped',
      reason: eligibility.code,
      detail: eligibility.detail,
    })
  }
}

async function tryCandidate<T>(
  run: EngineRun<T>,
  candidate: FallbackCandidate,
): Promise<EngineResult<T> | undefined> {
  checkAbort(run)
  // Re-reading is awaited inline (no helper): every async call and `await` allocates, per run.
  const { reloadStore } = run.options
  if (reloadStore && !run.storeIsFresh) run.store = await reloadStore()
  run.storeIsFresh = false
  // The first credential works on the run.store just re-read (nothing is awaited in between).
  let storeIsFresh = true
  const { slots, locked } = slotsFor(run, candidate)
  // A loop in a helper, not `slots.every(closure)`: a closure here would put `run` and `candidate`
  // in a context allocated on every call of tryCandidate.
  const coolingAll = !locked && slots.length > 0 && allCooling(run, candidate, slots)
  if (coolingAll) {
    for (const slot of slots) {
      run.trace.push(cooldownEntry(run, candidate, slot, coolingUntil(run, candidate, slot) ?? 0))
    }
    run.attempts.push({
      provider: candidate.provider,
      model: candidate.model,
      error: `Provider ${candidate.provider} is in cooldown (all profiles unavailable)`,
      reason: 'rate_limit',
      skipped: true,
    })
    return undefined
  }
  const callsBefore = run.calls
  let probing = 0
  let unavailable = 0
  for (const slot of slots) {
    // The previous credential's probe is over (its outcome is recorded): let the others go on.
    if (run.probeLease !== undefined) await releaseProbe(run)
    if (reloadStore && !storeIsFresh) run.store = await reloadStore()
    storeIsFresh = false
    const until = locked ? undefined : coolingUntil(run, candidate, slot)
    if (until !== undefined) {
      run.trace.push(cooldownEntry(run, candidate, slot, until))
      unavailable += 1
      continue
    }
    const probation = locked ? undefined : probationOf(run, candidate, slot)
    if (probation !== undefined) {
      const request = probeRequest(run, candidate, slot, probation)
      const answer = await acquireProbe(run.options.probeLeases as ProbeLeases, request)
      if (answer.status === 'acquired') {
        run.probeLease = answer
        // The store was read before the lease was taken: the previous holder's probe may have
        // ended in between. Read again, or this run would call a key whose probe just failed.
        if (reloadStore) {
          run.store = await reloadStore()
          const again = coolingUntil(run, candidate, slot)
          if (again !== undefined) {
            await releaseProbe(run)
            run.trace.push(cooldownEntry(run, candidate, slot, again))
            unavailable += 1
            continue
          }
          // The probe succeeded meanwhile: the credential is simply usable.
          if (probationOf(run, candidate, slot) === undefined) await releaseProbe(run)
        }
      } else if (answer.status !== 'closed') {
        run.trace.push(probeSkipEntry(candidate, slot, probation, answer.status))
        if (answer.status === 'held') {
          ;(run.probesHeld ??= []).push(request)
          probing += 1
        }
        unavailable += 1
        continue
      }
    }
    const resolved = await run.hooks.resolve(candidate, slot, run.store)
    if ('skip' in resolved) {
      run.trace.push({
        provider: candidate.provider,
        model: candidate.model,
        ...profileFieldsOf(slot),
        credential: slot.label,
        outcome: 'skipped',
        reason: 'unavailable',
        detail: resolved.skip,
      })
      continue
    }
    let retriesLeft: number | undefined
    let refreshed = false
    for (;;) {
      checkAbort(run)
      // Less than 1 ms left is no budget (timers and the clock may disagree by a fraction of one).
      if (run.calls >= run.maxAttempts || run.clock() + 1 > run.deadline) {
        run.budgetExhausted = true
        run.trace.push({
          provider: candidate.provider,
          model: candidate.model,
          ...profileFieldsOf(slot),
          credential: slot.label,
          outcome: 'skipped',
          reason: 'budget',
          detail:
            run.calls >= run.maxAttempts
              ? `attempt budget of ${run.maxAttempts} used`
              : 'time budget used',
        })
        return undefined
      }
      const previous = run.lastCallAt.get(slot.label)
      // Up to three sleeps, not one: a timer may fire early by the clock's measure, and the gap
      // is a promise to the provider (bounded, so a test's no-op sleep on a frozen clock ends).
      for (
        let waits = 0;
        waits < 3 && previous !== undefined && run.clock() - previous < run.minGap;
        waits += 1
      ) {
        try {
          await run.sleep(run.minGap - (run.clock() - previous), run.options.signal)
        } catch {
          throw new StopError(abortError(run.options.signal))
        }
      }
      run.calls += 1
      run.lastCallAt.set(slot.label, run.clock())
      run.options.onEvent?.({
        type: 'attempt_started',
        provider: candidate.provider,
        model: candidate.model,
        ...profileFieldsOf(slot),
        attempt: run.calls,
        ...(run.probeLease === undefined ? NO_FIELDS : PROBE_FIELDS),
      })
      const callStarted = run.clock()
      const outcome = await run.hooks.call(candidate, slot, run.calls)
      if (outcome.ok) {
        // Whole literals per shape (with or without profileId), not a spread mid-literal.
        run.trace.push(
          slot.profileId
            ? {
                provider: candidate.provider,
                model: candidate.model,
                profileId: slot.profileId,
                credential: slot.label,
                outcome: 'succeeded',
                attempt: run.calls,
                detail: 'succeeded',
              }
            : {
                provider: candidate.provider,
                model: candidate.model,
                credential: slot.label,
                outcome: 'succeeded',
                attempt: run.calls,
                detail: 'succeeded',
              },
        )
        if (run.probeLease !== undefined) markProbe(run.trace)
        const latencyMs = run.clock() - callStarted
        run.options.onEvent?.({
          type: 'attempt_succeeded',
          provider: candidate.provider,
          model: candidate.model,
          ...profileFieldsOf(slot),
          attempt: run.calls,
          latencyMs,
        })
        // Success bookkeeping, awaited inline (no async helper: every async call allocates).
        const { profileId } = slot
        if (profileId) {
          const hadCooldown = wasCoolingDown(run, candidate, profileId)
          await markAuthProfileUsed(usedOptions(run, candidate, profileId))
          if (run.store.lastGood?.[normalizeProviderId(candidate.provider)] !== profileId)
            await markAuthProfileGood(goodOptions(run, candidate, profileId))
          if (hadCooldown)
            run.options.onEvent?.({
              type: 'cooldown_cleared',
              provider: candidate.provider,
              profileId,
            })
        }
        return { value: outcome.value, candidate, slot, attempts: run.attempts, trace: run.trace }
      }
      if (outcome.aborted) throw new StopError(outcome.error)
      run.lastError = outcome.error
      // Provider error pages can be long: run.attempts and traces keep a readable excerpt.
      const message =
        outcome.message.length > 300 ? `${outcome.message.slice(0, 300)}…` : outcome.message
      // Trace entries are literals that start with plain properties: in V8 (Node 20) an object
      // literal that starts with a spread (`{ ...entry, reason }`) gets a new hidden class on
      // every run, which keeps the run's objects alive through young-generation GCs.
      if (outcome.reason === null) {
        run.trace.push({
          provider: candidate.provider,
          model: candidate.model,
          ...profileFieldsOf(slot),
          credential: slot.label,
          outcome: 'failed',
          attempt: run.calls,
          detail: `${message} (not failover-worthy: surfaced)`,
        })
        throw new StopError(outcome.error)
      }
      const reason = outcome.reason
      const policy = FAILOVER_POLICY[reason]
      const modelOnly = run.options.credentials === 'none'
      retriesLeft ??= modelOnly ? 0 : policy.retrySameCredential
      const willRetrySame =
        retriesLeft > 0 ||
        (reason === 'auth' &&
          !refreshed &&
          slot.profileId !== undefined &&
          run.hooks.refreshAfterAuthFailure !== undefined)
      run.attempts.push(
        slot.profileId
          ? {
              provider: candidate.provider,
              model: candidate.model,
              profileId: slot.profileId,
              error: message,
              reason,
              status: outcome.status,
              code: outcome.code,
            }
          : {
              provider: candidate.provider,
              model: candidate.model,
              error: message,
              reason,
              status: outcome.status,
              code: outcome.code,
            },
      )
      run.trace.push(failedTraceEntry(candidate, slot, run.calls, reason, message, outcome))
      run.options.onEvent?.({
        type: 'attempt_failed',
        provider: candidate.provider,
        model: candidate.model,
        ...profileFieldsOf(slot),
        attempt: run.calls,
        reason,
        ...(outcome.status === undefined ? {} : { status: outcome.status }),
        ...(outcome.code === undefined ? {} : { code: outcome.code }),
        willRetry: willRetrySame,
      })
      // Model-only fallback (OpenClaw's runWithModelFallback): a format error moves on to the next
      // model too, since another model may accept the request.
      if (policy.next === 'surface' && !(modelOnly && reason === 'format'))
        throw new StopError(outcome.error)
      if (reason === 'auth' && !refreshed && slot.profileId && run.hooks.refreshAfterAuthFailure) {
        refreshed = true
        if (await run.hooks.refreshAfterAuthFailure(candidate, slot, run.store)) continue
      }
      if (retriesLeft > 0) {
        retriesLeft -= 1
        continue
      }
      if (policy.mark && !modelOnly) await recordFailure(run, candidate, slot, reason, outcome)
      if (policy.next === 'model' || locked) return undefined
      break
    }
  }
  // Every credential was cooling down or being probed by another run, and nothing was called.
  if (probing > 0 && unavailable === slots.length && run.calls === callsBefore)
    noteProbedCandidate(run, candidate, probing)
  return undefined
}

/** `{}` or `{ probe: true }`, for the `attempt_started` event of a probe. */
const NO_FIELDS = Object.freeze({})
const PROBE_FIELDS = Object.freeze({ probe: true as const })

/** Marks the last trace entry (a success) as the probe of a credential whose window ended. */
function markProbe(trace: FailoverTraceEntry[]): void {
  const last = trace[trace.length - 1]
  if (last !== undefined) trace[trace.length - 1] = { ...last, probe: true }
}

/**
 * Whether a stored profile is on probation for the candidate (its window ended, no success
 * since), so that only one run at a time may probe it. Never for cooldown-bypass providers, and
 * never without probe leases (model-only runs, plain stores without a lease table).
 */
function probationOf(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  slot: CredentialSlot,
): ProfileProbation | undefined {
  if (slot.profileId === undefined || run.options.probeLeases === undefined) return undefined
  const stats = run.store.usageStats?.[slot.profileId]
  // Nothing recorded (the common case): no clock read, no lookups.
  if (stats === undefined) return undefined
  const probation = resolveProfileProbation(stats, { model: candidate.model, now: run.clock() })
  if (probation === undefined) return undefined
  return isCooldownBypassProvider(candidate.provider, run.options.config) ? undefined : probation
}

function probeRequest(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  slot: CredentialSlot,
  probation: ProfileProbation,
): ProbeRequest {
  const now = run.clock()
  return {
    profileId: slot.profileId as string,
    model: probation.scope === 'model' ? candidate.model : undefined,
    ttlMs: probeLeaseTtl(run, now),
    now,
  }
}

/** What ended, for people: `its cooldown ended at T (rate_limit)`. @internal */
export function describeProbation(probation: ProfileProbation): string {
  const what = probation.kind === 'disabled' ? 'disable' : 'cooldown'
  const why = probation.reason ? ` (${probation.reason})` : ''
  return `its ${what} ended at ${new Date(probation.endedAt).toISOString()}${why}`
}

/** The trace entry of a credential left alone because another run probes it (or just failed to). */
function probeSkipEntry(
  candidate: FallbackCandidate,
  slot: CredentialSlot,
  probation: ProfileProbation,
  status: 'held' | 'cooling',
): FailoverTraceEntry {
  return status === 'held'
    ? {
        provider: candidate.provider,
        model: candidate.model,
        ...profileFieldsOf(slot),
        credential: slot.label,
        outcome: 'skipped',
        reason: 'probing',
        detail: `another run is probing it (${describeProbation(probation)}); when nothing else is usable a run waits for the probe`,
      }
    : {
        provider: candidate.provider,
        model: candidate.model,
        ...profileFieldsOf(slot),
        credential: slot.label,
        outcome: 'skipped',
        reason: 'cooldown',
        detail: "cooling down again: another run's probe just failed",
      }
}

/** The skipped attempt of a candidate whose credentials were all cooling down or being probed. */
function noteProbedCandidate(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  probing: number,
): void {
  const error = `Provider ${candidate.provider} has no usable profile now (${probing} being probed by another run, the rest cooling down)`
  const last = run.attempts[run.attempts.length - 1]
  if (last?.error === error && last.model === candidate.model) return
  run.attempts.push({
    provider: candidate.provider,
    model: candidate.model,
    error,
    reason: 'rate_limit',
    skipped: true,
  })
}

/** `{ profileId }` for a profile slot, `{}` otherwise (for the less frequent literals). */
function profileFieldsOf(slot: CredentialSlot): { profileId?: string } {
  return slot.profileId ? { profileId: slot.profileId } : {}
}

/** Whether every slot is cooling down for the candidate. */
function allCooling(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  slots: readonly CredentialSlot[],
): boolean {
  for (const slot of slots) if (coolingUntil(run, candidate, slot) === undefined) return false
  return true
}

/**
 * The trace entry of a credential skipped for a cooldown: until when, and (for stored profiles)
 * the failure reason recorded with the window — `cooling down until T (rate_limit)`, `disabled
 * until T (billing)`.
 */
function cooldownEntry(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  slot: CredentialSlot,
  until: number,
): FailoverTraceEntry {
  const cause = slot.profileId
    ? resolveProfileUnusableCause(run.store.usageStats?.[slot.profileId], until, {
        model: candidate.model,
      })
    : undefined
  const what = cause?.kind === 'disabled' ? 'disabled' : 'cooling down'
  const why = cause?.reason ? ` (${cause.reason})` : ''
  return {
    provider: candidate.provider,
    model: candidate.model,
    ...(slot.profileId ? { profileId: slot.profileId } : {}),
    credential: slot.label,
    outcome: 'skipped',
    reason: 'cooldown',
    ...(cause?.reason ? { cooldownReason: cause.reason } : {}),
    ...(cause ? { cooldownKind: cause.kind } : {}),
    detail: `${what} until ${new Date(until).toISOString()}${why}`,
    until,
  }
}

function coolingUntil(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  slot: CredentialSlot,
): number | undefined {
  const now = run.clock()
  if (slot.profileId) return profileUnusableUntil(run, candidate, slot.profileId, now)
  if (!run.envCooldowns) return undefined
  const until = run.envCooldowns.get(`${candidate.provider}\u0000${slot.label}`)
  return until !== undefined && until > now ? until : undefined
}

/**
 * Until when a stored profile cannot be used for the candidate, or `undefined` when it can. Windows
 * recorded on cooldown-bypass providers (aggregators) never hold a profile back.
 */
function profileUnusableUntil(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  profileId: string,
  now: number,
): number | undefined {
  const until = resolveProfileUnusableUntil(run.store.usageStats?.[profileId], {
    model: candidate.model,
  })
  if (until === undefined || until <= now) return undefined
  return isCooldownBypassProvider(candidate.provider, run.options.config) ? undefined : until
}

async function recordFailure(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  slot: CredentialSlot,
  reason: FailoverReason,
  outcome: {
    readonly retryAfterMs?: number | undefined
    readonly usageLimit?: UsageLimitReport | undefined
  },
): Promise<void> {
  const { retryAfterMs } = outcome
  if (!slot.profileId) {
    // Env keys have no stored stats: a rate limit cools the key down for this run only.
    if (reason === 'rate_limit' || reason === 'overloaded') {
      run.envCooldowns ??= new Map()
      run.envCooldowns.set(
        `${candidate.provider}\u0000${slot.label}`,
        run.clock() + (retryAfterMs ?? 60_000),
      )
    }
    return
  }
  const wasCooling = coolingUntil(run, candidate, slot) !== undefined
  // One literal, absent options left `undefined` (markAuthProfileFailure reads `model`,
  // `retryAfterMs` and `usageLimit` the same either way): no spreads, no temporaries.
  const { backend } = run.options
  // A used-up subscription window blocks the account, not one model.
  const limit = outcome.usageLimit?.limiting
  const usageLimit =
    limit?.resetsAt === undefined
      ? undefined
      : limit.usedPercent === undefined
        ? { window: limit.window, resetsAt: limit.resetsAt }
        : { window: limit.window, resetsAt: limit.resetsAt, usedPercent: limit.usedPercent }
  const modelScoped = FAILOVER_POLICY[reason].scope === 'model' && limit === undefined
  const model = modelScoped ? candidate.model : undefined
  const failureReason = toProfileFailureReason(reason)
  const result = await markAuthProfileFailure({
    store: backend,
    profileId: slot.profileId,
    reason: failureReason,
    model,
    retryAfterMs,
    usageLimit,
    config: run.options.config,
    now: run.clock,
  })
  // The window just recorded, for the event below and the credentials still to come.
  run.store = await backend.load()
  const until = coolingUntil(run, candidate, slot)
  if (!wasCooling && until !== undefined) {
    run.options.onEvent?.({
      type: 'cooldown_entered',
      provider: candidate.provider,
      profileId: slot.profileId,
      ...(modelScoped ? { model: candidate.model } : {}),
      reason,
      until,
    })
  }
  if (result.error)
    run.options.onEvent?.({
      type: 'persistence_failed',
      profileId: slot.profileId,
      code: result.error.code,
    })
}

/** Success bookkeeping: whether the profile was cooling down for the candidate's model. */
function wasCoolingDown(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  profileId: string,
): boolean {
  const stats = run.store.usageStats?.[profileId]
  return resolveProfileUnusableUntil(stats, { model: candidate.model }) !== undefined
}

/** Success bookkeeping: the options of markAuthProfileUsed (one explicit literal). */
function usedOptions(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  profileId: string,
): Parameters<typeof markAuthProfileUsed>[0] {
  return { store: run.options.backend, profileId, model: candidate.model, now: run.clock }
}

/**
 * Success bookkeeping: the options of markAuthProfileGood, only called when `lastGood` does not
 * record the profile yet (otherwise it would change nothing).
 */
function goodOptions(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  profileId: string,
): Parameters<typeof markAuthProfileGood>[0] {
  return { store: run.options.backend, provider: candidate.provider, profileId }
}

type MutableTraceEntry = { -readonly [K in keyof FailoverTraceEntry]: FailoverTraceEntry[K] }

/**
 * The trace entry of a classified failure: the keys of
 * `{ provider, model, ...profileFieldsOf(slot), credential, outcome, attempt, reason, detail, status?, code? }`
 * in that order, built from whole literals (a spread mid-literal copies through temporaries).
 */
function failedTraceEntry(
  candidate: FallbackCandidate,
  slot: CredentialSlot,
  attempt: number,
  reason: FailoverReason,
  detail: string,
  outcome: { readonly status?: number | undefined; readonly code?: string | undefined },
): FailoverTraceEntry {
  const entry: MutableTraceEntry = slot.profileId
    ? {
        provider: candidate.provider,
        model: candidate.model,
        profileId: slot.profileId,
        credential: slot.label,
        outcome: 'failed',
        attempt,
        reason,
        detail,
      }
    : {
        provider: candidate.provider,
        model: candidate.model,
        credential: slot.label,
        outcome: 'failed',
        attempt,
        reason,
        detail,
      }
  if (outcome.status !== undefined) entry.status = outcome.status
  if (outcome.code !== undefined) entry.code = outcome.code
  return entry
}
