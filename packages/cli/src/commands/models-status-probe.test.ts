// `claw models status --probe`: one real call per credential against a local fake provider,
// classified, filtered and rendered, recording nothing. Every run is a real child process.
import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  oauthCredential,
  tokenCredential,
} from '@claw/auth-profiles/testing'
import { behave, startProviderServer, type ProviderServer } from '@claw/failover/testing'
import { startFakeServer } from '../../../auth-profiles/test/helpers/fake-oauth-server.ts'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'

// Values that depend on the clock of the run (ms remaining, a catalog's first model).
const anyString: unknown = expect.any(String)
const MIN = 60_000
const HOUR = 60 * MIN

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox()
})
afterEach(() => sandbox.dispose())

const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>

describe('claw models status --probe', () => {
  let server: ProviderServer
  beforeAll(async () => {
    server = await startProviderServer()
  })
  afterAll(async () => {
    await server.close()
  })
  beforeEach(() => server.reset())

  it('probes each credential once, classifies failures and records nothing', async () => {
    const good = canarySecret('sk-proj-')
    const limited = canarySecret('sk-proj-')
    const revoked = canarySecret('sk-proj-')
    const hanging = canarySecret('sk-proj-')
    const excluded = canarySecret('sk-ant-api03-')
    const ordered = canarySecret('sk-ant-api03-')
    server.setBehaviour(good, behave.ok())
    server.setBehaviour(limited, behave.rateLimit({ format: 'seconds', seconds: 30 }))
    server.setBehaviour(hanging, behave.hang())
    // `revoked` is unknown to the server: 401.
    sandbox.writeConfig({
      agents: { defaults: { model: 'openai/gpt-4o' } },
      models: {
        providers: {
          openai: { baseUrl: `${server.url}/v1` },
          weird: {
            baseUrl: `${server.url}/v1`,
            api: 'bedrock-converse-stream',
            apiKey: canarySecret(),
            models: [{ id: 'w1', name: 'W1' }],
          },
          empty: { baseUrl: `${server.url}/v1`, apiKey: canarySecret() },
        },
      },
      auth: { order: { anthropic: ['anthropic:ordered'] } },
    })
    const storePath = sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai:good': apiKeyCredential('openai', good),
          'openai:limited': apiKeyCredential('openai', limited),
          'openai:revoked': apiKeyCredential('openai', revoked),
          'openai:hanging': apiKeyCredential('openai', hanging),
          'anthropic:excluded': apiKeyCredential('anthropic', excluded),
          'anthropic:ordered': tokenCredential('anthropic', ordered, {
            expires: Date.now() - HOUR,
          }),
        },
      }),
    )
    const before = readFileSync(storePath, 'utf8')
    const result = await sandbox.run([
      'models',
      'status',
      '--json',
      '--probe',
      '--probe-timeout',
      '1500',
      '--probe-concurrency',
      '3',
      '--probe-max-tokens',
      '4',
    ])
    // Some probes failed (rate limit, revoked key, timeout, expired token): exit 3.
    expect(result.code).toBe(3)
    const probes = parseJsonOutput<{
      auth: { probes: Record<string, unknown> & { results: Record<string, unknown>[] } }
    }>(result).auth.probes
    expect(probes).toMatchObject({
      totalTargets: 5,
      options: { profileIds: [], timeoutMs: 1500, concurrency: 3, maxTokens: 4 },
    })
    const results = probes.results.map(({ latencyMs: _latency, ...rest }) => rest)
    expect(results).toEqual([
      {
        provider: 'anthropic',
        model: anyString,
        profileId: 'anthropic:excluded',
        label: 'anthropic:excluded',
        source: 'profile',
        mode: 'api_key',
        status: 'unknown',
        reasonCode: 'excluded_by_auth_order',
        error: 'Excluded by auth.order for this provider.',
      },
      {
        provider: 'anthropic',
        model: anyString,
        profileId: 'anthropic:ordered',
        label: 'anthropic:ordered',
        source: 'profile',
        mode: 'token',
        status: 'unknown',
        reasonCode: 'expired',
        error:
          'Auth profile credentials are missing or expired.\n↳ Auth reason [expired]: token credentials are expired.',
      },
      {
        provider: 'empty',
        label: 'models.json',
        source: 'models.json',
        mode: 'api_key',
        status: 'no_model',
        reasonCode: 'no_model',
        error: 'No model available for probe',
      },
      expect.objectContaining({
        provider: 'openai',
        model: 'openai/gpt-4o',
        profileId: 'openai:good',
        status: 'ok',
      }),
      expect.objectContaining({
        profileId: 'openai:hanging',
        status: 'timeout',
        reasonCode: 'timeout',
      }),
      expect.objectContaining({
        profileId: 'openai:limited',
        status: 'rate_limit',
        reasonCode: 'rate_limit',
      }),
      expect.objectContaining({ profileId: 'openai:revoked', status: 'auth', reasonCode: 'auth' }),
      {
        provider: 'weird',
        model: 'weird/w1',
        label: 'models.json',
        source: 'models.json',
        mode: 'api_key',
        status: 'unsupported',
        reasonCode: 'unsupported_api',
        error: 'Probing bedrock-converse-stream APIs is not supported.',
      },
    ])
    // One call per probed OpenAI key, with the probe's token limit; nothing else was called.
    const requests = server.stats().requests
    expect(requests.map((request) => request.key).sort()).toEqual(
      [good, hanging, limited, revoked].sort(),
    )
    expect(requests.every((request) => request.model === 'gpt-4o')).toBe(true)
    // Probes never persist cooldowns or usage.
    expect(readFileSync(storePath, 'utf8')).toBe(before)
    expect(sandbox.leaks([good, limited, revoked, hanging, excluded, ordered])).toEqual([])
  })

  it('filters by provider and profile, and renders the probe table', async () => {
    const good = canarySecret('sk-proj-')
    server.setBehaviour(good, behave.ok())
    sandbox.writeConfig({
      agents: { defaults: { model: 'openai/gpt-4o' } },
      models: { providers: { openai: { baseUrl: `${server.url}/v1` } } },
    })
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai:good': apiKeyCredential('openai', good),
          'openai:other': apiKeyCredential('openai'),
          'anthropic:x': apiKeyCredential('anthropic'),
        },
      }),
    )
    const result = await sandbox.run([
      'models',
      'status',
      '--probe',
      '--probe-provider',
      'OpenAI',
      '--probe-profile',
      'openai:good',
    ])
    expect(result.code).toBe(0)
    const section = result.stdout.slice(result.stdout.indexOf('\nAuth probes\n'))
    const lines = section.split('\n').filter(Boolean)
    expect(lines[0]).toBe('Auth probes')
    expect(lines[1]).toMatch(/^Model\s+Profile\s+Status$/)
    expect(lines[2]).toMatch(/^openai\/gpt-4o\s+openai:good \(api_key\)\s+ok · \d+ms$/)
    expect(lines[3]).toMatch(/^Probed 1 target in \d+(ms|\.\ds)$/)
    expect(server.stats().total).toBe(1)
    expect(sandbox.leaks([good])).toEqual([])
  })

  it('refreshes an expiring OAuth profile at the auth.oauth token endpoint before probing it', async () => {
    const now = Date.now()
    const old = oauthCredential('qwen-portal', now + MIN)
    const newAccess = canarySecret('access-canary-')
    server.setBehaviour(newAccess, behave.ok())
    // A real token endpoint on loopback, reached only through config `auth.oauth.<provider>`. It
    // sends no new refresh token, so the stored one must be kept.
    const tokens = await startFakeServer({
      '/token': () => ({
        json: { access_token: newAccess, token_type: 'Bearer', expires_in: 3600 },
      }),
    })
    try {
      sandbox.writeConfig({
        agents: { defaults: { model: 'qwen-portal/coder-model' } },
        models: { providers: { 'qwen-portal': { baseUrl: `${server.url}/v1` } } },
        auth: { oauth: { 'qwen-portal': { tokenEndpoint: `${tokens.url}/token` } } },
      })
      const storePath = sandbox.writeStore(
        buildAuthProfileStore({ profiles: { 'qwen-portal:me': old } }),
      )
      const result = await sandbox.run(['models', 'status', '--json', '--probe'])
      expect(result.code).toBe(0)
      const probes = parseJsonOutput<{ auth: { probes: { results: Record<string, unknown>[] } } }>(
        result,
      ).auth.probes
      expect(probes.results).toEqual([
        expect.objectContaining({
          provider: 'qwen-portal',
          model: 'qwen-portal/coder-model',
          profileId: 'qwen-portal:me',
          source: 'profile',
          mode: 'oauth',
          status: 'ok',
        }),
      ])
      // One refresh with the stored refresh token, then one probe call with the new access token.
      expect(tokens.requests.map((request) => request.path)).toEqual(['/token'])
      expect(tokens.requests[0]?.form.get('grant_type')).toBe('refresh_token')
      expect(tokens.requests[0]?.form.get('refresh_token')).toBe(old.refresh)
      expect(server.stats().requests.map((request) => request.key)).toEqual([newAccess])
      const stored = (readJson(storePath)['profiles'] as Record<string, Record<string, unknown>>)[
        'qwen-portal:me'
      ]
      expect(stored).toMatchObject({ type: 'oauth', access: newAccess, refresh: old.refresh })
      expect(stored?.['expires']).toBeGreaterThanOrEqual(now + HOUR)
      expect(sandbox.leaks([old.access, old.refresh, newAccess])).toEqual([])
    } finally {
      await tokens.close()
    }
  })

  it('probes the env key when a provider has no profiles', async () => {
    const envKey = canarySecret('sk-proj-')
    server.setBehaviour(envKey, behave.ok())
    sandbox.writeConfig({
      agents: { defaults: { model: 'openai/gpt-4o' } },
      models: { providers: { openai: { baseUrl: `${server.url}/v1` } } },
    })
    const result = await sandbox.run(['models', 'status', '--json', '--probe'], {
      env: { OPENAI_API_KEY: envKey },
    })
    const probes = parseJsonOutput<{ auth: { probes: { results: Record<string, unknown>[] } } }>(
      result,
    ).auth.probes
    expect(probes.results).toEqual([
      expect.objectContaining({
        provider: 'openai',
        label: 'env',
        source: 'env',
        mode: 'api_key',
        status: 'ok',
      }),
    ])
    expect(sandbox.leaks([envKey])).toEqual([])
  })
})
