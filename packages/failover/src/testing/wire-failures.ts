// The failures the fake provider sends, in the wire format of the request's API: OpenAI's,
// Anthropic's and Google's error bodies for rate limits, exhausted quota, bad keys, missing
// credit, unknown models, server errors and overload.
import type { ProviderWireApi } from './provider-wire.js'

/** A failure kind, as the server answers it in each wire format. @internal */
export type FailureKind =
  | 'rate_limit'
  | 'insufficient_quota'
  | 'unauthorized'
  | 'payment_required'
  | 'model_not_found'
  | 'server_error'
  | 'overloaded'

/** An HTTP answer. @internal */
export interface WireAnswer {
  readonly status: number
  readonly body: string
}

/** OpenAI masks keys in its 401 message: the first 3 and the last 4 characters. */
function maskKey(key: string): string {
  return key.length > 8 ? `${key.slice(0, 3)}*****${key.slice(-4)}` : '*****'
}

function failureMessage(
  kind: FailureKind,
  model: string | undefined,
  key: string,
  echoKey: boolean,
): string {
  switch (kind) {
    case 'rate_limit':
      return `Rate limit reached for ${model ?? 'the model'} on requests per min (RPM). Please try again later.`
    case 'insufficient_quota':
      return 'You exceeded your current quota, please check your plan and billing details.'
    case 'unauthorized':
      return `Incorrect API key provided: ${echoKey ? key : maskKey(key)}.`
    case 'payment_required':
      return 'Your credit balance is too low to access the API.'
    case 'model_not_found':
      return `The model \`${model ?? ''}\` does not exist or you do not have access to it.`
    case 'server_error':
      return 'The server had an error while processing your request. Sorry about that!'
    case 'overloaded':
      return 'Overloaded'
  }
}

function openaiFailure(kind: FailureKind, message: string): WireAnswer {
  const error = (status: number, type: string, code: string | null): WireAnswer => ({
    status,
    body: JSON.stringify({ error: { message, type, param: null, code } }),
  })
  switch (kind) {
    case 'rate_limit':
      return error(429, 'requests', 'rate_limit_exceeded')
    case 'insufficient_quota':
      return error(429, 'insufficient_quota', 'insufficient_quota')
    case 'unauthorized':
      return error(401, 'invalid_request_error', 'invalid_api_key')
    case 'payment_required':
      return error(402, 'billing_error', 'payment_required')
    case 'model_not_found':
      return error(404, 'invalid_request_error', 'model_not_found')
    case 'server_error':
      return error(500, 'server_error', null)
    case 'overloaded':
      // What an Anthropic-compatible gateway sends; OpenAI itself answers 503.
      return {
        status: 529,
        body: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message } }),
      }
  }
}

function anthropicFailure(kind: FailureKind, message: string): WireAnswer {
  const error = (status: number, type: string): WireAnswer => ({
    status,
    body: JSON.stringify({ type: 'error', error: { type, message } }),
  })
  switch (kind) {
    case 'rate_limit':
      return error(429, 'rate_limit_error')
    case 'insufficient_quota':
    case 'payment_required':
      // Anthropic reports an empty balance as an invalid request.
      return error(400, 'invalid_request_error')
    case 'unauthorized':
      return error(401, 'authentication_error')
    case 'model_not_found':
      return error(404, 'not_found_error')
    case 'server_error':
      return error(500, 'api_error')
    case 'overloaded':
      return error(529, 'overloaded_error')
  }
}

function googleFailure(kind: FailureKind, message: string): WireAnswer {
  const error = (status: number, code: string, details?: unknown[]): WireAnswer => ({
    status,
    body: JSON.stringify({
      error: { code: status, message, status: code, ...(details ? { details } : {}) },
    }),
  })
  switch (kind) {
    case 'rate_limit':
      return error(429, 'RESOURCE_EXHAUSTED')
    case 'insufficient_quota':
    case 'payment_required':
      return error(403, 'PERMISSION_DENIED')
    case 'unauthorized':
      return error(400, 'INVALID_ARGUMENT', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' },
      ])
    case 'model_not_found':
      return error(404, 'NOT_FOUND')
    case 'server_error':
      return error(500, 'INTERNAL')
    case 'overloaded':
      return error(503, 'UNAVAILABLE')
  }
}

/**
 * The error answer of a failure kind in an API's wire format; `echoKey` repeats the key in full in
 * a 401's message, as some providers and proxies do. @internal
 */
export function failureAnswer(
  api: ProviderWireApi,
  kind: FailureKind,
  model: string | undefined,
  key: string,
  echoKey = false,
): WireAnswer {
  const message =
    api === 'google-generative-ai' && kind === 'model_not_found'
      ? `models/${model ?? ''} is not found for API version v1beta.`
      : api === 'google-generative-ai' && kind === 'unauthorized' && !echoKey
        ? 'API key not valid. Please pass a valid API key.'
        : failureMessage(kind, model, key, echoKey)
  switch (api) {
    case 'openai-chat':
    case 'openai-responses':
      return openaiFailure(kind, message)
    case 'anthropic-messages':
      return anthropicFailure(kind, message)
    case 'google-generative-ai':
      return googleFailure(kind, message)
  }
}
