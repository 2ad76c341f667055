import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { freePort } from '../../../test/helpers/browser.js'
import { catchAuthError } from '../../../test/helpers/errors.js'
import {
  useTestServers,
  tokenReply,
  type Handler,
  type Reply,
} from '../../../test/helpers/http-server.js'
import { testRuntime } from '../../../test/helpers/oauth-runtime.js'
import { canarySecret, oauthCredential } from '../../testing/index.js'
import {
  createGoogleGeminiCliOAuthAdapter,
  discoverGeminiProject,
  GOOGLE_GEMINI_CLI_CLIENT_ID,
} from './google-gemini-cli.js'

const server = useTestServers()

/** A fake Cloud Code Assist API: `routes` maps `METHOD path` to a reply (or a sequence). */
function codeAssist(routes: Record<string, Reply | Reply[]>): Handler {
  return (request) => {
    const route = routes[`${request.method} ${request.path}`]
    if (route === undefined) return { status: 404, json: { error: { message: 'not found' } } }
    if (Array.isArray(route))
      return route.length > 1 ? (route.shift() as Reply) : (route[0] as Reply)
    return route
  }
}

describe('discoverGeminiProject', () => {
  it('uses the project of the current tier', async () => {
    const api = await server(
      codeAssist({
        'POST /v1internal:loadCodeAssist': {
          json: { currentTier: { id: 'free-tier' }, cloudaicompanionProject: 'proj-current' },
        },
      }),
    )
    const accessToken = canarySecret('ya29-canary-')
    const project = await discoverGeminiProject({
      accessToken,
      runtime: testRuntime(),
      baseUrl: api.url,
    })
    expect(project).toBe('proj-current')
    const request = api.requests[0]
    expect(request?.headers['authorization']).toBe(`Bearer ${accessToken}`)
    expect(request?.json).toEqual({
      metadata: {
        ideType: 'IDE_UNSPECIFIED',
        platform: 'PLATFORM_UNSPECIFIED',
        pluginType: 'GEMINI',
      },
    })
  })

  it('accepts a project object and sends the env project', async () => {
    const api = await server(
      codeAssist({
        'POST /v1internal:loadCodeAssist': {
          json: {
            currentTier: { id: 'standard-tier' },
            cloudaicompanionProject: { id: 'proj-obj' },
          },
        },
      }),
    )
    const project = await discoverGeminiProject({
      accessToken: 'a',
      runtime: testRuntime({ env: { GOOGLE_CLOUD_PROJECT_ID: 'env-proj' } }),
      baseUrl: api.url,
    })
    expect(project).toBe('proj-obj')
    expect(api.requests[0]?.json).toMatchObject({
      cloudaicompanionProject: 'env-proj',
      metadata: { duetProject: 'env-proj' },
    })
  })

  it('falls back to the env project when the tier has none', async () => {
    const api = await server(
      codeAssist({
        'POST /v1internal:loadCodeAssist': { json: { currentTier: { id: 'standard-tier' } } },
      }),
    )
    const runtime = testRuntime({ env: { GOOGLE_CLOUD_PROJECT: 'env-proj' } })
    expect(await discoverGeminiProject({ accessToken: 'a', runtime, baseUrl: api.url })).toBe(
      'env-proj',
    )
  })

  it('treats a VPC-SC denial as the standard tier (env project required)', async () => {
    const api = await server(
      codeAssist({
        'POST /v1internal:loadCodeAssist': {
          status: 403,
          json: { error: { details: [{ reason: 'SECURITY_POLICY_VIOLATED' }] } },
        },
      }),
    )
    const runtime = testRuntime({ env: { GOOGLE_CLOUD_PROJECT: 'vpc-proj' } })
    expect(await discoverGeminiProject({ accessToken: 'a', runtime, baseUrl: api.url })).toBe(
      'vpc-proj',
    )
    const error = await catchAuthError(() =>
      discoverGeminiProject({ accessToken: 'a', runtime: testRuntime(), baseUrl: api.url }),
    )
    expect(error.message).toContain('GOOGLE_CLOUD_PROJECT')
  })

  it('onboards the free tier and polls the operation until it is done', async () => {
    const api = await server(
      codeAssist({
        'POST /v1internal:loadCodeAssist': {
          json: { allowedTiers: [{ id: 'legacy-tier' }, { id: 'free-tier', isDefault: true }] },
        },
        'POST /v1internal:onboardUser': { json: { name: 'operations/op-1', done: false } },
        'GET /v1internal/operations/op-1': [
          { json: { name: 'operations/op-1', done: false } },
          {
            json: {
              name: 'operations/op-1',
              done: true,
              response: { cloudaicompanionProject: { id: 'proj-onboarded' } },
            },
          },
        ],
      }),
    )
    const progress: string[] = []
    const project = await discoverGeminiProject({
      accessToken: 'a',
      runtime: testRuntime(),
      baseUrl: api.url,
      pollIntervalMs: 5,
      onProgress: (line) => progress.push(line),
    })
    expect(project).toBe('proj-onboarded')
    expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /v1internal:loadCodeAssist',
      'POST /v1internal:onboardUser',
      'GET /v1internal/operations/op-1',
      'GET /v1internal/operations/op-1',
    ])
    expect(api.requests[1]?.json).toMatchObject({ tierId: 'free-tier' })
    expect(api.requests[1]?.json).not.toHaveProperty('cloudaicompanionProject')
    expect(progress.length).toBeGreaterThan(0)
  })

  it('stops polling after the bounded number of checks', async () => {
    const api = await server(
      codeAssist({
        'POST /v1internal:loadCodeAssist': {
          json: { allowedTiers: [{ id: 'free-tier', isDefault: true }] },
        },
        'POST /v1internal:onboardUser': { json: { name: 'operations/slow', done: false } },
        'GET /v1internal/operations/slow': { json: { name: 'operations/slow', done: false } },
      }),
    )
    const error = await catchAuthError(() =>
      discoverGeminiProject({
        accessToken: 'a',
        runtime: testRuntime(),
        baseUrl: api.url,
        pollIntervalMs: 1,
        maxPolls: 3,
      }),
    )
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toContain('after 3 checks')
    expect(api.requests.filter((request) => request.method === 'GET')).toHaveLength(3)
  })

  it('stops polling when aborted', async () => {
    const api = await server(
      codeAssist({
        'POST /v1internal:loadCodeAssist': {
          json: { allowedTiers: [{ id: 'free-tier', isDefault: true }] },
        },
        'POST /v1internal:onboardUser': { json: { name: 'operations/slow', done: false } },
        'GET /v1internal/operations/slow': { json: { name: 'operations/slow', done: false } },
      }),
    )
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 30)
    const error = await catchAuthError(() =>
      discoverGeminiProject({
        accessToken: 'a',
        runtime: testRuntime({ signal: controller.signal }),
        baseUrl: api.url,
        pollIntervalMs: 10_000,
      }),
    )
    expect(error.code).toBe('ERR_ABORTED')
  })

  it('needs the env project for a non-free default tier', async () => {
    const api = await server(
      codeAssist({
        'POST /v1internal:loadCodeAssist': {
          json: { allowedTiers: [{ id: 'standard-tier', isDefault: true }] },
        },
        'POST /v1internal:onboardUser': {
          json: { done: true, response: { cloudaicompanionProject: { id: 'env-proj' } } },
        },
      }),
    )
    const error = await catchAuthError(() =>
      discoverGeminiProject({ accessToken: 'a', runtime: testRuntime(), baseUrl: api.url }),
    )
    expect(error.message).toContain('GOOGLE_CLOUD_PROJECT')
    const project = await discoverGeminiProject({
      accessToken: 'a',
      runtime: testRuntime({ env: { GOOGLE_CLOUD_PROJECT: 'env-proj' } }),
      baseUrl: api.url,
    })
    expect(project).toBe('env-proj')
    expect(api.requests.at(-1)?.json).toMatchObject({
      tierId: 'standard-tier',
      cloudaicompanionProject: 'env-proj',
    })
  })

  it('reports a failed call by status, without the token', async () => {
    const accessToken = canarySecret('ya29-canary-')
    const api = await server(() => ({ status: 500, text: `oops ${accessToken}` }))
    const error = await catchAuthError(() =>
      discoverGeminiProject({ accessToken, runtime: testRuntime(), baseUrl: api.url }),
    )
    expect(error.message).toContain('HTTP 500')
    expect(error.retryable).toBe(true)
    expect(inspect(error, { depth: 10 })).not.toContain(accessToken)
  })
})

