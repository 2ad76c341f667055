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

export const CREATED = 1_767_225_600 // 2026-01-01, seconds

export function toolArguments(reply: ProviderReply): string {
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

export function responsesOutputItem(reply: ProviderReply): Record<string, unknown> {
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

export function responsesUsage(): Record<string, unknown> {
  return {
    input_tokens: FAKE_USAGE.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: FAKE_USAGE.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: FAKE_USAGE.input + FAKE_USAGE.output,
  }
}

export function googleChunk(
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
