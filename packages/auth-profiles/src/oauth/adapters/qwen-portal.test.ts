import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { catchAuthError } from '../../../test/helpers/errors.js'
import {
  drive,
  startFakeServer,
  testRuntime,
  type FakeServer,
  type Route,
  type ScriptedResponse,
} from '../../../test/helpers/fake-oauth-server.js'
import { ReauthRequiredError } from '../../errors.js'
import {
  canarySecret,
  createFakeClock,
  createMemoryAuthStore,
  oauthCredential,
} from '../../testing/index.js'
import { classifyTokenError } from '../openid.js'
import { refreshOAuthCredential } from '../refresh.js'
import { createOAuthProviderRegistry } from '../registry.js'
import type { DeviceCodeInfo, OAuthProviderAdapter } from '../types.js'
import {
  createQwenPortalOAuthAdapter,
  QWEN_PORTAL_CLIENT_ID,
  QWEN_PORTAL_ENDPOINTS,
  qwenBaseUrlFromResource,
} from './qwen-portal.js'

const DEVICE_PATH = '/api/v1/oauth2/device/code'
const TOKEN_PATH = '/api/v1/oauth2/token'

let servers: FakeServer[] = []
let tempDirs: string[] = []

async function server(routes: Record<string, Route>): Promise<FakeServer> {
  const started = await startFakeServer(routes)
  servers.push(started)
  return started
}

afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(servers.map((started) => started.close()))
  servers = []
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })))
  tempDirs = []
})

function localAdapter(fake: FakeServer): OAuthProviderAdapter {
  return createQwenPortalOAuthAdapter({
    endpoints: {
      deviceAuthorizationEndpoint: `${fake.url}${DEVICE_PATH}`,
      tokenEndpoint: `${fake.url}${TOKEN_PATH}`,
    },
  })
}

function tokenServer(answer: (hit: number) => ScriptedResponse): Promise<FakeServer> {
  return server({ [TOKEN_PATH]: (_request, hit) => answer(hit) })
}

