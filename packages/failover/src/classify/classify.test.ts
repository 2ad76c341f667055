import { describe, expect, it } from 'vitest'
import {
  actionFor,
  coded,
  EXPECTED_ACTION,
  httpError,
  named,
  openAiBody,
} from '../../test/helpers/classify-errors.js'
import { FailoverError } from '../errors.js'
import type { FailoverReason } from '../reasons.js'
import {
  isApiKeyRateLimitError,
  isRateLimitErrorForKeyRotation,
  resolveFailoverReasonFromError,
} from './classify.js'

describe('resolveFailoverReasonFromError', () => {
  it.each<[string, unknown, FailoverReason | null]>([
    // an existing FailoverError wins over everything
    [
      'FailoverError keeps its reason',
      new FailoverError('billing', 'x', { status: 429 }),
      'billing',
    ],
    // HTTP status (OpenClaw's map, then ours)
    ['402', httpError(402, 'nope'), 'billing'],
    ['429', httpError(429, 'nope'), 'rate_limit'],
    ['429 as a string', httpError('429', 'nope'), 'rate_limit'],
    ['401 via statusCode', Object.assign(new Error('nope'), { statusCode: 401 }), 'auth'],
    [
      '403 via response.status',
      Object.assign(new Error('nope'), { response: { status: 403 } }),
      'auth',
    ],
    ['408', httpError(408, 'nope'), 'timeout'],
    [
      'non-numeric status falls back to statusCode',
      Object.assign(new Error('x'), { status: 'RESOURCE_EXHAUSTED', statusCode: 429 }),
      'rate_limit',
    ],
    [
      'AWS $metadata.httpStatusCode',
      Object.assign(new Error('x'), { $metadata: { httpStatusCode: 429 } }),
      'rate_limit',
    ],
    // HTTP status (ours)
    ['404 naming a model', httpError(404, "The model 'gpt-9' was not found"), 'model_not_found'],
    [
      '404 with a model in the URL',
      httpError('404', 'POST /v1beta/models/gemini-9:generateContent: Not Found'),
      'model_not_found',
    ],
    ['404 without a model → null', httpError(404, 'Not Found'), null],
    [
      '404 with rate-limit wording is still null',
      httpError(404, 'route not found (rate limit docs)'),
      null,
    ],
    ['413', httpError(413, 'Payload Too Large'), 'context_overflow'],
    ['529', httpError(529, 'nope'), 'overloaded'],
    ['500', httpError(500, 'nope'), 'server_error'],
    ['502', httpError(502, 'nope'), 'server_error'],
    ['503', httpError(503, 'Service Unavailable'), 'server_error'],
    [
      '503 overloaded',
      httpError(503, 'The model is overloaded. Please try again later.'),
      'overloaded',
    ],
    ['504', httpError(504, 'Gateway Timeout'), 'server_error'],
    ['400 bad request → null', httpError(400, 'bad request'), null],
    ['409 falls through to the message', httpError(409, 'conflict'), null],
    // status refined by the body
    [
      '401 revoked → auth_permanent',
      httpError(401, 'OAuth token has been revoked'),
      'auth_permanent',
    ],
    [
      '403 with a billing body',
      httpError(403, 'You exceeded your current quota, please check your plan and billing details'),
      'billing',
    ],
    [
      '403 with a quota code',
      Object.assign(httpError(403, 'nope'), {
        error: openAiBody({ code: 'insufficient_quota', message: 'x' }),
      }),
      'billing',
    ],
    [
      '403 with no-access wording stays auth',
      httpError(403, 'You do not have access to model claude-opus-4-5'),
      'auth',
    ],
    [
      '403 with a model_not_found body',
      Object.assign(httpError(403, 'nope'), {
        error: openAiBody({ type: 'invalid_request_error', code: 'model_not_found', message: 'x' }),
      }),
      'model_not_found',
    ],
    [
      '429 insufficient_quota (OpenAI) → billing',
      Object.assign(httpError(429, 'You exceeded your current quota'), {
        error: {
          message: 'You exceeded your current quota',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        },
      }),
      'billing',
    ],
    [
      '429 quota wording alone stays rate_limit',
      httpError(429, 'You exceeded your current quota'),
      'rate_limit',
    ],
    // error codes
    ['ETIMEDOUT', coded('ETIMEDOUT'), 'timeout'],
    ['lower-case econnreset', coded('econnreset'), 'timeout'],
    ['ESOCKETTIMEDOUT', coded('ESOCKETTIMEDOUT'), 'timeout'],
    ['ECONNABORTED', coded('ECONNABORTED'), 'timeout'],
    ['ECONNREFUSED', coded('ECONNREFUSED'), 'server_error'],
    ['ENOTFOUND', coded('ENOTFOUND', 'getaddrinfo ENOTFOUND api.example'), 'server_error'],
    ['EAI_AGAIN', coded('EAI_AGAIN'), 'server_error'],
    [
      'fetch failed with ECONNRESET in cause',
      new TypeError('fetch failed', { cause: coded('ECONNRESET', 'other side closed') }),
      'timeout',
    ],
    [
      'undici connect timeout in cause',
      new TypeError('fetch failed', {
        cause: coded('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'),
      }),
      'timeout',
    ],
    [
      'AWS ThrottlingException',
      named('ThrottlingException', 'Too many tokens, please wait before trying again.'),
      'rate_limit',
    ],
    // timeouts and aborts
    ['TimeoutError', named('TimeoutError', 'operation aborted'), 'timeout'],
    [
      'AbortSignal.timeout() reason',
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      'timeout',
    ],
    ['timed-out message', new Error('Request timed out.'), 'timeout'],
    ['deadline exceeded', new Error('context deadline exceeded'), 'timeout'],
    ['AbortError "Request was aborted."', named('AbortError', 'Request was aborted.'), 'timeout'],
    [
      'AbortError with a TimeoutError cause',
      named('AbortError', 'This operation was aborted', { cause: named('TimeoutError', 'x') }),
      'timeout',
    ],
    [
      'AbortError with a timeout reason',
      named('AbortError', 'This operation was aborted', { reason: 'upstream timeout' }),
      'timeout',
    ],
    ['user abort → null', named('AbortError', 'This operation was aborted'), null],
    [
      'real AbortController abort → null',
      (() => {
        const c = new AbortController()
        c.abort()
        return c.signal.reason as unknown
      })(),
      null,
    ],
    [
      'user abort saying rate limit is still null',
      named('AbortError', 'aborted by user while rate limited'),
      null,
    ],
    // message table through an error
    ['message: rate limit', new Error('rate limit reached for requests'), 'rate_limit'],
    [
      'message: no credentials',
      new Error('No credentials found for profile "anthropic:default".'),
      'auth',
    ],
    ['message: bad request → null', new Error('bad request'), null],
    [
      'message: image dimensions → null',
      new Error('image dimensions exceed max allowed size for many-image requests: 2000 pixels'),
      null,
    ],
    [
      'body text only',
      Object.assign(new Error(''), { body: 'prompt is too long' }),
      'context_overflow',
    ],
    // non-Error values
    ['a string', 'rate limit exceeded', 'rate_limit'],
    ['a number', 123, null],
    ['null', null, null],
    ['undefined', undefined, null],
    ['an empty object', {}, null],
    ['an object with only a status', { status: 429 }, 'rate_limit'],
    [
      'an error with a throwing getter',
      Object.defineProperty(new Error('x'), 'status', {
        get() {
          throw new Error('boom')
        },
      }),
      null,
    ],
  ])('%s', (_label, err, expected) => {
    const reason = resolveFailoverReasonFromError(err)
    expect(reason).toBe(expected)
    expect(actionFor(reason)).toBe(EXPECTED_ACTION[expected ?? 'null'])
  })
})

