// The failover loop shared by runWithFailover (real calls) and planFailover (a dry run): the same
// candidates, the same order, the same skips and the same policy, so a plan predicts a run.
import { buildFallbackCandidates, type FallbackCandidate } from '../candidates.js'
import { FailoverSummaryError } from '../errors.js'
import { FAILOVER_POLICY } from '../policy.js'
import type { FailoverReason } from '../reasons.js'
import { resolveClock, resolveSleep } from '../runtime.js'
import { recordFailure, recordSuccess } from './bookkeeping.js'
import { coolingUntil, cooldownEntry, soonestRetryAt } from './cooldowns.js'
import { slotsFor } from './credential-slots.js'
import {
  callFields,
  credentialEntry,
  type CredentialSlot,
  type EngineHooks,
  type FailedCallOutcome,
} from './engine-hooks.js'
import {
  abortError,
  checkAbort,
  sleepOrStop,
  StopError,
  type EngineOptions,
  type EngineResult,
  type EngineRun,
} from './engine-run.js'
import { claimSlot, noteProbedCandidate, releaseProbe, waitForProbes } from './probes.js'

/** Default budget: at most this many calls per logical request. @public */
export const DEFAULT_MAX_ATTEMPTS = 6
/** No hot loops: at least this long between two calls with the same credential. @public */
export const DEFAULT_MIN_RETRY_GAP_MS = 250

/** At most this many passes over the candidates (after waits for a cooldown or another run's probe). */
const MAX_PASSES = 4
/** Provider error pages can be long: attempts and traces keep a readable excerpt. */
const MAX_MESSAGE_CHARS = 300

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
    envCooldowns: new Map(),
    storeIsFresh: options.storeIsFresh === true,
    calls: 0,
    lastError: undefined,
    budgetExhausted: false,
    probeLease: undefined,
    probesHeld: [],
  }
  const { candidates, attempts } = run

  let waitedForCooldown = false
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    run.probesHeld = []
    for (const [index, candidate] of candidates.entries()) {
      try {
        const outcome = await tryCandidate(run, candidate)
        if (outcome) return outcome
      } catch (error) {
        throw error instanceof StopError ? error.original : error
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
          reason: attempts.at(-1)?.reason ?? 'unknown',
        })
      }
    }
    if (run.budgetExhausted) break
    // Nothing else was usable while other runs probed a credential: wait for their outcome.
    if (run.probesHeld.length > 0) {
      if (await waitForProbes(run, run.probesHeld)) continue
      break
    }
    if (waitedForCooldown || !(options.maxWaitMs && options.maxWaitMs > 0)) break
    waitedForCooldown = true
    // Everything was cooling down: wait for the soonest window if the caller allows it.
    const retryAt = soonestRetryAt(run)
    const waitMs = retryAt === undefined ? undefined : retryAt - clock()
    if (waitMs === undefined || waitMs > options.maxWaitMs || run.calls > 0) break
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

/** What became of a slot: the run's result, go on to the next slot, or stop this candidate. */
type SlotResult<T> = EngineResult<T> | 'next-slot' | 'next-candidate'

/**
 * Tries the candidate's credentials in order. The run's result on success; `undefined` when the
 * run goes on to the next candidate (or stops: `run.budgetExhausted`).
 */
