// Over 400 lines: one case per ordering rule of resolveAuthProfileOrder and eligibility.
import { describe, expect, it } from 'vitest'
import type { ClawConfig } from '../config.js'
import { isProfileInCooldown, resolveProfileUnusableUntil } from './cooldowns.js'
import {
  evaluateProfileEligibility,
  findOrphanOrders,
  listProfilesForProvider,
  resolveAuthProfileOrder,
  resolveExplicitOrder,
  type OrderDiagnostic,
} from './order.js'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  createFakeClock,
  oauthCredential,
  tokenCredential,
} from '../testing/index.js'

const clock = createFakeClock()
const now = clock.now()
const MIN = 60_000

describe('listProfilesForProvider', () => {
  it('lists profiles of the normalised provider in store order', () => {
    const store = buildAuthProfileStore({
      profiles: {
        'zai:a': apiKeyCredential('zai'),
        'anthropic:x': apiKeyCredential('anthropic'),
        'zai:b': apiKeyCredential('Z.AI'),
        'zai:c': apiKeyCredential('z-ai'),
      },
    })
    expect(listProfilesForProvider(store, 'z.ai')).toEqual(['zai:a', 'zai:b', 'zai:c'])
    expect(listProfilesForProvider(store, 'openai')).toEqual([])
  })
})

describe('evaluateProfileEligibility', () => {
  const store = buildAuthProfileStore({
    profiles: {
      key: apiKeyCredential('anthropic', 'sk-ant-xyz'),
      emptyKey: apiKeyCredential('anthropic', '   '),
      refKey: {
        type: 'api_key',
        provider: 'anthropic',
        keyRef: { source: 'env', provider: 'default', id: 'X' },
      },
      token: tokenCredential('anthropic', 'tok', { expires: now + MIN }),
      noExpiry: tokenCredential('anthropic', 'tok'),
      expiredToken: tokenCredential('anthropic', 'tok', { expires: now }),
      zeroExpiry: tokenCredential('anthropic', 'tok', { expires: 0 }),
      badExpiry: tokenCredential('anthropic', 'tok', { expires: 9e15 }),
      emptyToken: tokenCredential('anthropic', ''),
      oauthExpired: oauthCredential('anthropic', now - MIN),
      oauthEmpty: oauthCredential('anthropic', now + MIN, { access: '', refresh: '' }),
      oauthRefreshOnly: oauthCredential('anthropic', now - MIN, { access: '' }),
      reauth: oauthCredential('anthropic', now + MIN, { status: 'needs_reauth' }),
      other: apiKeyCredential('openai', 'sk-x'),
    },
  })
  const check = (profileId: string, config?: ClawConfig) =>
    evaluateProfileEligibility({ store, profileId, provider: 'anthropic', now: clock.now, config })
      .code

  it.each([
    ['key', 'ok'],
    ['emptyKey', 'missing_credential'],
    ['refKey', 'ok'],
    ['token', 'ok'],
    ['noExpiry', 'ok'],
    ['expiredToken', 'expired'],
    ['zeroExpiry', 'invalid_expires'],
    ['badExpiry', 'invalid_expires'],
    ['emptyToken', 'missing_credential'],
    ['oauthExpired', 'ok'],
    ['oauthEmpty', 'missing_credential'],
    ['oauthRefreshOnly', 'ok'],
    ['reauth', 'needs_reauth'],
    ['other', 'ineligible_profile'],
    ['absent', 'missing_credential'],
  ])('%s → %s', (profileId, code) => {
    expect(check(profileId)).toBe(code)
  })

  it('checks config provider and mode, with mode oauth accepting a stored token', () => {
    expect(
      check('token', { auth: { profiles: { token: { provider: 'anthropic', mode: 'oauth' } } } }),
    ).toBe('ok')
    expect(
      check('oauthExpired', {
        auth: { profiles: { oauthExpired: { provider: 'anthropic', mode: 'token' } } },
      }),
    ).toBe('ineligible_profile')
    expect(
      check('key', { auth: { profiles: { key: { provider: 'openai', mode: 'api_key' } } } }),
    ).toBe('ineligible_profile')
    expect(
      check('key', { auth: { profiles: { key: { provider: 'Anthropic', mode: 'api_key' } } } }),
    ).toBe('ok')
  })
})

