import { describe, expect, it } from 'vitest'
import { freePort } from '../../../test/helpers/browser.js'
import { useTestServers, tokenReply } from '../../../test/helpers/http-server.js'
import { testRuntime } from '../../../test/helpers/oauth-runtime.js'
import { oauthCredential } from '../../testing/index.js'
import type { AuthUrlInfo } from '../types.js'
import { codexAccountIdFromAccessToken, OPENAI_CODEX_AUTH_CLAIM } from '../codex-account.js'
import { createOpenAICodexOAuthAdapter, OPENAI_CODEX_REDIRECT_URI } from './openai-codex.js'

const server = useTestServers()

const base64url = (value: string): string => Buffer.from(value, 'utf8').toString('base64url')

/** An unsigned JWT whose payload's base64url form contains both `-` and `_`. */
function craftJwt(claims: Record<string, unknown>): string {
  for (let i = 0; i < 200; i++) {
    const pad = 'x'.repeat(i % 3) + '?>~ÿé'.repeat(1 + (i >> 2))
    const payload = base64url(JSON.stringify({ ...claims, pad }))
    if (payload.includes('-') && payload.includes('_')) {
      return `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.sig`
    }
  }
  throw new Error('could not craft the JWT')
}

describe('codexAccountIdFromAccessToken', () => {
  it('reads chatgpt_account_id from a base64url payload with - and _', async () => {
    const token = craftJwt({ [OPENAI_CODEX_AUTH_CLAIM]: { chatgpt_account_id: 'acct-123' } })
    const payload = token.split('.')[1] ?? ''
    expect(payload).toMatch(/-/)
    expect(payload).toMatch(/_/)
    expect(() => atob(payload)).toThrow()
    expect(await codexAccountIdFromAccessToken(token)).toBe('acct-123')
  })

  it.each([
    ['no auth claim', craftJwt({ email: 'me@example.com' })],
    ['claim without the account', craftJwt({ [OPENAI_CODEX_AUTH_CLAIM]: { user_id: 'u' } })],
    ['not a JWT', 'opaque-token'],
    ['garbage payload', 'a.%%%.c'],
  ])('gives undefined for %s', async (_name, token) => {
    expect(await codexAccountIdFromAccessToken(token)).toBeUndefined()
  })
})

describe('createOpenAICodexOAuthAdapter', () => {
  it('has the Codex defaults', () => {
    const adapter = createOpenAICodexOAuthAdapter()
    expect(adapter.id).toBe('openai-codex')
    expect(adapter.clientId).toBe('app_EMoamEEZ73f0CkXaXp7hrann')
    expect(adapter.redirectUri).toBe(OPENAI_CODEX_REDIRECT_URI)
    expect(adapter.scopes).toEqual(['openid', 'profile', 'email', 'offline_access'])
    expect(adapter.endpoints.tokenEndpoint).toBe('https://auth.openai.com/oauth/token')
  })

  it('logs in with the extra parameters and a random state, and stores the account id', async () => {
    const access = craftJwt({ [OPENAI_CODEX_AUTH_CLAIM]: { chatgpt_account_id: 'acct-9' } })
    const as = await server(() =>
      tokenReply({ access_token: access, refresh_token: 'rt-1', expires_in: 864000 }),
    )
    const port = await freePort()
    const redirectUri = `http://localhost:${port}/auth/callback`
    const adapter = createOpenAICodexOAuthAdapter({
      endpoints: {
        authorizationEndpoint: `${as.url}/oauth/authorize`,
        tokenEndpoint: `${as.url}/oauth/token`,
      },
      redirectUri,
    })
    let authorizeUrl: URL | undefined
    const runtime = testRuntime()
    const before = Date.now()
    const tokens = await adapter.login({
      runtime,
      onAuthUrl: async (info: AuthUrlInfo) => {
        authorizeUrl = new URL(info.url)
        const state = authorizeUrl.searchParams.get('state') ?? ''
        await (await fetch(`http://127.0.0.1:${port}/auth/callback?code=c1&state=${state}`)).text()
      },
    })
    expect(tokens.accountId).toBe('acct-9')
    expect(tokens.refresh).toBe('rt-1')
    expect(tokens.expires).toBeGreaterThanOrEqual(before + 864000 * 1000)
    expect(tokens.expires).toBeLessThanOrEqual(Date.now() + 864000 * 1000)

    const params = authorizeUrl?.searchParams
    expect(params?.get('id_token_add_organizations')).toBe('true')
    expect(params?.get('codex_cli_simplified_flow')).toBe('true')
    expect(params?.get('originator')).toBe('claw')
    expect(params?.get('scope')).toBe('openid profile email offline_access')
    expect(params?.get('code_challenge_method')).toBe('S256')
    const state = params?.get('state')
    const body = as.requests[0]?.form
    expect(body?.get('code_verifier')).toBeTruthy()
    expect(state).not.toBe(body?.get('code_verifier'))
    expect(body?.get('redirect_uri')).toBe(redirectUri)
    expect(body?.get('client_id')).toBe('app_EMoamEEZ73f0CkXaXp7hrann')
  })

  it('logs in without an account id when the claim is absent', async () => {
    const as = await server(() => tokenReply({ access_token: 'opaque', refresh_token: 'rt' }))
    const port = await freePort()
    const adapter = createOpenAICodexOAuthAdapter({
      endpoints: { authorizationEndpoint: `${as.url}/a`, tokenEndpoint: `${as.url}/t` },
      redirectUri: `http://localhost:${port}/auth/callback`,
      originator: 'my-app',
    })
    let originator: string | null = null
    const tokens = await adapter.login({
      runtime: testRuntime(),
      onAuthUrl: async ({ url }) => {
        const params = new URL(url).searchParams
        originator = params.get('originator')
        await (
          await fetch(`http://127.0.0.1:${port}/auth/callback?code=c&state=${params.get('state')}`)
        ).text()
      },
    })
    expect(originator).toBe('my-app')
    expect(tokens.accountId).toBeUndefined()
  })

  it('refreshes without scope and re-derives the account id from the new token', async () => {
    const access = craftJwt({ [OPENAI_CODEX_AUTH_CLAIM]: { chatgpt_account_id: 'acct-new' } })
    const as = await server(() => tokenReply({ access_token: access, refresh_token: 'rt-2' }))
    const adapter = createOpenAICodexOAuthAdapter({ endpoints: { tokenEndpoint: `${as.url}/t` } })
    const credential = oauthCredential('openai-codex', 0, { accountId: 'acct-old' })
    const tokens = await adapter.refresh?.(credential, testRuntime())
    expect(tokens?.accountId).toBe('acct-new')
    expect(tokens?.refresh).toBe('rt-2')
    const form = as.requests[0]?.form
    expect(form?.get('grant_type')).toBe('refresh_token')
    expect(form?.get('refresh_token')).toBe(credential.refresh)
    expect(form?.has('scope')).toBe(false)
  })
})
