// The fake provider's SSE streams, in each API's own event sequence: text in pieces or one tool
// call, then the usage and the end; or an error event before any content.
import {
  CREATED,
  FAKE_USAGE,
  googleChunk,
  responsesOutputItem,
  responsesUsage,
  toolArguments,
  type ProviderReply,
  type ProviderWireApi,
} from './provider-wire.js'

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

function sse(data: unknown, event?: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`
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
