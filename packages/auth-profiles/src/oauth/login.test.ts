import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { catchAuthError } from '../../test/helpers/errors.js'
import { createMemoryAuthStore } from '../store/memory-store.js'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  oauthCredential,
} from '../testing/index.js'
import { loginWithOAuth, logoutOAuthProfile, storeSetupToken } from './login.js'
import { createOAuthProviderRegistry } from './registry.js'
import type { OAuthLoginOptions, OAuthProviderAdapter, OAuthTokenSet } from './types.js'

function fakeAdapter(
  id: string,
  login: (options: OAuthLoginOptions) => Promise<OAuthTokenSet>,
  extra: Partial<OAuthProviderAdapter> = {},
): OAuthProviderAdapter {
  return {
    id,
    displayName: `Fake ${id}`,
    flow: 'authorization_code',
    endpoints: {},
    clientId: 'client',
    scopes: [],
    login,
    ...extra,
  }
}

describe('loginWithOAuth', () => {
  it('stores the credential under <provider>:<email> and returns no secrets', async () => {
    const access = canarySecret('access-canary-')
    const refresh = canarySecret('refresh-canary-')
    const backend = createMemoryAuthStore()
    let seen: OAuthLoginOptions | undefined
    const adapter = fakeAdapter('fake', (options) => {
      seen = options
      return Promise.resolve({
        access,
        refresh,
        expires: 123_456,
        email: 'me@example.com',
        accountId: 'acct',
        projectId: 'proj',
        clientId: 'cid',
      })
    })
    const progress: string[] = []
    const onAuthUrl = (): void => undefined
    const result = await loginWithOAuth({
      provider: 'fake',
      backend,
      providers: createOAuthProviderRegistry([adapter]),
      env: { SOME: 'value' },
      now: () => 42,
      timeoutMs: 1234,
      onAuthUrl,
      onProgress: (line) => progress.push(line),
    })
    expect(result).toEqual({
      profileId: 'fake:me@example.com',
      provider: 'fake',
      email: 'me@example.com',
      accountId: 'acct',
      projectId: 'proj',
      expiresAt: 123_456,
    })
    expect(JSON.stringify(result)).not.toContain(access)
    expect(seen?.onAuthUrl).toBe(onAuthUrl)
    expect(seen?.timeoutMs).toBe(1234)
    expect(seen?.runtime.env).toEqual({ SOME: 'value' })
    expect(seen?.runtime.now()).toBe(42)
    expect(seen?.runtime.allowInsecureRequests).toBe(false)
    const stored = (await backend.load()).profiles['fake:me@example.com']
    expect(stored).toMatchObject({
      type: 'oauth',
      provider: 'fake',
      access,
      refresh,
      expires: 123_456,
      email: 'me@example.com',
      accountId: 'acct',
      projectId: 'proj',
      clientId: 'cid',
    })
    expect(progress.join('\n')).not.toContain(access)
    expect(progress.join('\n')).not.toContain(refresh)
  })

  it('uses <provider>:default without an email, and an explicit profile id when given', async () => {
    const backend = createMemoryAuthStore()
    const providers = createOAuthProviderRegistry([
      fakeAdapter('fake', () => Promise.resolve({ access: 'a', refresh: 'r', expires: 1 })),
    ])
    expect((await loginWithOAuth({ provider: 'fake', backend, providers })).profileId).toBe(
      'fake:default',
    )
    expect(
      (await loginWithOAuth({ provider: 'fake', backend, providers, profileId: 'fake:work' }))
        .profileId,
    ).toBe('fake:work')
    expect(Object.keys((await backend.load()).profiles).sort()).toEqual([
      'fake:default',
      'fake:work',
    ])
  })

  it('falls back to <provider>:default when the email cannot be part of a profile id', async () => {
    const backend = createMemoryAuthStore()
    const providers = createOAuthProviderRegistry([
      fakeAdapter('fake', () =>
        Promise.resolve({ access: 'a', refresh: 'r', expires: 1, email: 'odd/..@example.com' }),
      ),
    ])
    expect((await loginWithOAuth({ provider: 'fake', backend, providers })).profileId).toBe(
      'fake:default',
    )
  })

  it('lists the known providers for an unknown one', async () => {
    const providers = createOAuthProviderRegistry([
      fakeAdapter('zeta', () => Promise.reject(new Error('unused'))),
      fakeAdapter('alpha', () => Promise.reject(new Error('unused'))),
    ])
    const error = await catchAuthError(() =>
      loginWithOAuth({ provider: 'nope', backend: createMemoryAuthStore(), providers }),
    )
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toContain('"nope"')
    expect(error.message).toContain('alpha, zeta')
  })

  it('refuses a login without a refresh token and stores nothing', async () => {
    const access = canarySecret('access-canary-')
    const backend = createMemoryAuthStore()
    const providers = createOAuthProviderRegistry([
      fakeAdapter('fake', () => Promise.resolve({ access, expires: 1 })),
    ])
    const error = await catchAuthError(() =>
      loginWithOAuth({ provider: 'fake', backend, providers }),
    )
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toContain('no refresh token')
    expect(inspect(error, { depth: 10 })).not.toContain(access)
    expect((await backend.load()).profiles).toEqual({})
  })

  it('rejects an invalid profile id before starting the login', async () => {
    let started = false
    const providers = createOAuthProviderRegistry([
      fakeAdapter('fake', () => {
        started = true
        return Promise.resolve({ access: 'a', refresh: 'r', expires: 1 })
      }),
    ])
    const error = await catchAuthError(() =>
      loginWithOAuth({
        provider: 'fake',
        backend: createMemoryAuthStore(),
        providers,
        profileId: '../x',
      }),
    )
    expect(error.code).toBe('ERR_INVALID_ID')
    expect(started).toBe(false)
  })

  it('fails with ERR_ABORTED for an aborted signal', async () => {
    const providers = createOAuthProviderRegistry([
      fakeAdapter('fake', () => Promise.resolve({ access: 'a', refresh: 'r', expires: 1 })),
    ])
    const error = await catchAuthError(() =>
      loginWithOAuth({
        provider: 'fake',
        backend: createMemoryAuthStore(),
        providers,
        signal: AbortSignal.abort(),
      }),
    )
    expect(error.code).toBe('ERR_ABORTED')
  })
})

