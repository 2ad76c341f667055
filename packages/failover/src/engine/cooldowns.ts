// Which credentials are cooling down for a candidate, until when, and how that reads in a trace.
import {
  isCooldownBypassProvider,
  listProfilesForProvider,
  resolveProfileUnusableCause,
  resolveProfileUnusableUntil,
} from '@claw/auth-profiles'
import type { FallbackCandidate } from '../candidates.js'
import type { FailoverTraceEntry } from '../trace.js'
import { credentialEntry, type CredentialSlot } from './engine-hooks.js'
import type { EngineRun } from './engine-run.js'

/** The key of an env credential's run-local cooldown. */
export function envCooldownKey(candidate: FallbackCandidate, slot: CredentialSlot): string {
  return `${candidate.provider}\u0000${slot.label}`
}

/**
 * Until when a stored profile cannot be used for the candidate, or `undefined` when it can. Windows
 * recorded on cooldown-bypass providers (aggregators) never hold a profile back.
 */
export function profileUnusableUntil(
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

/** Until when the slot's credential cools down for the candidate, or `undefined` when usable. */
export function coolingUntil(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  slot: CredentialSlot,
): number | undefined {
  const now = run.clock()
  if (slot.profileId) return profileUnusableUntil(run, candidate, slot.profileId, now)
  const until = run.envCooldowns.get(envCooldownKey(candidate, slot))
  return until !== undefined && until > now ? until : undefined
}

/** The soonest end of a cooldown among every candidate's profiles and the run's env keys. */
export function soonestRetryAt(run: EngineRun<unknown>): number | undefined {
  const now = run.clock()
  const ends: number[] = []
  for (const candidate of run.candidates) {
    for (const profileId of listProfilesForProvider(run.store, candidate.provider)) {
      const until = profileUnusableUntil(run, candidate, profileId, now)
      if (until !== undefined) ends.push(until)
    }
  }
  for (const until of run.envCooldowns.values()) if (until > now) ends.push(until)
  return ends.length === 0 ? undefined : Math.min(...ends)
}

/** Whether the profile was cooling down for the candidate's model (any window, ended or not). */
export function hadCooldown(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  profileId: string,
): boolean {
  const stats = run.store.usageStats?.[profileId]
  return resolveProfileUnusableUntil(stats, { model: candidate.model }) !== undefined
}

/**
 * The trace entry of a credential skipped for a cooldown: until when, and (for stored profiles)
 * the failure reason recorded with the window — `cooling down until T (rate_limit)`, `disabled
 * until T (billing)`.
 */
export function cooldownEntry(
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
  return credentialEntry(candidate, slot, {
    outcome: 'skipped',
    reason: 'cooldown',
    ...(cause?.reason ? { cooldownReason: cause.reason } : {}),
    ...(cause ? { cooldownKind: cause.kind } : {}),
    detail: `${what} until ${new Date(until).toISOString()}${why}`,
    until,
  })
}
