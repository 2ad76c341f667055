import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api'
import type { OAuthRefreshListener, OAuthRefreshSettings } from '@claw/auth-profiles'
import type { FailoverEvent } from '../events.js'
import type { FailoverRunObserver, FailoverTelemetry } from '../failover-telemetry.js'
import type { RunWithFailoverOptions, RunWithFailoverResult } from '../run.js'
import type { Instruments } from './instruments.js'
import { ATTR, EVENT, genAiProviderName, RUN_SPAN } from './names.js'

/**
 * What one run has seen so far, and its `onEvent` listener: the run's span gets an event per
 * attempt (and per fallback and cooldown), the metrics a count per attempt and cooldown.
 */
class RunState implements FailoverRunObserver {
  /** Calls made. */
  calls = 0
  /** The reason of the last failed call: the run's `error.type` if it fails. */
  lastReason: string | undefined = undefined
  private readonly recording: boolean

  constructor(
    readonly span: Span,
    private readonly instruments: Instruments,
    private readonly callerOnEvent: ((event: FailoverEvent) => void) | undefined,
    readonly oauth: OAuthRefreshSettings,
  ) {
    this.recording = span.isRecording()
  }

  readonly onEvent = (event: FailoverEvent): void => {
    try {
      this.record(event)
    } catch {
      // telemetry never breaks a run
    }
    this.callerOnEvent?.(event)
  }

  private record(event: FailoverEvent): void {
    switch (event.type) {
      case 'attempt_succeeded':
      case 'attempt_failed': {
        this.calls += 1
        const failed = event.type === 'attempt_failed'
        const reason = failed ? event.reason : undefined
        if (failed) this.lastReason = event.reason
        const key = `${event.provider}\u0000${event.model}\u0000${reason ?? ''}`
        if (!this.instruments.attempts.increment(key))
          this.instruments.attempts.start(
            key,
            attemptAttributes(event.provider, event.model, reason),
          )
        if (!this.recording) return
        const attributes = attemptAttributes(event.provider, event.model, reason)
        attributes[ATTR.attempt] = event.attempt
        if (event.profileId !== undefined) attributes[ATTR.profileId] = event.profileId
        if (failed) {
          if (event.status !== undefined) attributes[ATTR.httpStatus] = event.status
          attributes[ATTR.willRetry] = event.willRetry
        }
        this.span.addEvent(EVENT.attempt, attributes)
        return
      }
      case 'cooldown_entered': {
        const scope = event.model === undefined ? 'profile' : 'model'
        const cooldown = (): Attributes => ({
          [ATTR.provider]: genAiProviderName(event.provider),
          [ATTR.profileId]: event.profileId,
          [ATTR.cooldownReason]: event.reason,
          [ATTR.cooldownScope]: scope,
        })
        const key = `${event.provider}\u0000${event.profileId}\u0000${event.reason}\u0000${scope}`
        if (!this.instruments.cooldowns.increment(key))
          this.instruments.cooldowns.start(key, cooldown())
        if (!this.recording) return
        const attributes = cooldown()
        if (event.model !== undefined) attributes[ATTR.model] = event.model
        attributes[ATTR.cooldownUntil] = event.until
        this.span.addEvent(EVENT.cooldown, attributes)
        return
      }
      case 'fallback':
        if (!this.recording) return
        this.span.addEvent(EVENT.fallback, {
          [ATTR.fallbackFromProvider]: genAiProviderName(event.from.provider),
          [ATTR.fallbackFromModel]: event.from.model,
          [ATTR.provider]: genAiProviderName(event.to.provider),
          [ATTR.model]: event.to.model,
          [ATTR.errorType]: event.reason,
        })
        return
      case 'persistence_failed':
        if (!this.recording) return
        this.span.addEvent(EVENT.persistenceFailed, {
          [ATTR.profileId]: event.profileId,
          [ATTR.persistenceCode]: event.code,
        })
        return
      default:
        // attempt_started, cooldown_cleared and event types added later: nothing to record
        return
    }
  }

