import type { AuthProfileStore, ProfileUsageStats } from '@claw/auth-profiles'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  createFakeClock,
  tokenCredential,
} from '@claw/auth-profiles/testing'
import { describe, expect, it, vi } from 'vitest'
import {
  computeSessionAuthProfileOverride,
  resolveSessionAuthProfileOverride,
  type SessionAuthState,
} from './session.js'

const MIN = 60_000
const clock = createFakeClock()
const now = clock.now()

function anthropicStore(
  usageStats: Record<string, ProfileUsageStats> = {},
  order: readonly string[] = ['anthropic:a', 'anthropic:b', 'anthropic:c'],
): AuthProfileStore {
  return buildAuthProfileStore({
    profiles: {
      'anthropic:a': apiKeyCredential('anthropic'),
      'anthropic:b': apiKeyCredential('anthropic'),
      'anthropic:c': apiKeyCredential('anthropic'),
      'openai:main': apiKeyCredential('openai'),
    },
    order: { anthropic: order },
    usageStats,
  })
}

const cooling = (minutes = 5): ProfileUsageStats => ({ cooldownUntil: now + minutes * MIN })

async function resolve(
  session: SessionAuthState | undefined,
  store: AuthProfileStore | undefined,
  extra: { provider?: string; isNewSession?: boolean; model?: string } = {},
) {
  const persist = vi.fn<(entry: SessionAuthState) => void>()
  const result = await resolveSessionAuthProfileOverride({
    session,
    store,
    provider: extra.provider ?? 'anthropic',
    isNewSession: extra.isNewSession,
    model: extra.model,
    now: clock.now,
    persist,
  })
  return { result, persist }
}

