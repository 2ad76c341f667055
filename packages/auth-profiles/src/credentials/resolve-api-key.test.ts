// Over 400 lines: one case per step of the key chain (profiles, env, config, ambient).
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { catchAuthError } from '../../test/helpers/errors.js'
import type { ClawConfig } from '../config.js'
import { resolveApiKeyForProfile } from './resolve-api-key.js'
import { resolveApiKeyForProvider } from './resolve-provider-key.js'
import type { CopilotToken } from '../oauth/copilot-token.js'
import { createMemoryAuthStore } from '../store/memory-store.js'
import { evaluateProfileEligibility, resolveAuthProfileOrder } from '../selection/order.js'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  createFakeClock,
  oauthCredential,
  tokenCredential,
} from '../testing/index.js'

const clock = createFakeClock()
const now = clock.now()
const MIN = 60_000

describe('resolveApiKeyForProfile', () => {
  const key = canarySecret()
  const store = buildAuthProfileStore({
    profiles: {
      'anthropic:key': apiKeyCredential('anthropic', ` ${key} `, { email: 'me@example.com' }),
      'anthropic:empty': apiKeyCredential('anthropic', '  '),
      'anthropic:ref': {
        type: 'api_key',
        provider: 'anthropic',
        keyRef: { source: 'env', provider: 'default', id: 'REF_KEY' },
      },
      'anthropic:missing-ref': {
        type: 'api_key',
        provider: 'anthropic',
        keyRef: { source: 'env', provider: 'default', id: 'UNSET_KEY' },
      },
      'anthropic:token': tokenCredential('anthropic', ' tok-1 ', { expires: now + MIN }),
      'anthropic:expired-token': tokenCredential('anthropic', 'tok-2', { expires: now }),
      'anthropic:oauth': oauthCredential('anthropic', now + MIN, { access: 'access-1' }),
      'anthropic:oauth-expired': oauthCredential('anthropic', now - 1),
      'anthropic:reauth': oauthCredential('anthropic', now + MIN, { status: 'needs_reauth' }),
      'google-gemini-cli:me': oauthCredential('google-gemini-cli', now + MIN, {
        access: 'ya29',
        projectId: 'proj-1',
      }),
      'zai:a': apiKeyCredential('zai', 'zai-key'),
    },
  })
  const resolve = (profileId: string, config?: ClawConfig) =>
    resolveApiKeyForProfile({
      store,
      profileId,
      config,
      now: clock.now,
      env: { REF_KEY: ' from-env ' },
    })

  it('resolves api keys (trimmed), tokens and valid OAuth access tokens', async () => {
    expect(await resolve('anthropic:key')).toEqual({
      apiKey: key,
      provider: 'anthropic',
      profileId: 'anthropic:key',
      email: 'me@example.com',
      mode: 'api-key',
    })
    expect(await resolve('anthropic:token')).toMatchObject({ apiKey: 'tok-1', mode: 'token' })
    expect(await resolve('anthropic:oauth')).toMatchObject({ apiKey: 'access-1', mode: 'oauth' })
    expect(await resolve('anthropic:ref')).toMatchObject({ apiKey: 'from-env', mode: 'api-key' })
  })

  it('packs the Cloud project for Gemini CLI style providers', async () => {
    expect((await resolve('google-gemini-cli:me'))?.apiKey).toBe(
      JSON.stringify({ token: 'ya29', projectId: 'proj-1' }),
    )
  })

  it('returns null for unknown, empty or expired static profiles', async () => {
    expect(await resolve('nobody')).toBeNull()
    expect(await resolve('anthropic:empty')).toBeNull()
    expect(await resolve('anthropic:expired-token')).toBeNull()
  })

  it('says a profile marked needs_reauth needs a login', async () => {
    const error = await catchAuthError(() => resolve('anthropic:reauth'))
    expect(error.code).toBe('ERR_REAUTH_REQUIRED')
    expect(error.message).toContain('claw models auth login --provider anthropic')
  })

  it('never returns an expired OAuth token: without a store location it cannot refresh', async () => {
    const error = await catchAuthError(() => resolve('anthropic:oauth-expired'))
    expect(error.code).toBe('ERR_REFRESH_UNAVAILABLE')
    expect(error.message).toContain('agentDir')
    expect(inspect(error)).not.toContain(
      store.profiles['anthropic:oauth-expired']?.type === 'oauth' ? 'access-canary-' : '',
    )
  })

  it('throws ERR_SECRET_REF for an unresolvable reference without leaking anything', async () => {
    const error = await catchAuthError(() => resolve('anthropic:missing-ref'))
    expect(error.code).toBe('ERR_SECRET_REF')
    expect(error.profileId).toBe('anthropic:missing-ref')
    expect(inspect(error, { depth: 10 })).not.toContain(key)
  })

  it('checks the config entry: same provider after normalisation, mode matching the type', async () => {
    expect(
      await resolve('zai:a', {
        auth: { profiles: { 'zai:a': { provider: 'Z.AI', mode: 'api_key' } } },
      }),
    ).toMatchObject({
      apiKey: 'zai-key',
      provider: 'zai',
    })
    expect(
      await resolve('zai:a', {
        auth: { profiles: { 'zai:a': { provider: 'openai', mode: 'api_key' } } },
      }),
    ).toBeNull()
    expect(
      await resolve('zai:a', {
        auth: { profiles: { 'zai:a': { provider: 'zai', mode: 'token' } } },
      }),
    ).toBeNull()
    expect(
      await resolve('anthropic:token', {
        auth: {
          profiles: {
            'anthropic:token': { provider: 'anthropic', mode: 'oauth', email: 'cfg@x.y' },
          },
        },
      }),
    ).toMatchObject({ apiKey: 'tok-1', email: 'cfg@x.y' })
  })

  it('loads from a backend', async () => {
    const backend = createMemoryAuthStore(store)
    expect(
      await resolveApiKeyForProfile({ store: backend, profileId: 'zai:a', now: clock.now }),
    ).toMatchObject({ apiKey: 'zai-key' })
  })
})

