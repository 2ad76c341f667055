// What the fake provider sends, in each provider's own wire format: success bodies, SSE event
// sequences and error bodies for OpenAI Chat Completions, OpenAI Responses, Anthropic Messages and
// Gemini (generateContent). The shapes are the ones the official SDKs and the AI SDK providers
// parse, reduced to the fields they need.

/** The wire format of a request, from its path. @public */
export type ProviderWireApi =
  'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'google-generative-ai'

/** What a successful answer contains: text, or one tool call. @public */
export type ProviderReply =
  | { readonly text: string }
  | {
      readonly toolCall: {
        readonly name: string
        readonly input: Readonly<Record<string, unknown>>
      }
    }

/** Token counts every successful answer reports. @public */
export const FAKE_USAGE = Object.freeze({ input: 10, output: 5 })

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

const json = (value: unknown): string => JSON.stringify(value)

/** The API a path speaks, matched on its end so any base path works (`/v1`, `/v1beta`, none). */
export function wireApiForPath(path: string): ProviderWireApi | undefined {
  if (path.endsWith('/chat/completions')) return 'openai-chat'
  if (path.endsWith('/responses')) return 'openai-responses'
  if (path.endsWith('/messages')) return 'anthropic-messages'
  if (/\/models\/[^/]+:(?:generateContent|streamGenerateContent)$/.test(path))
    return 'google-generative-ai'
  return undefined
}

/** Gemini names the model in the path (`…/models/<model>:generateContent`). */
export function modelFromPath(path: string): string | undefined {
  const match = /\/models\/([^/:]+):/.exec(path)
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1])
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
    body: json({ error: { message, type, param: null, code } }),
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
        body: json({ type: 'error', error: { type: 'overloaded_error', message } }),
      }
  }
}

