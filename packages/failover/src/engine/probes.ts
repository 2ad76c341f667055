// Whether a credential may be called now (claimSlot), and half-open probes: after a credential's
// cooldown or disable window ends, one run at a time probes it under a lease; the others step
// aside, or wait for the probe when nothing else works.
import {
  isCooldownBypassProvider,
  resolveProfileProbation,
  DEFAULT_PROBE_LEASE_MS,
  type ProbeLeaseResult,
  type ProbeLeases,
  type ProbeRequest,
  type ProfileProbation,
} from '@claw/auth-profiles'
import type { FallbackCandidate } from '../candidates.js'
import type { FailoverTraceEntry } from '../trace.js'
import { cooldownEntry, coolingUntil } from './cooldowns.js'
import { credentialEntry, type CredentialSlot } from './engine-hooks.js'
import { abortError, type EngineRun } from './engine-run.js'

/** How often a run waiting for another run's probe checks whether it has ended. */
const PROBE_POLL_MS = 50

/** The lease store's answer; a lease store that fails counts as `closed` (it never fails a run). */
export async function acquireProbe(
  leases: ProbeLeases,
  request: ProbeRequest,
): Promise<ProbeLeaseResult> {
  try {
    return await leases.acquire(request)
  } catch {
    return { status: 'closed' }
  }
}

/** Releases the probe lease of the credential just tried. Never throws: the lease expires anyway. */
export async function releaseProbe(run: EngineRun<unknown>): Promise<void> {
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
export async function waitForProbes(
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

/**
 * Whether a stored profile is on probation for the candidate (its window ended, no success
 * since), so that only one run at a time may probe it. Never for cooldown-bypass providers, and
 * never without probe leases (model-only runs, plain stores without a lease table).
 */
export function probationOf(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  slot: CredentialSlot,
): ProfileProbation | undefined {
  if (slot.profileId === undefined || run.options.probeLeases === undefined) return undefined
  const stats = run.store.usageStats?.[slot.profileId]
  if (stats === undefined) return undefined
  const probation = resolveProfileProbation(stats, { model: candidate.model, now: run.clock() })
  if (probation === undefined) return undefined
  return isCooldownBypassProvider(candidate.provider, run.options.config) ? undefined : probation
}

export function probeRequest(
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
export function probeSkipEntry(
  candidate: FallbackCandidate,
  slot: CredentialSlot,
  probation: ProfileProbation,
  status: 'held' | 'cooling',
): FailoverTraceEntry {
  return status === 'held'
    ? credentialEntry(candidate, slot, {
        outcome: 'skipped',
        reason: 'probing',
        detail: `another run is probing it (${describeProbation(probation)}); when nothing else is usable a run waits for the probe`,
      })
    : credentialEntry(candidate, slot, {
        outcome: 'skipped',
        reason: 'cooldown',
        detail: "cooling down again: another run's probe just failed",
      })
}

/** The skipped attempt of a candidate whose credentials were all cooling down or being probed. */
export function noteProbedCandidate(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  probing: number,
): void {
  const error = `Provider ${candidate.provider} has no usable profile now (${probing} being probed by another run, the rest cooling down)`
  const last = run.attempts.at(-1)
  if (last?.error === error && last.model === candidate.model) return
  run.attempts.push({
    provider: candidate.provider,
    model: candidate.model,
    error,
    reason: 'rate_limit',
    skipped: true,
  })
}

/**
 * Whether the run may call the slot's credential now: `cooling` (traced), `probing` (another run
 * probes it; traced and noted for a wait), or `usable` — holding the probe lease when the
 * credential's window just ended.
 */
export async function claimSlot(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  slot: CredentialSlot,
): Promise<'usable' | 'cooling' | 'probing'> {
  const until = coolingUntil(run, candidate, slot)
  if (until !== undefined) {
    run.trace.push(cooldownEntry(run, candidate, slot, until))
    return 'cooling'
  }
  const probation = probationOf(run, candidate, slot)
  if (probation === undefined) return 'usable'
  const request = probeRequest(run, candidate, slot, probation)
  const answer = await acquireProbe(run.options.probeLeases as ProbeLeases, request)
  if (answer.status === 'closed') return 'usable'
  if (answer.status !== 'acquired') {
    run.trace.push(probeSkipEntry(candidate, slot, probation, answer.status))
    if (answer.status === 'cooling') return 'cooling'
    run.probesHeld.push(request)
    return 'probing'
  }
  run.probeLease = answer
  const { reloadStore } = run.options
  if (reloadStore === undefined) return 'usable'
  // The store was read before the lease was taken: the previous holder's probe may have ended in
  // between. Read again, or this run would call a key whose probe just failed.
  run.store = await reloadStore()
  const again = coolingUntil(run, candidate, slot)
  if (again !== undefined) {
    await releaseProbe(run)
    run.trace.push(cooldownEntry(run, candidate, slot, again))
    return 'cooling'
  }
  // The probe succeeded meanwhile: the credential is simply usable.
  if (probationOf(run, candidate, slot) === undefined) await releaseProbe(run)
  return 'usable'
}
