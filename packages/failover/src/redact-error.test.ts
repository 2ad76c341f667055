import { inspect } from 'node:util'
import { createSecretMasker } from '@claw/auth-profiles'
import { canarySecret, findCanaries } from '@claw/auth-profiles/testing'
import { describe, expect, it } from 'vitest'
import { FailoverError } from './errors.js'
import { redactError, storeSecrets } from './redact-error.js'

describe('redactError', () => {
  const key = canarySecret('plain-')
  const masker = createSecretMasker([key])

  it('returns the error itself when nothing in it shows a secret', () => {
    const error = Object.assign(new Error('401 unauthorized'), { status: 401 })
    expect(redactError(error, masker)).toBe(error)
    expect(redactError('text', createSecretMasker([]))).toBe('text')
  })

  it('copies an error that shows one: same class, markers and data; strings masked, cycles kept', () => {
    const inner = Object.assign(new Error(`body: {"key":"${key}"}`), {
      body: { nested: [{ deep: key }], list: new Map([['k', key]]), set: new Set([key]) },
    })
    const error = new FailoverError('auth', `Incorrect API key provided: ${key}`, {
      status: 401,
      profileId: 'openai:a',
      cause: inner,
    })
    ;(error as unknown as { self: unknown }).self = error
    const redacted = redactError(error, masker)
    expect(redacted).not.toBe(error)
    expect(redacted).toBeInstanceOf(FailoverError)
    expect(FailoverError.isInstance(redacted)).toBe(true)
    expect(redacted).toMatchObject({ reason: 'auth', status: 401, profileId: 'openai:a' })
    expect(redacted.message).toBe(`Incorrect API key provided: …${key.slice(-4)}`)
    expect((redacted as unknown as { self: unknown }).self).toBe(redacted)
    expect(findCanaries(redacted, [key], 'copy')).toEqual([])
    // The caller's error is untouched.
    expect(error.message).toContain(key)
  })

  it('leaves out a class instance that shows a secret, keeps one that does not', () => {
    const headers = new Headers({ authorization: `Bearer ${key}` })
    const clean = new URL('https://api.example.com/v1')
    const error = Object.assign(new Error('request failed'), { headers, clean })
    const redacted = redactError(error, masker)
    expect(redacted.headers).toBe('[Headers redacted]')
    expect(redacted.clean).toBe(clean)
    expect(findCanaries(inspect(redacted, { depth: 8 }), [key], 'copy')).toEqual([])
  })

  it('falls back to a plain error with a masked message when a copy would still show a secret', () => {
    class Leaky extends Error {
      [inspect.custom](): string {
        return `Leaky(${key})`
      }
    }
    Object.defineProperty(Leaky.prototype, 'name', { value: 'Leaky' })
    const redacted = redactError(new Leaky(`rejected ${key}`), masker)
    expect(redacted).not.toBeInstanceOf(Leaky)
    expect(redacted).toMatchObject({ name: 'Leaky', message: `rejected …${key.slice(-4)}` })
    expect(findCanaries(redacted, [key], 'fallback')).toEqual([])
  })
})

describe('storeSecrets', () => {
  it('lists keys, tokens and OAuth tokens, skipping references and blanks', () => {
    expect(
      storeSecrets({
        version: 1,
        profiles: {
          'a:1': { type: 'api_key', provider: 'a', key: 'k1' },
          'a:2': {
            type: 'api_key',
            provider: 'a',
            keyRef: { source: 'env', provider: 'default', id: 'X' },
          },
          'b:1': { type: 'token', provider: 'b', token: 't1' },
          'c:1': { type: 'oauth', provider: 'c', access: 'at', refresh: 'rt', expires: 0 },
          'd:1': { type: 'api_key', provider: 'd', key: '  ' },
        },
      }),
    ).toEqual(['k1', 't1', 'at', 'rt'])
  })
})