describe('resolveApiKeyForProvider', () => {
  it('uses an explicit profile and only that', async () => {
    const store = buildAuthProfileStore({
      profiles: { 'openai:a': apiKeyCredential('openai', 'sk-a') },
    })
    expect(
      await resolveApiKeyForProvider({ provider: 'openai', store, profileId: 'openai:a', env: {} }),
    ).toMatchObject({
      apiKey: 'sk-a',
      source: 'profile:openai:a',
      profileId: 'openai:a',
      mode: 'api-key',
    })
    const error = await catchAuthError(() =>
      resolveApiKeyForProvider({
        provider: 'openai',
        store,
        profileId: 'openai:nope',
        env: { OPENAI_API_KEY: 'sk-env' },
      }),
    )
    expect(error.code).toBe('ERR_NO_CREDENTIALS')
    expect(error.message).toBe('No credentials found for profile "openai:nope".')
  })

  it('tries profiles in order, listing the ones it skipped', async () => {
    const store = buildAuthProfileStore({
      profiles: {
        'anthropic:broken': {
          type: 'api_key',
          provider: 'anthropic',
          keyRef: { source: 'env', provider: 'default', id: 'MISSING' },
        },
        'anthropic:ok': apiKeyCredential('anthropic', 'sk-ok'),
      },
      order: { anthropic: ['anthropic:broken', 'anthropic:ok'] },
    })
    const resolved = await resolveApiKeyForProvider({
      provider: 'anthropic',
      store,
      env: {},
      now: clock.now,
    })
    expect(resolved).toMatchObject({ apiKey: 'sk-ok', source: 'profile:anthropic:ok' })
    expect(resolved.skipped).toEqual([{ profileId: 'anthropic:broken', reason: 'ERR_SECRET_REF' }])
  })

  it('falls back to env vars in precedence order, marking OAuth tokens', async () => {
    const store = buildAuthProfileStore({ profiles: {} })
    expect(
      await resolveApiKeyForProvider({
        provider: 'anthropic',
        store,
        env: { ANTHROPIC_API_KEY: 'sk-key', ANTHROPIC_OAUTH_TOKEN: ' oat ' },
      }),
    ).toEqual({
      apiKey: 'oat',
      source: 'env: ANTHROPIC_OAUTH_TOKEN',
      mode: 'oauth',
      provider: 'anthropic',
    })
    expect(
      await resolveApiKeyForProvider({
        provider: 'anthropic',
        store,
        env: { ANTHROPIC_API_KEY: 'sk-key' },
      }),
    ).toMatchObject({
      source: 'env: ANTHROPIC_API_KEY',
      mode: 'api-key',
    })
  })

  it('then the config key: an env var name, a literal, or a SecretRef', async () => {
    const store = buildAuthProfileStore({ profiles: {} })
    const config = (
      apiKey: string | { source: 'env'; provider: string; id: string },
    ): ClawConfig => ({
      models: { providers: { mycorp: { baseUrl: 'https://x.test', apiKey } } },
    })
    expect(
      await resolveApiKeyForProvider({
        provider: 'mycorp',
        store,
        config: config('CORP_KEY'),
        env: { CORP_KEY: 'k1' },
      }),
    ).toMatchObject({
      apiKey: 'k1',
      source: 'env: CORP_KEY',
    })
    expect(
      await resolveApiKeyForProvider({
        provider: 'MyCorp',
        store,
        config: config('literal-key'),
        env: {},
      }),
    ).toMatchObject({
      apiKey: 'literal-key',
      source: 'config: models.providers.mycorp.apiKey',
    })
    expect(
      await resolveApiKeyForProvider({
        provider: 'mycorp',
        store,
        config: config({ source: 'env', provider: 'default', id: 'REF' }),
        env: { REF: 'k3' },
      }),
    ).toMatchObject({ apiKey: 'k3' })
  })

  it('resolves ambient credentials for aws-sdk auth and Bedrock', async () => {
    const store = buildAuthProfileStore({ profiles: {} })
    expect(
      await resolveApiKeyForProvider({
        provider: 'bedrock-proxy',
        store,
        env: { AWS_PROFILE: 'dev' },
        config: {
          models: {
            providers: { 'bedrock-proxy': { baseUrl: 'https://x.test', auth: 'aws-sdk' } },
          },
        },
      }),
    ).toMatchObject({ mode: 'aws-sdk', source: 'env: AWS_PROFILE' })
    expect(
      await resolveApiKeyForProvider({ provider: 'amazon-bedrock', store, env: {} }),
    ).toMatchObject({
      mode: 'aws-sdk',
      source: 'aws-sdk default chain',
    })
  })

  it('explains the Codex case for openai', async () => {
    const store = buildAuthProfileStore({
      profiles: { 'openai-codex:me': oauthCredential('openai-codex', now + MIN) },
    })
    const error = await catchAuthError(() =>
      resolveApiKeyForProvider({ provider: 'openai', store, env: {} }),
    )
    expect(error.code).toBe('ERR_NO_API_KEY')
    expect(error.message).toContain('OpenAI Codex OAuth')
  })

  it('says which env vars to set and which command adds a profile, never a secret', async () => {
    const secret = canarySecret()
    const store = buildAuthProfileStore({
      profiles: { 'zai:expired': tokenCredential('zai', secret, { expires: now - 1 }) },
    })
    const error = await catchAuthError(() =>
      resolveApiKeyForProvider({
        provider: 'z.ai',
        store,
        env: { OTHER: secret },
        agentDir: '/home/me/.claw/agents/main/agent',
        now: clock.now,
      }),
    )
    expect(error.code).toBe('ERR_NO_API_KEY')
    expect(error.message).toContain('No API key found for provider "zai".')
    expect(error.message).toContain('Set ZAI_API_KEY or Z_AI_API_KEY')
    expect(error.message).toContain('claw models auth paste-api-key --provider zai')
    expect(error.message).toContain('/home/me/.claw/agents/main/agent/auth-profiles.json')
    expect(inspect(error, { depth: 10 })).not.toContain(secret)
  })
})

