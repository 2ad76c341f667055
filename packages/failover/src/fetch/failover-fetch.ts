// A `fetch` for SDKs that take one (the official openai and Anthropic SDKs, …): each request goes
// through runWithFailover, which picks the credential; the request is sent with it, a failed
// answer is classified from its status, headers and body, and the same request is sent again with
// the next credential when the failure calls for it.
import {
  openAuthStore,
  type AuthStoreBackend,
  type FetchFunction,
  type OAuthRefreshSettings,
} from '@claw/auth-profiles'
import { normalizeProviderId } from '@claw/model-catalog'
import { FailoverSummaryError } from '../errors.js'
import { resolveOAuthSettings } from '../oauth-settings.js'
import { presentCredential, type CredentialPresentation } from '../request-auth.js'
import { runWithFailover, type FailoverCallContext, type RunWithFailoverOptions } from '../run.js'
import { resolveFetch } from '../runtime.js'
import type { FailoverTraceEntry } from '../trace.js'
import {
  describeRequest,
  requestModel,
  withCredential,
  type OutgoingRequest,
} from './outgoing-request.js'

/** @public */
export interface CreateFailoverFetchOptions extends Omit<
  RunWithFailoverOptions<Response>,
  'run' | 'store' | 'provider' | 'model' | 'fallbacksOverride' | 'signal' | 'trace'
> {
  /** The store handle (`openAuthStore()`, a memory or Redis backend); or `agentDir`. */
  readonly store?: AuthStoreBackend | undefined
  /** The provider every request goes to (`openai`, `anthropic`, `google`, `github-copilot`, …). */
  readonly provider: string
  /**
   * The model of a request that names none (in its JSON body's `model`, or Gemini's
   * `…/models/<model>:…` path); default `*`. Model-scoped cooldowns (rate limits) use it.
   */
  readonly model?: string | undefined
  /** Sends the requests, and OAuth token requests (default: the global `fetch`). */
  readonly fetch?: FetchFunction | undefined
  /** Called once per request, with how it was answered and why (also when it failed). */
  readonly onResult?: ((result: FailoverFetchResult, response: Response) => void) | undefined
}

/** How one request through a failover fetch went. @public */
export interface FailoverFetchResult {
  readonly provider: string
  readonly model: string
  /** The profile whose credential got the response (`undefined` for env keys or without a call). */
  readonly profileId: string | undefined
  /**
   * `succeeded`: a 2xx answer; `failed`: the last failed answer, returned as the provider sent it;
   * `unavailable`: no call was made (every credential cooling down: a made-up 429 with
   * `retry-after`; no usable credential: a made-up 401).
   */
  readonly outcome: 'succeeded' | 'failed' | 'unavailable'
  /** Calls made for the request (0 when `unavailable`). */
  readonly calls: number
  /** Every credential considered, in order, and what happened (never a secret). */
  readonly trace: readonly FailoverTraceEntry[]
}

/** A `fetch` whose requests fail over across credentials. @public */
export type FailoverFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

const results = new WeakMap<Response, FailoverFetchResult>()

/**
 * How a response from a failover fetch came about (`undefined` for any other response). The SDKs
 * hand out the `Response` they got, e.g. `await client.chat.completions.create(…).withResponse()`.
 *
 * @public
 */
export function getFailoverFetchResult(response: Response): FailoverFetchResult | undefined {
  return results.get(response)
}

/** A non-2xx answer, thrown for failover to classify; carries the answer to hand back. */
class HttpAnswerError extends Error {
  override readonly name = 'HttpAnswerError'
  constructor(
    readonly status: number,
    readonly headers: Headers,
    /** The body, for the classifier (`responseBody` is what it reads). */
    readonly responseBody: string,
    readonly response: Response,
  ) {
    super(`HTTP ${status}: ${responseBody.slice(0, 500)}`)
  }
}

/** Error bodies longer than this are cut before classification (error pages can be huge). */
const MAX_ERROR_BODY_CHARS = 64 * 1024