describe('resolveAuthProfileOrder', () => {
  it('round-robins by type (oauth < token < api_key), then oldest lastUsed, ignoring lastGood', () => {
    const store = buildAuthProfileStore({
      profiles: {
        'anthropic:key-new': apiKeyCredential('anthropic'),
        'anthropic:key-old': apiKeyCredential('anthropic'),
        'anthropic:token': tokenCredential('anthropic'),
        'anthropic:oauth': oauthCredential('anthropic', now + 60 * MIN),
      },
      usageStats: {
        'anthropic:key-new': { lastUsed: now - MIN },
        'anthropic:key-old': { lastUsed: now - 10 * MIN },
        'anthropic:oauth': { lastUsed: now },
      },
      lastGood: { anthropic: 'anthropic:key-new' },
    })
    expect(resolveAuthProfileOrder({ store, provider: 'anthropic', now: clock.now })).toEqual([
      'anthropic:oauth',
      'anthropic:token',
      'anthropic:key-old',
      'anthropic:key-new',
    ])
  })

  it('puts never-used profiles first and keeps store order for ties', () => {
    const store = buildAuthProfileStore({
      profiles: {
        'openai:b': apiKeyCredential('openai'),
        'openai:a': apiKeyCredential('openai'),
        'openai:c': apiKeyCredential('openai'),
      },
      usageStats: { 'openai:b': { lastUsed: now - MIN } },
    })
    expect(resolveAuthProfileOrder({ store, provider: 'openai', now: clock.now })).toEqual([
      'openai:a',
      'openai:c',
      'openai:b',
    ])
  })

  it('moves profiles in cooldown to the end, soonest expiry first', () => {
    const store = buildAuthProfileStore({
      profiles: {
        'openai:a': apiKeyCredential('openai'),
        'openai:b': apiKeyCredential('openai'),
        'openai:c': apiKeyCredential('openai'),
        'openai:d': apiKeyCredential('openai'),
      },
      usageStats: {
        'openai:a': { cooldownUntil: now + 30 * MIN },
        'openai:b': { disabledUntil: now + 5 * MIN, disabledReason: 'billing' },
        'openai:c': { cooldownUntil: now - MIN },
      },
    })
    expect(resolveAuthProfileOrder({ store, provider: 'openai', now: clock.now })).toEqual([
      'openai:c',
      'openai:d',
      'openai:b',
      'openai:a',
    ])
  })

  it('uses the store order over config order over config profiles over stored profiles', () => {
    const profiles = {
      'anthropic:a': apiKeyCredential('anthropic'),
      'anthropic:b': apiKeyCredential('anthropic'),
      'anthropic:c': apiKeyCredential('anthropic'),
    }
    const config: ClawConfig = {
      auth: {
        order: { Anthropic: ['anthropic:c', 'anthropic:a'] },
        profiles: { 'anthropic:b': { provider: 'anthropic', mode: 'api_key' } },
      },
    }
    const withStoreOrder = buildAuthProfileStore({
      profiles,
      order: { anthropic: ['anthropic:b', 'anthropic:c'] },
    })
    expect(
      resolveAuthProfileOrder({
        store: withStoreOrder,
        provider: 'anthropic',
        config,
        now: clock.now,
      }),
    ).toEqual(['anthropic:b', 'anthropic:c'])
    const store = buildAuthProfileStore({ profiles })
    expect(
      resolveAuthProfileOrder({ store, provider: 'anthropic', config, now: clock.now }),
    ).toEqual(['anthropic:c', 'anthropic:a'])
    const { order: _order, ...withoutOrder } = config.auth ?? {}
    expect(
      resolveAuthProfileOrder({
        store,
        provider: 'anthropic',
        config: { auth: withoutOrder },
        now: clock.now,
      }),
    ).toEqual(['anthropic:b'])
    expect(resolveAuthProfileOrder({ store, provider: 'anthropic', now: clock.now })).toEqual([
      'anthropic:a',
      'anthropic:b',
      'anthropic:c',
    ])
  })

  it('keeps an explicit sequence (no round-robin) with the cooldown tail', () => {
    const store = buildAuthProfileStore({
      profiles: {
        'openai:key': apiKeyCredential('openai'),
        'openai:oauth': oauthCredential('openai', now + 60 * MIN),
        'openai:cool': apiKeyCredential('openai'),
      },
      order: {
        openai: ['openai:cool', 'openai:key', 'openai:oauth', 'openai:missing', 'openai:key'],
      },
      usageStats: { 'openai:cool': { cooldownUntil: now + MIN }, 'openai:key': { lastUsed: now } },
    })
    expect(resolveAuthProfileOrder({ store, provider: 'openai', now: clock.now })).toEqual([
      'openai:key',
      'openai:oauth',
      'openai:cool',
    ])
  })

  it('finds order keys and profile providers after normalisation', () => {
    const store = buildAuthProfileStore({
      profiles: { 'zai:a': apiKeyCredential('z.ai'), 'zai:b': apiKeyCredential('zai') },
      order: { 'Z-AI': ['zai:b', 'zai:a'] },
    })
    expect(resolveAuthProfileOrder({ store, provider: 'Z.AI', now: clock.now })).toEqual([
      'zai:b',
      'zai:a',
    ])
  })

  it('drops explicit entries of another provider and ineligible ones; an empty explicit list fails closed', () => {
    const store = buildAuthProfileStore({
      profiles: {
        'anthropic:a': apiKeyCredential('anthropic'),
        'openai:x': apiKeyCredential('openai'),
        'anthropic:expired': tokenCredential('anthropic', 't', { expires: now - 1 }),
      },
    })
    const config: ClawConfig = {
      auth: { order: { anthropic: ['openai:x', 'anthropic:expired', 'anthropic:a'] } },
    }
    expect(
      resolveAuthProfileOrder({ store, provider: 'anthropic', config, now: clock.now }),
    ).toEqual(['anthropic:a'])
    expect(
      resolveAuthProfileOrder({
        store,
        provider: 'anthropic',
        config: { auth: { order: { anthropic: [] } } },
        now: clock.now,
      }),
    ).toEqual([])
    expect(resolveAuthProfileOrder({ store, provider: 'deepseek', now: clock.now })).toEqual([])
  })

  it('moves an eligible preferred profile to the front, never adding an ineligible one', () => {
    const store = buildAuthProfileStore({
      profiles: {
        'openai:a': apiKeyCredential('openai'),
        'openai:b': apiKeyCredential('openai'),
        'openai:cool': apiKeyCredential('openai'),
        'openai:empty': apiKeyCredential('openai', ''),
      },
      usageStats: { 'openai:cool': { cooldownUntil: now + MIN } },
    })
    expect(
      resolveAuthProfileOrder({
        store,
        provider: 'openai',
        preferredProfile: 'openai:b',
        now: clock.now,
      }),
    ).toEqual(['openai:b', 'openai:a', 'openai:cool'])
    expect(
      resolveAuthProfileOrder({
        store,
        provider: 'openai',
        preferredProfile: 'openai:cool',
        now: clock.now,
      })[0],
    ).toBe('openai:cool')
    expect(
      resolveAuthProfileOrder({
        store,
        provider: 'openai',
        preferredProfile: 'openai:empty',
        now: clock.now,
      }),
    ).not.toContain('openai:empty')
  })

  it('honours model-scoped cooldowns only for their model', () => {
    const store = buildAuthProfileStore({
      profiles: { 'google:a': apiKeyCredential('google'), 'google:b': apiKeyCredential('google') },
      usageStats: {
        'google:a': {
          modelCooldowns: { 'gemini-2.5-flash': { until: now + MIN, reason: 'rate_limit' } },
        },
        'google:b': {
          cooldownUntil: now + 2 * MIN,
          cooldownModel: 'gemini-2.5-pro',
          cooldownReason: 'rate_limit',
        },
      },
    })
    expect(
      resolveAuthProfileOrder({
        store,
        provider: 'google',
        model: 'gemini-2.5-flash',
        now: clock.now,
      }),
    ).toEqual(['google:b', 'google:a'])
    expect(
      resolveAuthProfileOrder({
        store,
        provider: 'google',
        model: 'gemini-2.5-pro',
        now: clock.now,
      }),
    ).toEqual(['google:a', 'google:b'])
    expect(
      resolveAuthProfileOrder({
        store,
        provider: 'google',
        model: 'gemini-3-pro-preview',
        now: clock.now,
      }),
    ).toEqual(['google:a', 'google:b'])
  })
})

