import { describe, expect, it } from 'vitest'
import { actionFor, EXPECTED_ACTION } from '../../test/helpers/classify-errors.js'
import type { FailoverReason } from '../reasons.js'
import { classifyFailoverReason, isFailoverErrorMessage } from './message-rules.js'

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
