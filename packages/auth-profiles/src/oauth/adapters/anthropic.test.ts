import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { freePort } from '../../../test/helpers/browser.js'
import { catchAuthError } from '../../../test/helpers/errors.js'
import { useTestServers } from '../../../test/helpers/http-server.js'
import { testRuntime } from '../../../test/helpers/oauth-runtime.js'
import { canarySecret, oauthCredential } from '../../testing/index.js'
import {
  ANTHROPIC_OAUTH_SCOPES,
  createAnthropicOAuthAdapter,
  validateAnthropicSetupToken,
} from './anthropic.js'

const server = useTestServers()

describe('validateAnthropicSetupToken', () => {
  const good = `sk-ant-oat01-${'a'.repeat(80)}`
  it.each([
    ['a valid token', good, undefined],
    ['a valid token with surrounding whitespace', `  ${good}\n`, undefined],
    ['an empty string', '  ', /empty/],
    ['an API key', `sk-ant-api03-${'a'.repeat(80)}`, /starts with sk-ant-oat01-/],
    ['a short token', 'sk-ant-oat01-abc', /too short/],
    ['a token with a space inside', `sk-ant-oat01-${'a'.repeat(40)} ${'b'.repeat(40)}`, /spaces/],
    [
      'a token with a line break inside',
      `sk-ant-oat01-${'a'.repeat(40)}\n${'b'.repeat(40)}`,
      /line breaks/,
    ],
  ])('%s', (_name, token, expected) => {
    const problem = validateAnthropicSetupToken(token)
    if (expected === undefined) expect(problem).toBeUndefined()
    else {
      expect(problem).toMatch(expected)
      expect(problem).not.toContain('a'.repeat(40))
    }
  })
})

describe('createAnthropicOAuthAdapter', () => {
  it('exports its scopes as versioned data', () => {
    expect(ANTHROPIC_OAUTH_SCOPES).toEqual(['org:create_api_key', 'user:profile', 'user:inference'])
    expect(Object.isFrozen(ANTHROPIC_OAUTH_SCOPES)).toBe(true)
    const adapter = createAnthropicOAuthAdapter()
    expect(adapter.redirectUri).toBe('http://localhost:53692/callback')
    expect(adapter.endpoints.tokenEndpoint).toBe('https://platform.claude.com/v1/oauth/token')
  })

  it('sends the code exchange as JSON with the state, and accepts a response without token_type', async () => {
    const access = canarySecret('sk-ant-oat01-access-')
    const as = await server(() => ({
      json: { access_token: access, refresh_token: 'sk-ant-ort01-r', expires_in: 28800 },
    }))
    const port = await freePort()
    const adapter = createAnthropicOAuthAdapter({
      endpoints: {
        authorizationEndpoint: `${as.url}/oauth/authorize`,
        tokenEndpoint: `${as.url}/v1/oauth/token`,
      },
      redirectUri: `http://localhost:${port}/callback`,
    })
    let authorize: URLSearchParams | undefined
    const tokens = await adapter.login({
      runtime: testRuntime(),
      onAuthUrl: async ({ url }) => {
        authorize = new URL(url).searchParams
        await (
          await fetch(`http://127.0.0.1:${port}/callback?code=abc&state=${authorize.get('state')}`)
        ).text()
      },
    })
    expect(tokens.access).toBe(access)
    expect(authorize?.get('code')).toBe('true')
    expect(authorize?.get('scope')).toBe('org:create_api_key user:profile user:inference')

    const request = as.requests[0]
    expect(request?.headers['content-type']).toBe('application/json')
    expect(request?.json).toMatchObject({
      grant_type: 'authorization_code',
      code: 'abc',
      state: authorize?.get('state'),
      redirect_uri: `http://localhost:${port}/callback`,
      client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
    })
    expect(request?.json?.['code_verifier']).not.toBe(authorize?.get('state'))
  })

  it('refreshes with a JSON body that has no scope', async () => {
    const as = await server(() => ({
      json: {
        access_token: 'new-access',
        refresh_token: 'new-refresh',
        expires_in: 28800,
        token_type: 'bearer',
      },
    }))
    const adapter = createAnthropicOAuthAdapter({ endpoints: { tokenEndpoint: `${as.url}/token` } })
    const credential = oauthCredential('anthropic', 0)
    const tokens = await adapter.refresh?.(credential, testRuntime())
    expect(tokens).toMatchObject({ access: 'new-access', refresh: 'new-refresh' })
    const body = as.requests[0]?.json
    expect(body).toEqual({
      grant_type: 'refresh_token',
      refresh_token: credential.refresh,
      client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
    })
    expect(body).not.toHaveProperty('scope')
  })

  it('sends form bodies with tokenRequestEncoding: form', async () => {
    const as = await server(() => ({
      json: { access_token: 'new-access', token_type: 'bearer', expires_in: 3600 },
    }))
    const adapter = createAnthropicOAuthAdapter({
      endpoints: { tokenEndpoint: `${as.url}/token` },
      tokenRequestEncoding: 'form',
    })
    await adapter.refresh?.(oauthCredential('anthropic', 0), testRuntime())
    expect(as.requests[0]?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/)
    expect(as.requests[0]?.form.get('grant_type')).toBe('refresh_token')
  })

  it('never puts the refresh token in a refresh error', async () => {
    const as = await server((request) => ({
      status: 400,
      json: {
        error: 'invalid_grant',
        error_description: `unknown token ${String(request.json?.['refresh_token'])}`,
      },
    }))
    const adapter = createAnthropicOAuthAdapter({ endpoints: { tokenEndpoint: `${as.url}/token` } })
    const credential = oauthCredential('anthropic', 0)
    let caught: unknown
    try {
      await adapter.refresh?.(credential, testRuntime())
    } catch (error) {
      caught = error
    }
    expect(caught).toBeDefined()
    // The raw openid-client error goes to refreshOAuthCredential, which classifies it and throws
    // its own error without a cause; the adapter adds nothing of its own.
    expect(String((caught as Error).message)).not.toContain(credential.refresh)
  })

  it('fails the login with ERR_OAUTH when the token endpoint is unreachable', async () => {
    const port = await freePort()
    const deadPort = await freePort()
    const adapter = createAnthropicOAuthAdapter({
      endpoints: {
        authorizationEndpoint: `http://127.0.0.1:${deadPort}/authorize`,
        tokenEndpoint: `http://127.0.0.1:${deadPort}/token`,
      },
      redirectUri: `http://localhost:${port}/callback`,
    })
    const error = await catchAuthError(() =>
      adapter.login({
        runtime: testRuntime(),
        onAuthUrl: async ({ url }) => {
          const state = new URL(url).searchParams.get('state')
          await (await fetch(`http://127.0.0.1:${port}/callback?code=abc&state=${state}`)).text()
        },
      }),
    )
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.retryable).toBe(true)
    expect(inspect(error, { depth: 10 })).not.toContain('code=abc')
  })
})