describe('cooldown checks', () => {
  it('takes the latest of disable, profile-wide and model-scoped windows', () => {
    const stats = {
      cooldownUntil: now + MIN,
      disabledUntil: now + 2 * MIN,
      modelCooldowns: { m: { until: now + 3 * MIN, reason: 'rate_limit' as const } },
    }
    expect(resolveProfileUnusableUntil(stats)).toBe(now + 2 * MIN)
    expect(resolveProfileUnusableUntil(stats, { model: 'm' })).toBe(now + 3 * MIN)
    expect(resolveProfileUnusableUntil({})).toBeUndefined()
    expect(resolveProfileUnusableUntil({ cooldownUntil: Number.NaN })).toBeUndefined()
    const store = buildAuthProfileStore({
      profiles: { p: apiKeyCredential('x') },
      usageStats: { p: stats },
    })
    expect(isProfileInCooldown(store, 'p', { now })).toBe(true)
    expect(isProfileInCooldown(store, 'p', { now: now + 2 * MIN })).toBe(false)
    expect(isProfileInCooldown(store, 'p', { now: now + 2 * MIN, model: 'm' })).toBe(true)
    expect(isProfileInCooldown(store, 'nobody', { now })).toBe(false)
  })
})

describe('an explicit order never strands a provider', () => {
  const profiles = {
    'openai:a': apiKeyCredential('openai'),
    'openai:b': apiKeyCredential('openai'),
    'anthropic:x': apiKeyCredential('anthropic'),
  }

  it('falls back to the stored profiles when no id of the store order exists, and says so', () => {
    const store = buildAuthProfileStore({
      profiles,
      order: { openai: ['openai:gone', 'anthropic:x'] },
      usageStats: { 'openai:a': { lastUsed: now } },
    })
    const diagnostics: OrderDiagnostic[] = []
    expect(
      resolveAuthProfileOrder({
        store,
        provider: 'openai',
        now: clock.now,
        onDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
      }),
    ).toEqual(['openai:b', 'openai:a'])
    expect(diagnostics).toEqual([
      {
        code: 'orphan_order',
        provider: 'openai',
        path: 'order.openai',
        profileIds: ['openai:gone', 'anthropic:x'],
        message:
          "order.openai lists no stored openai profile (openai:gone, anthropic:x): it is ignored and the provider's other profiles are used.",
      },
    ])
    expect(resolveExplicitOrder(store, 'openai')).toBeUndefined()
    expect(findOrphanOrders(store, 'openai')).toEqual(diagnostics)
  })

  it('skips an orphan store order for the config order, and an orphan config order for the stored profiles', () => {
    const config: ClawConfig = { auth: { order: { openai: ['openai:b', 'openai:a'] } } }
    const store = buildAuthProfileStore({ profiles, order: { openai: ['openai:gone'] } })
    expect(resolveAuthProfileOrder({ store, provider: 'openai', config, now: clock.now })).toEqual([
      'openai:b',
      'openai:a',
    ])
    const orphanConfig: ClawConfig = { auth: { order: { OpenAI: ['openai:old'] } } }
    const bare = buildAuthProfileStore({ profiles })
    const diagnostics: OrderDiagnostic[] = []
    expect(
      resolveAuthProfileOrder({
        store: bare,
        provider: 'openai',
        config: orphanConfig,
        now: clock.now,
        onDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
      }),
    ).toEqual(['openai:a', 'openai:b'])
    expect(diagnostics.map((diagnostic) => diagnostic.path)).toEqual(['auth.order.OpenAI'])
  })

  it('keeps a list that names at least one stored profile, and an empty list, as they are', () => {
    const partly = buildAuthProfileStore({
      profiles,
      order: { openai: ['openai:gone', 'openai:b'] },
    })
    const diagnostics: OrderDiagnostic[] = []
    const onDiagnostic = (diagnostic: OrderDiagnostic) => diagnostics.push(diagnostic)
    expect(
      resolveAuthProfileOrder({ store: partly, provider: 'openai', now: clock.now, onDiagnostic }),
    ).toEqual(['openai:b'])
    const empty = buildAuthProfileStore({ profiles, order: { openai: [] } })
    expect(
      resolveAuthProfileOrder({ store: empty, provider: 'openai', now: clock.now, onDiagnostic }),
    ).toEqual([])
    expect(diagnostics).toEqual([])
  })
})

