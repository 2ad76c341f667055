// Errors shaped like the ones the OpenAI and Anthropic SDKs throw, for host-app tests: the same
// status, headers, body and message, so failover classifies a built error exactly as it would
// classify the real one. Nothing here is special-cased by the classifier.

/** Which SDK's error to imitate. @public */
export type ProviderErrorShape = 'openai' | 'anthropic'

/** Options every error builder takes. @public */
export interface ProviderErrorOptions {
  /** The SDK whose error is imitated (default `'openai'`). */
  readonly shape?: ProviderErrorShape
  /** The provider's message (each builder has a realistic default). */
  readonly message?: string
  /** More response headers (`x-request-id`, rate-limit headers, …). */
  readonly headers?: Readonly<Record<string, string>>
}

/** Options of {@link rateLimited}. @public */
export interface RateLimitedOptions extends ProviderErrorOptions {
  /**
   * The provider's retry hint. OpenAI-shaped errors carry it as `retry-after-ms` (exact);
   * Anthropic-shaped ones as `retry-after` in whole seconds (rounded up), as the providers send it.
   */
  readonly retryAfterMs?: number
}

/** Options of the builders that name a model. @public */
export interface ModelErrorOptions extends ProviderErrorOptions {
  /** The model the provider names in its message (default `gpt-9` / `claude-9`). */
  readonly model?: string
}

/**
 * An HTTP error as the SDKs throw it: `status`, the response `headers` (a Fetch `Headers`), the
 * parsed error body in `error` (OpenAI: the body's `error` object, with its `code`, `type` and
 * `param` copied onto the error; Anthropic: the whole body) and the SDK's message
 * (`<status> <message>` or `<status> <JSON body>`).
 *
 * @public
 */
export interface ProviderApiError extends Error {
  readonly status: number
  readonly headers: Headers
  readonly error: unknown
  readonly code?: string | null
  readonly type?: string | null
  readonly param?: string | null
  readonly requestID: string | null
}

/** A connection failure as the SDKs throw it: no status, the network error in `cause`. @public */
export interface ProviderConnectionError extends Error {
  readonly status: undefined
  readonly headers: undefined
  readonly error: undefined
}

/** The SDKs' class names by status, used as `name` so test output reads like the real thing. */
function className(status: number): string {
  if (status === 400) return 'BadRequestError'
  if (status === 401) return 'AuthenticationError'
  if (status === 403) return 'PermissionDeniedError'
  if (status === 404) return 'NotFoundError'
  if (status === 429) return 'RateLimitError'
  if (status >= 500) return 'InternalServerError'
  return 'APIError'
}

interface OpenAIBody {
  readonly message: string
  readonly type: string
  readonly code: string | null
}

interface AnthropicBody {
  readonly type: string
  readonly message: string
}

interface ErrorSpec {
  readonly status: number
  readonly openai: OpenAIBody
  readonly anthropic: AnthropicBody & { readonly status?: number }
  readonly headers?: (shape: ProviderErrorShape) => Record<string, string>
}

function build(spec: ErrorSpec, options: ProviderErrorOptions): ProviderApiError {
  const shape = options.shape ?? 'openai'
  const requestId = `req_test_${Math.random().toString(36).slice(2, 12)}`
  const headers = new Headers({
    'content-type': 'application/json',
    [shape === 'openai' ? 'x-request-id' : 'request-id']: requestId,
    ...spec.headers?.(shape),
    ...options.headers,
  })
  if (shape === 'openai') {
    const body = {
      ...spec.openai,
      param: null,
      ...(options.message === undefined ? {} : { message: options.message }),
    }
    const error = new Error(`${spec.status} ${body.message}`)
    return Object.assign(error, {
      name: className(spec.status),
      status: spec.status,
      headers,
      error: body,
      code: body.code,
      type: body.type,
      param: body.param,
      requestID: requestId,
    })
  }
  const status = spec.anthropic.status ?? spec.status
  const body = {
    type: 'error',
    error: {
      type: spec.anthropic.type,
      message: options.message ?? spec.anthropic.message,
    },
    request_id: requestId,
  }
  const error = new Error(`${status} ${JSON.stringify(body)}`)
  return Object.assign(error, {
    name: className(status),
    status,
    headers,
    error: body,
    requestID: requestId,
  })
}

/**
 * A 429 rate limit (classified `rate_limit`; the hint becomes the cooldown).
 *
 * @example
 * ```ts
 * const run = () => Promise.reject(rateLimited({ retryAfterMs: 30_000 }))
 * ```
 * @public
 */
export function rateLimited(options: RateLimitedOptions = {}): ProviderApiError {
  const { retryAfterMs } = options
  return build(
    {
      status: 429,
      openai: {
        message:
          'Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again later.',
        type: 'requests',
        code: 'rate_limit_exceeded',
      },
      anthropic: {
        type: 'rate_limit_error',
        message:
          'This request would exceed the rate limit for your organization of 50 requests per minute.',
      },
      headers: (shape) => {
        if (retryAfterMs === undefined) return {}
        if (shape === 'anthropic') return { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) }
        return {
          'retry-after-ms': String(retryAfterMs),
          'retry-after': String(Math.ceil(retryAfterMs / 1000)),
        }
      },
    },
    options,
  )
}

