// The README's recipes, run as written: the official openai and Anthropic SDKs with
// `fetch: createFailoverFetch(…)` and their own retries off, against the fake provider on
// loopback. The openai SDK 7 needs Node ≥ 22: under older Node those tests are skipped (and
// counted as skipped).
import Anthropic from '@anthropic-ai/sdk'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  createMemoryAuthStore,
} from '@claw/auth-profiles/testing'
import { describe, expect, it } from 'vitest'
import { useProviderServer } from '../../../test-support/provider-server.ts'
import { createFailoverFetch, getFailoverFetchResult } from '@claw/failover'
import { behave } from '@claw/failover/testing'

const nodeMajor = Number(process.versions.node.split('.')[0])

const server = useProviderServer()

function twoKeys(provider: string) {
  const keys = { a: canarySecret(), b: canarySecret() }
  const store = createMemoryAuthStore(
    buildAuthProfileStore({
      profiles: {
        [`${provider}:a`]: apiKeyCredential(provider, keys.a),
        [`${provider}:b`]: apiKeyCredential(provider, keys.b),
      },
    }),
  )
  return { keys, store }
}

describe.skipIf(nodeMajor < 22)('the official openai SDK', () => {
  async function client(store: ReturnType<typeof twoKeys>['store']) {
    const { default: OpenAI } = await import('openai')
    return new OpenAI({
      apiKey: 'unused',
      baseURL: `${server.url}/v1`,
      maxRetries: 0,
      fetch: createFailoverFetch({ provider: 'openai', store, env: {}, minRetryGapMs: 0 }),
    })
  }

  it('chat completions: a rate-limited key is skipped for the next one, in one SDK call', async () => {
    const { keys, store } = twoKeys('openai')
    server.setBehaviour(keys.a, behave.rateLimit({ format: 'seconds', seconds: 30 }))
    server.setBehaviour(keys.b, behave.text('Hello from b'))
    const openai = await client(store)

    const { data, response } = await openai.chat.completions
      .create({ model: 'gpt-5.2', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse()

    expect(data.choices[0]?.message.content).toBe('Hello from b')
    expect(server.stats().requests.map((request) => request.key)).toEqual([keys.a, keys.b])
    expect(getFailoverFetchResult(response)).toMatchObject({
      profileId: 'openai:b',
      outcome: 'succeeded',
    })
  })

  it('responses, streamed: the stream comes from the key that answered', async () => {
    const { keys, store } = twoKeys('openai')
    server.setBehaviour(keys.a, behave.serverError())
    server.setBehaviour(keys.b, behave.text('Streamed hello from b'))
    const openai = await client(store)

    const stream = await openai.responses.create({
      model: 'gpt-5.2',
      input: 'hi',
      stream: true,
    })
    let text = ''
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta
    }

    expect(text).toBe('Streamed hello from b')
    // A 500 gets one more try on the same key before the next key.
    expect(server.stats().requests.map((request) => request.key)).toEqual([keys.a, keys.a, keys.b])
  })

  it('when every key fails, the SDK raises its own error for the last answer, without retrying', async () => {
    const { keys, store } = twoKeys('openai')
    server.setBehaviour(keys.a, behave.rateLimit({ format: 'seconds', seconds: 30 }))
    server.setBehaviour(keys.b, behave.rateLimit({ format: 'seconds', seconds: 10 }))
    const openai = await client(store)
    const { RateLimitError } = await import('openai')

    const error = await openai.chat.completions
      .create({ model: 'gpt-5.2', messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      )

    expect(error).toBeInstanceOf(RateLimitError)
    expect(server.stats().total).toBe(2)
  })
})

describe('the official Anthropic SDK', () => {
  function client(store: ReturnType<typeof twoKeys>['store']) {
    return new Anthropic({
      apiKey: 'unused',
      baseURL: server.url,
      maxRetries: 0,
      fetch: createFailoverFetch({ provider: 'anthropic', store, env: {}, minRetryGapMs: 0 }),
    })
  }

  it('messages: an overloaded key is skipped for the next one, sent as x-api-key', async () => {
    const { keys, store } = twoKeys('anthropic')
    server.setBehaviour(keys.a, behave.overloaded())
    server.setBehaviour(keys.b, behave.text('Hello from b'))

    const { data, response } = await client(store)
      .messages.create({
        model: 'claude-opus-4-5',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .withResponse()

    expect(data.content[0]).toMatchObject({ type: 'text', text: 'Hello from b' })
    expect(server.stats().requests.map((request) => [request.key, request.scheme])).toEqual([
      [keys.a, 'x-api-key'],
      [keys.b, 'x-api-key'],
    ])
    expect(getFailoverFetchResult(response)?.trace.map((entry) => entry.reason)).toEqual([
      'overloaded',
      undefined,
    ])
  })

  it('messages, streamed: text deltas from the key that answered', async () => {
    const { keys, store } = twoKeys('anthropic')
    server.setBehaviour(keys.a, behave.rateLimit({ format: 'seconds', seconds: 5 }))
    server.setBehaviour(keys.b, behave.text('Streamed hello'))

    const stream = client(store).messages.stream({
      model: 'claude-opus-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    })
    let text = ''
    stream.on('text', (delta) => {
      text += delta
    })
    await stream.finalMessage()

    expect(text).toBe('Streamed hello')
    expect(server.stats().requests.map((request) => request.key)).toEqual([keys.a, keys.b])
  })
})
