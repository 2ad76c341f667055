import { describe, expect, it } from 'vitest'
import { isAuthProfilesError } from '../errors.js'
import {
  authHealthExitCode,
  buildAuthHealthSummary,
  DEFAULT_OAUTH_WARN_MS,
  formatRemainingShort,
  type AuthHealthSummary,
} from './health.js'
import type { AuthProfileCredential, AuthProfileStore } from '../types.js'

const NOW = 1_800_000_000_000
const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR
const clock = (): number => NOW

function storeOf(profiles: Record<string, AuthProfileCredential>): AuthProfileStore {
  return { version: 1, profiles }
}

function oauth(provider: string, expires: number, extra: Partial<AuthProfileCredential> = {}) {
  return {
    type: 'oauth',
    provider,
    access: 'a',
    refresh: 'r',
    expires,
    ...extra,
  } as AuthProfileCredential
}

function token(provider: string, expires?: number): AuthProfileCredential {
  return expires === undefined
    ? { type: 'token', provider, token: 't' }
    : { type: 'token', provider, token: 't', expires }
}

function apiKey(provider: string): AuthProfileCredential {
  return { type: 'api_key', provider, key: 'k' }
}

function single(credential: AuthProfileCredential, warnAfterMs?: number) {
  const summary = buildAuthHealthSummary({
    store: storeOf({ 'p:one': credential }),
    now: clock,
    ...(warnAfterMs === undefined ? {} : { warnAfterMs }),
  })
  const [profile] = summary.profiles
  if (profile === undefined) throw new Error('no profile')
  return profile
}

describe('DEFAULT_OAUTH_WARN_MS', () => {
  it('is 24 hours', () => {
    expect(DEFAULT_OAUTH_WARN_MS).toBe(86_400_000)
  })
})

describe('buildAuthHealthSummary: profile status', () => {
  it('reports api_key profiles as static', () => {
    expect(single(apiKey('openai'))).toEqual({
      profileId: 'p:one',
      provider: 'openai',
      type: 'api_key',
      status: 'static',
      source: 'store',
      label: 'p:one',
      needsReauth: false,
    })
  })

  it.each([
    ['no expiry', undefined],
    ['zero expiry', 0],
    ['negative expiry', -1],
    ['NaN expiry', Number.NaN],
    ['infinite expiry', Number.POSITIVE_INFINITY],
  ])('reports a token with %s as static', (_name, expires) => {
    const profile = single(token('anthropic', expires))
    expect(profile.status).toBe('static')
    expect(profile.expiresAt).toBeUndefined()
    expect(profile.remainingMs).toBeUndefined()
  })

  it('reports a GitHub Copilot token as ok: it is exchanged for a fresh API token per request', () => {
    const summary = buildAuthHealthSummary({
      store: storeOf({ 'github-copilot:gh': token('github-copilot') }),
      now: clock,
    })
    expect(summary.profiles[0]).toMatchObject({ status: 'ok', renewal: 'exchange' })
    expect(summary.profiles[0]?.expiresAt).toBeUndefined()
    expect(summary.providers[0]).toMatchObject({ provider: 'github-copilot', status: 'ok' })
    expect(authHealthExitCode(summary)).toBe(0)
    // A GitHub token that itself expires still reports its own expiry.
    expect(single(token('github-copilot', NOW + HOUR)).status).toBe('expiring')
  })

  it.each([
    ['expired long ago', NOW - DAY, 'expired'],
    ['expiring exactly now', NOW, 'expired'],
    ['1 ms left', NOW + 1, 'expiring'],
    ['exactly warnAfterMs left', NOW + DEFAULT_OAUTH_WARN_MS, 'expiring'],
    ['warnAfterMs + 1 ms left', NOW + DEFAULT_OAUTH_WARN_MS + 1, 'ok'],
    ['a week left', NOW + 7 * DAY, 'ok'],
  ] as const)('grades an oauth profile %s as %s', (_name, expires, status) => {
    const profile = single(oauth('anthropic', expires))
    expect(profile.status).toBe(status)
    expect(profile.expiresAt).toBe(expires)
    expect(profile.remainingMs).toBe(expires - NOW)
    expect(profile.needsReauth).toBe(false)
  })

  it.each([
    ['expired', NOW - 1, 'expired'],
    ['exactly 0 left', NOW, 'expired'],
    ['1 ms left', NOW + 1, 'expiring'],
    ['exactly warnAfterMs left', NOW + DEFAULT_OAUTH_WARN_MS, 'expiring'],
    ['plenty left', NOW + 2 * DAY, 'ok'],
  ] as const)('grades a token with an expiry %s as %s', (_name, expires, status) => {
    const profile = single(token('anthropic', expires))
    expect(profile.status).toBe(status)
    expect(profile.expiresAt).toBe(expires)
    expect(profile.remainingMs).toBe(expires - NOW)
  })

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['NaN', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
    ['a string', '1800000000000' as unknown as number],
  ])('reports an oauth profile with a %s expiry as missing', (_name, expires) => {
    const profile = single(oauth('openai-codex', expires))
    expect(profile.status).toBe('missing')
    expect(profile.expiresAt).toBeUndefined()
    expect(profile.remainingMs).toBeUndefined()
  })

  it('honours a custom warnAfterMs, including 0', () => {
    expect(single(oauth('anthropic', NOW + HOUR), HOUR).status).toBe('expiring')
    expect(single(oauth('anthropic', NOW + HOUR + 1), HOUR).status).toBe('ok')
    expect(single(oauth('anthropic', NOW + 1), 0).status).toBe('ok')
    expect(single(oauth('anthropic', NOW), 0).status).toBe('expired')
  })

  it('reports an oauth profile marked needs_reauth as expired even with a valid expiry', () => {
    const profile = single(oauth('openai-codex', NOW + 10 * DAY, { status: 'needs_reauth' }))
    expect(profile.status).toBe('expired')
    expect(profile.needsReauth).toBe(true)
    expect(profile.expiresAt).toBe(NOW + 10 * DAY)
  })

  it('reports needs_reauth with a missing expiry as expired too', () => {
    const profile = single(oauth('openai-codex', 0, { status: 'needs_reauth' }))
    expect(profile).toMatchObject({ status: 'expired', needsReauth: true })
  })

  it('records the clock time and the warning window', () => {
    const summary = buildAuthHealthSummary({ store: storeOf({}), now: clock, warnAfterMs: 5 })
    expect(summary).toEqual({ now: NOW, warnAfterMs: 5, profiles: [], providers: [] })
    const defaults = buildAuthHealthSummary({ store: storeOf({}), now: clock })
    expect(defaults.warnAfterMs).toBe(DEFAULT_OAUTH_WARN_MS)
  })

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects warnAfterMs %s with ERR_INVALID_ARGUMENT',
    (warnAfterMs) => {
      let caught: unknown
      try {
        buildAuthHealthSummary({ store: storeOf({}), now: clock, warnAfterMs })
      } catch (error) {
        caught = error
      }
      expect(isAuthProfilesError(caught, 'ERR_INVALID_ARGUMENT')).toBe(true)
    },
  )

  it('rejects a clock returning a non-finite time', () => {
    expect(() => buildAuthHealthSummary({ store: storeOf({}), now: () => Number.NaN })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })
})