describe('isApiKeyRateLimitError', () => {
  it.each<[string, unknown, boolean]>([
    ['rate_limit', new Error('rate_limit_error: slow down'), true],
    ['rate limit', new Error('Rate limit reached for requests'), true],
    ['429 in text', new Error('Request failed with status code 429'), true],
    ['429 next to letters', new Error('HTTP429'), true],
    ['429 status', httpError(429, 'nope'), true],
    ['429 status as a string', httpError('429', 'nope'), true],
    ['AWS SDK 429', Object.assign(new Error('nope'), { $metadata: { httpStatusCode: 429 } }), true],
    ['quota exceeded', new Error('Quota exceeded for quota metric'), true],
    ['quota_exceeded', new Error('QUOTA_EXCEEDED'), true],
    ['resource exhausted', new Error('Resource exhausted'), true],
    ['resource_exhausted', new Error('8 RESOURCE_EXHAUSTED: out of capacity'), true],
    ['too many requests', new Error('Too Many Requests'), true],
    [
      'ThrottlingException name',
      named('ThrottlingException', 'Too many tokens, please wait'),
      true,
    ],
    ['ThrottlingException message', new Error('ThrottlingException: Rate exceeded'), true],
    ['concurrency limit', new Error('Concurrency limit reached for this key'), true],
    ['code rate_limit_exceeded', coded('rate_limit_exceeded', 'slow down'), true],
    ['a thrown body', { error: { type: 'rate_limit_error', message: 'slow down' } }, true],
    ['a string', '429 Too Many Requests', true],
    ['invalid key', httpError(401, 'invalid api key'), false],
    ['overloaded', new Error('Overloaded'), false],
    ['4290 is not 429', new Error('maximum context length is 4290 tokens'), false],
    ['14290 is not 429', new Error('request id 14290 failed'), false],
    ['timeout', new Error('timed out'), false],
    ['billing', new Error('insufficient credits'), false],
    ['number', 123, false],
    ['undefined', undefined, false],
  ])('%s', (_label, err, expected) => {
    expect(isApiKeyRateLimitError(err)).toBe(expected)
  })

  it('is also exported under its deprecated name', () => {
    expect(isRateLimitErrorForKeyRotation).toBe(isApiKeyRateLimitError)
  })
})
