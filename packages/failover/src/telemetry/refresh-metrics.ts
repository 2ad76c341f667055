import { trace, type Attributes } from '@opentelemetry/api'
import type { OAuthRefreshEvent, OAuthRefreshListener } from '@claw/auth-profiles'
import { normalizeProviderId } from '@claw/model-catalog'
import type { Instruments } from './instruments.js'
import { ATTR, genAiProviderName } from './names.js'

/**
 * The refresh listener of a telemetry object: the refresh counter and duration histogram by
 * outcome, the lock-wait histogram, and an event on the active span (the failover run that
 * needed the token, when there is one).
 */
export function refreshRecorder(instruments: Instruments): OAuthRefreshListener {
  return (event: OAuthRefreshEvent) => {
    const profile: Attributes = {
      [ATTR.provider]: genAiProviderName(normalizeProviderId(event.provider)),
      [ATTR.profileId]: event.profileId,
    }
    const attributes: Attributes = { ...profile, [ATTR.refreshOutcome]: event.outcome }
    if (event.errorCode !== undefined) attributes[ATTR.errorType] = event.errorCode
    instruments.refreshes.add(1, attributes)
    instruments.refreshDuration.record(event.durationMs / 1000, attributes)
    if (event.lockWaitMs !== undefined)
      instruments.refreshLockWait.record(event.lockWaitMs / 1000, profile)
    trace.getActiveSpan()?.addEvent('claw.oauth.refresh', attributes)
  }
}