describe('buildAuthHealthSummary: labels', () => {
  it('uses the config email first, then the credential email, else the id', () => {
    const summary = buildAuthHealthSummary({
      store: storeOf({
        'anthropic:work': oauth('anthropic', NOW + 2 * DAY, { email: 'cred@example.com' }),
        'anthropic:home': oauth('anthropic', NOW + 2 * DAY, { email: 'home@example.com' }),
        'anthropic:plain': apiKey('anthropic'),
        'anthropic:blank': oauth('anthropic', NOW + 2 * DAY, { email: '   ' }),
      }),
      config: {
        auth: {
          profiles: {
            'anthropic:work': { provider: 'anthropic', mode: 'oauth', email: ' me@example.com ' },
            'anthropic:home': { provider: 'anthropic', mode: 'oauth' },
            'anthropic:blank': { provider: 'anthropic', mode: 'oauth', email: '' },
          },
        },
      },
      now: clock,
    })
    expect(Object.fromEntries(summary.profiles.map((p) => [p.profileId, p.label]))).toEqual({
      'anthropic:work': 'anthropic:work (me@example.com)',
      'anthropic:home': 'anthropic:home (home@example.com)',
      'anthropic:plain': 'anthropic:plain',
      'anthropic:blank': 'anthropic:blank',
    })
  })

  it('ignores inherited config keys', () => {
    const summary = buildAuthHealthSummary({
      store: storeOf({ toString: apiKey('openai') }),
      config: { auth: { profiles: {} } },
      now: clock,
    })
    expect(summary.profiles[0]?.label).toBe('toString')
  })
})

