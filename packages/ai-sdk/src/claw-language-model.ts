// A LanguageModelV4 whose every call goes through runWithFailover: each attempt builds the AI SDK
// model of the chosen candidate and credential and calls it; what it throws is classified, and the
// next credential or model is tried as the failover policy says.
import {
  APICallError,
  type LanguageModelV4,
  type LanguageModelV4CallOptions,
  type LanguageModelV4GenerateResult,
  type LanguageModelV4StreamPart,
  type LanguageModelV4StreamResult,
  type SharedV4ProviderMetadata,
} from '@ai-sdk/provider'
import type {
  AuthStoreBackend,
  ClawConfig,
  FetchFunction,
  OAuthRefreshSettings,
} from '@claw/auth-profiles'
import {
  runWithFailover,
  type FailoverCallContext,
  type FailoverEvent,
  type FailoverTelemetry,
  type RunWithFailoverResult,
} from '@claw/failover'
import type { ModelCatalog } from '@claw/model-catalog'
import { readToFirstContent, resumeStream } from './first-content.js'
import { clawMetadata } from './metadata.js'
import type { AttemptModels } from './provider-settings.js'

/** What every model of one `createClaw` shares. @internal */
export interface ClawRuntime {
  readonly store: AuthStoreBackend | undefined
  readonly config: ClawConfig | undefined
  readonly catalog: ModelCatalog
  readonly models: AttemptModels
  readonly failover: {
    readonly agentId?: string | undefined
    readonly env?: Readonly<Record<string, string | undefined>> | undefined
    readonly now?: (() => number) | undefined
    readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined
    readonly fetch?: FetchFunction | undefined
    readonly oauth?: OAuthRefreshSettings | undefined
    readonly onEvent?: ((event: FailoverEvent) => void) | undefined
    readonly telemetry?: FailoverTelemetry | undefined
    readonly maxAttempts?: number | undefined
    readonly deadlineMs?: number | undefined
    readonly minRetryGapMs?: number | undefined
    readonly maxWaitMs?: number | undefined
  }
}

/** Which model a claw model asks for, resolved when it was created. @internal */
export interface ClawModelTarget {
  readonly provider: string
  readonly model: string
  /** The rest of the candidates (config fallbacks, the primary), as `provider/model` keys. */
  readonly fallbacks: readonly string[]
  /** `opus@anthropic:work`: that profile, and only it, for its provider. */
  readonly profileId: string | undefined
}

/**
 * An error the AI SDK would retry (its `generateText`/`streamText` retries wrap the model call) is
 * handed on as not retryable: claw has applied its own policy, and a retry would start the whole
 * failover again after the SDK's backoff.
 */
function settled(error: unknown): unknown {
  if (!APICallError.isInstance(error) || !error.isRetryable) return error
  return new APICallError({
    message: error.message,
    url: error.url,
    requestBodyValues: error.requestBodyValues,
    ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
    ...(error.responseHeaders === undefined ? {} : { responseHeaders: error.responseHeaders }),
    ...(error.responseBody === undefined ? {} : { responseBody: error.responseBody }),
    data: error.data,
    cause: error,
    isRetryable: false,
  })
}

function withClaw(
  metadata: SharedV4ProviderMetadata | undefined,
  claw: SharedV4ProviderMetadata[string],
): SharedV4ProviderMetadata {
  return metadata === undefined ? { claw } : { ...metadata, claw }
}

/**
 * A claw model (`claw('opus')`): an AI SDK `LanguageModelV4` that fails over across credentials and
 * models. It wraps only `doGenerate` and `doStream`, so it works with `generateText`, `streamText`,
 * structured output and tools.
 *
 * @public
 */
export class ClawLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4'
  readonly provider = 'claw'
  /**
   * URLs are downloaded by the AI SDK rather than passed to the provider: the provider that
   * answers is only known during the call, and not all of them fetch URLs themselves.
   */
  readonly supportedUrls: Record<string, RegExp[]> = {}

  /** @internal Made by `createClaw`'s provider: `claw(modelId)`. */
  constructor(
    /** The id the model was asked for (`opus`, `openai/gpt-5.2`, `opus@anthropic:work`). */
    readonly modelId: string,
    private readonly target: ClawModelTarget,
    private readonly runtime: ClawRuntime,
  ) {}

  private run<T>(
    options: LanguageModelV4CallOptions,
    call: (context: FailoverCallContext) => Promise<T>,
  ): Promise<RunWithFailoverResult<T>> {
    const { target, runtime } = this
    const failover = runtime.failover
    return runWithFailover<T>({
      store: runtime.store,
      config: runtime.config,
      provider: target.provider,
      model: target.model,
      fallbacksOverride: target.fallbacks,
      sessionProfile:
        target.profileId === undefined
          ? undefined
          : { profileId: target.profileId, source: 'user' },
      agentId: failover.agentId,
      env: failover.env,
      now: failover.now,
      sleep: failover.sleep,
      fetch: failover.fetch,
      oauth: failover.oauth,
      onEvent: failover.onEvent,
      telemetry: failover.telemetry,
      maxAttempts: failover.maxAttempts,
      deadlineMs: failover.deadlineMs,
      minRetryGapMs: failover.minRetryGapMs,
      maxWaitMs: failover.maxWaitMs,
      signal: options.abortSignal,
      run: call,
    })
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const { runtime } = this
    let outcome: RunWithFailoverResult<LanguageModelV4GenerateResult>
    try {
      outcome = await this.run(options, async (context) => {
        const model = await runtime.models.model(context)
        return model.doGenerate(attemptOptions(options, context))
      })
    } catch (error) {
      throw settled(error)
    }
    const result = outcome.result
    return {
      ...result,
      providerMetadata: withClaw(
        result.providerMetadata,
        clawMetadata(outcome, result.usage, runtime.catalog),
      ),
    }
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const { runtime } = this
    let outcome: RunWithFailoverResult<
      Omit<LanguageModelV4StreamResult, 'stream'> & {
        readonly opened: Awaited<ReturnType<typeof readToFirstContent>>
      }
    >
    try {
      outcome = await this.run(options, async (context) => {
        const model = await runtime.models.model(context)
        const { stream, ...rest } = await model.doStream(attemptOptions(options, context))
        // The attempt succeeds when its first content part arrives; a failure before that is
        // classified like any other, and the next candidate is tried.
        return { ...rest, opened: await readToFirstContent(stream) }
      })
    } catch (error) {
      throw settled(error)
    }
    const { opened, ...rest } = outcome.result
    const addMetadata = (part: LanguageModelV4StreamPart): LanguageModelV4StreamPart =>
      part.type === 'finish'
        ? {
            ...part,
            providerMetadata: withClaw(
              part.providerMetadata,
              clawMetadata(outcome, part.usage, runtime.catalog),
            ),
          }
        : part
    return { ...rest, stream: resumeStream(opened, addMetadata) }
  }
}

/** The caller's options with the attempt's signal (the caller's, bounded by the time budget). */
function attemptOptions(
  options: LanguageModelV4CallOptions,
  context: FailoverCallContext,
): LanguageModelV4CallOptions {
  if (context.signal === options.abortSignal) return options
  return context.signal === undefined ? options : { ...options, abortSignal: context.signal }
}
