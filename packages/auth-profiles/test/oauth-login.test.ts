// End to end against a real OpenID Connect provider (oidc-provider) on loopback: browser login
// through the loopback callback, storage, refresh with rotation, revocation on logout.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createOidcOAuthAdapter } from '../src/oauth/adapters/oidc.js'
import { loginWithOAuth, logoutOAuthProfile } from '../src/oauth/login.js'
import { refreshOAuthCredential } from '../src/oauth/refresh.js'
import { createOAuthProviderRegistry } from '../src/oauth/registry.js'
import { resolveAuthStorePath } from '../src/store/paths.js'
import { loadAuthProfileStore } from '../src/store/store.js'
import type { OAuthCredential } from '../src/types.js'
import { OIDC_TEST_ACCOUNT, startOidcServer, type OidcServer } from './fixtures/oidc-server.js'
import { browse, freePort, type BrowserResult } from './helpers/browser.js'
import { catchAuthError } from './helpers/errors.js'

let stateDir: string
let agentDir: string
const cleanups: (() => Promise<unknown>)[] = []

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'claw-oauth-login-'))
  agentDir = join(stateDir, 'agents', 'main', 'agent')
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }))
})

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function oidcServer(
  options: Parameters<typeof startOidcServer>[0] = {},
): Promise<OidcServer> {
  const server = await startOidcServer(options)
  cleanups.push(() => server.close())
  return server
}

async function setup(options: Parameters<typeof startOidcServer>[0] = {}) {
  const server = await oidcServer(options)
  const port = await freePort()
  const adapter = createOidcOAuthAdapter({
    id: 'test-oidc',
    displayName: 'Test OIDC',
    issuer: server.issuer,
    clientId: server.clientId,
    scopes: ['openid', 'email', 'offline_access'],
    redirectUri: `http://127.0.0.1:${port}/callback`,
  })
  return { server, port, adapter, providers: createOAuthProviderRegistry([adapter]) }
}

describe('loginWithOAuth with a generic OIDC provider', () => {
  it('logs in, stores the profile, refreshes with rotation, and revokes on logout', async () => {
    const { server, providers } = await setup()
    let browser: Promise<BrowserResult> | undefined
    const progress: string[] = []
    const result = await loginWithOAuth({
      provider: 'test-oidc',
      agentDir,
      providers,
      allowInsecureRequests: true,
      timeoutMs: 10_000,
      onAuthUrl: ({ url, listening }) => {
        expect(listening).toBe(true)
        browser = browse(url)
      },
      onProgress: (line) => progress.push(line),
    })
    const page = await browser
    expect(page?.status).toBe(200)
    expect(page?.body).toContain('Login complete')
    expect(page?.visited.some((url) => url.includes('/interaction/'))).toBe(true)

    expect(result).toMatchObject({
      profileId: `test-oidc:${OIDC_TEST_ACCOUNT}`,
      provider: 'test-oidc',
      email: OIDC_TEST_ACCOUNT,
    })
    expect(result).not.toHaveProperty('access')
    expect(result.expiresAt).toBeGreaterThan(Date.now() + 50 * 60_000)

    const storePath = resolveAuthStorePath(agentDir)
    expect((await stat(storePath)).mode & 0o777).toBe(0o600)
    const stored = (await loadAuthProfileStore({ agentDir })).profiles[
      result.profileId
    ] as OAuthCredential
    expect(stored).toMatchObject({
      type: 'oauth',
      provider: 'test-oidc',
      email: OIDC_TEST_ACCOUNT,
      expires: result.expiresAt,
    })
    expect(stored.access.length).toBeGreaterThan(20)
    expect(stored.refresh.length).toBeGreaterThan(20)
    const shown = progress.join('\n')
    expect(shown).not.toContain(stored.access)
    expect(shown).not.toContain(stored.refresh)

    const refreshed = await refreshOAuthCredential({
      agentDir,
      stateDir,
      profileId: result.profileId,
      force: true,
      providers,
      allowInsecureRequests: true,
    })
    expect(refreshed.refreshed).toBe(true)
    expect(refreshed.credential.access).not.toBe(stored.access)
    // oidc-provider rotates the refresh tokens of public clients.
    expect(refreshed.credential.refresh).not.toBe(stored.refresh)
    expect(refreshed.credential.email).toBe(OIDC_TEST_ACCOUNT)

    const logout = await logoutOAuthProfile({
      agentDir,
      profileId: result.profileId,
      providers,
      allowInsecureRequests: true,
    })
    expect(logout).toEqual({ removed: true, revoked: true })
    expect((await loadAuthProfileStore({ agentDir })).profiles[result.profileId]).toBeUndefined()

    // The revoked refresh token no longer works.
    const reuse = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshed.credential.refresh,
        client_id: server.clientId,
      }),
    })
    expect(reuse.status).toBe(400)
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant')
  })

  it('completes through a pasted redirect URL when the port is busy', async () => {
    const { port, providers } = await setup()
    const blocker = (await import('node:net')).createServer()
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve))
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)))

    let authUrl = ''
    const result = await loginWithOAuth({
      provider: 'test-oidc',
      agentDir,
      providers,
      allowInsecureRequests: true,
      profileId: 'test-oidc:pasted',
      onAuthUrl: ({ url, listening }) => {
        expect(listening).toBe(false)
        authUrl = url
      },
      // The "browser" follows the login until the redirect that cannot load, and the person
      // pastes the address-bar URL.
      promptForRedirect: async () => {
        const page = await browse(authUrl, {
          stopAt: (url) => url.startsWith(`http://127.0.0.1:${port}/`),
        })
        expect(page.status).toBe(0)
        return page.url
      },
    })
    expect(result.profileId).toBe('test-oidc:pasted')
    expect(result.email).toBe(OIDC_TEST_ACCOUNT)
  })

  it('fails with ERR_OAUTH when the person declines, storing nothing', async () => {
    const { providers } = await setup({ deny: true })
    let browser: Promise<BrowserResult> | undefined
    const error = await catchAuthError(() =>
      loginWithOAuth({
        provider: 'test-oidc',
        agentDir,
        providers,
        allowInsecureRequests: true,
        onAuthUrl: ({ url }) => {
          browser = browse(url)
        },
      }),
    )
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toContain('access_denied')
    expect(inspect(error, { depth: 10 })).not.toContain('The test user declined')
    const page = await browser
    expect(page?.status).toBe(400)
    expect(page?.body).toContain('Login failed')
    expect(Object.keys((await loadAuthProfileStore({ agentDir })).profiles)).toEqual([])
  })
})
