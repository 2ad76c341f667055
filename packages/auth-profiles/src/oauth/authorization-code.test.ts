import { createServer } from 'node:net'
import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../../test/helpers/browser.js'
import { catchAuthError } from '../../test/helpers/errors.js'
import { useTestServers, tokenReply, type TestServer } from '../../test/helpers/http-server.js'
import { testRuntime } from '../../test/helpers/oauth-runtime.js'
import { canarySecret } from '../testing/index.js'
import {
  runAuthorizationCodeFlow,
  type AuthorizationCodeFlowOptions,
} from './authorization-code.js'
import type { AuthUrlInfo } from './types.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

const server = useTestServers()

async function occupy(port: number): Promise<void> {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve))
  cleanups.push(() => new Promise((resolve) => blocker.close(resolve)))
}

function flowOptions(
  as: TestServer,
  redirectUri: string,
  overrides: Partial<AuthorizationCodeFlowOptions> = {},
): AuthorizationCodeFlowOptions {
  return {
    settings: {
      endpoints: { authorizationEndpoint: `${as.url}/authorize`, tokenEndpoint: `${as.url}/token` },
      clientId: 'client-1',
    },
    redirectUri,
    scopes: ['read', 'offline'],
    callbacks: {},
    runtime: testRuntime(),
    timeoutMs: 5_000,
    ...overrides,
  }
}

/** Plays the browser: sends the authorization response to the loopback redirect. */
function browserRedirect(params: (state: string) => Record<string, string>) {
  return async (info: AuthUrlInfo): Promise<void> => {
    const state = new URL(info.url).searchParams.get('state') ?? ''
    const target = new URL(info.redirectUri.replace('localhost', '127.0.0.1'))
    target.search = new URLSearchParams(params(state)).toString()
    const response = await fetch(target)
    await response.text()
  }
}