function anthropicFailure(kind: FailureKind, message: string): WireAnswer {
  const error = (status: number, type: string): WireAnswer => ({
    status,
    body: json({ type: 'error', error: { type, message } }),
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
    body: json({
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

/** The error event a stream carries before any content (the provider failed after the 200). */
export function streamErrorEvent(api: ProviderWireApi): string {
  const message = 'Overloaded'
  switch (api) {
    case 'anthropic-messages':
      return sse({ type: 'error', error: { type: 'overloaded_error', message } }, 'error')
    case 'openai-responses':
      return sse({
        type: 'error',
        code: 'server_error',
        message: 'The server is overloaded',
        param: null,
        sequence_number: 0,
      })
    case 'openai-chat':
    case 'google-generative-ai':
      return sse({
        error: { code: 503, message: 'The model is overloaded', status: 'UNAVAILABLE' },
      })
  }
}

const CREATED = 1_767_225_600 // 2026-01-01, seconds

function toolArguments(reply: ProviderReply): string {
  return 'toolCall' in reply ? json(reply.toolCall.input) : ''
}

/** A non-streaming success body. @internal */
export function successBody(
  api: ProviderWireApi,
  reply: ProviderReply,
  model: string | undefined,
): string {
  const modelId = model ?? 'fake-model'
  switch (api) {
    case 'openai-chat':
      return json({
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        created: CREATED,
        model: modelId,
        choices: [
          {
            index: 0,
            message:
              'text' in reply
                ? { role: 'assistant', content: reply.text }
                : {
                    role: 'assistant',
                    content: null,
                    tool_calls: [
                      {
                        id: 'call_fake',
                        type: 'function',
                        function: { name: reply.toolCall.name, arguments: toolArguments(reply) },
                      },
                    ],
                  },
            finish_reason: 'text' in reply ? 'stop' : 'tool_calls',
          },
        ],
        usage: {
          prompt_tokens: FAKE_USAGE.input,
          completion_tokens: FAKE_USAGE.output,
          total_tokens: FAKE_USAGE.input + FAKE_USAGE.output,
        },
      })
    case 'openai-responses':
      return json({
        id: 'resp_fake',
        object: 'response',
        created_at: CREATED,
        model: modelId,
        status: 'completed',
        incomplete_details: null,
        output: [responsesOutputItem(reply)],
        usage: responsesUsage(),
      })
    case 'anthropic-messages':
      return json({
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model: modelId,
        content: [
          'text' in reply
            ? { type: 'text', text: reply.text }
            : {
                type: 'tool_use',
                id: 'toolu_fake',
                name: reply.toolCall.name,
                input: reply.toolCall.input,
              },
        ],
        stop_reason: 'text' in reply ? 'end_turn' : 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: FAKE_USAGE.input, output_tokens: FAKE_USAGE.output },
      })
    case 'google-generative-ai':
      return json(googleChunk(reply, modelId, true))
  }
}

function responsesOutputItem(reply: ProviderReply): Record<string, unknown> {
  return 'text' in reply
    ? {
        type: 'message',
        id: 'msg_fake',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: reply.text, annotations: [] }],
      }
    : {
        type: 'function_call',
        id: 'fc_fake',
        call_id: 'call_fake',
        name: reply.toolCall.name,
        arguments: toolArguments(reply),
        status: 'completed',
      }
}

function responsesUsage(): Record<string, unknown> {
  return {
    input_tokens: FAKE_USAGE.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: FAKE_USAGE.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: FAKE_USAGE.input + FAKE_USAGE.output,
  }
}

function googleChunk(
  reply: ProviderReply | { readonly text: string },
  model: string,
  last: boolean,
): Record<string, unknown> {
  const part =
    'text' in reply
      ? { text: reply.text }
      : { functionCall: { name: reply.toolCall.name, args: reply.toolCall.input } }
  return {
    candidates: [
      {
        content: { role: 'model', parts: [part] },
        ...(last ? { finishReason: 'STOP' } : {}),
        index: 0,
      },
    ],
    ...(last
      ? {
          usageMetadata: {
            promptTokenCount: FAKE_USAGE.input,
            candidatesTokenCount: FAKE_USAGE.output,
            totalTokenCount: FAKE_USAGE.input + FAKE_USAGE.output,
          },
        }
      : {}),
    modelVersion: model,
  }
}

function sse(data: unknown, event?: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${json(data)}\n\n`
}

/** Text in a few pieces, so a stream has several content chunks. */
function textPieces(text: string): string[] {
  const pieces = text.match(/\S+\s*|\s+/g) ?? []
  return pieces.length > 0 ? pieces : [text]
}

/**
 * A streamed success as SSE events, in order: `head` opens the stream (no content), `content`
 * carries the answer; `content[firstText]` is the first event with text (or tool input) in it.
 *
 * @internal
 */
export function streamEvents(
  api: ProviderWireApi,
  reply: ProviderReply,
  model: string | undefined,
): {
  readonly head: readonly string[]
  readonly content: readonly string[]
  readonly firstText: number
} {
  const modelId = model ?? 'fake-model'
  switch (api) {
    case 'openai-chat': {
      const chunk = (delta: Record<string, unknown>, finish: string | null, usage?: unknown) =>
        sse({
          id: 'chatcmpl-fake',
          object: 'chat.completion.chunk',
          created: CREATED,
          model: modelId,
          choices: [{ index: 0, delta, finish_reason: finish }],
          ...(usage === undefined ? {} : { usage }),
        })
      const usage = {
        prompt_tokens: FAKE_USAGE.input,
        completion_tokens: FAKE_USAGE.output,
        total_tokens: FAKE_USAGE.input + FAKE_USAGE.output,
      }
      const body =
        'text' in reply
          ? textPieces(reply.text).map((piece, index) =>
              chunk(index === 0 ? { role: 'assistant', content: piece } : { content: piece }, null),
            )
          : [
              chunk(
                {
                  role: 'assistant',
                  tool_calls: [
                    {
                      index: 0,
                      id: 'call_fake',
                      type: 'function',
                      function: { name: reply.toolCall.name, arguments: toolArguments(reply) },
                    },
                  ],
                },
                null,
              ),
            ]
      return {
        head: [],
        content: [
          ...body,
          chunk({}, 'text' in reply ? 'stop' : 'tool_calls', usage),
          'data: [DONE]\n\n',
        ],
        firstText: 0,
      }
    }
    case 'openai-responses': {
      const created = sse({
        type: 'response.created',
        sequence_number: 0,
        response: { id: 'resp_fake', created_at: CREATED, model: modelId, status: 'in_progress' },
      })
      const item = responsesOutputItem(reply)
      const added = sse({
        type: 'response.output_item.added',
        output_index: 0,
        item:
          'text' in reply
            ? { type: 'message', id: 'msg_fake', status: 'in_progress', role: 'assistant' }
            : { ...item, arguments: '', status: 'in_progress' },
      })
      const deltas =
        'text' in reply
          ? textPieces(reply.text).map((delta) =>
              sse({
                type: 'response.output_text.delta',
                item_id: 'msg_fake',
                output_index: 0,
                content_index: 0,
                delta,
              }),
            )
          : [
              sse({
                type: 'response.function_call_arguments.delta',
                item_id: 'fc_fake',
                output_index: 0,
                delta: toolArguments(reply),
              }),
            ]
      return {
        head: [created],
        firstText: 1,
        content: [
          added,
          ...deltas,
          sse({ type: 'response.output_item.done', output_index: 0, item }),
          sse({
            type: 'response.completed',
            response: {
              id: 'resp_fake',
              created_at: CREATED,
              model: modelId,
              status: 'completed',
              incomplete_details: null,
              usage: responsesUsage(),
            },
          }),
        ],
      }
    }
    case 'anthropic-messages': {
      const start = sse(
        {
          type: 'message_start',
          message: {
            id: 'msg_fake',
            type: 'message',
            role: 'assistant',
            model: modelId,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: FAKE_USAGE.input, output_tokens: 1 },
          },
        },
        'message_start',
      )
      const block =
        'text' in reply
          ? [
              sse(
                {
                  type: 'content_block_start',
                  index: 0,
                  content_block: { type: 'text', text: '' },
                },
                'content_block_start',
              ),
              ...textPieces(reply.text).map((text) =>
                sse(
                  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
                  'content_block_delta',
                ),
              ),
            ]
          : [
              sse(
                {
                  type: 'content_block_start',
                  index: 0,
                  content_block: {
                    type: 'tool_use',
                    id: 'toolu_fake',
                    name: reply.toolCall.name,
                    input: {},
                  },
                },
                'content_block_start',
              ),
              sse(
                {
                  type: 'content_block_delta',
                  index: 0,
                  delta: { type: 'input_json_delta', partial_json: toolArguments(reply) },
                },
                'content_block_delta',
              ),
            ]
      return {
        head: [start],
        firstText: 1,
        content: [
          ...block,
          sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
          sse(
            {
              type: 'message_delta',
              delta: {
                stop_reason: 'text' in reply ? 'end_turn' : 'tool_use',
                stop_sequence: null,
              },
              usage: { output_tokens: FAKE_USAGE.output },
            },
            'message_delta',
          ),
          sse({ type: 'message_stop' }, 'message_stop'),
        ],
      }
    }
    case 'google-generative-ai': {
      if (!('text' in reply))
        return { head: [], content: [sse(googleChunk(reply, modelId, true))], firstText: 0 }
      const pieces = textPieces(reply.text)
      return {
        head: [],
        content: pieces.map((text, index) =>
          sse(googleChunk({ text }, modelId, index === pieces.length - 1)),
        ),
        firstText: 0,
      }
    }
  }
}
