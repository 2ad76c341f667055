import { describe, expect, it } from 'vitest'
import { isOrdinaryValidCredential } from './credential-check.js'
import { authProfileCredentialSchema } from '../schemas.js'

// Values each field may take in a generated entry: valid ones, wrong types, edge cases.
const FIELD_VALUES: Record<string, readonly unknown[]> = {
  type: ['api_key', 'token', 'oauth', 'other', 1],
  provider: ['openai', ' openai ', '', '   ', 7, undefined],
  email: [undefined, 'a@b.example', 3],
  generation: [undefined, 0, 4, -1, 1.5, 2 ** 60, '1'],
  status: [undefined, 'needs_reauth', 'ok'],
  key: [undefined, 'sk-x', 5],
  token: [undefined, 'tok', false],
  access: [undefined, 'acc', 1],
  refresh: [undefined, 'ref', null],
  expires: [undefined, 1_700_000_000_000, -5, '1', null],
  accountId: [undefined, 'acct', 9],
  clientId: [undefined, 'client', {}],
  keyRef: [undefined, { source: 'env', provider: 'default', id: 'OPENAI_API_KEY' }, 'x'],
  extra: [undefined, 'kept', { nested: true }],
}

/** A deterministic pseudo-random generator (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function generate(next: () => number): Record<string, unknown> {
  const entry: Record<string, unknown> = {}
  for (const [field, values] of Object.entries(FIELD_VALUES)) {
    const value = values[Math.floor(next() * values.length)]
    if (value !== undefined) entry[field] = value
  }
  return entry
}

describe('isOrdinaryValidCredential', () => {
  it('accepts only entries the store schema accepts (20 000 generated entries)', () => {
    const next = random(20261122)
    let accepted = 0
    for (let index = 0; index < 20_000; index++) {
      const entry = generate(next)
      if (!isOrdinaryValidCredential(entry)) continue
      accepted += 1
      const result = authProfileCredentialSchema.safeParse(entry)
      if (!result.success)
        throw new Error(`accepted an entry the schema rejects: ${JSON.stringify(entry)}`)
    }
    // The generator reaches the fast path often enough for the check to mean something.
    expect(accepted).toBeGreaterThan(50)
  })

  it('takes the fast path for ordinary credentials of every type', () => {
    expect(isOrdinaryValidCredential({ type: 'api_key', provider: 'openai', key: 'sk-x' })).toBe(
      true,
    )
    expect(
      isOrdinaryValidCredential({ type: 'token', provider: 'anthropic', token: 't', expires: 1 }),
    ).toBe(true)
    expect(
      isOrdinaryValidCredential({
        type: 'oauth',
        provider: 'openai-codex',
        access: 'a',
        refresh: 'r',
        expires: 1,
        accountId: 'acct',
        generation: 3,
        email: 'me@example.com',
      }),
    ).toBe(true)
  })

  it('leaves SecretRefs, metadata and anything unusual to the schema', () => {
    const ref = { source: 'env', provider: 'default', id: 'OPENAI_API_KEY' }
    expect(isOrdinaryValidCredential({ type: 'api_key', provider: 'openai', keyRef: ref })).toBe(
      false,
    )
    expect(isOrdinaryValidCredential({ type: 'api_key', provider: 'openai', metadata: {} })).toBe(
      false,
    )
    expect(
      isOrdinaryValidCredential({ type: 'oauth', provider: 'x', access: 'a', refresh: 'r' }),
    ).toBe(false)
    expect(isOrdinaryValidCredential({ type: 'api_key', provider: 'openai', generation: -1 })).toBe(
      false,
    )
  })
})