describe('storeSetupToken', () => {
  const token = `sk-ant-oat01-${'x'.repeat(90)}`

  it('stores a valid setup-token as anthropic:manual', async () => {
    const backend = createMemoryAuthStore()
    expect(await storeSetupToken({ backend, token: `  ${token}\n` })).toEqual({
      profileId: 'anthropic:manual',
    })
    expect((await backend.load()).profiles['anthropic:manual']).toMatchObject({
      type: 'token',
      provider: 'anthropic',
      token,
    })
  })

  it('rejects an invalid token without echoing it', async () => {
    const bad = `sk-ant-api03-${'y'.repeat(90)}`
    const backend = createMemoryAuthStore()
    const error = await catchAuthError(() =>
      storeSetupToken({ backend, token: bad, profileId: 'anthropic:x' }),
    )
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.message).toContain('sk-ant-oat01-')
    expect(inspect(error, { depth: 10 })).not.toContain(bad)
    expect((await backend.load()).profiles).toEqual({})
  })
})

describe('logoutOAuthProfile', () => {
  function storeWith() {
    return createMemoryAuthStore(
      buildAuthProfileStore({
        profiles: {
          'fake:me': oauthCredential('fake', 1),
          'fake:key': apiKeyCredential('fake'),
        },
        order: { fake: ['fake:me', 'fake:key'] },
      }),
    )
  }

  it('revokes and removes', async () => {
    const backend = storeWith()
    const revoked: string[] = []
    const providers = createOAuthProviderRegistry([
      fakeAdapter('fake', () => Promise.reject(new Error('unused')), {
        revoke: (credential) => {
          revoked.push(credential.refresh)
          return Promise.resolve(true)
        },
      }),
    ])
    const refresh = ((await backend.load()).profiles['fake:me'] as { refresh: string }).refresh
    expect(await logoutOAuthProfile({ backend, profileId: 'fake:me', providers })).toEqual({
      removed: true,
      revoked: true,
    })
    expect(revoked).toEqual([refresh])
    const store = await backend.load()
    expect(store.profiles['fake:me']).toBeUndefined()
    expect(store.order).toEqual({ fake: ['fake:key'] })
  })

  it('still removes when revocation fails', async () => {
    const backend = storeWith()
    const providers = createOAuthProviderRegistry([
      fakeAdapter('fake', () => Promise.reject(new Error('unused')), {
        revoke: () => Promise.reject(new Error('connect ECONNREFUSED')),
      }),
    ])
    expect(await logoutOAuthProfile({ backend, profileId: 'fake:me', providers })).toEqual({
      removed: true,
      revoked: false,
    })
  })

  it('skips revocation when asked, for adapters without it and for non-OAuth profiles', async () => {
    let calls = 0
    const revoking = createOAuthProviderRegistry([
      fakeAdapter('fake', () => Promise.reject(new Error('unused')), {
        revoke: () => {
          calls++
          return Promise.resolve(true)
        },
      }),
    ])
    const noRevoke = createOAuthProviderRegistry([
      fakeAdapter('fake', () => Promise.reject(new Error('unused'))),
    ])
    expect(
      await logoutOAuthProfile({
        backend: storeWith(),
        profileId: 'fake:me',
        providers: revoking,
        revoke: false,
      }),
    ).toEqual({ removed: true, revoked: false })
    expect(
      await logoutOAuthProfile({ backend: storeWith(), profileId: 'fake:me', providers: noRevoke }),
    ).toEqual({ removed: true, revoked: false })
    expect(
      await logoutOAuthProfile({
        backend: storeWith(),
        profileId: 'fake:key',
        providers: revoking,
      }),
    ).toEqual({ removed: true, revoked: false })
    expect(
      await logoutOAuthProfile({
        backend: storeWith(),
        profileId: 'fake:gone',
        providers: revoking,
      }),
    ).toEqual({ removed: false, revoked: false })
    expect(calls).toBe(0)
  })
})
