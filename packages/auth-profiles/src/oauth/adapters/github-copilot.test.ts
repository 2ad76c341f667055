// Over 400 lines: Copilot's device login and token exchange against one fake server.
import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { catchAuthError } from '../../../test/helpers/errors.js'
import {
  drive,
  startFakeServer,
  testRuntime,
  type FakeServer,
  type Route,
} from '../../../test/helpers/fake-oauth-server.js'
import { canarySecret, createFakeClock } from '../../testing/index.js'
import { createMemoryTokenCache, type DerivedTokenCache } from '../token-cache.js'
import type { DeviceCodeInfo } from '../types.js'
import { COPILOT_DEFAULT_BASE_URL, normalizeGitHubDomain } from '../copilot-api.js'
import { exchangeCopilotToken, resolveCopilotApiKey, type CopilotToken } from '../copilot-token.js'
import { createGitHubCopilotOAuthAdapter, GITHUB_COPILOT_CLIENT_ID } from './github-copilot.js'

const DEVICE_PATH = '/login/device/code'
const TOKEN_PATH = '/login/oauth/access_token'
const EXCHANGE_PATH = '/copilot_internal/v2/token'
const TEN_YEARS_MS = 10 * 365 * 24 * 60 * 60 * 1000

let servers: FakeServer[] = []

async function server(routes: Record<string, Route>): Promise<FakeServer> {
  const started = await startFakeServer(routes)
  servers.push(started)
  return started
}

afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(servers.map((started) => started.close()))
  servers = []
})

/** A fake github.com: device code, then GitHub-style pending (HTTP 200) polls, then a token. */
function fakeGitHub(githubToken: string): Record<string, Route> {
  return {
    [DEVICE_PATH]: () => ({
      json: {
        device_code: 'dc-1',
        user_code: 'ABCD-1234',
        verification_uri: 'https://github.com/login/device',
        expires_in: 900,
        interval: 5,
      },
    }),
    [TOKEN_PATH]: (_request, hit) =>
      hit < 3
        ? { json: { error: 'authorization_pending', error_description: 'pending' } }
        : { json: { access_token: githubToken, token_type: 'bearer', scope: 'read:user' } },
  }
}

function copilotToken(fields: string): string {
  return `tid=canary;exp=1999999999;sku=copilot_individual;${fields};8kp=1:deadbeefcafe`
}

describe('GitHub Copilot login', () => {
  it('runs the device flow against GitHub and stores the GitHub token as access and refresh', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const githubToken = canarySecret('ghu_canary')
    const fake = await server(fakeGitHub(githubToken))
    const adapter = createGitHubCopilotOAuthAdapter({
      endpoints: {
        deviceAuthorizationEndpoint: `${fake.url}${DEVICE_PATH}`,
        tokenEndpoint: `${fake.url}${TOKEN_PATH}`,
      },
    })
    expect(adapter).toMatchObject({
      id: 'github-copilot',
      flow: 'device_code',
      clientId: GITHUB_COPILOT_CLIENT_ID,
      scopes: ['read:user'],
    })
    expect('refresh' in adapter).toBe(false)
    const clock = createFakeClock()
    const shown: DeviceCodeInfo[] = []
    const progress: string[] = []
    const outcome = await drive(
      adapter.login({
        runtime: { ...testRuntime(), now: clock.now },
        onDeviceCode: (info) => void shown.push(info),
        onProgress: (line) => void progress.push(line),
      }),
    )
    expect(outcome.error).toBeUndefined()
    expect(outcome.value).toEqual({
      access: githubToken,
      refresh: githubToken,
      expires: clock.now() + TEN_YEARS_MS,
    })
    expect(shown).toEqual([
      {
        verificationUri: 'https://github.com/login/device',
        userCode: 'ABCD-1234',
        expiresAt: clock.now() + 900_000,
      },
    ])
    expect(progress.join('\n')).not.toContain(githubToken)
    const initiation = fake.requests.find((request) => request.path === DEVICE_PATH)
    expect(initiation?.form.get('client_id')).toBe('Iv1.b507a08c87ecfe98')
    expect(initiation?.form.get('scope')).toBe('read:user')
    expect(fake.hits(TOKEN_PATH)).toBe(3)
  })

  it('records an enterprise domain as enterpriseUrl and derives its endpoints', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const adapter = createGitHubCopilotOAuthAdapter({ domain: ' https://GHE.Example.com/login ' })
    expect(adapter.endpoints).toEqual({
      deviceAuthorizationEndpoint: 'https://ghe.example.com/login/device/code',
      tokenEndpoint: 'https://ghe.example.com/login/oauth/access_token',
    })
    const fake = await server(fakeGitHub('gho_enterprise'))
    const local = createGitHubCopilotOAuthAdapter({
      domain: 'ghe.example.com',
      endpoints: {
        deviceAuthorizationEndpoint: `${fake.url}${DEVICE_PATH}`,
        tokenEndpoint: `${fake.url}${TOKEN_PATH}`,
      },
    })
    const outcome = await drive(local.login({ runtime: testRuntime(), onDeviceCode: () => {} }))
    expect(outcome.value).toMatchObject({
      access: 'gho_enterprise',
      enterpriseUrl: 'ghe.example.com',
    })
  })

  it('needs onDeviceCode', async () => {
    const adapter = createGitHubCopilotOAuthAdapter()
    const error = await catchAuthError(() => adapter.login({ runtime: testRuntime() }))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
  })

  it('normalises GitHub domains to host names', () => {
    expect(normalizeGitHubDomain()).toBe('github.com')
    expect(normalizeGitHubDomain('   ')).toBe('github.com')
    expect(normalizeGitHubDomain('GitHub.Example.COM')).toBe('github.example.com')
    expect(normalizeGitHubDomain('https://ghe.corp.test/some/path?q=1')).toBe('ghe.corp.test')
    expect(normalizeGitHubDomain('ghe.corp.test:8443/')).toBe('ghe.corp.test')
    expect(() => normalizeGitHubDomain('not a domain!')).toThrow(/valid host name/)
  })
})