describe('createGoogleGeminiCliOAuthAdapter', () => {
  it('fails clearly without the client secret', async () => {
    const adapter = createGoogleGeminiCliOAuthAdapter()
    const login = await catchAuthError(() => adapter.login({ runtime: testRuntime() }))
    expect(login.code).toBe('ERR_OAUTH')
    expect(login.message).toContain('CLAW_GEMINI_CLI_CLIENT_SECRET')
    const refresh = await catchAuthError(async () =>
      adapter.refresh?.(oauthCredential('google-gemini-cli', 0), testRuntime()),
    )
    expect(refresh.message).toContain('CLAW_GEMINI_CLI_CLIENT_SECRET')
  })

  it('logs in via discovery, finds the email and project, refreshes and revokes', async () => {
    const access = canarySecret('ya29-canary-')
    const refresh = canarySecret('1//refresh-canary-')
    const as = await server((request, base) => {
      switch (`${request.method} ${request.path}`) {
        case 'GET /.well-known/openid-configuration':
          return {
            json: {
              issuer: base,
              authorization_endpoint: `${base}/o/oauth2/v2/auth`,
              token_endpoint: `${base}/token`,
              revocation_endpoint: `${base}/revoke`,
              userinfo_endpoint: `${base}/v1/userinfo`,
            },
          }
        case 'POST /token':
          return request.form.get('grant_type') === 'refresh_token'
            ? tokenReply({ access_token: 'ya29-new' })
            : tokenReply({ access_token: access, refresh_token: refresh })
        case 'GET /oauth2/v1/userinfo':
          return { json: { email: 'me@example.com' } }
        case 'POST /v1internal:loadCodeAssist':
          return { json: { currentTier: { id: 'free-tier' }, cloudaicompanionProject: 'proj-1' } }
        case 'POST /revoke':
          return { text: '' }
        default:
          return { status: 404, text: 'not found' }
      }
    })
    const port = await freePort()
    const adapter = createGoogleGeminiCliOAuthAdapter({
      endpoints: { issuer: as.url, userinfoEndpoint: `${as.url}/oauth2/v1/userinfo` },
      redirectUri: `http://localhost:${port}/oauth2callback`,
      codeAssistBaseUrl: as.url,
    })
    const runtime = testRuntime({ env: { CLAW_GEMINI_CLI_CLIENT_SECRET: 'installed-app-secret' } })
    const progress: string[] = []
    let authorize: URLSearchParams | undefined
    const tokens = await adapter.login({
      runtime,
      onProgress: (line) => progress.push(line),
      onAuthUrl: async ({ url }) => {
        authorize = new URL(url).searchParams
        await (
          await fetch(
            `http://127.0.0.1:${port}/oauth2callback?code=4%2F0abc&state=${authorize.get('state')}`,
          )
        ).text()
      },
    })
    expect(tokens).toMatchObject({ access, refresh, email: 'me@example.com', projectId: 'proj-1' })
    expect(authorize?.get('access_type')).toBe('offline')
    expect(authorize?.get('prompt')).toBe('consent')
    expect(authorize?.get('client_id')).toBe(GOOGLE_GEMINI_CLI_CLIENT_ID)
    expect(authorize?.get('scope')).toContain('https://www.googleapis.com/auth/cloud-platform')
    const exchange = as.requests.find((request) => request.path === '/token')
    expect(exchange?.form.get('client_secret')).toBe('installed-app-secret')
    expect(exchange?.form.get('code')).toBe('4/0abc')
    expect(progress.join('\n')).not.toContain(access)

    const credential = oauthCredential('google-gemini-cli', 0, {
      access,
      refresh,
      projectId: 'proj-1',
    })
    const refreshed = await adapter.refresh?.(credential, runtime)
    expect(refreshed?.access).toBe('ya29-new')
    // Google returned no refresh token: none is reported, so the stored one is kept.
    expect(refreshed?.refresh).toBeUndefined()

    expect(await adapter.revoke?.(credential, runtime)).toBe(true)
    const revocation = as.requests.find((request) => request.path === '/revoke')
    expect(revocation?.form.get('token')).toBe(refresh)
    expect(revocation?.form.get('token_type_hint')).toBe('refresh_token')
  })
})
