import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  classifyFailoverReason,
  coerceToFailoverError,
  describeFailoverError,
  isApiKeyRateLimitError,
  isFailoverErrorMessage,
  isRateLimitErrorForKeyRotation,
  isTimeoutError,
  isUserAbortError,
  resolveFailoverReasonFromError,
} from './classify.js'
import { FailoverError } from '../errors.js'
import { FAILOVER_POLICY } from '../policy.js'
import type { FailoverReason } from '../reasons.js'

function httpError(status: number | string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { status }, extra)
}

function named(name: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { name }, extra)
}

function coded(code: string, message = 'network error'): Error {
  return Object.assign(new Error(message), { code })
}

const anthropicBody = (type: string, message: string) => ({
  type: 'error',
  error: { type, message },
})

const openAiBody = (error: { type?: string; code?: string | null; message: string }) => ({
  error: { param: null, ...error },
})

const googleBody = (code: number, status: string, message: string, details: object[] = []) => ({
  error: { code, status, message, details },
})

/** An error the way the Anthropic SDK builds it: `<status> <json>` as the message, body as `error`. */
function anthropicSdkError(status: number | undefined, type: string, message: string): Error {
  const body = anthropicBody(type, message)
  const text = `${status ?? ''} ${JSON.stringify(body)}`.trim()
  return Object.assign(
    new Error(text),
    status === undefined ? { error: body } : { status, error: body },
  )
}

/**
 * The next action the policy asks for, written out independently of `FAILOVER_POLICY`, so
 * each classification case also checks what failover then does with it.
 */
const EXPECTED_ACTION: Readonly<Record<FailoverReason | 'null', string>> = {
  auth: 'mark profile, next profile',
  auth_permanent: 'mark profile, next profile',
  billing: 'mark profile, next profile',
  rate_limit: 'mark model, next profile',
  overloaded: 'mark profile, next profile',
  model_not_found: 'next model',
  context_overflow: 'surface',
  format: 'surface',
  timeout: 'retry once, mark model, next profile',
  server_error: 'retry once, mark profile, next profile',
  unknown: 'mark profile, next profile',
  null: 'surface',
}

