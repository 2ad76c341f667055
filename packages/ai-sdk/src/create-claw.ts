// `createClaw`: the AI SDK provider. `claw('opus')` resolves a claw model ref or alias against the
// config (aliases, allowlist, fallbacks) and returns a model that fails over on every call.
import { NoSuchModelError, type ProviderV4 } from '@ai-sdk/provider'
import {
  openAuthStore,
  type AuthStoreBackend,
  type ClawConfig,
  type FetchFunction,
  type OAuthRefreshSettings,
} from '@claw/auth-profiles'
import {
  buildFallbackCandidates,
  resolveModelSelection,
  resolveOAuthSettings,
  type FailoverEvent,
  type FailoverTelemetry,
  type Sleep,
  type Clock,
} from '@claw/failover'
import {
  createModelCatalog,
  normalizeProviderId,
  parseModelSelection,
  type ModelCatalog,
} from '@claw/model-catalog'
import { ClawLanguageModel, type ClawModelTarget, type ClawRuntime } from './claw-language-model.js'
import { AttemptModels, type ClawProviderFactory } from './provider-settings.js'

/** @public */
export interface CreateClawOptions {
  /**
   * The AI SDK provider factory of each claw provider id, e.g.
   * `{ openai: createOpenAI, anthropic: createAnthropic, google: createGoogleGenerativeAI }`.
   * Candidates on providers without a factory are left out of the fallbacks.
   */
  readonly providers: Readonly<Record<string, ClawProviderFactory>>
  /** The store handle (`openAuthStore()`, a memory or Redis backend). */
  readonly store?: AuthStoreBackend | undefined
  /** Or the agent dir whose `auth-profiles.json` to use (e.g. `resolveAgentDir('main')`). */
  readonly agentDir?: string | undefined
  readonly mainAgentDir?: string | null | undefined
  /**
   * Aliases and allowlist (`agents.defaults.models`), fallbacks (`agents.defaults.model`), auth
   * order and cooldowns (`auth.*`), provider endpoints (`models.providers`), OAuth endpoints
   * (`auth.oauth`).
   */
  readonly config?: ClawConfig | undefined
  /** Use this agent's model fallbacks (`agents.list[]`). */
  readonly agentId?: string | undefined
  /** Prices for the cost estimate in `providerMetadata.claw.cost` (default: built from `config`). */
  readonly catalog?: ModelCatalog | undefined
  /** At most this many calls per model call (default 6). */
  readonly maxAttempts?: number | undefined
  /** Total time budget of a model call, in ms (each attempt is aborted when it runs out). */
  readonly deadlineMs?: number | undefined
  /** At least this long between two calls with the same credential (default 250 ms). */
  readonly minRetryGapMs?: number | undefined
  /** When every candidate is cooling down, wait up to this long for the soonest one (default 0). */
  readonly maxWaitMs?: number | undefined
  /** Attempts, failures, fallbacks and cooldowns as they happen (never a secret). */
  readonly onEvent?: ((event: FailoverEvent) => void) | undefined
  /**
   * OpenTelemetry for every model call: `createClawTelemetry()` from `@claw/failover/telemetry`
   * (a span per call with an event per attempt, attempt/cooldown/refresh metrics). Default: none.
   */
  readonly telemetry?: FailoverTelemetry | undefined
  /** Environment for env keys (`OPENAI_API_KEY`, `OPENAI_API_KEYS`, …); default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /** Token requests (OAuth refresh, the Copilot exchange) and the AI SDK providers' requests. */
  readonly fetch?: FetchFunction | undefined
  /** OAuth refresh settings; `auth.oauth` from `config` applies unless `providers` is given here. */
  readonly oauth?: OAuthRefreshSettings | undefined
  readonly now?: Clock | undefined
  readonly sleep?: Sleep | undefined
}

/** Per-model options of `claw(modelId, settings)`. @public */
export interface ClawModelSettings {
  /** Replaces the configured fallbacks of this model (`[]`: none). */
  readonly fallbacks?: readonly string[] | undefined
}

/**
 * The claw provider: call it (or `languageModel`) with a claw model id — a ref
 * (`anthropic/claude-opus-4-5`, `openrouter/anthropic/claude-sonnet-4-5`), an alias (`opus`), or
 * either with a pinned profile (`opus@anthropic:work`).
 *
 * @public
 */
export interface ClawProvider extends ProviderV4 {
  (modelId: string, settings?: ClawModelSettings): ClawLanguageModel
  languageModel(modelId: string, settings?: ClawModelSettings): ClawLanguageModel
}