describe('OAuth profiles of equal standing', () => {
  it('put a still-valid access token before one that must be refreshed first', () => {
    const store = buildAuthProfileStore({
      profiles: {
        'anthropic:stale': oauthCredential('anthropic', now + MIN),
        'anthropic:expired': oauthCredential('anthropic', now - MIN),
        'anthropic:fresh': oauthCredential('anthropic', now + 60 * MIN),
        'anthropic:key': apiKeyCredential('anthropic'),
      },
      // Round-robin alone would pick the stale and expired ones first (least recently used).
      usageStats: {
        'anthropic:stale': { lastUsed: now - 30 * MIN },
        'anthropic:expired': { lastUsed: now - 20 * MIN },
        'anthropic:fresh': { lastUsed: now - MIN },
      },
    })
    expect(resolveAuthProfileOrder({ store, provider: 'anthropic', now: clock.now })).toEqual([
      'anthropic:fresh',
      'anthropic:stale',
      'anthropic:expired',
      'anthropic:key',
    ])
  })
})

describe('cooldown-bypass providers', () => {
  it('are never demoted for a cooldown or a disable when ordering', () => {
    const store = buildAuthProfileStore({
      profiles: {
        'openrouter:a': apiKeyCredential('openrouter'),
        'openrouter:b': apiKeyCredential('openrouter'),
        'kilocode:a': apiKeyCredential('kilocode'),
        'kilocode:b': apiKeyCredential('kilocode'),
      },
      usageStats: {
        'openrouter:a': { cooldownUntil: now + 30 * MIN, cooldownReason: 'rate_limit' },
        'openrouter:b': { lastUsed: now },
        'kilocode:a': { disabledUntil: now + 60 * MIN, disabledReason: 'billing' },
        'kilocode:b': { lastUsed: now },
      },
    })
    expect(resolveAuthProfileOrder({ store, provider: 'openrouter', now: clock.now })).toEqual([
      'openrouter:a',
      'openrouter:b',
    ])
    expect(resolveAuthProfileOrder({ store, provider: 'kilocode', now: clock.now })).toEqual([
      'kilocode:a',
      'kilocode:b',
    ])
    // Configured: only the listed providers bypass.
    const config: ClawConfig = { auth: { cooldowns: { cooldownBypassProviders: ['kilocode'] } } }
    expect(
      resolveAuthProfileOrder({ store, provider: 'openrouter', config, now: clock.now }),
    ).toEqual(['openrouter:b', 'openrouter:a'])
  })
})
