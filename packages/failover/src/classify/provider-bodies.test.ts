import { describe, expect, it } from 'vitest'
import {
  actionFor,
  anthropicBody,
  anthropicSdkError,
  EXPECTED_ACTION,
  googleBody,
  httpError,
  openAiBody,
} from '../../test/helpers/classify-errors.js'
import type { FailoverReason } from '../reasons.js'
import { resolveFailoverReasonFromError } from './classify.js'

describe('resolveFailoverReasonFromError, provider error bodies', () => {
  it.each<[string, unknown, FailoverReason | null]>([
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
  ])('%s', (_label, err, expected) => {
    const reason = resolveFailoverReasonFromError(err)
    expect(reason).toBe(expected)
    expect(actionFor(reason)).toBe(EXPECTED_ACTION[expected ?? 'null'])
  })
})