/** What failover does with a classified failure (`null`: not failover-worthy, rethrown). */
function actionFor(reason: FailoverReason | null): string {
  if (reason === null) return 'surface'
  const policy = FAILOVER_POLICY[reason]
  return [
    policy.retrySameCredential > 0
      ? `retry ${policy.retrySameCredential === 1 ? 'once' : 'twice'}`
      : '',
    policy.mark ? `mark ${policy.scope}` : '',
    policy.next === 'surface' ? 'surface' : `next ${policy.next}`,
  ]
    .filter(Boolean)
    .join(', ')
}

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
    // Anthropic bodies
    [
      'anthropic rate_limit_error',
      anthropicSdkError(
        undefined,
        'rate_limit_error',
        'Number of requests has exceeded your per-minute limit',
      ),
      'rate_limit',
    ],
    [
      'anthropic overloaded_error in the message',
      new Error(JSON.stringify(anthropicBody('overloaded_error', 'Overloaded'))),
      'overloaded',
    ],
    [
      'anthropic authentication_error',
      anthropicSdkError(undefined, 'authentication_error', 'invalid x-api-key'),
      'auth',
    ],
    [
      'anthropic permission_error',
      anthropicSdkError(
        undefined,
        'permission_error',
        'Your API key does not have permission to use the specified resource.',
      ),
      'auth',
    ],
    [
      'anthropic not_found_error (model)',
      anthropicSdkError(undefined, 'not_found_error', 'model: claude-9'),
      'model_not_found',
    ],
    [
      'anthropic not_found_error (no model)',
      anthropicSdkError(undefined, 'not_found_error', 'Not found'),
      null,
    ],
    [
      'anthropic invalid_request_error → format',
      anthropicSdkError(
        400,
        'invalid_request_error',
        'messages: roles must alternate between "user" and "assistant"',
      ),
      'format',
    ],
    [
      'anthropic prompt too long → context_overflow, not format',
      anthropicSdkError(
        400,
        'invalid_request_error',
        'prompt is too long: 210000 tokens > 200000 maximum',
      ),
      'context_overflow',
    ],
    [
      'anthropic credit balance → billing',
      anthropicSdkError(
        400,
        'invalid_request_error',
        'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
      ),
      'billing',
    ],
    [
      'anthropic image too large → null',
      anthropicSdkError(
        400,
        'invalid_request_error',
        'messages.0.content.1.image.source.base64: image exceeds 5 MB maximum: 5316852 bytes > 5242880 bytes',
      ),
      null,
    ],
    [
      'anthropic api_error',
      anthropicSdkError(undefined, 'api_error', 'Internal server error'),
      'server_error',
    ],
    [
      'anthropic request_too_large',
      anthropicSdkError(undefined, 'request_too_large', 'Request exceeds the maximum size'),
      'context_overflow',
    ],
    // OpenAI bodies
    [
      'openai rate_limit_exceeded (responseBody string)',
      Object.assign(new Error('Bad'), {
        responseBody: JSON.stringify(
          openAiBody({ type: 'requests', code: 'rate_limit_exceeded', message: 'Slow down' }),
        ),
      }),
      'rate_limit',
    ],
    [
      'openai insufficient_quota without status',
      Object.assign(new Error('x'), {
        body: openAiBody({
          type: 'insufficient_quota',
          code: 'insufficient_quota',
          message: 'out',
        }),
      }),
      'billing',
    ],
    [
      'openai model_not_found (SDK inner error)',
      Object.assign(httpError(404, '404 The model does not exist'), {
        error: { type: 'invalid_request_error', code: 'model_not_found', message: 'x' },
      }),
      'model_not_found',
    ],
    [
      'openai context_length_exceeded',
      Object.assign(httpError(400, 'x'), {
        error: {
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
          message: 'too long',
        },
      }),
      'context_overflow',
    ],
    [
      'openai invalid_api_key',
      Object.assign(new Error('x'), {
        error: {
          type: 'invalid_request_error',
          code: 'invalid_api_key',
          message: 'Incorrect API key provided',
        },
      }),
      'auth',
    ],
    [
      'openai invalid_request_error → format',
      Object.assign(httpError(400, 'x'), {
        error: {
          type: 'invalid_request_error',
          code: null,
          message: "Invalid value for 'messages[0].role'",
        },
      }),
      'format',
    ],
    [
      'openai SDK code copied onto the error',
      Object.assign(new Error('quota'), { code: 'insufficient_quota', type: 'insufficient_quota' }),
      'billing',
    ],
    // Google bodies
    [
      'google RESOURCE_EXHAUSTED in the message',
      new Error(
        JSON.stringify(googleBody(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted')),
      ),
      'rate_limit',
    ],
    [
      'google NOT_FOUND (model)',
      new Error(
        JSON.stringify(
          googleBody(404, 'NOT_FOUND', 'models/gemini-9 is not found for API version v1beta'),
        ),
      ),
      'model_not_found',
    ],
    [
      'google NOT_FOUND (no model)',
      new Error(JSON.stringify(googleBody(404, 'NOT_FOUND', 'Requested entity was not found.'))),
      null,
    ],
    [
      'google PERMISSION_DENIED',
      new Error(
        JSON.stringify(
          googleBody(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers"),
        ),
      ),
      'auth',
    ],
    [
      'google UNAUTHENTICATED',
      new Error(
        JSON.stringify(googleBody(401, 'UNAUTHENTICATED', 'Request had invalid credentials')),
      ),
      'auth',
    ],
    [
      'google INVALID_ARGUMENT API_KEY_INVALID',
      new Error(
        JSON.stringify(
          googleBody(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
            { reason: 'API_KEY_INVALID' },
          ]),
        ),
      ),
      'auth',
    ],
    [
      'google INVALID_ARGUMENT → format',
      new Error(
        JSON.stringify(googleBody(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received')),
      ),
      'format',
    ],
    [
      'google INVALID_ARGUMENT token count → context_overflow',
      new Error(
        JSON.stringify(
          googleBody(
            400,
            'INVALID_ARGUMENT',
            'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).',
          ),
        ),
      ),
      'context_overflow',
    ],
    [
      'google UNAVAILABLE overloaded',
      new Error(
        JSON.stringify(
          googleBody(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'),
        ),
      ),
      'overloaded',
    ],
    [
      'google UNAVAILABLE',
      new Error(JSON.stringify(googleBody(503, 'UNAVAILABLE', 'Backend unreachable'))),
      'server_error',
    ],
    [
      'google DEADLINE_EXCEEDED',
      new Error(JSON.stringify(googleBody(504, 'DEADLINE_EXCEEDED', 'The request took too long'))),
      'timeout',
    ],
    [
      'google numeric code only',
      new Error(JSON.stringify({ error: { code: 429, message: 'slow down' } })),
      'rate_limit',
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

describe('classifyFailoverReason', () => {
  it.each<[string, FailoverReason | null]>([
    // 0: must be null
    ['image dimensions exceed max allowed size for many-image requests: 8000 pixels', null],
    ['messages.0.content.1.image.source.base64: image exceeds 5 MB maximum', null],
    ['Image exceeds 3.75 MB', null],
    // 1: rate_limit
    ['Rate limit reached for gpt-4o', 'rate_limit'],
    ['rate_limit_error', 'rate_limit'],
    ['see https://platform.openai.com/account/rate-limits', 'rate_limit'],
    ['429 Too Many Requests', 'rate_limit'],
    ['HTTP error_429', 'rate_limit'],
    ['You exceeded your current quota, please check your plan and billing details', 'rate_limit'],
    ['Resource has been exhausted (e.g. check quota).', 'rate_limit'],
    ['Quota exceeded for quota metric', 'rate_limit'],
    ['RESOURCE_EXHAUSTED', 'rate_limit'],
    ['5-hour usage limit reached', 'rate_limit'],
    // 2: overloaded
    ['{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', 'overloaded'],
    ['Server overloaded, try later', 'overloaded'],
    // 3: format
    ['messages.1.content.1.tool_use.id: String should match pattern', 'format'],
    ['unexpected tool_use_id found in tool_result blocks', 'format'],
    ['Invalid request format', 'format'],
    // 4: billing
    ['402 Payment Required', 'billing'],
    ['insufficient credits', 'billing'],
    ['Your credit balance is too low', 'billing'],
    ['Visit Plans & Billing', 'billing'],
    ['billing: please upgrade your plan', 'billing'],
    ['billing details unavailable', null],
    // 5: timeout
    ['Request timeout', 'timeout'],
    ['The operation timed out', 'timeout'],
    ['context deadline exceeded', 'timeout'],
    ['504 Gateway Timeout', 'timeout'],
    // ours: context_overflow
    [
      "This model's maximum context length is 4097 tokens. However, you requested 4290 tokens",
      'context_overflow',
    ],
    ['prompt is too long: 200001 tokens > 200000 maximum', 'context_overflow'],
    ['context length exceeded', 'context_overflow'],
    ['context_length_exceeded', 'context_overflow'],
    ['request_too_large', 'context_overflow'],
    ['413 Request Entity Too Large', 'context_overflow'],
    ['Input is too long for requested model.', 'context_overflow'],
    ['too many tokens in the request', 'context_overflow'],
    ['Too many tokens, please wait before trying again.', null],
    ['input exceeds the context window of this model', 'context_overflow'],
    // ours: model_not_found
    ['model_not_found', 'model_not_found'],
    ['The model `gpt-9` does not exist or you do not have access to it.', 'model_not_found'],
    ['model claude-9 not found', 'model_not_found'],
    ['Unknown model: foo', 'model_not_found'],
    ['no such model', 'model_not_found'],
    ['The model gemini-x is not available in your region', 'model_not_found'],
    ['NOT_FOUND: models/gemini-9', 'model_not_found'],
    ['NOT_FOUND: entity', null],
    // ours: auth_permanent
    ['invalid_grant', 'auth_permanent'],
    ['OAuth token refresh failed: invalid_grant', 'auth_permanent'],
    ['Token has been expired or revoked.', 'auth_permanent'],
    ['refresh_token_reused', 'auth_permanent'],
    // ours: server_error
    ['Internal Server Error', 'server_error'],
    ['server_error', 'server_error'],
    ['502 Bad Gateway', 'server_error'],
    ['503 Service Unavailable', 'server_error'],
    ['HTTP 500 error', 'server_error'],
    ['Error 503', 'server_error'],
    ['Error: max_tokens: 5000 > 500, which is the maximum allowed', null],
    // 6: auth
    ['invalid api key', 'auth'],
    ['invalid_api_key', 'auth'],
    ['Incorrect API key provided', 'auth'],
    ['invalid token', 'auth'],
    ['authentication_error', 'auth'],
    ['Please re-authenticate', 'auth'],
    ['OAuth token refresh failed for anthropic', 'auth'],
    ['Unauthorized', 'auth'],
    ['Forbidden', 'auth'],
    ['access denied', 'auth'],
    ['token has expired', 'auth'],
    ['HTTP 401', 'auth'],
    ['HTTP 403', 'auth'],
    ['No credentials found for profile "anthropic:default".', 'auth'],
    ['No API key found for provider "openai".', 'auth'],
    // null
    ['bad request', null],
    ['400 Bad Request', null],
    ['something went wrong', null],
    ['', null],
  ])('%j', (message, expected) => {
    const reason = classifyFailoverReason(message)
    expect(reason).toBe(expected)
    expect(actionFor(reason)).toBe(EXPECTED_ACTION[expected ?? 'null'])
  })

  it("keeps OpenClaw's precedence among its rules", () => {
    // rate limit before overloaded, format before billing, billing before timeout, timeout before auth
    expect(classifyFailoverReason('overloaded: rate limit')).toBe('rate_limit')
    expect(classifyFailoverReason('tool_use_id invalid; payment required')).toBe('format')
    expect(classifyFailoverReason('payment required before timeout')).toBe('billing')
    expect(classifyFailoverReason('unauthorized: request timed out')).toBe('timeout')
    // ours slot in before auth
    expect(classifyFailoverReason('401: prompt is too long')).toBe('context_overflow')
    expect(classifyFailoverReason('unauthorized: token revoked')).toBe('auth_permanent')
  })

  it('classifies only a bounded prefix of huge messages, quickly', () => {
    const huge = `${'x'.repeat(30_000)} rate limit`
    expect(classifyFailoverReason(huge)).toBeNull()
    const hostile = `413 ${'model '.repeat(20_000)}`
    const started = performance.now()
    expect(classifyFailoverReason(hostile)).toBeNull()
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('isFailoverErrorMessage is true exactly when there is a reason', () => {
    expect(isFailoverErrorMessage('429')).toBe(true)
    expect(isFailoverErrorMessage('Overloaded')).toBe(true)
    expect(isFailoverErrorMessage('bad request')).toBe(false)
    expect(isFailoverErrorMessage('image exceeds 5 MB')).toBe(false)
  })
})

describe('isTimeoutError / isUserAbortError', () => {
  it('recognises timeouts', () => {
    expect(isTimeoutError(named('TimeoutError', 'x'))).toBe(true)
    expect(isTimeoutError(new Error('socket timeout'))).toBe(true)
    expect(isTimeoutError(named('AbortError', 'request aborted'))).toBe(true)
    expect(
      isTimeoutError(named('AbortError', 'aborted', { cause: { name: 'TimeoutError' } })),
    ).toBe(true)
    expect(
      isTimeoutError(
        named('AbortError', 'aborted', {
          cause: new Error('wrapper', { cause: new Error('timed out') }),
        }),
      ),
    ).toBe(true)
    expect(isTimeoutError(named('AbortError', 'aborted'))).toBe(false)
    expect(isTimeoutError(new Error('rate limit'))).toBe(false)
    expect(isTimeoutError('deadline exceeded')).toBe(true)
    expect(isTimeoutError(undefined)).toBe(false)
  })

  it('recognises user aborts', () => {
    const controller = new AbortController()
    controller.abort()
    expect(isUserAbortError(controller.signal.reason)).toBe(true)
    expect(isUserAbortError(named('AbortError', 'This operation was aborted'))).toBe(true)
    expect(isUserAbortError(named('AbortError', 'Request was aborted.'))).toBe(false)
    expect(isUserAbortError(named('AbortError', 'x', { cause: named('TimeoutError', 'y') }))).toBe(
      false,
    )
    expect(isUserAbortError(AbortSignal.timeout(0).reason)).toBe(false)
    const failover = Object.assign(new FailoverError('timeout', 'x'), {})
    Object.defineProperty(failover, 'name', { value: 'AbortError' })
    expect(isUserAbortError(failover)).toBe(false)
    expect(isUserAbortError(new Error('aborted'))).toBe(false)
    expect(isUserAbortError('AbortError')).toBe(false)
  })
})

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