/**
 * The account is out of credit (classified `billing`): OpenAI's 429 `insufficient_quota`,
 * Anthropic's 400 "credit balance is too low".
 *
 * @public
 */
export function outOfCredit(options: ProviderErrorOptions = {}): ProviderApiError {
  return build(
    {
      status: 429,
      openai: {
        message:
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs.',
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      },
      anthropic: {
        status: 400,
        type: 'invalid_request_error',
        message:
          'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
      },
    },
    options,
  )
}

/**
 * A 401 for a wrong API key (classified `auth`; with a message saying the key was revoked,
 * `auth_permanent`, as for the real thing).
 *
 * @public
 */
export function unauthorized(options: ProviderErrorOptions = {}): ProviderApiError {
  return build(
    {
      status: 401,
      openai: {
        message:
          'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      },
      anthropic: { type: 'authentication_error', message: 'invalid x-api-key' },
    },
    options,
  )
}

/**
 * The provider is overloaded (classified `overloaded`): OpenAI's 503 "engine is currently
 * overloaded", Anthropic's 529 `overloaded_error`.
 *
 * @public
 */
export function overloaded(options: ProviderErrorOptions = {}): ProviderApiError {
  return build(
    {
      status: 503,
      openai: {
        message: 'The engine is currently overloaded, please try again later.',
        type: 'server_error',
        code: null,
      },
      anthropic: { status: 529, type: 'overloaded_error', message: 'Overloaded' },
    },
    options,
  )
}

/** A 500 from the provider (classified `server_error`). @public */
export function serverError(options: ProviderErrorOptions = {}): ProviderApiError {
  return build(
    {
      status: 500,
      openai: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        code: null,
      },
      anthropic: { type: 'api_error', message: 'Internal server error' },
    },
    options,
  )
}

/** A 404 for a model the provider does not know (classified `model_not_found`). @public */
export function modelNotFound(options: ModelErrorOptions = {}): ProviderApiError {
  const shape = options.shape ?? 'openai'
  const model = options.model ?? (shape === 'openai' ? 'gpt-9' : 'claude-9')
  return build(
    {
      status: 404,
      openai: {
        message: `The model \`${model}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        code: 'model_not_found',
      },
      anthropic: { type: 'not_found_error', message: `model: ${model}` },
    },
    options,
  )
}

/**
 * A 400 for a prompt longer than the model's context window (classified `context_overflow`:
 * failover stops, the caller must shorten the prompt).
 *
 * @public
 */
export function contextOverflow(options: ProviderErrorOptions = {}): ProviderApiError {
  return build(
    {
      status: 400,
      openai: {
        message:
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens. Please reduce the length of the messages.",
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
      },
      anthropic: {
        type: 'invalid_request_error',
        message: 'prompt is too long: 210000 tokens > 200000 maximum',
      },
    },
    options,
  )
}

/**
 * A 400 for a malformed request (classified `format`: failover stops and surfaces it).
 *
 * @public
 */
export function badRequest(options: ProviderErrorOptions = {}): ProviderApiError {
  return build(
    {
      status: 400,
      openai: {
        message: "Invalid value for 'messages[0].role': expected one of system, user, assistant.",
        type: 'invalid_request_error',
        code: 'invalid_value',
      },
      anthropic: {
        type: 'invalid_request_error',
        message: 'messages.0.content: Field required',
      },
    },
    options,
  )
}

function connectionError(name: string, message: string, cause: unknown): ProviderConnectionError {
  return Object.assign(new Error(message, { cause }), {
    name,
    status: undefined,
    headers: undefined,
    error: undefined,
  })
}

/**
 * The request timed out before an answer (the SDKs' `APIConnectionTimeoutError`, classified
 * `timeout`).
 *
 * @public
 */
export function timedOut(): ProviderConnectionError {
  return connectionError('APIConnectionTimeoutError', 'Request timed out.', undefined)
}

/**
 * The provider could not be reached: the SDKs' `APIConnectionError` around `fetch failed` around
 * Node's `connect ECONNREFUSED` (classified `server_error`).
 *
 * @public
 */
export function connectionRefused(
  options: { readonly address?: string; readonly port?: number } = {},
): ProviderConnectionError {
  const address = options.address ?? '127.0.0.1'
  const port = options.port ?? 443
  const refused = Object.assign(new Error(`connect ECONNREFUSED ${address}:${port}`), {
    code: 'ECONNREFUSED',
    errno: -111,
    syscall: 'connect',
    address,
    port,
  })
  return connectionError(
    'APIConnectionError',
    'Connection error.',
    new TypeError('fetch failed', { cause: refused }),
  )
}
