// What `refreshOAuthCredential` reports to an `onRefresh` listener: one event per refresh it
// actually attempts (a still-valid token returned at once, or a caller joining a refresh already in
// flight in this process, report nothing). Telemetry and host dashboards hook in here.
import { AuthProfilesError } from '../errors.js'
import type { RefreshOAuthCredentialResult } from './refresh.js'

/**
 * How a refresh ended:
 *
 * - `refreshed`: the token endpoint answered and the new tokens were saved;
 * - `adopted`: another process or agent had already refreshed: its credential was used, with no
 *   token request of our own;
 * - `stale`: the refresh failed transiently (or is throttled after a recent failure) and the
 *   still-valid access token was kept;
 * - `reauth_required`: the provider rejected the refresh token; a new login is needed;
 * - `failed`: any other failure (`errorCode` says which).
 *
 * @public
 */
export type OAuthRefreshOutcome = 'refreshed' | 'adopted' | 'stale' | 'reauth_required' | 'failed'

/** One OAuth refresh, as reported to `onRefresh`. Never holds a token. @public */
export interface OAuthRefreshEvent {
  readonly profileId: string
  readonly provider: string
  readonly outcome: OAuthRefreshOutcome
  /** From the decision to refresh to the outcome, in milliseconds. */
  readonly durationMs: number
  /** Time spent waiting for the refresh lock, in milliseconds; absent when no lock was requested. */
  readonly lockWaitMs?: number
  /** The error code of a `failed` or `reauth_required` refresh (`ERR_LOCK_TIMEOUT`, …). */
  readonly errorCode?: string
}

/** Receives one {@link OAuthRefreshEvent} per refresh attempt. @public */
export type OAuthRefreshListener = (event: OAuthRefreshEvent) => void

/** Filled in by the refresh as it goes: what the event reports besides the outcome. @internal */
export interface RefreshTiming {
  lockWaitMs: number | undefined
}

/** Calls the listener; a listener that throws never breaks the refresh it observes. @internal */
export function emitRefreshEvent(
  listener: OAuthRefreshListener | undefined,
  event: OAuthRefreshEvent,
): void {
  if (listener === undefined) return
  try {
    listener(event)
  } catch {
    // an observer's bug is not the caller's failure
  }
}

/** The outcome of a refresh that returned. @internal */
export function outcomeOfResult(result: RefreshOAuthCredentialResult): OAuthRefreshOutcome {
  if (result.refreshed) return 'refreshed'
  if (result.stale) return 'stale'
  return 'adopted'
}

/** The outcome and error code of a refresh that threw. @internal */
export function outcomeOfError(error: unknown): {
  readonly outcome: OAuthRefreshOutcome
  readonly errorCode: string
} {
  if (!AuthProfilesError.isInstance(error)) return { outcome: 'failed', errorCode: 'ERR_UNKNOWN' }
  return {
    outcome: error.code === 'ERR_REAUTH_REQUIRED' ? 'reauth_required' : 'failed',
    errorCode: error.code,
  }
}

/**
 * Reports how `refresh` ends to `listener` (when there is one) and returns it unchanged.
 *
 * @internal
 */
export function observeRefresh(
  listener: OAuthRefreshListener | undefined,
  subject: { readonly profileId: string; readonly provider: string; readonly startedAt: number },
  timing: RefreshTiming,
  refresh: Promise<RefreshOAuthCredentialResult>,
): Promise<RefreshOAuthCredentialResult> {
  if (listener === undefined) return refresh
  const report = (fields: Pick<OAuthRefreshEvent, 'outcome'> & { errorCode?: string }): void =>
    emitRefreshEvent(listener, {
      profileId: subject.profileId,
      provider: subject.provider,
      ...fields,
      durationMs: performance.now() - subject.startedAt,
      ...(timing.lockWaitMs === undefined ? {} : { lockWaitMs: timing.lockWaitMs }),
    })
  return refresh.then(
    (result) => {
      report({ outcome: outcomeOfResult(result) })
      return result
    },
    (error: unknown) => {
      report(outcomeOfError(error))
      throw error
    },
  )
}
