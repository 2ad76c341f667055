import {
  createSecretMasker,
  type AuthProfileStore,
  type AuthStoreBackend,
  type ClawConfig,
  type SecretMasker,
} from '@claw/auth-profiles'
import { isUserAbortError } from './classify/timeouts.js'
import { runEngine } from './engine/engine.js'
import { failedCallOutcome, type CallOutcome } from './engine/engine-hooks.js'
import type { FailoverAttempt } from './errors.js'
import type { FailoverEvent } from './events.js'
import { redactOutcome, storeSecrets } from './redact-error.js'
import { openStoreForReading } from './store-handle.js'
import type { Clock, Sleep } from './runtime.js'

/** @public */
export interface RunWithModelFallbackOptions<T> {
  /** The call for one candidate model; it chooses its own credentials. */
  readonly run: (provider: string, model: string) => Promise<T>
  readonly config?: ClawConfig | undefined
  /**
   * Used only to skip providers whose profiles are all cooling down (read, never written): the
   * store handle or loaded store data.
   */
  readonly store?: AuthStoreBackend | AuthProfileStore | undefined
  readonly agentDir?: string | undefined
  readonly provider?: string | undefined
  readonly model?: string | undefined
  readonly fallbacksOverride?: readonly string[] | undefined
  readonly agentId?: string | undefined
  readonly signal?: AbortSignal | undefined
  readonly onError?:
    | ((info: {
        provider: string
        model: string
        error: unknown
        attempt: number
        total: number
      }) => void)
    | undefined
  readonly onEvent?: ((event: FailoverEvent) => void) | undefined
  readonly now?: Clock | undefined
  readonly sleep?: Sleep | undefined
}

/** @public */
export interface RunWithModelFallbackResult<T> {
  readonly result: T
  readonly provider: string
  readonly model: string
  /** The failed candidates before the success (`[]` when the first call succeeded). */
  readonly attempts: readonly FailoverAttempt[]
}

/**
 * Model fallback only (OpenClaw's `runWithModelFallback`): tries the candidate models in
 * order, calling `run(provider, model)` once each; the callback picks its own credentials. A
 * provider whose profiles are all cooling down is skipped without a call; an unclassifiable error
 * or a user abort stops the chain; one failed attempt rethrows its error; otherwise
 * `FailoverSummaryError` (`All models failed (N): …`). The credential values of `store` are masked
 * in everything this reports (attempts, the summary, `onError`, the thrown error: a redacted copy
 * when the original shows one, see `runWithFailover`); keys the callback finds elsewhere are
 * only caught by their known prefixes.
 *
 * @public
 */
export async function runWithModelFallback<T>(
  options: RunWithModelFallbackOptions<T>,
): Promise<RunWithModelFallbackResult<T>> {
  const { backend, store } = await openStoreForReading(options, 'runWithModelFallback')
  let total = 0
  // The callback picks its own credentials; those of the store are what the run can know.
  let masker: SecretMasker | undefined
  const engine = await runEngine<T>(
    {
      credentials: 'none',
      config: options.config,
      backend,
      store,
      provider: options.provider,
      model: options.model,
      fallbacksOverride: options.fallbacksOverride,
      agentId: options.agentId,
      signal: options.signal,
      onEvent: options.onEvent,
      maxAttempts: Number.POSITIVE_INFINITY,
      minRetryGapMs: 0,
      now: options.now,
      sleep: options.sleep,
    },
    {
      resolve: () => Promise.resolve({ ready: true }),
      async call(candidate, _slot, attempt): Promise<CallOutcome<T>> {
        total = attempt
        try {
          return { ok: true, value: await options.run(candidate.provider, candidate.model) }
        } catch (error) {
          masker ??= createSecretMasker(storeSecrets(store))
          if (options.signal?.aborted || isUserAbortError(error))
            return redactOutcome(
              { ok: false, reason: null, error, message: 'aborted', aborted: true },
              masker,
            )
          const outcome = redactOutcome(
            failedCallOutcome(error, { provider: candidate.provider, model: candidate.model }),
            masker,
          )
          options.onError?.({
            provider: candidate.provider,
            model: candidate.model,
            error: outcome.error,
            attempt,
            total,
          })
          return outcome
        }
      },
    },
  )
  return {
    result: engine.value,
    provider: engine.candidate.provider,
    model: engine.candidate.model,
    attempts: engine.attempts,
  }
}
