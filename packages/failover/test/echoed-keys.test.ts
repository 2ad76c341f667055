// A provider that echoes the key it was sent ("401 Incorrect API key provided: <key>"), with keys
// that have no known prefix (`plain-…`, AWS `AKIA…`, bare hex): nothing runWithFailover,
// runWithModelFallback, executeWithApiKeyRotation or planFailover hands back shows them — not the
// summary message, the trace, the attempts, the events, nor the thrown error and its causes the
// way loggers print them (util.inspect at depth 5, console.error, JSON.stringify).
import { randomBytes } from 'node:crypto'
import { Console } from 'node:console'
import { PassThrough } from 'node:stream'
import { inspect } from 'node:util'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  createMemoryAuthStore,
  findCanaries,
} from '@claw/auth-profiles/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  executeWithApiKeyRotation,
  FailoverSummaryError,
  planFailover,
  runWithFailover,
  runWithModelFallback,
  type FailoverEvent,
} from '@claw/failover'
import { behave, startProviderServer, type ProviderServer } from '@claw/failover/testing'

const AWS_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const awsKey = (): string =>
  `AKIA${[...randomBytes(16)].map((byte) => AWS_ALPHABET[byte % 32]).join('')}`

/** A non-2xx answer the way SDKs throw one: status, headers, parsed body, and a cause. */
class ProviderApiError extends Error {
  override readonly name = 'ProviderApiError'
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly error: unknown,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options)
  }
}

let server: ProviderServer
beforeAll(async () => {
  server = await startProviderServer()
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  server.reset()
})

