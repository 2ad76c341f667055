// Over 400 lines: the env key chain and the rotation loop are tested together, on the same keys.
import { canarySecret } from '@claw/auth-profiles/testing'
import { describe, expect, it, vi } from 'vitest'
import { isApiKeyRateLimitError } from './classify/classify.js'
import { FailoverError } from './errors.js'
import {
  collectProviderApiKeysForExecution,
  executeWithApiKeyRotation,
  isTransientApiKeyError,
  type ApiKeyRetryEvent,
  type ApiKeyRetryInfo,
  type ExecuteWithApiKeyRotationOptions,
} from './key-rotation.js'
import type { Sleep } from './runtime.js'

function httpError(status: number, message = `HTTP ${status}`): Error {
  return Object.assign(new Error(message), { status })
}

function namedError(name: string, message: string): Error {
  const error = new Error(message)
  error.name = name
  return error
}

function codedError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code })
}

/** An `execute` that answers from a script, one entry per call: an error to throw or a value. */
function scripted(steps: readonly (Error | string)[]) {
  const calls: { apiKey: string; apiKeyIndex: number; attemptNumber: number }[] = []
  const execute = vi.fn(
    (apiKey: string, context: { apiKeyIndex: number; attemptNumber: number }) => {
      calls.push({ apiKey, apiKeyIndex: context.apiKeyIndex, attemptNumber: context.attemptNumber })
      const step = steps[calls.length - 1] ?? new Error('script exhausted')
      return typeof step === 'string' ? Promise.resolve(step) : Promise.reject(step)
    },
  )
  return { execute, calls }
}

const noSleep = vi.fn<Sleep>(() => Promise.resolve())

function run(
  steps: readonly (Error | string)[],
  extra: Partial<ExecuteWithApiKeyRotationOptions<string>> = {},
) {
  const script = scripted(steps)
  const sleep = vi.fn<Sleep>(() => Promise.resolve())
  const onRetry = vi.fn<(event: ApiKeyRetryEvent) => void>()
  const promise = executeWithApiKeyRotation({
    provider: 'google',
    apiKeys: ['key-one', 'key-two', 'key-three'],
    execute: script.execute,
    onRetry,
    sleep,
    ...extra,
  })
  return { promise, ...script, sleep, onRetry }
}

describe('isTransientApiKeyError', () => {
  it.each([
    ['HTTP 500', httpError(500)],
    ['HTTP 502', httpError(502)],
    ['HTTP 503 (statusCode)', Object.assign(new Error('x'), { statusCode: 503 })],
    ['HTTP 504 (response.status)', Object.assign(new Error('x'), { response: { status: 504 } })],
    ['ECONNRESET', codedError('ECONNRESET')],
    ['nested ECONNRESET', new TypeError('fetch failed', { cause: codedError('ECONNRESET') })],
    [
      'deeply nested undici timeout',
      new Error('a', { cause: new Error('b', { cause: codedError('UND_ERR_HEADERS_TIMEOUT') }) }),
    ],
    ['TimeoutError', namedError('TimeoutError', 'The operation was aborted due to timeout')],
    ['AbortError saying timeout', namedError('AbortError', 'Request timed out after 30s')],
  ])('retries %s', (_label, error) => {
    expect(isTransientApiKeyError(error)).toBe(true)
  })

  it.each([
    ['HTTP 400', httpError(400)],
    ['HTTP 401', httpError(401)],
    ['HTTP 403', httpError(403)],
    ['HTTP 404', httpError(404)],
    ['HTTP 429', httpError(429)],
    ['a 4xx wrapping a network code', Object.assign(codedError('ECONNRESET'), { status: 401 })],
    ['a generic AbortError', namedError('AbortError', 'This operation was aborted')],
    ['a plain error', new Error('boom')],
    ['a string', 'ECONNRESET'],
  ])('does not retry %s', (_label, error) => {
    expect(isTransientApiKeyError(error)).toBe(false)
  })

  it('never treats anything as transient once the caller aborted', () => {
    const controller = new AbortController()
    controller.abort()
    const error = namedError('AbortError', 'timeout')
    expect(isTransientApiKeyError(error, { signal: controller.signal })).toBe(false)
    expect(isTransientApiKeyError(httpError(503), { signal: controller.signal })).toBe(false)
  })

  it('survives a cyclic cause chain', () => {
    const a: Error & { cause?: unknown } = new Error('a')
    const b = new Error('b', { cause: a })
    a.cause = b
    expect(isTransientApiKeyError(a)).toBe(false)
  })
})