describe('resolveSessionAuthProfileOverride', () => {
  it('changes nothing without a session entry or a store', async () => {
    const pinned: SessionAuthState = {
      authProfileOverride: 'anthropic:b',
      authProfileOverrideSource: 'auto',
    }
    const noStore = await resolve(pinned, undefined)
    expect(noStore.result).toEqual({
      profileId: 'anthropic:b',
      source: 'auto',
      changed: false,
      session: pinned,
    })
    expect(noStore.persist).not.toHaveBeenCalled()
    const noSession = await resolve(undefined, anthropicStore())
    expect(noSession.result).toMatchObject({ profileId: undefined, changed: false })
    expect(noSession.persist).not.toHaveBeenCalled()
  })

  it('pins the first available profile with source auto and the compaction marker', async () => {
    const { result, persist } = await resolve({ compactionCount: 4 }, anthropicStore())
    const expected = {
      compactionCount: 4,
      authProfileOverride: 'anthropic:a',
      authProfileOverrideSource: 'auto',
      authProfileOverrideCompactionCount: 4,
    }
    expect(result).toEqual({
      profileId: 'anthropic:a',
      source: 'auto',
      changed: true,
      session: expected,
    })
    expect(persist).toHaveBeenCalledTimes(1)
    expect(persist).toHaveBeenCalledWith(expected)
  })

  it('keeps a valid auto pin without persisting, and does not mutate the input', async () => {
    const session: SessionAuthState = Object.freeze({
      authProfileOverride: 'anthropic:b',
      authProfileOverrideSource: 'auto',
      authProfileOverrideCompactionCount: 2,
      compactionCount: 2,
    })
    const { result, persist } = await resolve(session, anthropicStore())
    expect(result).toEqual({ profileId: 'anthropic:b', source: 'auto', changed: false, session })
    expect(result.session).toBe(session)
    expect(persist).not.toHaveBeenCalled()
  })

  it('clears a pin to a profile missing from the store, then re-picks', async () => {
    const { result, persist } = await resolve(
      {
        authProfileOverride: 'anthropic:gone',
        authProfileOverrideSource: 'user',
        authProfileOverrideCompactionCount: 0,
      },
      anthropicStore(),
    )
    expect(result).toMatchObject({ profileId: 'anthropic:a', source: 'auto', changed: true })
    expect(persist).toHaveBeenCalledTimes(1)
  })

  it('clears a pin to another provider, and returns undefined when the order is empty', async () => {
    const store = buildAuthProfileStore({
      profiles: { 'openai:main': apiKeyCredential('openai') },
    })
    const { result, persist } = await resolve(
      {
        authProfileOverride: 'openai:main',
        authProfileOverrideSource: 'user',
        authProfileOverrideCompactionCount: 1,
        compactionCount: 3,
      },
      store,
    )
    expect(result).toEqual({
      profileId: undefined,
      source: undefined,
      changed: true,
      session: { compactionCount: 3 },
    })
    expect(persist).toHaveBeenCalledWith({ compactionCount: 3 })
  })

  it('returns undefined without persisting when nothing is pinned and the order is empty', async () => {
    const { result, persist } = await resolve({}, anthropicStore(), { provider: 'mistral' })
    expect(result).toEqual({ profileId: undefined, source: undefined, changed: false, session: {} })
    expect(persist).not.toHaveBeenCalled()
  })

  it('compares providers after normalisation (z.ai ≡ zai)', async () => {
    const store = buildAuthProfileStore({
      profiles: {
        'zai:one': apiKeyCredential('Z.AI'),
        'zai:two': apiKeyCredential('zai'),
      },
    })
    const session: SessionAuthState = {
      authProfileOverride: 'zai:two',
      authProfileOverrideSource: 'user',
    }
    for (const provider of ['z.ai', 'zai', 'z-ai']) {
      const { result, persist } = await resolve(session, store, { provider })
      expect(result).toMatchObject({ profileId: 'zai:two', source: 'user', changed: false })
      expect(persist).not.toHaveBeenCalled()
    }
    const auto = await resolve({}, store, { provider: 'z.ai' })
    expect(auto.result.profileId).toBe('zai:one')
  })

  it('clears a pin absent from a non-empty order (explicit order, or ineligible)', async () => {
    const explicit = await resolve(
      { authProfileOverride: 'anthropic:c', authProfileOverrideSource: 'user' },
      anthropicStore({}, ['anthropic:b', 'anthropic:a']),
    )
    expect(explicit.result).toMatchObject({ profileId: 'anthropic:b', source: 'auto' })

    const store = buildAuthProfileStore({
      profiles: {
        'anthropic:expired': tokenCredential('anthropic', 'tok', { expires: now - MIN }),
        'anthropic:ok': apiKeyCredential('anthropic'),
      },
    })
    const expired = await resolve(
      { authProfileOverride: 'anthropic:expired', authProfileOverrideSource: 'user' },
      store,
    )
    expect(expired.result).toMatchObject({ profileId: 'anthropic:ok', changed: true })
  })

  it('keeps a user pin, even in cooldown and after a compaction', async () => {
    const session: SessionAuthState = {
      authProfileOverride: 'anthropic:b',
      authProfileOverrideSource: 'user',
      compactionCount: 5,
    }
    const { result, persist } = await resolve(session, anthropicStore({ 'anthropic:b': cooling() }))
    expect(result).toEqual({ profileId: 'anthropic:b', source: 'user', changed: false, session })
    expect(persist).not.toHaveBeenCalled()
  })

  it('infers the source of old entries: a marker means auto, a bare pin means user', async () => {
    const legacyUser = await resolve(
      { authProfileOverride: 'anthropic:c', compactionCount: 1 },
      anthropicStore({ 'anthropic:c': cooling() }),
    )
    expect(legacyUser.result).toMatchObject({
      profileId: 'anthropic:c',
      source: 'user',
      changed: false,
    })

    const legacyAuto = await resolve(
      {
        authProfileOverride: 'anthropic:c',
        authProfileOverrideCompactionCount: 1,
        compactionCount: 1,
      },
      anthropicStore(),
    )
    // Same profile, but the missing source is stale: it is written back as auto.
    expect(legacyAuto.result).toMatchObject({
      profileId: 'anthropic:c',
      source: 'auto',
      changed: true,
    })
    expect(legacyAuto.persist).toHaveBeenCalledWith({
      authProfileOverride: 'anthropic:c',
      authProfileOverrideSource: 'auto',
      authProfileOverrideCompactionCount: 1,
      compactionCount: 1,
    })
  })

  it('rotates a user pin on a new session, turning it into an auto pin', async () => {
    const { result, persist } = await resolve(
      { authProfileOverride: 'anthropic:a', authProfileOverrideSource: 'user' },
      anthropicStore(),
      { isNewSession: true },
    )
    expect(result).toMatchObject({ profileId: 'anthropic:b', source: 'auto', changed: true })
    expect(result.session).toEqual({
      authProfileOverride: 'anthropic:b',
      authProfileOverrideSource: 'auto',
      authProfileOverrideCompactionCount: 0,
    })
    expect(persist).toHaveBeenCalledTimes(1)
  })

  it('rotates cyclically on a new session, and picks the first available when nothing is pinned', async () => {
    const wrap = await resolve(
      {
        authProfileOverride: 'anthropic:c',
        authProfileOverrideSource: 'auto',
        authProfileOverrideCompactionCount: 0,
      },
      anthropicStore(),
      { isNewSession: true },
    )
    expect(wrap.result.profileId).toBe('anthropic:a')

    const fresh = await resolve({}, anthropicStore({ 'anthropic:a': cooling() }), {
      isNewSession: true,
    })
    expect(fresh.result.profileId).toBe('anthropic:b')
  })

  it('skips profiles in cooldown when rotating, else keeps the current one', async () => {
    const pin: SessionAuthState = {
      authProfileOverride: 'anthropic:a',
      authProfileOverrideSource: 'auto',
      authProfileOverrideCompactionCount: 0,
    }
    const skip = await resolve(pin, anthropicStore({ 'anthropic:b': cooling() }), {
      isNewSession: true,
    })
    expect(skip.result.profileId).toBe('anthropic:c')

    // Profiles in cooldown sort to the end of the order ([b, c, a]); the walk from c wraps past a.
    const wrapPastCooldown = await resolve(
      { ...pin, authProfileOverride: 'anthropic:c' },
      anthropicStore({ 'anthropic:a': cooling() }),
      { isNewSession: true },
    )
    expect(wrapPastCooldown.result.profileId).toBe('anthropic:b')

    const allOthers = await resolve(
      pin,
      anthropicStore({ 'anthropic:b': cooling(), 'anthropic:c': cooling() }),
      { isNewSession: true },
    )
    expect(allOthers.result).toMatchObject({ profileId: 'anthropic:a', changed: false })
    expect(allOthers.persist).not.toHaveBeenCalled()
  })

  it('rotates after a compaction and records the new marker', async () => {
    const { result, persist } = await resolve(
      {
        authProfileOverride: 'anthropic:b',
        authProfileOverrideSource: 'auto',
        authProfileOverrideCompactionCount: 1,
        compactionCount: 2,
      },
      anthropicStore(),
    )
    expect(result).toMatchObject({ profileId: 'anthropic:c', source: 'auto', changed: true })
    expect(persist).toHaveBeenCalledWith({
      authProfileOverride: 'anthropic:c',
      authProfileOverrideSource: 'auto',
      authProfileOverrideCompactionCount: 2,
      compactionCount: 2,
    })
  })

  it('re-picks the first available profile when the auto pin is in cooldown', async () => {
    const session: SessionAuthState = {
      authProfileOverride: 'anthropic:a',
      authProfileOverrideSource: 'auto',
      authProfileOverrideCompactionCount: 0,
    }
    const store = anthropicStore({ 'anthropic:a': cooling(1) })
    const { result } = await resolve(session, store)
    expect(result.profileId).toBe('anthropic:b')

    // Once the cooldown is over, the pin (now b) stays put.
    const later = computeSessionAuthProfileOverride({
      session: result.session,
      store,
      provider: 'anthropic',
      now: () => now + 2 * MIN,
    })
    expect(later).toMatchObject({ profileId: 'anthropic:b', changed: false })
  })

  it('falls back to the first profile in the order when every profile is in cooldown', async () => {
    const store = anthropicStore({
      'anthropic:a': cooling(30),
      'anthropic:b': cooling(10),
      'anthropic:c': cooling(20),
    })
    const { result } = await resolve({}, store)
    // The order puts unusable profiles soonest-usable first.
    expect(result.profileId).toBe('anthropic:b')
  })

  it('counts model-scoped cooldowns only for the given model', async () => {
    const store = anthropicStore({
      'anthropic:a': { cooldownUntil: now + 5 * MIN, cooldownModel: 'claude-opus-4-5' },
    })
    const session: SessionAuthState = {
      authProfileOverride: 'anthropic:a',
      authProfileOverrideSource: 'auto',
      authProfileOverrideCompactionCount: 0,
    }
    const sameModel = await resolve(session, store, { model: 'claude-opus-4-5' })
    expect(sameModel.result.profileId).toBe('anthropic:b')
    const otherModel = await resolve(session, store, { model: 'claude-sonnet-4-5' })
    expect(otherModel.result).toMatchObject({ profileId: 'anthropic:a', changed: false })
  })

  it('awaits an async persist, and the sync core gives the same answer', async () => {
    const order: string[] = []
    const result = await resolveSessionAuthProfileOverride({
      session: {},
      store: anthropicStore(),
      provider: 'anthropic',
      now: clock.now,
      persist: async () => {
        await Promise.resolve()
        order.push('persisted')
      },
    })
    order.push('returned')
    expect(order).toEqual(['persisted', 'returned'])
    expect(
      computeSessionAuthProfileOverride({
        session: {},
        store: anthropicStore(),
        provider: 'anthropic',
        now: clock.now,
      }),
    ).toEqual(result)
  })
})