describe('GitHub Copilot', () => {
  it('exchanges the stored GitHub token for a cached Copilot API token and base URL', async () => {
    const { createMemoryTokenCache } = await import('../oauth/token-cache.js')
    const github = `ghu_${canarySecret('')}`
    const store = buildAuthProfileStore({
      profiles: {
        'github-copilot:github': oauthCredential('github-copilot', now + 3_600_000 * 24 * 365, {
          access: github,
          refresh: github,
        }),
      },
    })
    const requests: { url: string; authorization: string | null }[] = []
    const fetch = (input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
      requests.push({ url, authorization: new Headers(init?.headers).get('authorization') })
      if (new Headers(init?.headers).get('authorization') !== `Bearer ${github}`) {
        return Promise.resolve(new Response('{"message":"Bad credentials"}', { status: 401 }))
      }
      return Promise.resolve(
        Response.json({
          token: 'tid=1;exp=9;proxy-ep=proxy.individual.githubcopilot.com;x',
          expires_at: Math.floor(now / 1000) + 1800,
        }),
      )
    }
    const cache = createMemoryTokenCache<CopilotToken>({ now: clock.now })
    const options = {
      store,
      profileId: 'github-copilot:github',
      fetch,
      now: clock.now,
      copilotTokenCache: cache,
    }
    const first = await resolveApiKeyForProfile(options)
    expect(first).toMatchObject({
      apiKey: 'tid=1;exp=9;proxy-ep=proxy.individual.githubcopilot.com;x',
      baseUrl: 'https://api.individual.githubcopilot.com',
      mode: 'oauth',
    })
    await resolveApiKeyForProfile(options)
    expect(requests).toHaveLength(1)
    expect(requests[0]?.url).toBe('https://api.github.com/copilot_internal/v2/token')
    expect(await resolveApiKeyForProfile({ ...options, deriveCopilotToken: false })).toMatchObject({
      apiKey: github,
    })

    const rejected = buildAuthProfileStore({
      profiles: { 'github-copilot:old': tokenCredential('github-copilot', 'ghu_revoked') },
    })
    const error = await catchAuthError(() =>
      resolveApiKeyForProfile({
        store: rejected,
        profileId: 'github-copilot:old',
        fetch,
        now: clock.now,
        copilotTokenCache: cache,
      }),
    )
    expect(error.code).toBe('ERR_REAUTH_REQUIRED')
    expect(inspect(error, { depth: 10 })).not.toContain(github)
  })
  it('shares one default token cache with resolveCopilotApiKey, so a host never exchanges twice', async () => {
    const { resolveCopilotApiKey } = await import('../oauth/copilot-token.js')
    const github = `ghu_${canarySecret('')}`
    const store = buildAuthProfileStore({
      profiles: { 'github-copilot:shared': tokenCredential('github-copilot', github) },
    })
    let exchanges = 0
    const fetch = () => {
      exchanges++
      return Promise.resolve(
        Response.json({
          token: 'tid=2;exp=9;proxy-ep=proxy.individual.githubcopilot.com;y',
          expires_at: Math.floor(Date.now() / 1000) + 1800,
        }),
      )
    }
    // No cache given to either: both use the package's one default Copilot token cache.
    await resolveApiKeyForProfile({ store, profileId: 'github-copilot:shared', fetch })
    const direct = await resolveCopilotApiKey({
      githubToken: github,
      runtime: { fetch, now: Date.now },
    })
    expect(direct.apiKey).toBe('tid=2;exp=9;proxy-ep=proxy.individual.githubcopilot.com;y')
    expect(exchanges).toBe(1)
  })
})