describe('executeWithApiKeyRotation', () => {
  it('throws when there are no keys, without calling execute', async () => {
    const execute = vi.fn(() => Promise.resolve('never'))
    for (const apiKeys of [[], ['', '   ']]) {
      const promise = executeWithApiKeyRotation({ provider: 'openai', apiKeys, execute })
      await expect(promise).rejects.toThrow('No API keys configured for provider "openai".')
      await expect(promise).rejects.toSatisfy(
        (error) => FailoverError.isInstance(error) && error.reason === 'auth',
      )
    }
    expect(execute).not.toHaveBeenCalled()
  })

  it('uses the first key when it works', async () => {
    const { promise, calls, onRetry } = run(['ok'])
    await expect(promise).resolves.toBe('ok')
    expect(calls).toEqual([{ apiKey: 'key-one', apiKeyIndex: 0, attemptNumber: 1 }])
    expect(onRetry).not.toHaveBeenCalled()
  })

  it('rotates through the keys in order on rate limits', async () => {
    const { promise, calls, onRetry, sleep } = run([
      httpError(429, 'Too Many Requests'),
      new Error('RESOURCE_EXHAUSTED'),
      'third time lucky',
    ])
    await expect(promise).resolves.toBe('third time lucky')
    expect(calls.map((call) => call.apiKey)).toEqual(['key-one', 'key-two', 'key-three'])
    expect(calls.map((call) => call.attemptNumber)).toEqual([1, 2, 3])
    expect(
      onRetry.mock.calls.map(([event]) => [event.kind, event.apiKeyIndex, event.nextApiKeyIndex]),
    ).toEqual([
      ['rotate', 0, 1],
      ['rotate', 1, 2],
    ])
    expect(onRetry.mock.calls[0]?.[0]).toMatchObject({
      provider: 'google',
      apiKeyCount: 3,
      attemptNumber: 1,
      message: 'Too Many Requests',
      delayMs: 0,
    })
    expect(sleep).not.toHaveBeenCalled()
  })

  it('ignores blank and duplicate keys', async () => {
    const { promise, calls } = run([httpError(429), 'ok'], {
      apiKeys: ['key-one', ' ', 'key-one', 'key-two'],
    })
    await expect(promise).resolves.toBe('ok')
    expect(calls.map((call) => [call.apiKey, call.apiKeyIndex])).toEqual([
      ['key-one', 0],
      ['key-two', 1],
    ])
  })

  it('throws a non-rate-limit error unchanged without rotating', async () => {
    const failure = httpError(401, 'invalid x-api-key')
    const { promise, calls, onRetry } = run([failure, 'unused'])
    await expect(promise).rejects.toBe(failure)
    expect(calls).toHaveLength(1)
    expect(onRetry).not.toHaveBeenCalled()
  })

  it('throws the last error unchanged when every key is rate-limited', async () => {
    const last = new Error('429 again')
    const { promise, calls } = run([httpError(429), httpError(429), last])
    await expect(promise).rejects.toBe(last)
    expect(calls).toHaveLength(3)
  })

  it('lets shouldRetry decide what rotates', async () => {
    const shouldRetry = vi.fn((info: ApiKeyRetryInfo) => info.message.includes('billing'))
    const { promise, calls } = run([new Error('billing: out of credit'), 'ok'], { shouldRetry })
    await expect(promise).resolves.toBe('ok')
    expect(calls.map((call) => call.apiKeyIndex)).toEqual([0, 1])

    const rateLimit = httpError(429)
    const custom = run([rateLimit, 'unused'], { shouldRetry: () => Promise.resolve(false) })
    await expect(custom.promise).rejects.toBe(rateLimit)
  })

  it('does not retry transient failures unless asked to', async () => {
    const failure = httpError(503)
    const { promise, calls } = run([failure, 'unused'])
    await expect(promise).rejects.toBe(failure)
    expect(calls).toHaveLength(1)
  })

  it('retries the same key on a transient failure (transientRetry: true)', async () => {
    const { promise, calls, sleep, onRetry } = run([httpError(503), 'recovered'], {
      transientRetry: true,
    })
    await expect(promise).resolves.toBe('recovered')
    expect(calls.map((call) => [call.apiKeyIndex, call.attemptNumber])).toEqual([
      [0, 1],
      [0, 2],
    ])
    expect(sleep).toHaveBeenCalledTimes(1)
    expect(sleep.mock.calls[0]?.[0]).toBe(250)
    expect(onRetry.mock.calls[0]?.[0]).toMatchObject({
      kind: 'transient',
      apiKeyIndex: 0,
      nextApiKeyIndex: 0,
      delayMs: 250,
    })
  })

  it('retries network resets (nested cause) and timeouts on the same key', async () => {
    const { promise, calls } = run(
      [
        new TypeError('fetch failed', { cause: codedError('ECONNRESET') }),
        namedError('TimeoutError', 'The operation timed out'),
        namedError('AbortError', 'request timeout'),
        'ok',
      ],
      { transientRetry: { attempts: 3 } },
    )
    await expect(promise).resolves.toBe('ok')
    expect(calls.map((call) => call.apiKeyIndex)).toEqual([0, 0, 0, 0])
  })

  it('does not rotate after exhausting transient retries', async () => {
    const last = httpError(502)
    const { promise, calls } = run([httpError(500), last, 'unused'], { transientRetry: true })
    await expect(promise).rejects.toBe(last)
    expect(calls.map((call) => call.apiKeyIndex)).toEqual([0, 0])
  })

  it('backs off exponentially up to maxDelayMs', async () => {
    const { promise, sleep } = run([httpError(500), httpError(500), httpError(500), 'ok'], {
      transientRetry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 300 },
    })
    await expect(promise).resolves.toBe('ok')
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([100, 200, 300])
  })

  it.each([
    ['HTTP 400', httpError(400)],
    ['HTTP 401', httpError(401)],
    ['HTTP 403', httpError(403)],
    ['HTTP 404', httpError(404)],
    ['a generic AbortError', namedError('AbortError', 'This operation was aborted')],
  ])('never retries %s, even with transientRetry', async (_label, failure) => {
    const { promise, calls } = run([failure, 'unused'], { transientRetry: { attempts: 5 } })
    await expect(promise).rejects.toBe(failure)
    expect(calls).toHaveLength(1)
  })

  it('rotates on a 429 without retrying the same key', async () => {
    const { promise, calls, sleep } = run([httpError(429), 'ok'], { transientRetry: true })
    await expect(promise).resolves.toBe('ok')
    expect(calls.map((call) => call.apiKeyIndex)).toEqual([0, 1])
    expect(sleep).not.toHaveBeenCalled()
  })

  it('gives each key its own transient budget', async () => {
    const { promise, calls } = run([httpError(503), httpError(429), httpError(503), 'ok'], {
      transientRetry: true,
    })
    await expect(promise).resolves.toBe('ok')
    expect(calls.map((call) => call.apiKeyIndex)).toEqual([0, 0, 1, 1])
  })

  it('never retries or rotates once the caller aborted', async () => {
    const controller = new AbortController()
    const failure = Object.assign(namedError('AbortError', 'timeout (429 rate limit)'), {
      status: 503,
    })
    const execute = vi.fn(() => {
      controller.abort()
      return Promise.reject(failure)
    })
    const onRetry = vi.fn()
    await expect(
      executeWithApiKeyRotation({
        provider: 'openai',
        apiKeys: ['a-key', 'b-key'],
        execute,
        onRetry,
        transientRetry: true,
        signal: controller.signal,
        sleep: noSleep,
      }),
    ).rejects.toBe(failure)
    expect(execute).toHaveBeenCalledTimes(1)
    expect(onRetry).not.toHaveBeenCalled()
  })

  it('does not call execute when the signal is already aborted, and stops during a wait', async () => {
    const reason = new Error('caller gave up')
    const execute = vi.fn(() => Promise.reject(httpError(503)))
    await expect(
      executeWithApiKeyRotation({
        provider: 'openai',
        apiKeys: ['a-key'],
        execute,
        signal: AbortSignal.abort(reason),
      }),
    ).rejects.toBe(reason)
    expect(execute).not.toHaveBeenCalled()

    const controller = new AbortController()
    const sleep = vi.fn<Sleep>(() => {
      controller.abort(reason)
      return Promise.reject(reason)
    })
    await expect(
      executeWithApiKeyRotation({
        provider: 'openai',
        apiKeys: ['a-key'],
        execute,
        transientRetry: true,
        signal: controller.signal,
        sleep,
      }),
    ).rejects.toBe(reason)
    expect(execute).toHaveBeenCalledTimes(1)
  })

  it('passes the caller signal to execute', async () => {
    const controller = new AbortController()
    const execute = vi.fn((_key: string, context: { signal: AbortSignal | undefined }) =>
      Promise.resolve(context.signal),
    )
    await expect(
      executeWithApiKeyRotation({
        provider: 'openai',
        apiKeys: ['a-key'],
        execute,
        signal: controller.signal,
      }),
    ).resolves.toBe(controller.signal)
  })

  it('never gives a callback the API key', async () => {
    const first = canarySecret()
    const second = canarySecret()
    const seen: unknown[] = []
    const execute = vi.fn((apiKey: string) =>
      apiKey === second
        ? Promise.reject(httpError(500, 'upstream 500'))
        : Promise.reject(httpError(429, 'rate limited')),
    )
    await expect(
      executeWithApiKeyRotation({
        provider: 'openai',
        apiKeys: [first, second],
        execute,
        transientRetry: true,
        sleep: noSleep,
        shouldRetry: (info) => {
          seen.push(info)
          return isApiKeyRateLimitError(info.error)
        },
        onRetry: (event) => {
          seen.push(event)
        },
      }),
    ).rejects.toThrow('upstream 500')
    expect(seen.length).toBeGreaterThanOrEqual(5)
    const dump = JSON.stringify(seen, (_key, value: unknown) =>
      value instanceof Error
        ? { ...value, name: value.name, message: value.message, cause: value.cause }
        : value,
    )
    expect(dump).not.toContain(first)
    expect(dump).not.toContain(second)
    for (const entry of seen) expect(Object.keys(entry as object)).not.toContain('apiKey')
  })

  it('masks the key and secret-looking text in callback messages', async () => {
    const key = canarySecret()
    const onRetry = vi.fn<(event: ApiKeyRetryEvent) => void>()
    await executeWithApiKeyRotation({
      provider: 'openai',
      apiKeys: [key, 'second-key-value'],
      execute: (apiKey) =>
        apiKey === key
          ? Promise.reject(httpError(429, `429 for key ${key}; retry with Bearer abc.def.ghi`))
          : Promise.resolve('ok'),
      onRetry,
    })
    const message = onRetry.mock.calls[0]?.[0].message ?? ''
    expect(message).not.toContain(key)
    expect(message).toContain('429 for key')
    expect(message).toContain('Bearer ***')
  })
})

