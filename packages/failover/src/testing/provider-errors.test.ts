import {
  apiKeyCredential,
  buildAuthProfileStore,
  createFakeClock,
  createMemoryAuthStore,
} from '@claw/auth-profiles/testing'
import { describe, expect, it } from 'vitest'
import { resolveFailoverReasonFromError } from '../classify/classify.js'
import { coerceToFailoverError } from '../classify/describe-error.js'
import type { FailoverReason } from '../reasons.js'
import { runWithFailover } from '../run.js'
import * as kit from './index.js'

const builders: readonly [
  string,
  (options: { shape: kit.ProviderErrorShape }) => kit.ProviderApiError,
  FailoverReason,
][] = [
  ['rateLimited', kit.rateLimited, 'rate_limit'],
  ['outOfCredit', kit.outOfCredit, 'billing'],
  ['unauthorized', kit.unauthorized, 'auth'],
  ['overloaded', kit.overloaded, 'overloaded'],
  ['serverError', kit.serverError, 'server_error'],
  ['modelNotFound', kit.modelNotFound, 'model_not_found'],
  ['contextOverflow', kit.contextOverflow, 'context_overflow'],
  ['badRequest', kit.badRequest, 'format'],
]

describe.each(['openai', 'anthropic'] as const)('%s-shaped errors', (shape) => {
  it.each(builders)('%s() is classified %s', (_name, builder, reason) => {
    const error = builder({ shape })
    expect(resolveFailoverReasonFromError(error)).toBe(reason)
    expect(error).toBeInstanceOf(Error)
    expect(error.message.startsWith(`${error.status} `)).toBe(true)
  })

  it('rateLimited({ retryAfterMs }) carries the hint the way the provider sends it', () => {
    const coerced = coerceToFailoverError(kit.rateLimited({ shape, retryAfterMs: 1_500 }))
    expect(coerced?.reason).toBe('rate_limit')
    expect(coerced?.retryAfterMs).toBe(shape === 'openai' ? 1_500 : 2_000)
    expect(coerceToFailoverError(kit.rateLimited({ shape }))?.retryAfterMs).toBeUndefined()
  })

  it('takes the message and extra headers given, and the message counts', () => {
    const error = kit.unauthorized({ shape, message: 'wrong key', headers: { 'x-extra': '1' } })
    expect(error.message).toContain('wrong key')
    expect(error.headers.get('x-extra')).toBe('1')
    expect(resolveFailoverReasonFromError(error)).toBe('auth')
    const revoked = kit.unauthorized({ shape, message: 'This API key has been revoked.' })
    expect(resolveFailoverReasonFromError(revoked)).toBe('auth_permanent')
  })
})

it('timedOut() is a timeout and kit.connectionRefused() a server error, both without a status', () => {
  expect(resolveFailoverReasonFromError(kit.timedOut())).toBe('timeout')
  const refused = kit.connectionRefused({ port: 59_999 })
  expect(resolveFailoverReasonFromError(refused)).toBe('server_error')
  expect(refused.status).toBeUndefined()
  expect(String((refused.cause as Error).cause)).toContain('connect ECONNREFUSED 127.0.0.1:59999')
})

it('runWithFailover treats a built rate limit like a real one: next key, cooldown from the hint', async () => {
  const clock = createFakeClock()
  const keys = { a: 'sk-test-a', b: 'sk-test-b' }
  const store = createMemoryAuthStore(
    buildAuthProfileStore({
      profiles: {
        'openai:a': apiKeyCredential('openai', keys.a),
        'openai:b': apiKeyCredential('openai', keys.b),
      },
      order: { openai: ['openai:a', 'openai:b'] },
    }),
  )
  const outcome = await runWithFailover({
    config: { agents: { defaults: { model: { primary: 'openai/gpt-5.2' } } } },
    store,
    env: {},
    now: clock.now,
    run: ({ apiKey }) =>
      apiKey === keys.a
        ? Promise.reject(kit.rateLimited({ retryAfterMs: 45_000 }))
        : Promise.resolve('ok'),
  })
  expect(outcome.profileId).toBe('openai:b')
  expect(outcome.attempts.map((attempt) => attempt.reason)).toEqual(['rate_limit'])
  const stats = (await store.load()).usageStats?.['openai:a']
  const until = stats?.modelCooldowns?.['gpt-5.2']?.until ?? stats?.cooldownUntil
  expect(until).toBe(clock.now() + 45_000)
})