async function tryCandidate<T>(
  run: EngineRun<T>,
  candidate: FallbackCandidate,
): Promise<EngineResult<T> | undefined> {
  checkAbort(run)
  const { reloadStore } = run.options
  // Re-read the shared store for each candidate and credential, unless it was just read.
  if (reloadStore && !run.storeIsFresh) run.store = await reloadStore()
  run.storeIsFresh = false
  const { slots, locked } = slotsFor(run, candidate)
  if (
    !locked &&
    slots.length > 0 &&
    slots.every((slot) => coolingUntil(run, candidate, slot) !== undefined)
  ) {
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
  for (const [index, slot] of slots.entries()) {
    // The previous credential's probe is over (its outcome is recorded): let the others go on.
    if (run.probeLease !== undefined) await releaseProbe(run)
    if (reloadStore && index > 0) run.store = await reloadStore()
    const availability = locked ? 'usable' : await claimSlot(run, candidate, slot)
    if (availability !== 'usable') {
      unavailable += 1
      if (availability === 'probing') probing += 1
      continue
    }
    const resolved = await run.hooks.resolve(candidate, slot, run.store)
    if ('skip' in resolved) {
      run.trace.push(
        credentialEntry(candidate, slot, {
          outcome: 'skipped',
          reason: 'unavailable',
          detail: resolved.skip,
        }),
      )
      continue
    }
    const result = await callSlot(run, candidate, slot, locked)
    if (result === 'next-candidate') return undefined
    if (result !== 'next-slot') return result
  }
  // Every credential was cooling down or being probed by another run, and nothing was called.
  if (probing > 0 && unavailable === slots.length && run.calls === callsBefore)
    noteProbedCandidate(run, candidate, probing)
  return undefined
}

/**
 * Calls the slot's credential until it succeeds, or the policy moves on (to the next slot or the
 * next candidate) or stops the run (a thrown `StopError`).
 */
async function callSlot<T>(
  run: EngineRun<T>,
  candidate: FallbackCandidate,
  slot: CredentialSlot,
  locked: boolean,
): Promise<SlotResult<T>> {
  const modelOnly = run.options.credentials === 'none'
  let retriesLeft: number | undefined
  let refreshed = false
  for (;;) {
    checkAbort(run)
    // Less than 1 ms left is no budget (timers and the clock may disagree by a fraction of one).
    if (run.calls >= run.maxAttempts || run.clock() + 1 > run.deadline) {
      run.budgetExhausted = true
      run.trace.push(
        credentialEntry(candidate, slot, {
          outcome: 'skipped',
          reason: 'budget',
          detail:
            run.calls >= run.maxAttempts
              ? `attempt budget of ${run.maxAttempts} used`
              : 'time budget used',
        }),
      )
      return 'next-candidate'
    }
    if (run.lastCallAt.has(slot.label)) await keepRetryGap(run, slot)
    run.calls += 1
    run.lastCallAt.set(slot.label, run.clock())
    run.options.onEvent?.({
      type: 'attempt_started',
      ...callFields(candidate, slot),
      attempt: run.calls,
      ...(run.probeLease === undefined ? {} : { probe: true }),
    })
    const callStarted = run.clock()
    const outcome = await run.hooks.call(candidate, slot, run.calls)
    if (outcome.ok) {
      run.trace.push(
        credentialEntry(candidate, slot, {
          outcome: 'succeeded',
          attempt: run.calls,
          detail: 'succeeded',
          ...(run.probeLease === undefined ? {} : { probe: true }),
        }),
      )
      run.options.onEvent?.({
        type: 'attempt_succeeded',
        ...callFields(candidate, slot),
        attempt: run.calls,
        latencyMs: run.clock() - callStarted,
      })
      if (slot.profileId) await recordSuccess(run, candidate, slot.profileId)
      return { value: outcome.value, candidate, slot, attempts: run.attempts, trace: run.trace }
    }
    if (outcome.aborted) throw new StopError(outcome.error)
    run.lastError = outcome.error
    const message =
      outcome.message.length > MAX_MESSAGE_CHARS
        ? `${outcome.message.slice(0, MAX_MESSAGE_CHARS)}…`
        : outcome.message
    const { reason } = outcome
    if (reason === null) {
      run.trace.push(
        credentialEntry(candidate, slot, {
          outcome: 'failed',
          attempt: run.calls,
          detail: `${message} (not failover-worthy: surfaced)`,
        }),
      )
      throw new StopError(outcome.error)
    }
    const policy = FAILOVER_POLICY[reason]
    retriesLeft ??= modelOnly ? 0 : policy.retrySameCredential
    const mayRefresh =
      reason === 'auth' &&
      !refreshed &&
      slot.profileId !== undefined &&
      run.hooks.refreshAfterAuthFailure !== undefined
    noteFailure(run, candidate, slot, reason, outcome, message, retriesLeft > 0 || mayRefresh)
    // Model-only fallback (OpenClaw's runWithModelFallback): a format error moves on to the next
    // model too, since another model may accept the request.
    if (policy.next === 'surface' && !(modelOnly && reason === 'format'))
      throw new StopError(outcome.error)
    if (mayRefresh) {
      refreshed = true
      if (await run.hooks.refreshAfterAuthFailure?.(candidate, slot, run.store)) continue
    }
    if (retriesLeft > 0) {
      retriesLeft -= 1
      continue
    }
    if (policy.mark && !modelOnly) await recordFailure(run, candidate, slot, reason, outcome)
    return policy.next === 'model' || locked ? 'next-candidate' : 'next-slot'
  }
}

/**
 * Waits out the minimum gap since the credential's last call. Up to three sleeps, not one: a timer
 * may fire early by the clock's measure, and the gap is a promise to the provider (bounded, so a
 * test's no-op sleep on a frozen clock ends).
 */
async function keepRetryGap(run: EngineRun<unknown>, slot: CredentialSlot): Promise<void> {
  const previous = run.lastCallAt.get(slot.label)
  if (previous === undefined) return
  for (let waits = 0; waits < 3 && run.clock() - previous < run.minGap; waits += 1) {
    await sleepOrStop(run, run.minGap - (run.clock() - previous))
  }
}

/** A classified failure: its attempt, its trace entry and its `attempt_failed` event. */
function noteFailure(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  slot: CredentialSlot,
  reason: FailoverReason,
  outcome: FailedCallOutcome,
  message: string,
  willRetry: boolean,
): void {
  const status = outcome.status === undefined ? {} : { status: outcome.status }
  const code = outcome.code === undefined ? {} : { code: outcome.code }
  run.attempts.push({
    provider: candidate.provider,
    model: candidate.model,
    ...(slot.profileId ? { profileId: slot.profileId } : {}),
    error: message,
    reason,
    status: outcome.status,
    code: outcome.code,
  })
  run.trace.push(
    credentialEntry(candidate, slot, {
      outcome: 'failed',
      attempt: run.calls,
      reason,
      detail: message,
      ...status,
      ...code,
    }),
  )
  run.options.onEvent?.({
    type: 'attempt_failed',
    ...callFields(candidate, slot),
    attempt: run.calls,
    reason,
    ...status,
    ...code,
    willRetry,
  })
}