function noSuchModel(modelId: string, message: string): NoSuchModelError {
  return new NoSuchModelError({ modelId, modelType: 'languageModel', message })
}

/**
 * Creates the claw provider for the AI SDK 7: models that pick a credential per call (profile
 * order, cooldowns, OAuth refresh, env keys), build the AI SDK model of the caller's provider
 * factory with it, classify what it throws and rotate credentials or fall back to the next model
 * (`agents.defaults.model.fallbacks`) as the failover policy says. Each result carries
 * `providerMetadata.claw` (`{ provider, model, profileId, attempts, trace, cost? }`, no secrets).
 *
 * Streams fail over only before their first content part; a caller's `abortSignal` stops
 * everything with no further request. Errors leave a claw model marked not retryable, so the AI
 * SDK's own retries do not start the failover again.
 *
 * @throws {NoSuchModelError} from `claw(modelId)` when the id does not parse, is not allowed by
 *   the allowlist, or names a provider without a factory in `providers`.
 * @example
 * ```ts
 * const claw = createClaw({
 *   store: openAuthStore(),
 *   config,
 *   providers: { openai: createOpenAI, anthropic: createAnthropic },
 * })
 * const { text, providerMetadata } = await generateText({ model: claw('opus'), prompt: 'Hi!' })
 * ```
 * @public
 */
export function createClaw(options: CreateClawOptions): ClawProvider {
  const factories = new Map<string, ClawProviderFactory>()
  for (const [id, factory] of Object.entries(options.providers))
    factories.set(normalizeProviderId(id), factory)
  const { config } = options
  const catalog = options.catalog ?? createModelCatalog({ config })
  // One handle for the provider's lifetime: its cache makes each call one `stat`.
  const store =
    options.store ??
    (options.agentDir === undefined
      ? undefined
      : openAuthStore({
          agentDir: options.agentDir,
          ...(options.mainAgentDir === undefined ? {} : { mainAgentDir: options.mainAgentDir }),
          ...(options.env ? { env: options.env } : {}),
        }))
  const oauth = resolveOAuthSettings(options)
  const runtime: ClawRuntime = {
    store,
    config,
    catalog,
    models: new AttemptModels(factories, config, options.fetch),
    failover: {
      agentId: options.agentId,
      env: options.env,
      now: options.now,
      sleep: options.sleep,
      fetch: options.fetch,
      oauth,
      onEvent: options.onEvent,
      telemetry: options.telemetry,
      maxAttempts: options.maxAttempts,
      deadlineMs: options.deadlineMs,
      minRetryGapMs: options.minRetryGapMs,
      maxWaitMs: options.maxWaitMs,
    },
  }

  const languageModel = (modelId: string, settings: ClawModelSettings = {}): ClawLanguageModel => {
    const selection = parseModelSelection(modelId)
    const resolved = resolveModelSelection({
      raw: selection?.model ?? '',
      config,
      catalog,
      autoCorrect: false,
    })
    if (!resolved.ok) throw noSuchModel(modelId, resolved.error)
    const { provider, model } = resolved.ref
    if (!factories.has(provider)) {
      throw noSuchModel(
        modelId,
        `No AI SDK provider for ${provider}: pass one in createClaw({ providers: { '${provider}': … } }).`,
      )
    }
    const candidates = buildFallbackCandidates({
      config,
      provider,
      model,
      catalog,
      ...(settings.fallbacks === undefined ? {} : { fallbacksOverride: settings.fallbacks }),
      ...(options.agentId === undefined ? {} : { agentId: options.agentId }),
    })
    const target: ClawModelTarget = {
      provider,
      model,
      fallbacks: candidates
        .slice(1)
        .filter((candidate) => factories.has(candidate.provider))
        .map((candidate) => candidate.key),
      profileId: selection?.profileId,
    }
    return new ClawLanguageModel(modelId, target, runtime)
  }

  const unsupported = (modelType: 'embeddingModel' | 'imageModel') => (modelId: string) => {
    throw new NoSuchModelError({
      modelId,
      modelType,
      message: `claw serves language models only (no ${modelType} ${modelId}).`,
    })
  }
  return Object.assign(
    (modelId: string, settings?: ClawModelSettings) => languageModel(modelId, settings),
    {
      specificationVersion: 'v4' as const,
      languageModel,
      embeddingModel: unsupported('embeddingModel'),
      imageModel: unsupported('imageModel'),
    },
  )
}