  succeeded(result: RunWithFailoverResult<unknown>): void {
    const { span } = this
    if (this.recording) {
      const attributes: Attributes = {
        [ATTR.provider]: genAiProviderName(result.provider),
        [ATTR.model]: result.model,
        [ATTR.attempts]: this.calls,
      }
      if (result.profileId !== undefined) attributes[ATTR.profileId] = result.profileId
      span.setAttributes(attributes)
    }
    span.end()
  }

  failed(error: unknown): void {
    const { span } = this
    // No message and no exception event: provider errors can quote what was sent.
    span.setStatus({ code: SpanStatusCode.ERROR })
    span.setAttribute(ATTR.errorType, this.lastReason ?? errorName(error))
    span.setAttribute(ATTR.attempts, this.calls)
    span.end()
  }
}

/** The attributes of an attempt's count (and the start of its span event's). */
function attemptAttributes(
  provider: string,
  model: string,
  reason: string | undefined,
): Attributes {
  return reason === undefined
    ? {
        [ATTR.provider]: genAiProviderName(provider),
        [ATTR.model]: model,
        [ATTR.outcome]: 'success',
      }
    : {
        [ATTR.provider]: genAiProviderName(provider),
        [ATTR.model]: model,
        [ATTR.outcome]: 'failure',
        [ATTR.errorType]: reason,
      }
}

/** A low-cardinality name for an error no call explains (an abort, no usable credential). */
function errorName(error: unknown): string {
  return error instanceof Error && /^\w{1,64}$/.test(error.name) ? error.name : '_OTHER'
}

/**
 * The {@link FailoverTelemetry} of a telemetry object: a span per run (the run executes inside
 * it, so spans of the calls it makes are its children), the attempt and cooldown metrics, and the
 * OAuth refresh metrics of the refreshes it triggers.
 */
export class RunObserver implements FailoverTelemetry {
  /** The `oauth` settings of runs given none: only the refresh listener. */
  private readonly bareOAuth: OAuthRefreshSettings
  /** The caller's `oauth` settings with the refresh listener added, built once per settings object. */
  private readonly withListener = new WeakMap<OAuthRefreshSettings, OAuthRefreshSettings>()

  constructor(
    private readonly tracer: Tracer,
    private readonly instruments: Instruments,
    private readonly onRefresh: OAuthRefreshListener,
  ) {
    this.bareOAuth = Object.freeze({ onRefresh })
  }

  observeRun<T>(
    options: RunWithFailoverOptions<T>,
    execute: (observer: FailoverRunObserver) => Promise<RunWithFailoverResult<T>>,
  ): Promise<RunWithFailoverResult<T>> {
    const parent = context.active()
    const span = this.tracer.startSpan(
      RUN_SPAN,
      options.model === undefined
        ? { kind: SpanKind.INTERNAL }
        : { kind: SpanKind.INTERNAL, attributes: { [ATTR.requestedModel]: options.model } },
      parent,
    )
    const state = new RunState(
      span,
      this.instruments,
      options.onEvent,
      this.oauthFor(options.oauth),
    )
    return context.with(trace.setSpan(parent, span), execute, undefined, state).then(
      (result) => {
        state.succeeded(result)
        return result
      },
      (error: unknown) => {
        state.failed(error)
        throw error
      },
    )
  }

  private oauthFor(oauth: OAuthRefreshSettings | undefined): OAuthRefreshSettings {
    if (oauth === undefined) return this.bareOAuth
    let merged = this.withListener.get(oauth)
    if (merged === undefined) {
      const own = this.onRefresh
      const callers = oauth.onRefresh
      merged = Object.freeze({
        ...oauth,
        onRefresh:
          callers === undefined
            ? own
            : (event: Parameters<OAuthRefreshListener>[0]) => {
                own(event)
                callers(event)
              },
      })
      this.withListener.set(oauth, merged)
    }
    return merged
  }
}