describe('runAuthorizationCodeFlow', () => {
  it('completes through the loopback callback with PKCE and a random state', async () => {
    const access = canarySecret('access-canary-')
    const refresh = canarySecret('refresh-canary-')
    const as = await server(() => tokenReply({ access_token: access, refresh_token: refresh }))
    const port = await freePort()
    const redirectUri = `http://localhost:${port}/callback`
    let shown: AuthUrlInfo | undefined
    const progress: string[] = []
    const result = await runAuthorizationCodeFlow(
      flowOptions(as, redirectUri, {
        extraAuthorizationParams: { prompt: 'consent', state: 'must-not-win' },
        callbacks: {
          onAuthUrl: async (info) => {
            shown = info
            await browserRedirect((state) => ({ code: 'the-code', state }))(info)
          },
          onProgress: (line) => progress.push(line),
        },
      }),
    )
    expect(result.tokens.access_token).toBe(access)
    expect(shown?.listening).toBe(true)
    const authorize = new URL(shown?.url ?? '')
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${as.url}/authorize`)
    const params = Object.fromEntries(authorize.searchParams)
    expect(params).toMatchObject({
      client_id: 'client-1',
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'read offline',
      code_challenge_method: 'S256',
      prompt: 'consent',
    })
    expect(params['state']).not.toBe('must-not-win')
    expect(params['state']?.length).toBeGreaterThanOrEqual(20)

    const [token] = as.requests
    expect(token?.form.get('grant_type')).toBe('authorization_code')
    expect(token?.form.get('code')).toBe('the-code')
    expect(token?.form.get('redirect_uri')).toBe(redirectUri)
    const verifier = token?.form.get('code_verifier') ?? ''
    expect(verifier.length).toBeGreaterThanOrEqual(43)
    expect(verifier).not.toBe(params['state'])
    expect(progress.join('\n')).not.toContain(access)
  })

  it('sends the registered redirect_uri when a redirect from another host is pasted', async () => {
    const as = await server(() => tokenReply({ access_token: 'a', refresh_token: 'r' }))
    const port = await freePort()
    await occupy(port)
    const redirectUri = `http://localhost:${port}/auth/callback`
    let state = ''
    let listening: boolean | undefined
    await runAuthorizationCodeFlow(
      flowOptions(as, redirectUri, {
        callbacks: {
          onAuthUrl: (info) => {
            listening = info.listening
            state = new URL(info.url).searchParams.get('state') ?? ''
          },
          promptForRedirect: () =>
            Promise.resolve(
              `https://copied.example.net:8443/whatever?code=pasted-code&state=${state}`,
            ),
        },
      }),
    )
    expect(listening).toBe(false)
    expect(as.requests).toHaveLength(1)
    expect(as.requests[0]?.form.get('redirect_uri')).toBe(redirectUri)
    expect(as.requests[0]?.form.get('code')).toBe('pasted-code')
  })

  it('turns error=access_denied into ERR_OAUTH without calling the token endpoint', async () => {
    const as = await server(() => tokenReply({ access_token: 'a' }))
    const port = await freePort()
    const error = await catchAuthError(() =>
      runAuthorizationCodeFlow(
        flowOptions(as, `http://localhost:${port}/callback`, {
          callbacks: {
            onAuthUrl: browserRedirect((state) => ({
              error: 'access_denied',
              error_description: 'nope',
              state,
            })),
          },
        }),
      ),
    )
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toContain('access_denied')
    expect(as.requests).toHaveLength(0)
  })

  it('rejects a callback with a foreign state', async () => {
    const as = await server(() => tokenReply({ access_token: 'a' }))
    const port = await freePort()
    const error = await catchAuthError(() =>
      runAuthorizationCodeFlow(
        flowOptions(as, `http://localhost:${port}/callback`, {
          callbacks: { onAuthUrl: browserRedirect(() => ({ code: 'c', state: 'attacker' })) },
        }),
      ),
    )
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toContain('state mismatch')
    expect(as.requests).toHaveLength(0)
  })

  it('reports a rejected code exchange without the response body', async () => {
    const code = canarySecret('code-canary-')
    const as = await server((request) => ({
      status: 400,
      json: { error: 'invalid_grant', error_description: `bad code ${request.form.get('code')}` },
    }))
    const port = await freePort()
    const error = await catchAuthError(() =>
      runAuthorizationCodeFlow(
        flowOptions(as, `http://localhost:${port}/callback`, {
          callbacks: { onAuthUrl: browserRedirect((state) => ({ code, state })) },
        }),
      ),
    )
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toContain('invalid_grant')
    expect(error.message).toContain(`${as.url}/token`)
    expect(inspect(error, { depth: 10 })).not.toContain(code)
  })

  it('never leaks tokens of a response it rejects', async () => {
    const access = canarySecret('access-canary-')
    const refresh = canarySecret('refresh-canary-')
    // No token_type: openid-client rejects the response, which carries both tokens.
    const as = await server(() => ({ json: { access_token: access, refresh_token: refresh } }))
    const port = await freePort()
    const progress: string[] = []
    const error = await catchAuthError(() =>
      runAuthorizationCodeFlow(
        flowOptions(as, `http://localhost:${port}/callback`, {
          callbacks: {
            onAuthUrl: browserRedirect((state) => ({ code: 'c', state })),
            onProgress: (line) => progress.push(line),
          },
        }),
      ),
    )
    expect(error.code).toBe('ERR_OAUTH')
    const shown = [error.message, inspect(error, { depth: 10 }), ...progress].join('\n')
    expect(shown).not.toContain(access)
    expect(shown).not.toContain(refresh)
  })

  it('aborts while waiting for the browser', async () => {
    const as = await server(() => tokenReply({ access_token: 'a' }))
    const port = await freePort()
    const controller = new AbortController()
    const error = await catchAuthError(() =>
      runAuthorizationCodeFlow(
        flowOptions(as, `http://localhost:${port}/callback`, {
          runtime: testRuntime({ signal: controller.signal }),
          callbacks: { onAuthUrl: () => void setTimeout(() => controller.abort(), 10) },
        }),
      ),
    )
    expect(error.code).toBe('ERR_ABORTED')
  })

  it('closes the loopback server when onAuthUrl throws', async () => {
    const as = await server(() => tokenReply({ access_token: 'a' }))
    const port = await freePort()
    await expect(
      runAuthorizationCodeFlow(
        flowOptions(as, `http://localhost:${port}/callback`, {
          callbacks: {
            onAuthUrl: () => {
              throw new Error('no browser')
            },
          },
        }),
      ),
    ).rejects.toThrow('no browser')
    const probe = createServer()
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject)
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()))
    })
  })
})
