import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { coded, httpError, named } from '../../test/helpers/classify-errors.js'
import { FailoverError } from '../errors.js'
import { coerceToFailoverError, describeFailoverError } from './describe-error.js'

describe('describeFailoverError', () => {
  it('describes a connection failure by its cause: the socket words and the errno code', () => {
    const refused = coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:59999')
    expect(describeFailoverError(new TypeError('fetch failed', { cause: refused }))).toEqual({
      message: 'connect ECONNREFUSED 127.0.0.1:59999',
      reason: 'server_error',
      code: 'ECONNREFUSED',
    })
    // An SDK's wrapper (OpenAI's APIConnectionError around fetch's error) keeps its own words.
    const sdk = new Error('Connection error.', {
      cause: new TypeError('fetch failed', { cause: refused }),
    })
    expect(describeFailoverError(sdk)).toEqual({
      message: 'Connection error. (connect ECONNREFUSED 127.0.0.1:59999)',
      reason: 'server_error',
      code: 'ECONNREFUSED',
    })
    // A refused dual-stack connect: an AggregateError without a message of its own.
    const both = Object.assign(
      new AggregateError(
        [
          coded('ECONNREFUSED', 'connect ECONNREFUSED ::1:59999'),
          coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:59999'),
        ],
        '',
      ),
      { code: 'ECONNREFUSED' },
    )
    expect(describeFailoverError(new TypeError('fetch failed', { cause: both })).message).toBe(
      'connect ECONNREFUSED ::1:59999; connect ECONNREFUSED 127.0.0.1:59999',
    )
    // A response that carries a connection error as its cause keeps its own status.
    expect(
      describeFailoverError(
        Object.assign(new Error('upstream refused', { cause: refused }), { status: 502 }),
      ),
    ).toEqual({
      message: 'upstream refused (connect ECONNREFUSED 127.0.0.1:59999)',
      reason: 'server_error',
      status: 502,
      code: 'ECONNREFUSED',
    })
  })

  it('stringifies non-Error values', () => {
    expect(describeFailoverError(123)).toEqual({ message: '123' })
    expect(describeFailoverError('rate limit')).toEqual({
      message: 'rate limit',
      reason: 'rate_limit',
      status: 429,
    })
    expect(describeFailoverError(null)).toEqual({ message: 'null' })
    expect(describeFailoverError(undefined)).toEqual({ message: 'undefined' })
    expect(describeFailoverError({ status: 429 })).toEqual({
      message: '{"status":429}',
      reason: 'rate_limit',
      status: 429,
    })
  })

  it('reports the own status, else the reason status, and the code', () => {
    expect(describeFailoverError(httpError(503, 'upstream'))).toEqual({
      message: 'upstream',
      reason: 'server_error',
      status: 503,
    })
    // No response came: no status is made up for a connection failure.
    expect(describeFailoverError(coded('ETIMEDOUT', 'connect ETIMEDOUT'))).toEqual({
      message: 'connect ETIMEDOUT',
      reason: 'timeout',
      code: 'ETIMEDOUT',
    })
    expect(describeFailoverError(httpError(404, 'Not Found'))).toEqual({
      message: 'Not Found',
      status: 404,
    })
    expect(describeFailoverError(new Error(''))).toEqual({ message: 'Error' })
    const failover = new FailoverError('auth', 'bad key', { status: 403, code: 'invalid_api_key' })
    expect(describeFailoverError(failover)).toEqual({
      message: 'bad key',
      reason: 'auth',
      status: 403,
      code: 'invalid_api_key',
    })
  })
})

describe('coerceToFailoverError', () => {
  const context = { provider: 'openai', model: 'gpt-5', profileId: 'openai:work' }

  it('returns null when there is no reason', () => {
    expect(coerceToFailoverError(new Error('bad request'), context)).toBeNull()
    expect(
      coerceToFailoverError(named('AbortError', 'This operation was aborted'), context),
    ).toBeNull()
    expect(coerceToFailoverError(123, context)).toBeNull()
  })

  it('returns an existing FailoverError unchanged', () => {
    const existing = new FailoverError('billing', 'x')
    expect(coerceToFailoverError(existing, context)).toBe(existing)
  })

  it('copies the context, keeps the cause and derives the status', () => {
    const err = new Error('Request timed out.')
    const coerced = coerceToFailoverError(err, context)
    expect(FailoverError.isInstance(coerced)).toBe(true)
    expect(coerced).toMatchObject({
      name: 'FailoverError',
      reason: 'timeout',
      status: 408,
      message: 'Request timed out.',
      provider: 'openai',
      model: 'gpt-5',
      profileId: 'openai:work',
      cause: err,
    })
    expect(coerced?.retryAfterMs).toBeUndefined()
  })

  it('keeps an explicit status and code', () => {
    const coerced = coerceToFailoverError(
      Object.assign(httpError(502, 'Bad Gateway'), { code: 'upstream_error' }),
    )
    expect(coerced).toMatchObject({ reason: 'server_error', status: 502, code: 'upstream_error' })
    expect(coerced?.provider).toBeUndefined()
  })

  it('reads retryAfterMs from headers in any shape', () => {
    expect(
      coerceToFailoverError(httpError(429, 'slow', { headers: { 'Retry-After': '30' } }))
        ?.retryAfterMs,
    ).toBe(30_000)
    expect(
      coerceToFailoverError(
        httpError(429, 'slow', {
          response: { status: 429, headers: new Headers({ 'retry-after-ms': '1500' }) },
        }),
      )?.retryAfterMs,
    ).toBe(1500)
    expect(
      coerceToFailoverError(
        Object.assign(new Error('x'), {
          statusCode: 429,
          responseHeaders: {
            'x-ratelimit-reset-requests': '2s',
            'x-ratelimit-remaining-requests': '0',
          },
        }),
      )?.retryAfterMs,
    ).toBe(2000)
    const now = Date.UTC(2026, 0, 1)
    const date = new Date(now + 45_000).toUTCString()
    expect(
      coerceToFailoverError(httpError(503, 'down', { headers: new Map([['Retry-After', date]]) }), {
        now: () => now,
      })?.retryAfterMs,
    ).toBe(45_000)
    expect(
      coerceToFailoverError(httpError(429, 'slow', { headers: { 'retry-after': 'garbage' } }))
        ?.retryAfterMs,
    ).toBeUndefined()
    expect(
      coerceToFailoverError(httpError(429, 'slow', { retryAfterMs: 1234 }))?.retryAfterMs,
    ).toBe(1234)
  })

  it('redacts secrets from provider messages', () => {
    const canary = `sk-claw-canary-${randomBytes(16).toString('hex')}`
    const err = httpError(
      401,
      `Incorrect API key provided: ${canary}. You can find your API key at https://platform.openai.com`,
      {
        error: {
          type: 'invalid_request_error',
          code: 'invalid_api_key',
          message: `Incorrect API key provided: ${canary}`,
        },
      },
    )
    const coerced = coerceToFailoverError(err, context)
    expect(coerced?.reason).toBe('auth')
    expect(coerced?.message).toContain('Incorrect API key provided: sk-***')
    expect(coerced?.message).not.toContain(canary)
    expect(JSON.stringify(describeFailoverError(err))).not.toContain(canary)
    expect(describeFailoverError(`rate limit for key=${canary}`).message).not.toContain(canary)
    const bearer = describeFailoverError(
      new Error(`401 Unauthorized: Authorization: Bearer ${canary.slice(3)}`),
    )
    expect(bearer.message).not.toContain(canary.slice(3))
  })
})