async function readErrorBody(response: Response): Promise<string> {
  try {
    const text = await response.text()
    return text.length > MAX_ERROR_BODY_CHARS ? text.slice(0, MAX_ERROR_BODY_CHARS) : text
  } catch {
    return ''
  }
}

/** A made-up answer when no call could be made: the SDK turns it into its usual error. */
function unavailableResponse(
  error: FailoverSummaryError,
  trace: readonly FailoverTraceEntry[],
): Response {
  const cooling = error.retryAfterMs !== undefined
  const why = trace.map((entry) => `${entry.credential ?? entry.provider}: ${entry.detail}`)
  const message = `claw: no request was sent to ${trace[0]?.provider ?? 'the provider'}: ${why.join('; ')}`
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (cooling) {
    const ms = Math.max(0, Math.ceil(error.retryAfterMs ?? 0))
    headers['retry-after'] = String(Math.ceil(ms / 1000))
    headers['retry-after-ms'] = String(ms)
  }
  const type = cooling ? 'rate_limit_error' : 'authentication_error'
  return new Response(
    JSON.stringify({
      type: 'error',
      error: { type, code: cooling ? 'rate_limit_exceeded' : 'invalid_api_key', message },
    }),
    { status: cooling ? 429 : 401, headers },
  )
}

/**
 * A `fetch` that sends each request with a credential chosen by failover and, when the answer
 * calls for it (429, 401/403, 402, 5xx, 529, a timeout — see `FAILOVER_POLICY`), sends the same
 * request again with the next credential: profile order, cooldowns with the provider's
 * Retry-After deadline, OAuth refresh after a 401, env key rotation, the attempt and time budgets,
 * the same classification and trace as {@link runWithFailover}. It stays on one provider and
 * model (the one the request names): the request body is the provider's own format.
 *
 * - The credential replaces whatever the SDK sent (`Authorization`, `x-api-key`,
 *   `x-goog-api-key`, `?key=`), presented the way the provider expects ({@link presentCredential}).
 * - A request whose body is a stream is sent once: it cannot be replayed.
 * - A 2xx answer is returned as is (a stream included); a failure the policy surfaces, or the last
 *   failure, is returned as the provider sent it, so the SDK raises its usual error. When no call
 *   could be made, the answer is made up: 429 with `retry-after` when credentials are cooling
 *   down, else 401.
 * - The caller's `signal` stops everything at once, with no further request.
 * - How each request went is passed to `onResult` and kept for {@link getFailoverFetchResult}.
 *
 * Turn the SDK's own retries off (`maxRetries: 0`): claw decides.
 *
 * @example
 * ```ts
 * const openai = new OpenAI({
 *   apiKey: 'unused',
 *   maxRetries: 0,
 *   fetch: createFailoverFetch({ provider: 'openai', store: openAuthStore() }),
 * })
 * ```
 * @public
 */
export function createFailoverFetch(options: CreateFailoverFetchOptions): FailoverFetch {
  const fetcher = new FailoverFetcher(options)
  return (input, init) => fetcher.fetch(input, init)
}

const NO_FALLBACKS: readonly string[] = Object.freeze([])

/** A failover fetch: its options resolved once, and the per-request work as methods. */
class FailoverFetcher {
  private readonly provider: string
  private readonly store: AuthStoreBackend | undefined
  private readonly send: FetchFunction
  private readonly oauth: OAuthRefreshSettings | undefined
  /** How credentials are presented, by credential mode (fixed for a provider and config). */
  private readonly presentations = new Map<string, CredentialPresentation>()

  constructor(private readonly options: CreateFailoverFetchOptions) {
    this.provider = normalizeProviderId(options.provider)
    // One handle for the fetch's lifetime: its cache makes each request one `stat`.
    this.store =
      options.store ??
      (options.agentDir === undefined
        ? undefined
        : openAuthStore({
            agentDir: options.agentDir,
            ...(options.mainAgentDir === undefined ? {} : { mainAgentDir: options.mainAgentDir }),
            ...(options.env ? { env: options.env } : {}),
          }))
    this.send = resolveFetch(options)
    this.oauth = resolveOAuthSettings(options)
  }