describe('Qwen Portal login', () => {
  it('runs the device flow with PKCE and keeps resource_url as the API base URL', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const access = canarySecret()
    const refresh = canarySecret('sk-claw-canary-refresh-')
    const fake = await server({
      [DEVICE_PATH]: () => ({
        json: {
          device_code: 'qwen-device',
          user_code: 'QWEN-CODE',
          verification_uri: 'https://chat.qwen.ai/authorize',
          verification_uri_complete:
            'https://chat.qwen.ai/authorize?user_code=QWEN-CODE&client=qwen-code',
          expires_in: 300,
          interval: 2,
        },
      }),
      [TOKEN_PATH]: (_request, hit) =>
        hit === 1
          ? { status: 400, json: { error: 'authorization_pending' } }
          : hit === 2
            ? { status: 429, json: { error: 'slow_down' } }
            : {
                json: {
                  access_token: access,
                  refresh_token: refresh,
                  token_type: 'Bearer',
                  expires_in: 21600,
                  resource_url: 'portal.qwen.ai',
                },
              },
    })
    const adapter = localAdapter(fake)
    expect(adapter).toMatchObject({
      id: 'qwen-portal',
      flow: 'device_code',
      clientId: QWEN_PORTAL_CLIENT_ID,
      scopes: ['openid', 'profile', 'email', 'model.completion'],
    })
    const clock = createFakeClock()
    const shown: DeviceCodeInfo[] = []
    const outcome = await drive(
      adapter.login({
        runtime: { ...testRuntime(), now: clock.now },
        onDeviceCode: (info) => void shown.push(info),
      }),
    )
    expect(outcome.error).toBeUndefined()
    expect(outcome.value).toEqual({
      access,
      refresh,
      expires: clock.now() + 21_600_000,
      enterpriseUrl: 'https://portal.qwen.ai/v1',
    })
    expect(shown[0]?.verificationUriComplete).toBe(
      'https://chat.qwen.ai/authorize?user_code=QWEN-CODE&client=qwen-code',
    )
    const initiation = fake.requests.find((request) => request.path === DEVICE_PATH)
    expect(initiation?.form.get('client_id')).toBe(QWEN_PORTAL_CLIENT_ID)
    expect(initiation?.form.get('scope')).toBe('openid profile email model.completion')
    expect(initiation?.form.get('code_challenge_method')).toBe('S256')
    const polls = fake.requests.filter((request) => request.path === TOKEN_PATH)
    expect(polls).toHaveLength(3)
    const verifier = polls[0]?.form.get('code_verifier') ?? ''
    expect(polls.every((poll) => poll.form.get('code_verifier') === verifier)).toBe(true)
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(
      initiation?.form.get('code_challenge'),
    )
  })

  it('uses the default chat.qwen.ai endpoints', () => {
    expect(createQwenPortalOAuthAdapter().endpoints).toEqual({
      deviceAuthorizationEndpoint: 'https://chat.qwen.ai/api/v1/oauth2/device/code',
      tokenEndpoint: 'https://chat.qwen.ai/api/v1/oauth2/token',
    })
    expect(QWEN_PORTAL_ENDPOINTS.tokenEndpoint).toBe('https://chat.qwen.ai/api/v1/oauth2/token')
  })

  it('maps resource_url values to base URLs', () => {
    expect(qwenBaseUrlFromResource('portal.qwen.ai')).toBe('https://portal.qwen.ai/v1')
    expect(qwenBaseUrlFromResource(' dashscope.aliyuncs.com ')).toBe(
      'https://dashscope.aliyuncs.com/v1',
    )
    expect(qwenBaseUrlFromResource('https://portal.qwen.ai/v1/')).toBe('https://portal.qwen.ai/v1')
    expect(qwenBaseUrlFromResource('http://portal.qwen.ai')).toBeUndefined()
    expect(qwenBaseUrlFromResource('https://user:pw@portal.qwen.ai')).toBeUndefined()
    expect(qwenBaseUrlFromResource('not a host')).toBeUndefined()
    expect(qwenBaseUrlFromResource(42)).toBeUndefined()
    expect(qwenBaseUrlFromResource('')).toBeUndefined()
  })

  it('needs onDeviceCode', async () => {
    const error = await catchAuthError(() =>
      createQwenPortalOAuthAdapter().login({ runtime: testRuntime() }),
    )
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
  })
})