/** Calls the fake provider with `key`; a non-2xx answer is thrown as a ProviderApiError. */
async function call(key: string | undefined, model: string): Promise<string> {
  const response = await fetch(server.endpoint, {
    method: 'POST',
    headers: { authorization: `Bearer ${key ?? ''}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  })
  const text = await response.text()
  if (response.ok) return text
  const body = JSON.parse(text) as { error: { message: string } }
  throw new ProviderApiError(
    response.status,
    Object.fromEntries(response.headers),
    body.error,
    `${response.status} ${body.error.message}`,
    // Deeper in the chain: the raw body, in a nested cause with its own data.
    { cause: Object.assign(new Error(`response body: ${text}`), { body: { text } }) },
  )
}

/** Everything a caller could log about a run that failed. */
function logged(error: unknown, events: readonly FailoverEvent[]): string {
  const stream = new PassThrough()
  let printed = ''
  stream.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')))
  new Console({ stdout: stream, stderr: stream }).error(error)
  const summary = FailoverSummaryError.isInstance(error) ? error : undefined
  return [
    printed,
    inspect(error, { depth: 5 }),
    String(error),
    (error as Error).stack,
    JSON.stringify(error),
    JSON.stringify(summary?.trace),
    JSON.stringify(summary?.attempts),
    JSON.stringify(events),
    inspect((error as Error).cause, { depth: 5 }),
  ].join('\n')
}

describe('keys echoed by the provider', () => {
  it('runWithFailover: three profiles rejected with their keys in the 401 body show none of them', async () => {
    const keys = { a: canarySecret('plain-'), b: awsKey(), c: randomBytes(20).toString('hex') }
    for (const key of Object.values(keys))
      server.setBehaviour(key, behave.unauthorized({ echoKey: true }))
    const store = createMemoryAuthStore(
      buildAuthProfileStore({
        profiles: {
          'openai:a': apiKeyCredential('openai', keys.a),
          'openai:b': apiKeyCredential('openai', keys.b),
          'openai:c': apiKeyCredential('openai', keys.c),
        },
      }),
    )
    const events: FailoverEvent[] = []
    const thrown: unknown[] = []
    const error = await runWithFailover({
      store,
      provider: 'openai',
      model: 'gpt-4o',
      minRetryGapMs: 0,
      onEvent: (event) => events.push(event),
      run: async ({ apiKey, model }) => {
        try {
          return await call(apiKey, model)
        } catch (failure) {
          thrown.push(failure)
          throw failure
        }
      },
    }).then(
      () => undefined,
      (failure: unknown) => failure,
    )

    // The calls really were rejected with the keys in the body …
    expect(thrown).toHaveLength(3)
    expect(
      findCanaries(inspect(thrown, { depth: 5 }), Object.values(keys), 'call errors'),
    ).toHaveLength(3)
    // … and classified as before.
    expect(FailoverSummaryError.isInstance(error)).toBe(true)
    const summary = error as FailoverSummaryError
    expect(
      summary.attempts.map((attempt) => [attempt.profileId, attempt.reason, attempt.status]),
    ).toEqual([
      ['openai:a', 'auth', 401],
      ['openai:b', 'auth', 401],
      ['openai:c', 'auth', 401],
    ])
    expect(summary.message).toMatch(
      /^All models failed \(3\): openai\/gpt-4o: 401 Incorrect API key provided: …/,
    )
    expect(findCanaries(logged(error, events), Object.values(keys), 'run')).toEqual([])

    // The cause is a redacted copy of the caller's error: same class and data, key masked.
    const cause = summary.cause as ProviderApiError
    expect(cause).toBeInstanceOf(ProviderApiError)
    expect(cause).not.toBe(thrown[2])
    expect(cause.status).toBe(401)
    expect(cause.error).toMatchObject({ code: 'invalid_api_key', type: 'invalid_request_error' })
    expect((cause.cause as Error).message).toMatch(/^response body: \{"error"/)
  })

  it('runWithFailover: one call rethrows a redacted copy of its error; an error without the key comes back as is', async () => {
    const key = canarySecret('plain-')
    server.setBehaviour(key, behave.unauthorized({ echoKey: true }))
    const store = createMemoryAuthStore(
      buildAuthProfileStore({ profiles: { 'openai:a': apiKeyCredential('openai', key) } }),
    )
    const failure = await runWithFailover({
      store,
      provider: 'openai',
      model: 'gpt-4o',
      run: ({ apiKey, model }) => call(apiKey, model),
    }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(ProviderApiError)
    expect((failure as ProviderApiError).status).toBe(401)
    expect(findCanaries(logged(failure, []), [key], 'single call')).toEqual([])

    // Identity is kept when there is nothing to hide.
    const clean = new ProviderApiError(400, {}, {}, 'bad request: unknown parameter', {
      cause: undefined,
    })
    const rethrown = await runWithFailover({
      store: createMemoryAuthStore(
        buildAuthProfileStore({ profiles: { 'openai:a': apiKeyCredential('openai', key) } }),
      ),
      provider: 'openai',
      model: 'gpt-4o',
      run: () => Promise.reject(clean),
    }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(rethrown).toBe(clean)
  })

  it('runWithModelFallback masks the credentials of its store', async () => {
    const keys = [canarySecret('plain-'), randomBytes(20).toString('hex')]
    for (const key of keys) server.setBehaviour(key, behave.unauthorized({ echoKey: true }))
    const store = buildAuthProfileStore({
      profiles: {
        'openai:a': apiKeyCredential('openai', keys[0]),
        'anthropic:a': apiKeyCredential('anthropic', keys[1]),
      },
    })
    const infos: unknown[] = []
    const error = await runWithModelFallback({
      store,
      provider: 'openai',
      model: 'gpt-4o',
      fallbacksOverride: ['anthropic/claude-sonnet-4-5'],
      onError: (info) => infos.push(info),
      run: (provider, model) => call(provider === 'openai' ? keys[0] : keys[1], model),
    }).then(
      () => undefined,
      (failure: unknown) => failure,
    )
    expect(FailoverSummaryError.isInstance(error)).toBe(true)
    expect(
      findCanaries(`${logged(error, [])}\n${inspect(infos, { depth: 6 })}`, keys, 'model fallback'),
    ).toEqual([])
  })

  it('executeWithApiKeyRotation hands on and throws only redacted copies', async () => {
    const keys = [canarySecret('plain-'), awsKey()]
    const retries: unknown[] = []
    const error = await executeWithApiKeyRotation({
      provider: 'openai',
      apiKeys: keys,
      shouldRetry: (info) => {
        retries.push(info)
        return true
      },
      execute: (apiKey) =>
        Promise.reject(
          Object.assign(new Error(`429 rate limit for key ${apiKey}`), {
            status: 429,
            body: { key: apiKey },
          }),
        ),
    }).then(
      () => undefined,
      (failure: unknown) => failure,
    )
    expect((error as { status?: number }).status).toBe(429)
    expect(
      findCanaries(`${logged(error, [])}\n${inspect(retries, { depth: 6 })}`, keys, 'rotation'),
    ).toEqual([])
  })

  it('planFailover never shows a stored credential', async () => {
    const keys = [canarySecret('plain-'), awsKey()]
    const plan = await planFailover({
      store: buildAuthProfileStore({
        profiles: {
          'openai:a': apiKeyCredential('openai', keys[0]),
          'openai:b': apiKeyCredential('openai', keys[1]),
        },
      }),
      provider: 'openai',
      model: 'gpt-4o',
      simulate: { 'openai:a': 'auth', 'openai:b': 'auth' },
    })
    expect(findCanaries(inspect(plan, { depth: 8 }), keys, 'plan')).toEqual([])
  })
})