describe('keys that are never wrong', () => {
  const blank = buildAuthProfileStore({
    profiles: {
      'openai:blank-key': apiKeyCredential('openai', ' \t '),
      'openai:blank-token': tokenCredential('openai', '   '),
      'openai:blank-access': oauthCredential('openai', now + 60 * MIN, {
        access: '  ',
        refresh: '',
      }),
    },
  })

  it('never returns a blank or whitespace-only secret, and eligibility agrees', async () => {
    for (const profileId of Object.keys(blank.profiles)) {
      expect(
        evaluateProfileEligibility({ store: blank, profileId, provider: 'openai', now: clock.now })
          .eligible,
      ).toBe(false)
      expect(await resolveApiKeyForProfile({ store: blank, profileId, now: clock.now })).toBeNull()
    }
    expect(resolveAuthProfileOrder({ store: blank, provider: 'openai', now: clock.now })).toEqual(
      [],
    )
    const error = await catchAuthError(() =>
      resolveApiKeyForProvider({ provider: 'openai', store: blank, env: {}, now: clock.now }),
    )
    expect(error.code).toBe('ERR_NO_API_KEY')
  })

  it('treats a blank OAuth access token as one that must be refreshed', async () => {
    const store = buildAuthProfileStore({
      profiles: {
        'openai:o': oauthCredential('openai', now + 60 * MIN, { access: ' ', refresh: 'r-1' }),
      },
    })
    expect(
      evaluateProfileEligibility({ store, profileId: 'openai:o', provider: 'openai' }).eligible,
    ).toBe(true)
    const error = await catchAuthError(() =>
      resolveApiKeyForProfile({ store, profileId: 'openai:o', now: clock.now }),
    )
    expect(error.code).toBe('ERR_REFRESH_UNAVAILABLE')
  })

  it('applies one expiry rule to tokens in key resolution and in the order', async () => {
    const store = buildAuthProfileStore({
      profiles: {
        'openai:zero': tokenCredential('openai', 'tok-zero', { expires: 0 }),
        'openai:negative': tokenCredential('openai', 'tok-negative', { expires: -5 }),
        'openai:past': tokenCredential('openai', 'tok-past', { expires: now - 1 }),
        'openai:now': tokenCredential('openai', 'tok-now', { expires: now }),
        'openai:future': tokenCredential('openai', 'tok-future', { expires: now + MIN }),
        'openai:none': tokenCredential('openai', 'tok-none'),
      },
    })
    const order = resolveAuthProfileOrder({ store, provider: 'openai', now: clock.now })
    for (const profileId of Object.keys(store.profiles)) {
      const resolved = await resolveApiKeyForProfile({ store, profileId, now: clock.now })
      expect({ profileId, resolved: resolved !== null }).toEqual({
        profileId,
        resolved: order.includes(profileId),
      })
    }
    expect(order.sort()).toEqual(['openai:future', 'openai:none'])
  })

  it('resolves a stored ${VAR} template from the environment, or names the unset variable', async () => {
    const secret = canarySecret()
    const store = buildAuthProfileStore({
      profiles: {
        'openai:tpl': apiKeyCredential('openai', '${OPENAI_WORK_KEY}'),
        'openai:tpl-token': tokenCredential('openai', ' ${OPENAI_WORK_KEY} '),
      },
    })
    for (const profileId of ['openai:tpl', 'openai:tpl-token']) {
      expect(
        await resolveApiKeyForProfile({
          store,
          profileId,
          env: { OPENAI_WORK_KEY: secret },
          now: clock.now,
        }),
      ).toMatchObject({ apiKey: secret })
      const error = await catchAuthError(() =>
        resolveApiKeyForProfile({ store, profileId, env: {}, now: clock.now }),
      )
      expect(error.code).toBe('ERR_SECRET_REF')
      expect(error.profileId).toBe(profileId)
      expect(error.message).toContain(
        `Environment variable OPENAI_WORK_KEY is not set (referenced at profiles[${JSON.stringify(profileId)}].`,
      )
    }
    const viaProvider = await catchAuthError(() =>
      resolveApiKeyForProvider({ provider: 'openai', store, env: {}, now: clock.now }),
    )
    expect(viaProvider.code).toBe('ERR_NO_API_KEY')
    expect(viaProvider.message).not.toContain('${')
  })

  it('resolves a ${VAR} template in a config apiKey instead of sending it literally', async () => {
    const secret = canarySecret()
    const config: ClawConfig = {
      models: { providers: { openai: { baseUrl: 'https://x.test', apiKey: '${WORK_KEY}' } } },
    }
    const store = buildAuthProfileStore({ profiles: {} })
    expect(
      await resolveApiKeyForProvider({
        provider: 'openai',
        store,
        config,
        env: { WORK_KEY: secret },
      }),
    ).toMatchObject({ apiKey: secret })
    const error = await catchAuthError(() =>
      resolveApiKeyForProvider({ provider: 'openai', store, config, env: {} }),
    )
    expect(error.message).toContain('WORK_KEY')
  })
})