  private async present(context: FailoverCallContext): Promise<CredentialPresentation> {
    const cached = this.presentations.get(context.mode)
    if (cached !== undefined) return cached
    const presented = await presentCredential({
      provider: context.provider,
      mode: context.mode,
      apiKey: context.apiKey,
      config: this.options.config,
    })
    // OpenAI Codex's headers name the account of the token: not the same for every credential.
    if (presented.api !== 'openai-codex-responses') this.presentations.set(context.mode, presented)
    return presented
  }

  /** One attempt: the request with this credential; a failed answer is thrown for failover. */
  private async attempt(request: OutgoingRequest, context: FailoverCallContext): Promise<Response> {
    const { url, headers } = withCredential(request, context, await this.present(context))
    const signal = context.signal ?? null
    let response: Response
    if (request.request) {
      response = await this.send(new Request(request.request, { headers, signal }))
    } else {
      // Tuned (bench row "createFailoverFetch / plain fetch, healthy"): a copy of the caller's
      // init with our fields set on it, not a literal that starts with a spread (slow in V8).
      const init: RequestInit = { ...request.init }
      init.method = request.method
      init.headers = headers
      init.body = request.body ?? null
      init.signal = signal
      response = await this.send(url, init)
    }
    if (response.ok) return response
    const body = await readErrorBody(response)
    const answer = new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
    throw new HttpAnswerError(response.status, response.headers, body, answer)
  }

  async fetch(input: string | URL | Request, init: RequestInit | undefined): Promise<Response> {
    const { options, provider } = this
    const request = describeRequest(input, init)
    const model = options.model ?? requestModel(request) ?? '*'
    const trace: FailoverTraceEntry[] = []
    try {
      const run = await runWithFailover<Response>({
        config: options.config,
        store: this.store,
        provider,
        model,
        fallbacksOverride: NO_FALLBACKS,
        agentId: options.agentId,
        sessionProfile: options.sessionProfile,
        maxAttempts: request.replayable ? options.maxAttempts : 1,
        env: options.env,
        now: options.now,
        signal: request.signal,
        onEvent: options.onEvent,
        telemetry: options.telemetry,
        deadlineMs: options.deadlineMs,
        minRetryGapMs: options.minRetryGapMs,
        maxWaitMs: options.maxWaitMs,
        sleep: options.sleep,
        fetch: options.fetch,
        oauth: this.oauth,
        trace,
        run: (context) => this.attempt(request, context),
      })
      return this.finish(run.result, {
        model,
        outcome: 'succeeded',
        profileId: run.profileId,
        trace,
      })
    } catch (error) {
      const answer =
        error instanceof HttpAnswerError
          ? error
          : FailoverSummaryError.isInstance(error) && error.cause instanceof HttpAnswerError
            ? error.cause
            : undefined
      if (answer) {
        const profileId = trace.findLast((entry) => entry.outcome === 'failed')?.profileId
        return this.finish(answer.response, { model, outcome: 'failed', profileId, trace })
      }
      if (FailoverSummaryError.isInstance(error) && error.cause === undefined) {
        return this.finish(unavailableResponse(error, trace), {
          model,
          outcome: 'unavailable',
          profileId: undefined,
          trace,
        })
      }
      throw error
    }
  }

  private finish(
    response: Response,
    how: Omit<FailoverFetchResult, 'provider' | 'calls'>,
  ): Response {
    let calls = 0
    for (const entry of how.trace) if (entry.outcome !== 'skipped') calls += 1
    const result: FailoverFetchResult = {
      provider: this.provider,
      model: how.model,
      profileId: how.profileId,
      outcome: how.outcome,
      calls,
      trace: how.trace,
    }
    results.set(response, result)
    this.options.onResult?.(result, response)
    return response
  }
}
