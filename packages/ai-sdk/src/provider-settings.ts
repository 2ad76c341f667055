// Building the AI SDK model of one attempt: the caller's provider factory, called with the chosen
// credential, the endpoint and the headers that go with the credential.
import type { LanguageModelV4, ProviderV4 } from '@ai-sdk/provider'
import type { ClawConfig, FetchFunction } from '@claw/auth-profiles'
import { presentCredential, type FailoverCallContext } from '@claw/failover'

/**
 * What claw passes to an AI SDK provider factory for each attempt: the settings that
 * `createOpenAI`, `createAnthropic`, `createGoogleGenerativeAI` and most `@ai-sdk/*` factories
 * accept.
 *
 * @public
 */
export interface ClawProviderSettings {
  /** The credential (absent only for ambient credentials the vendor SDK resolves itself). */
  readonly apiKey?: string
  /** Anthropic with a token or an OAuth access token: sent as `Authorization: Bearer` instead. */
  readonly authToken?: string
  /**
   * The endpoint: the credential's host when it decides one (GitHub Copilot), else
   * `models.providers.<id>.baseUrl`, else the provider's default — in the AI SDK's convention
   * (Anthropic's ends in `/v1`, OpenAI Codex's in `/codex`).
   */
  readonly baseURL?: string
  /**
   * Headers that go with the credential, none of them secret: `anthropic-beta` for OAuth tokens,
   * GitHub Copilot's editor headers, the ChatGPT account of an OpenAI Codex token, and
   * `models.providers.<id>.headers`.
   */
  readonly headers?: Record<string, string>
  /** The `fetch` given to `createClaw`, when one was. */
  readonly fetch?: FetchFunction
}

/**
 * Makes an AI SDK provider (or a model function) from claw's settings, e.g. `createOpenAI`.
 * Called once per model, credential and endpoint (the model is reused); pass a wrapper for
 * factories that need more (`(settings) => createOpenAICompatible({ name: 'groq', ...settings })`).
 *
 * @public
 */
export type ClawProviderFactory = (
  settings: ClawProviderSettings,
) => ProviderV4 | ((modelId: string) => LanguageModelV4)

/** The AI SDK's base URL for claw's, by API kind. */
function aiSdkBaseUrl(baseUrl: string | undefined, api: string | undefined): string | undefined {
  if (baseUrl === undefined) return undefined
  const trimmed = baseUrl.replace(/\/+$/, '')
  // claw's base URLs follow the providers' own SDKs; the AI SDK includes the version path.
  if (api === 'anthropic-messages') return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`
  if (api === 'openai-codex-responses')
    return trimmed.endsWith('/codex') ? trimmed : `${trimmed}/codex`
  return trimmed
}

/** Distinct models × credentials seen by one `createClaw`; the bound only guards against churn. */
const MAX_CACHED_MODELS = 256

/**
 * The AI SDK models of the attempts of one `createClaw`, made once per provider, model,
 * credential, endpoint and headers and reused (AI SDK models keep no state between calls; the
 * secrets live only in this in-memory map's keys).
 */
export class AttemptModels {
  /** The AI SDK model by credential, endpoint, headers and model id. */
  private readonly models = new Map<string, LanguageModelV4>()

  constructor(
    private readonly factories: ReadonlyMap<string, ClawProviderFactory>,
    private readonly config: ClawConfig | undefined,
    private readonly fetch: FetchFunction | undefined,
  ) {}

  /** The model for this attempt's candidate and credential. */
  async model(context: FailoverCallContext): Promise<LanguageModelV4> {
    // Everything the model depends on (the presentation follows from provider, mode and key).
    const key = `${context.provider}\u0000${context.model}\u0000${context.mode}\u0000${context.apiKey ?? ''}\u0000${context.baseUrl ?? ''}`
    const cached = this.models.get(key)
    if (cached !== undefined) return cached
    const factory = this.factories.get(context.provider)
    if (factory === undefined) throw new Error(`No AI SDK provider for ${context.provider}.`)
    const presented = await presentCredential({
      provider: context.provider,
      mode: context.mode,
      apiKey: context.apiKey,
      config: this.config,
    })
    const bearerForAnthropic =
      presented.api === 'anthropic-messages' && presented.header === 'authorization'
    const baseURL = aiSdkBaseUrl(context.baseUrl, presented.api)
    // The AI SDK sets its own `anthropic-version`; the rest go along with the credential.
    const headers: Record<string, string> = {}
    let withHeaders = false
    for (const [name, value] of Object.entries(presented.headers)) {
      if (name === 'anthropic-version') continue
      headers[name] = value
      withHeaders = true
    }
    const settings: {
      -readonly [K in keyof ClawProviderSettings]: ClawProviderSettings[K]
    } = {}
    if (context.apiKey !== undefined) {
      if (bearerForAnthropic) settings.authToken = context.apiKey
      else settings.apiKey = context.apiKey
    }
    if (baseURL !== undefined) settings.baseURL = baseURL
    if (withHeaders) settings.headers = headers
    if (this.fetch !== undefined) settings.fetch = this.fetch
    const instance = factory(settings)
    const model =
      'languageModel' in instance && typeof instance.languageModel === 'function'
        ? instance.languageModel(context.model)
        : (instance as (modelId: string) => LanguageModelV4)(context.model)
    const version = (model as { specificationVersion?: unknown }).specificationVersion
    if (version !== 'v4') {
      throw new Error(
        `The AI SDK provider for ${context.provider} made a "${String(version)}" model; @claw/ai-sdk needs AI SDK 7 providers (LanguageModelV4, @ai-sdk/* 4.x).`,
      )
    }
    if (this.models.size >= MAX_CACHED_MODELS) this.models.clear()
    this.models.set(key, model)
    return model
  }
}