describe('buildAuthHealthSummary: sorting and providers', () => {
  const store = storeOf({
    'openai:b': apiKey('openai'),
    'anthropic:z': oauth('anthropic', NOW + 3 * DAY),
    'openai:a': apiKey('openai'),
    'anthropic:a': oauth('anthropic', NOW + 2 * DAY),
    'github-copilot:gh': token('github-copilot'),
  })

  it('sorts profiles by provider, then id, and providers by id', () => {
    const summary = buildAuthHealthSummary({ store, now: clock })
    expect(summary.profiles.map((p) => p.profileId)).toEqual([
      'anthropic:a',
      'anthropic:z',
      'github-copilot:gh',
      'openai:a',
      'openai:b',
    ])
    expect(summary.providers).toEqual([
      {
        provider: 'anthropic',
        status: 'ok',
        expiresAt: NOW + 2 * DAY,
        remainingMs: 2 * DAY,
        profiles: ['anthropic:a', 'anthropic:z'],
      },
      { provider: 'github-copilot', status: 'ok', profiles: ['github-copilot:gh'] },
      { provider: 'openai', status: 'static', profiles: ['openai:a', 'openai:b'] },
    ])
  })

  it('lists only filtered providers (normalised) and adds missing ones', () => {
    const summary = buildAuthHealthSummary({
      store,
      providers: [' OpenAI ', 'Z.AI', 'openai', 'qwen', '  '],
      now: clock,
    })
    expect(summary.profiles.map((p) => p.profileId)).toEqual(['openai:a', 'openai:b'])
    expect(summary.providers).toEqual([
      { provider: 'openai', status: 'static', profiles: ['openai:a', 'openai:b'] },
      { provider: 'qwen-portal', status: 'missing', profiles: [] },
      { provider: 'zai', status: 'missing', profiles: [] },
    ])
  })

  it('lists nothing for an empty filter', () => {
    const summary = buildAuthHealthSummary({ store, providers: [], now: clock })
    expect(summary.profiles).toEqual([])
    expect(summary.providers).toEqual([])
  })

  it('normalises stored provider ids', () => {
    const summary = buildAuthHealthSummary({
      store: storeOf({ 'zai:x': apiKey('Z.AI') }),
      providers: ['zai'],
      now: clock,
    })
    expect(summary.profiles[0]?.provider).toBe('zai')
    expect(summary.providers[0]).toMatchObject({ provider: 'zai', status: 'static' })
  })
})

describe('buildAuthHealthSummary: provider status', () => {
  function providerOf(profiles: Record<string, AuthProfileCredential>) {
    const summary = buildAuthHealthSummary({ store: storeOf(profiles), now: clock })
    expect(summary.providers).toHaveLength(1)
    return summary.providers[0]
  }

  it('is static with only api keys and static tokens', () => {
    expect(providerOf({ 'x:k': apiKey('x'), 'x:t': token('x') })).toEqual({
      provider: 'x',
      status: 'static',
      profiles: ['x:k', 'x:t'],
    })
  })

  it('ignores static profiles next to oauth ones', () => {
    expect(providerOf({ 'x:k': apiKey('x'), 'x:o': oauth('x', NOW + 2 * DAY) })).toMatchObject({
      status: 'ok',
      expiresAt: NOW + 2 * DAY,
    })
  })

  it('is expired when any oauth/token profile is expired', () => {
    expect(
      providerOf({ 'x:a': oauth('x', NOW + 2 * DAY), 'x:b': token('x', NOW - HOUR) }),
    ).toMatchObject({ status: 'expired', expiresAt: NOW - HOUR, remainingMs: -HOUR })
  })

  it('is expired when any oauth profile has no expiry', () => {
    const provider = providerOf({ 'x:a': oauth('x', NOW + 2 * DAY), 'x:b': oauth('x', 0) })
    expect(provider).toMatchObject({ status: 'expired', expiresAt: NOW + 2 * DAY })
  })

  it('is expired without expiresAt when no profile has a valid expiry', () => {
    expect(providerOf({ 'x:a': oauth('x', 0) })).toEqual({
      provider: 'x',
      status: 'expired',
      profiles: ['x:a'],
    })
  })

  it('is expired when an oauth profile needs re-auth', () => {
    expect(
      providerOf({
        'x:a': oauth('x', NOW + 2 * DAY),
        'x:b': oauth('x', NOW + 3 * DAY, { status: 'needs_reauth' }),
      }),
    ).toMatchObject({ status: 'expired', expiresAt: NOW + 2 * DAY })
  })

  it('is expiring when any is expiring and none expired', () => {
    expect(
      providerOf({ 'x:a': oauth('x', NOW + 2 * DAY), 'x:b': token('x', NOW + HOUR) }),
    ).toMatchObject({ status: 'expiring', expiresAt: NOW + HOUR, remainingMs: HOUR })
  })

  it('is ok with the earliest expiry otherwise', () => {
    expect(
      providerOf({ 'x:a': oauth('x', NOW + 5 * DAY), 'x:b': oauth('x', NOW + 2 * DAY) }),
    ).toEqual({
      provider: 'x',
      status: 'ok',
      expiresAt: NOW + 2 * DAY,
      remainingMs: 2 * DAY,
      profiles: ['x:a', 'x:b'],
    })
  })
})

describe('deprecated CLI helpers (their tests moved to the CLI with them)', () => {
  it('still format a remaining time and compute the status check exit code', () => {
    expect(formatRemainingShort(90 * 60_000)).toBe('2h')
    expect(formatRemainingShort(undefined)).toBe('unknown')
    const summaryOf = (profiles: Record<string, AuthProfileCredential>): AuthHealthSummary =>
      buildAuthHealthSummary({ store: storeOf(profiles), now: clock })
    expect(authHealthExitCode(summaryOf({ 'o:k': apiKey('openai') }))).toBe(0)
    expect(authHealthExitCode(summaryOf({ 'a:o': oauth('anthropic', NOW - 1) }))).toBe(1)
    expect(authHealthExitCode(summaryOf({ 'a:o': oauth('anthropic', NOW + HOUR) }))).toBe(2)
    expect(authHealthExitCode(summaryOf({}), { providersInUse: ['openai'] })).toBe(1)
  })
})