describe('Copilot token exchange', () => {
  function exchangeServer(answers: (hit: number) => { status?: number; json?: unknown }) {
    return server({ [EXCHANGE_PATH]: (_request, hit) => answers(hit) })
  }

  it('sends the GitHub token and editor headers and parses proxy-ep', async () => {
    const githubToken = canarySecret('ghu_canary')
    const clock = createFakeClock()
    const expiresAt = Math.floor(clock.now() / 1000) + 1800
    const token = copilotToken('proxy-ep=proxy.individual.githubcopilot.com')
    const fake = await exchangeServer(() => ({
      json: { token, expires_at: expiresAt, refresh_in: 1500 },
    }))
    const result = await exchangeCopilotToken({
      githubToken,
      runtime: { ...testRuntime(), now: clock.now },
      tokenUrl: `${fake.url}${EXCHANGE_PATH}`,
    })
    expect(result).toEqual({
      token,
      expiresAt: expiresAt * 1000,
      baseUrl: 'https://api.individual.githubcopilot.com',
    })
    const [request] = fake.requests
    expect(request?.method).toBe('GET')
    expect(request?.headers).toMatchObject({
      authorization: `Bearer ${githubToken}`,
      'user-agent': 'GitHubCopilotChat/0.35.0',
      'editor-version': 'vscode/1.107.0',
      'editor-plugin-version': 'copilot-chat/0.35.0',
      'copilot-integration-id': 'vscode-chat',
    })
  })

  it.each([
    [
      'proxy-ep=proxy.business.githubcopilot.com',
      'github.com',
      'https://api.business.githubcopilot.com',
    ],
    [
      'proxy-ep=proxy.enterprise.githubcopilot.com',
      'ghe.example.com',
      'https://api.enterprise.githubcopilot.com',
    ],
    // The last field runs into the signature after `:`.
    [
      'st=dotcom;proxy-ep=proxy.individual.githubcopilot.com:abcdef',
      'github.com',
      'https://api.individual.githubcopilot.com',
    ],
    ['proxy-ep=copilot-proxy.example.test', 'github.com', 'https://copilot-proxy.example.test'],
    ['proxy-ep=', 'ghe.example.com', 'https://copilot-api.ghe.example.com'],
    ['proxy-ep=bad host/evil', 'github.com', COPILOT_DEFAULT_BASE_URL],
    ['st=dotcom', 'ghe.example.com', 'https://copilot-api.ghe.example.com'],
    ['st=dotcom', 'github.com', COPILOT_DEFAULT_BASE_URL],
  ])('token fields %s on %s give %s', async (fields, domain, baseUrl) => {
    const fake = await exchangeServer(() => ({
      json: { token: copilotToken(fields), expires_at: 4_000_000_000 },
    }))
    const result = await exchangeCopilotToken({
      githubToken: 'gho_x',
      domain,
      runtime: testRuntime(),
      tokenUrl: `${fake.url}${EXCHANGE_PATH}`,
    })
    expect(result.baseUrl).toBe(baseUrl)
  })

  it('uses the cache: a second call makes no request; keys are digests, never the token', async () => {
    const githubToken = canarySecret('ghu_canary')
    const clock = createFakeClock()
    const fake = await exchangeServer(() => ({
      json: { token: copilotToken('st=dotcom'), expires_at: Math.floor(clock.now() / 1000) + 1800 },
    }))
    const memory = createMemoryTokenCache<CopilotToken>({ now: clock.now })
    const keys: string[] = []
    const cache: DerivedTokenCache<CopilotToken> = {
      get: (key) => (keys.push(key), memory.get(key)),
      set: (key, value, ttlMs) => (keys.push(key), memory.set(key, value, ttlMs)),
    }
    const options = {
      githubToken,
      runtime: { ...testRuntime(), now: clock.now },
      tokenUrl: `${fake.url}${EXCHANGE_PATH}`,
      cache,
    }
    const first = await exchangeCopilotToken(options)
    const second = await exchangeCopilotToken(options)
    expect(second).toEqual(first)
    expect(fake.hits(EXCHANGE_PATH)).toBe(1)
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) {
      expect(key).not.toContain(githubToken)
      expect(key).toMatch(/^github-copilot:sha256:[0-9a-f]{64}$/)
    }
    // A different GitHub token has its own entry.
    await exchangeCopilotToken({ ...options, githubToken: 'gho_other' })
    expect(fake.hits(EXCHANGE_PATH)).toBe(2)
  })

  it('expires cache entries 5 minutes before expires_at, by the runtime clock', async () => {
    const clock = createFakeClock()
    const fake = await exchangeServer(() => ({
      json: { token: copilotToken('st=dotcom'), expires_at: Math.floor(clock.now() / 1000) + 1800 },
    }))
    const options = {
      githubToken: 'gho_clock',
      runtime: { ...testRuntime(), now: clock.now },
      tokenUrl: `${fake.url}${EXCHANGE_PATH}`,
      cache: createMemoryTokenCache<CopilotToken>({ now: clock.now }),
    }
    await exchangeCopilotToken(options)
    clock.advance(25 * 60_000 - 1)
    await exchangeCopilotToken(options)
    expect(fake.hits(EXCHANGE_PATH)).toBe(1)
    clock.advance(1)
    await exchangeCopilotToken(options)
    expect(fake.hits(EXCHANGE_PATH)).toBe(2)
  })

  it('ignores a cached token the runtime clock says is stale, whatever the cache thinks', async () => {
    const clock = createFakeClock()
    const fake = await exchangeServer(() => ({
      json: { token: copilotToken('st=dotcom'), expires_at: Math.floor(clock.now() / 1000) + 1800 },
    }))
    // A cache that never expires anything.
    const store = new Map<string, CopilotToken>()
    const cache: DerivedTokenCache<CopilotToken> = {
      get: (key) => Promise.resolve(store.get(key)),
      set: (key, value) => (store.set(key, value), Promise.resolve()),
    }
    const options = {
      githubToken: 'gho_stale',
      runtime: { ...testRuntime(), now: clock.now },
      tokenUrl: `${fake.url}${EXCHANGE_PATH}`,
      cache,
    }
    await exchangeCopilotToken(options)
    clock.advance(26 * 60_000)
    await exchangeCopilotToken(options)
    expect(fake.hits(EXCHANGE_PATH)).toBe(2)
  })

  it('concurrent callers share one exchange', async () => {
    const fake = await exchangeServer(() => ({
      json: { token: copilotToken('st=dotcom'), expires_at: 4_000_000_000 },
    }))
    const options = {
      githubToken: 'gho_concurrent',
      runtime: testRuntime(),
      tokenUrl: `${fake.url}${EXCHANGE_PATH}`,
      cache: createMemoryTokenCache<CopilotToken>(),
    }
    const results = await Promise.all([1, 2, 3].map(() => exchangeCopilotToken(options)))
    expect(new Set(results.map((result) => result.token)).size).toBe(1)
    expect(fake.hits(EXCHANGE_PATH)).toBe(1)
  })

  it('401 → ERR_OAUTH telling the user to log in again, without either token', async () => {
    const githubToken = canarySecret('ghu_canary')
    const fake = await exchangeServer(() => ({
      status: 401,
      json: { message: `Bad credentials ${githubToken}` },
    }))
    const error = await catchAuthError(() =>
      exchangeCopilotToken({
        githubToken,
        runtime: testRuntime(),
        tokenUrl: `${fake.url}${EXCHANGE_PATH}`,
      }),
    )
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toContain('the GitHub token was rejected')
    expect(error.message).toContain('claw models auth login-github-copilot')
    expect(error.provider).toBe('github-copilot')
    expect(inspect(error, { depth: 10 })).not.toContain(githubToken)
  })

  it.each([
    [403, 'ERR_OAUTH', false],
    [404, 'ERR_OAUTH', false],
    [429, 'ERR_REFRESH_FAILED', true],
    [502, 'ERR_REFRESH_FAILED', true],
  ])('HTTP %i → %s (retryable %s)', async (status, code, retryable) => {
    const fake = await exchangeServer(() => ({ status, json: {} }))
    const error = await catchAuthError(() =>
      exchangeCopilotToken({
        githubToken: 'gho_x',
        runtime: testRuntime(),
        tokenUrl: `${fake.url}${EXCHANGE_PATH}`,
      }),
    )
    expect(error.code).toBe(code)
    expect(error.retryable).toBe(retryable)
  })

  it('a malformed response is a retryable error that never echoes the body', async () => {
    const canary = canarySecret()
    const fake = await exchangeServer(() => ({ json: { token: canary } }))
    const error = await catchAuthError(() =>
      exchangeCopilotToken({
        githubToken: 'gho_x',
        runtime: testRuntime(),
        tokenUrl: `${fake.url}${EXCHANGE_PATH}`,
      }),
    )
    expect(error.code).toBe('ERR_REFRESH_FAILED')
    expect(error.retryable).toBe(true)
    expect(inspect(error, { depth: 10 })).not.toContain(canary)
  })

  it('refuses to send the GitHub token to a plain-http, non-loopback URL', async () => {
    const error = await catchAuthError(() =>
      exchangeCopilotToken({
        githubToken: 'gho_x',
        runtime: testRuntime(),
        tokenUrl: 'http://copilot.example.test/copilot_internal/v2/token',
      }),
    )
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
  })

  it('an empty GitHub token is an argument error', async () => {
    const error = await catchAuthError(() =>
      exchangeCopilotToken({ githubToken: '  ', runtime: testRuntime() }),
    )
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
  })

  it('resolveCopilotApiKey caches in memory by default', async () => {
    const fake = await exchangeServer(() => ({
      json: {
        token: copilotToken('proxy-ep=proxy.business.githubcopilot.com'),
        expires_at: 4_000_000_000,
      },
    }))
    const options = {
      githubToken: canarySecret('ghu_canary'),
      runtime: testRuntime(),
      tokenUrl: `${fake.url}${EXCHANGE_PATH}`,
    }
    const first = await resolveCopilotApiKey(options)
    expect(first).toEqual({
      apiKey: copilotToken('proxy-ep=proxy.business.githubcopilot.com'),
      baseUrl: 'https://api.business.githubcopilot.com',
      expiresAt: 4_000_000_000_000,
    })
    await resolveCopilotApiKey(options)
    expect(fake.hits(EXCHANGE_PATH)).toBe(1)
  })
})

describe('createMemoryTokenCache', () => {
  it('expires lazily by its clock and stays bounded', async () => {
    const clock = createFakeClock()
    const cache = createMemoryTokenCache<number>({ now: clock.now, maxEntries: 2 })
    await cache.set('a', 1, 1_000)
    expect(await cache.get('a')).toBe(1)
    clock.advance(1_000)
    expect(await cache.get('a')).toBeUndefined()
    await cache.set('a', 1, 10_000)
    await cache.set('b', 2, 10_000)
    await cache.set('c', 3, 10_000)
    expect(await cache.get('a')).toBeUndefined()
    expect(await cache.get('b')).toBe(2)
    expect(await cache.get('c')).toBe(3)
    await cache.set('b', 4, 0)
    expect(await cache.get('b')).toBeUndefined()
  })
})