describe('Qwen Portal refresh', () => {
  it('posts a form refresh grant and computes expiry from expires_in', async () => {
    const clock = createFakeClock()
    const fake = await tokenServer(() => ({
      json: {
        access_token: 'new-access',
        refresh_token: 'new-refresh',
        token_type: 'Bearer',
        expires_in: 3600,
        resource_url: 'portal.qwen.ai',
      },
    }))
    const credential = oauthCredential('qwen-portal', clock.now())
    const tokens = await localAdapter(fake).refresh?.(credential, {
      ...testRuntime(),
      now: clock.now,
    })
    expect(tokens).toEqual({
      access: 'new-access',
      refresh: 'new-refresh',
      expires: clock.now() + 3_600_000,
      enterpriseUrl: 'https://portal.qwen.ai/v1',
    })
    const [request] = fake.requests
    expect(request?.method).toBe('POST')
    expect(request?.headers['content-type']).toContain('application/x-www-form-urlencoded')
    expect(Object.fromEntries(request?.form ?? [])).toEqual({
      grant_type: 'refresh_token',
      refresh_token: credential.refresh,
      client_id: QWEN_PORTAL_CLIENT_ID,
    })
  })

  it('keeps the old refresh token when none is returned (end to end through refreshOAuthCredential)', async () => {
    const clock = createFakeClock()
    const fake = await tokenServer(() => ({
      json: { access_token: 'rotated-access', token_type: 'Bearer', expires_in: '7200' },
    }))
    const adapter = localAdapter(fake)
    expect(
      await adapter.refresh?.(oauthCredential('qwen-portal', 0), testRuntime()),
    ).not.toHaveProperty('refresh')
    const old = oauthCredential('qwen-portal', clock.now() - 1, {
      enterpriseUrl: 'https://portal.qwen.ai/v1',
    })
    const backend = createMemoryAuthStore({ version: 1, profiles: { 'qwen-portal:default': old } })
    const stateDir = await mkdtemp(join(tmpdir(), 'claw-qwen-'))
    tempDirs.push(stateDir)
    const result = await refreshOAuthCredential({
      profileId: 'qwen-portal:default',
      backend,
      stateDir,
      providers: createOAuthProviderRegistry([adapter]),
      fetch: (input, init) => fetch(input, init),
      now: clock.now,
      env: {},
      allowInsecureRequests: true,
    })
    expect(result.refreshed).toBe(true)
    expect(result.credential).toMatchObject({
      access: 'rotated-access',
      refresh: old.refresh,
      expires: clock.now() + 7_200_000,
      enterpriseUrl: 'https://portal.qwen.ai/v1',
    })
  })

  it('HTTP 400 is permanent (invalid_grant) and needs a new login', async () => {
    const fake = await tokenServer(() => ({
      status: 400,
      json: { error: 'invalid_request', error_description: 'refresh token expired' },
    }))
    const adapter = localAdapter(fake)
    const credential = oauthCredential('qwen-portal', 0)
    const error: unknown = await adapter
      .refresh?.(credential, testRuntime())
      .catch((caught: unknown) => caught)
    expect(classifyTokenError(error)).toEqual({ permanent: true, reason: 'invalid_grant' })
    expect(error).toMatchObject({ status: 400, error: 'invalid_grant' })
    expect(inspect(error, { depth: 10 })).not.toContain(credential.refresh)

    const backend = createMemoryAuthStore({
      version: 1,
      profiles: { 'qwen-portal:default': credential },
    })
    const stateDir = await mkdtemp(join(tmpdir(), 'claw-qwen-'))
    tempDirs.push(stateDir)
    const reauth = await refreshOAuthCredential({
      profileId: 'qwen-portal:default',
      backend,
      stateDir,
      providers: createOAuthProviderRegistry([adapter]),
      fetch: (input, init) => fetch(input, init),
      env: {},
      allowInsecureRequests: true,
    }).catch((caught: unknown) => caught)
    expect(ReauthRequiredError.isInstance(reauth)).toBe(true)
    expect(inspect(reauth, { depth: 10 })).not.toContain(credential.refresh)
  })

  it.each([500, 503, 429, 401])('HTTP %i is transient', async (status) => {
    const fake = await tokenServer(() => ({ status, json: { error: 'server_error' } }))
    const credential = oauthCredential('qwen-portal', 0)
    const error: unknown = await localAdapter(fake)
      .refresh?.(credential, testRuntime())
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(Error)
    expect(classifyTokenError(error).permanent).toBe(false)
    expect(classifyTokenError(error).reason).toBe(`HTTP ${status}`)
    expect(inspect(error, { depth: 10 })).not.toContain(credential.refresh)
  })

  it.each([
    ['no access_token', { token_type: 'Bearer', expires_in: 3600 }],
    ['no expires_in', { access_token: 'a', token_type: 'Bearer' }],
    ['zero expires_in', { access_token: 'a', expires_in: 0 }],
    ['an error body with HTTP 200', { error: 'invalid_grant' }],
  ])('a response with %s is transient', async (_label, json) => {
    const fake = await tokenServer(() => ({ json }))
    const error: unknown = await localAdapter(fake)
      .refresh?.(oauthCredential('qwen-portal', 0), testRuntime())
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(Error)
    expect(classifyTokenError(error).permanent).toBe(false)
  })

  it('a non-JSON body is transient', async () => {
    const fake = await tokenServer(() => ({ text: '<html>maintenance</html>' }))
    const error: unknown = await localAdapter(fake)
      .refresh?.(oauthCredential('qwen-portal', 0), testRuntime())
      .catch((caught: unknown) => caught)
    expect(classifyTokenError(error).permanent).toBe(false)
  })

  it('uses a client id stored on the credential', async () => {
    const fake = await tokenServer(() => ({
      json: { access_token: 'a', expires_in: 60 },
    }))
    await localAdapter(fake).refresh?.(
      oauthCredential('qwen-portal', 0, { clientId: 'custom-client' }),
      testRuntime(),
    )
    expect(fake.requests[0]?.form.get('client_id')).toBe('custom-client')
  })
})
