// What a run records after a call: a failure's cooldown or disable window (stored profiles in the
// store, env keys for this run only), and a success's usage and last-good profile.
import {
  markAuthProfileFailure,
  markAuthProfileGood,
  markAuthProfileUsed,
} from '@claw/auth-profiles'
import { normalizeProviderId } from '@claw/model-catalog'
import type { FallbackCandidate } from '../candidates.js'
import { FAILOVER_POLICY, toProfileFailureReason } from '../policy.js'
import type { FailoverReason } from '../reasons.js'
import type { UsageLimitReport } from '../usage-limit.js'
import { coolingUntil, envCooldownKey, hadCooldown } from './cooldowns.js'
import type { CredentialSlot } from './engine-hooks.js'
import type { EngineRun } from './engine-run.js'

/** How long an env key cools down after a rate limit that gave no hint. */
const ENV_KEY_COOLDOWN_MS = 60_000

export async function recordFailure(
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
      run.envCooldowns.set(
        envCooldownKey(candidate, slot),
        run.clock() + (retryAfterMs ?? ENV_KEY_COOLDOWN_MS),
      )
    }
    return
  }
  const wasCooling = coolingUntil(run, candidate, slot) !== undefined
  // A used-up subscription window blocks the account, not one model.
  const limit = outcome.usageLimit?.limiting
  const usageLimit =
    limit?.resetsAt === undefined
      ? undefined
      : {
          window: limit.window,
          resetsAt: limit.resetsAt,
          ...(limit.usedPercent === undefined ? {} : { usedPercent: limit.usedPercent }),
        }
  const modelScoped = FAILOVER_POLICY[reason].scope === 'model' && limit === undefined
  const { backend } = run.options
  const result = await markAuthProfileFailure({
    store: backend,
    profileId: slot.profileId,
    reason: toProfileFailureReason(reason),
    model: modelScoped ? candidate.model : undefined,
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

/** A stored profile's success: used now, good for its provider, its cooldown over. */
export async function recordSuccess(
  run: EngineRun<unknown>,
  candidate: FallbackCandidate,
  profileId: string,
): Promise<void> {
  const { backend } = run.options
  const cleared = hadCooldown(run, candidate, profileId)
  await markAuthProfileUsed({ store: backend, profileId, model: candidate.model, now: run.clock })
  // Recording a last-good profile that is already recorded would change nothing.
  if (run.store.lastGood?.[normalizeProviderId(candidate.provider)] !== profileId)
    await markAuthProfileGood({ store: backend, provider: candidate.provider, profileId })
  if (cleared)
    run.options.onEvent?.({ type: 'cooldown_cleared', provider: candidate.provider, profileId })
}
