import type { FailoverReason } from './reasons.js'

/**
 * What a failover run reports through `onEvent`: plain objects with no secrets. Cooldown events
 * fire on transitions only (entered / cleared), not on every failure.
 *
 * @public
 */
export type FailoverEvent =
  | {
      readonly type: 'attempt_started'
      readonly provider: string
      readonly model: string
      readonly profileId?: string
      readonly attempt: number
      /** Set when this call probes a credential whose cooldown or disable window ended. */
      readonly probe?: true
    }
  | {
      readonly type: 'attempt_failed'
      readonly provider: string
      readonly model: string
      readonly profileId?: string
      readonly attempt: number
      readonly reason: FailoverReason
      /** The HTTP status of the response (none when no response came). */
      readonly status?: number
      /** The error's code: the provider's, or the errno code of a connection failure (`ECONNREFUSED`). */
      readonly code?: string
      /** The same credential will be tried again (transient retry or after an OAuth refresh). */
      readonly willRetry: boolean
    }
  | {
      readonly type: 'attempt_succeeded'
      readonly provider: string
      readonly model: string
      readonly profileId?: string
      readonly attempt: number
      readonly latencyMs: number
    }
  | {
      readonly type: 'cooldown_entered'
      readonly provider: string
      readonly profileId: string
      /** Set for a model-scoped cooldown. */
      readonly model?: string
      readonly reason: FailoverReason
      /** Epoch ms. */
      readonly until: number
    }
  | { readonly type: 'cooldown_cleared'; readonly provider: string; readonly profileId: string }
  | {
      readonly type: 'fallback'
      readonly from: { readonly provider: string; readonly model: string }
      readonly to: { readonly provider: string; readonly model: string }
      readonly reason: FailoverReason
    }
  | {
      /** Bookkeeping could not be written (the run went on with in-memory state). */
      readonly type: 'persistence_failed'
      readonly profileId: string
      readonly code: string
    }
