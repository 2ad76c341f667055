import { describe, expect, it } from 'vitest'
import { freePort } from '../../../test/helpers/browser.js'
import { catchAuthError } from '../../../test/helpers/errors.js'
import { useTestServers, tokenReply } from '../../../test/helpers/http-server.js'
import { testRuntime } from '../../../test/helpers/oauth-runtime.js'
import { oauthCredential } from '../../testing/index.js'
import { CHUTES_REDIRECT_URI, createChutesOAuthAdapter } from './chutes.js'
import { createOidcOAuthAdapter } from './oidc.js'

const server = useTestServers()

describe('createChutesOAuthAdapter', () => {
  it('has the Chutes defaults', () => {
    const adapter = createChutesOAuthAdapter()
    expect(adapter.id).toBe('chutes')
    expect(adapter.redirectUri).toBe(CHUTES_REDIRECT_URI)
    expect(adapter.endpoints.tokenEndpoint).toBe('https://api.chutes.ai/idp/token')
    expect(adapter.endpoints.authorizationEndpoint).toBe('https://api.chutes.ai/idp/authorize')
  })

  it('needs a client id', async () => {
    const adapter = createChutesOAuthAdapter()
    const login = await catchAuthError(() => adapter.login({ runtime: testRuntime() }))
    expect(login.code).toBe('ERR_OAUTH')
    expect(login.message).toContain('CHUTES_CLIENT_ID')
    const refresh = await catchAuthError(async () =>
      adapter.refresh?.(oauthCredential('chutes', 0), testRuntime()),
    )
    expect(refresh.message).toContain('CHUTES_CLIENT_ID')
  })

  it('refreshes with the stored client id before the env one, and the env secret', async () => {
    const as = await server(() => tokenReply({ access_token: 'new' }))
    const adapter = createChutesOAuthAdapter({
      endpoints: { tokenEndpoint: `${as.url}/idp/token` },
    })
    const runtime = testRuntime({
      env: { CHUTES_CLIENT_ID: 'env-client', CHUTES_CLIENT_SECRET: 'env-secret' },
    })
    const stored = oauthCredential('chutes', 0, { clientId: 'stored-client' })
    const tokens = await adapter.refresh?.(stored, runtime)
    expect(tokens?.access).toBe('new')
    expect(tokens?.refresh).toBeUndefined()
    expect(Object.fromEntries(as.requests[0]?.form ?? [])).toEqual({
      grant_type: 'refresh_token',
      refresh_token: stored.refresh,
      client_id: 'stored-client',
      client_secret: 'env-secret',
    })
    await adapter.refresh?.(
      oauthCredential('chutes', 0),
      testRuntime({ env: { CHUTES_CLIENT_ID: 'env-client' } }),
    )
    expect(as.requests[1]?.form.get('client_id')).toBe('env-client')
    expect(as.requests[1]?.form.has('client_secret')).toBe(false)
  })

  it('logs in with PKCE and stores the client id it used', async () => {
    const as = await server(() => tokenReply({ access_token: 'a', refresh_token: 'r' }))
    const port = await freePort()
    const adapter = createChutesOAuthAdapter({
      endpoints: {
        authorizationEndpoint: `${as.url}/idp/authorize`,
        tokenEndpoint: `${as.url}/idp/token`,
      },
      redirectUri: `http://localhost:${port}/callback`,
    })
    const tokens = await adapter.login({
      runtime: testRuntime({ env: { CHUTES_CLIENT_ID: 'my-app' } }),
      onAuthUrl: async ({ url }) => {
        const params = new URL(url).searchParams
        expect(params.get('client_id')).toBe('my-app')
        expect(params.get('scope')).toBe('openid profile chutes:invoke')
        await (
          await fetch(`http://127.0.0.1:${port}/callback?code=c&state=${params.get('state')}`)
        ).text()
      },
    })
    expect(tokens).toMatchObject({ access: 'a', refresh: 'r', clientId: 'my-app' })
    expect(as.requests[0]?.form.get('code_verifier')).toBeTruthy()
  })
})

describe('createOidcOAuthAdapter', () => {
  it('does not revoke when the server advertises no revocation endpoint', async () => {
    const as = await server((request, base) =>
      request.path === '/.well-known/openid-configuration'
        ? {
            json: {
              issuer: base,
              authorization_endpoint: `${base}/authorize`,
              token_endpoint: `${base}/token`,
            },
          }
        : { status: 404, text: '' },
    )
    const adapter = createOidcOAuthAdapter({
      id: 'gw',
      issuer: as.url,
      clientId: 'c',
      scopes: ['openid'],
      redirectUri: 'http://127.0.0.1:9/callback',
    })
    expect(await adapter.revoke?.(oauthCredential('gw', 0), testRuntime())).toBe(false)
    expect(as.requests.map((request) => request.path)).toEqual([
      '/.well-known/openid-configuration',
    ])
  })
})