describe('collectProviderApiKeysForExecution', () => {
  it('puts the primary key first, then the environment keys, deduplicated', () => {
    expect(
      collectProviderApiKeysForExecution({
        provider: 'openai',
        primaryApiKey: ' sk-primary ',
        env: {
          OPENAI_API_KEYS: 'sk-a, sk-primary;sk-b',
          OPENAI_API_KEY: 'sk-a',
          OPENAI_API_KEY_2: 'sk-c',
        },
      }),
    ).toEqual(['sk-primary', 'sk-a', 'sk-b', 'sk-c'])
  })

  it('ignores "undefined", "null" and blank values', () => {
    for (const primaryApiKey of ['undefined', 'null', '  ', undefined]) {
      expect(
        collectProviderApiKeysForExecution({
          provider: 'openai',
          primaryApiKey,
          env: { OPENAI_API_KEYS: 'null,sk-a', OPENAI_API_KEY: 'undefined' },
        }),
      ).toEqual(['sk-a'])
    }
    expect(collectProviderApiKeysForExecution({ provider: 'openai', env: {} })).toEqual([])
  })

  it('keeps the primary key in front of a live-key override', () => {
    expect(
      collectProviderApiKeysForExecution({
        provider: 'google',
        primaryApiKey: 'primary',
        env: { CLAW_LIVE_GEMINI_KEY: 'live', GEMINI_API_KEYS: 'x,y' },
      }),
    ).toEqual(['primary', 'live'])
  })
})
