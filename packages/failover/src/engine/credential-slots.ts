// The credentials to try for a candidate, in order (stored profiles, env keys, or the caller's
// own), and trace lines for the stored profiles the order leaves out.
import {
  collectProviderApiKeys,
  evaluateProfileEligibility,
  findOrphanOrders,
  listProfilesForProvider,
  resolveAuthProfileOrder,
  resolveExplicitOrder,
} from '@claw/auth-profiles'
import { normalizeProviderId } from '@claw/model-catalog'
import type { FallbackCandidate } from '../candidates.js'
import { profileUnusableUntil } from './cooldowns.js'
import type { CredentialSlot } from './engine-hooks.js'
import { StopError, type EngineRun } from './engine-run.js'

/** The slots to try and whether they are fixed (`locked`: no rotation, no cooldown skips). */
export interface CandidateSlots {
  readonly slots: readonly CredentialSlot[]
  readonly locked: boolean
}

function profileSlot(profileId: string): CredentialSlot {
  return { profileId, label: `profile:${profileId}` }
}

/**
 * A model-only run (`credentials: 'none'`) calls once with the caller's credentials, unless every
 * stored profile of the provider is cooling down (then the candidate is skipped like any other).
 */
function modelOnlySlots(run: EngineRun<unknown>, candidate: FallbackCandidate): CandidateSlots {
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
  if (cooling) return { slots: order.map(profileSlot), locked: false }
  return { slots: [{ label: 'caller credentials' }], locked: true }
}

/**
 * The candidate's credentials: a user-pinned profile alone; else the provider's profiles in
 * order; else its env keys (when there are several); else one env-or-config slot.
 */
export function slotsFor(run: EngineRun<unknown>, candidate: FallbackCandidate): CandidateSlots {
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
    return { slots: [profileSlot(pinned.profileId)], locked: true }
  }
  if (order.length > 0) return { slots: order.map(profileSlot), locked: false }
  const keys = collectProviderApiKeys(candidate.provider, {
    ...(run.options.env ? { env: run.options.env } : {}),
  })
  if (keys.length > 1) {
    const slots = keys.map((_key, envKeyIndex) => ({
      label: `env key #${envKeyIndex + 1}`,
      envKeyIndex,
    }))
    return { slots, locked: false }
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
