// Over 400 lines: every case runs on the same loopback server (wire formats, failures, replay, cooldowns).
// createFailoverFetch over real HTTP: every request goes through `fetch` to the fake provider on
// loopback, which answers per key in each provider's wire format, so credential presentation,
// classification of real answers, replay and cooldowns are all exercised end to end.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ClawConfig } from '@claw/auth-profiles'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  createMemoryAuthStore,
  findCanaries,
  findCanariesInFiles,
  oauthCredential,
  tokenCredential,
} from '@claw/auth-profiles/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useProviderServer } from '../../../test-support/provider-server.ts'
import { openaiProfiles } from './fixtures/openai-profiles.ts'
import {
  createFailoverFetch,
  getFailoverFetchResult,
  type FailoverEvent,
  type FailoverFetchResult,
} from '@claw/failover'
import { behave } from '@claw/failover/testing'
import {
  startTokenServer,
  type TokenServer,
} from '../../auth-profiles/test/fixtures/token-server.ts'

const server = useProviderServer()

const MINUTE = 60_000

function configFor(provider: string, path = '/v1'): ClawConfig {
  return { models: { providers: { [provider]: { baseUrl: `${server.url}${path}` } } } }
}

function chatBody(model = 'gpt-5.2', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra })
}

function leaks(value: unknown, secrets: readonly string[]): readonly string[] {
  return findCanaries(value, secrets, 'value')
}

describe('createFailoverFetch', () => {
  it('rotates to the next key on a 429 and cools the limited key down until its Retry-After', async () => {
    const { keys, store } = openaiProfiles()
    server.setBehaviour(keys.a, behave.rateLimit({ format: 'seconds', seconds: 30 }))
    server.setBehaviour(keys.b, behave.text('hello from b'))
    const results: FailoverFetchResult[] = []
    const events: FailoverEvent[] = []
    const fetch = createFailoverFetch({
      provider: 'openai',
      store,
      env: {},
      minRetryGapMs: 0,
      onResult: (result) => results.push(result),
      onEvent: (event) => events.push(event),
    })

    const before = Date.now()
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer unused', 'content-type': 'application/json' },
      body: chatBody(),
    })

    expect(response.status).toBe(200)
    const body = (await response.json()) as { choices: { message: { content: string } }[] }
    expect(body.choices[0]?.message.content).toBe('hello from b')
    const requests = server.stats().requests
    expect(requests.map((request) => request.key)).toEqual([keys.a, keys.b])
    expect(requests.map((request) => request.scheme)).toEqual(['bearer', 'bearer'])
    // The same body both times.
    expect(requests[1]?.body).toEqual(requests[0]?.body)
    const result = getFailoverFetchResult(response)
    expect(result).toBe(results[0])
    expect(result).toMatchObject({
      provider: 'openai',
      model: 'gpt-5.2',
      profileId: 'openai:b',
      outcome: 'succeeded',
      calls: 2,
    })
    expect(result?.trace.map((entry) => [entry.profileId, entry.outcome, entry.reason])).toEqual([
      ['openai:a', 'failed', 'rate_limit'],
      ['openai:b', 'succeeded', undefined],
    ])
    // The cooldown is the model's, with the provider's deadline.
    const until = store.snapshot().usageStats?.['openai:a']?.modelCooldowns?.['gpt-5.2']?.until
    expect(until).toBeGreaterThanOrEqual(before + 29_000)
    expect(until).toBeLessThanOrEqual(Date.now() + 31_000)
    expect(leaks([results, events, result], [keys.a, keys.b])).toEqual([])

    // The next request skips the cooling key without calling it.
    server.reset()
    server.setBehaviour(keys.b, behave.ok())
    const again = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      body: chatBody(),
    })
    expect(again.status).toBe(200)
    expect(server.stats().requests.map((request) => request.key)).toEqual([keys.b])
  })

  it('with agentDir: the cooldown is in auth-profiles.json for the next process, and no key is anywhere else', async () => {
    const root = mkdtempSync(join(tmpdir(), 'claw-failover-fetch-'))
    try {
      const agentDir = join(root, 'agents', 'main', 'agent')
      mkdirSync(agentDir, { recursive: true, mode: 0o700 })
      const keys = { a: canarySecret(), b: canarySecret() }
      const store = buildAuthProfileStore({
        profiles: {
          'openai:a': apiKeyCredential('openai', keys.a),
          'openai:b': apiKeyCredential('openai', keys.b),
        },
      })
      writeFileSync(join(agentDir, 'auth-profiles.json'), JSON.stringify(store), { mode: 0o600 })
      server.setBehaviour(keys.a, behave.rateLimit({ format: 'seconds', seconds: 30 }))
      server.setBehaviour(keys.b, behave.ok())
      const fetch = createFailoverFetch({ provider: 'openai', agentDir, env: {}, minRetryGapMs: 0 })

      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        body: chatBody(),
      })

      expect(response.status).toBe(200)
      const saved = JSON.parse(readFileSync(join(agentDir, 'auth-profiles.json'), 'utf8')) as {
        usageStats?: Record<string, { modelCooldowns?: Record<string, { reason?: string }> }>
      }
      expect(saved.usageStats?.['openai:a']?.modelCooldowns?.['gpt-5.2']?.reason).toBe('rate_limit')
      expect(findCanariesInFiles(root, [keys.a, keys.b])).toEqual([])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('returns the last failed answer as the provider sent it when every key fails', async () => {
    const { keys, store } = openaiProfiles()
    server.setBehaviour(keys.a, behave.insufficientQuota())
    server.setBehaviour(keys.b, behave.unauthorized())
    const fetch = createFailoverFetch({ provider: 'openai', store, env: {}, minRetryGapMs: 0 })

    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      body: chatBody(),
    })

    expect(response.status).toBe(401)
    const body = (await response.json()) as { error: { code: string } }
    expect(body.error.code).toBe('invalid_api_key')
    const result = getFailoverFetchResult(response)
    expect(result).toMatchObject({ outcome: 'failed', profileId: 'openai:b', calls: 2 })
    expect(result?.trace.map((entry) => entry.reason)).toEqual(['billing', 'auth'])
    // OpenAI's insufficient_quota is billing: openai:a is disabled, not rate limited.
    expect(store.snapshot().usageStats?.['openai:a']?.disabledReason).toBe('billing')
  })

  it('answers a made-up 429 with retry-after, without a call, when every key is cooling down', async () => {
    const { keys, store } = openaiProfiles()
    server.setBehaviour(keys.a, behave.rateLimit({ format: 'seconds', seconds: 40 }))
    server.setBehaviour(keys.b, behave.rateLimit({ format: 'seconds', seconds: 20 }))
    const fetch = createFailoverFetch({ provider: 'openai', store, env: {}, minRetryGapMs: 0 })
    const first = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      body: chatBody(),
    })
    expect(first.status).toBe(429)
    server.reset()

    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      body: chatBody(),
    })

    expect(server.stats().total).toBe(0)
    expect(response.status).toBe(429)
    const retryAfter = Number(response.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(19)
    expect(retryAfter).toBeLessThanOrEqual(20)
    expect(getFailoverFetchResult(response)).toMatchObject({ outcome: 'unavailable', calls: 0 })
    const body = (await response.json()) as { error: { message: string } }
    expect(body.error.message).toMatch(/^claw: no request was sent to openai: /)
    expect(body.error.message).toMatch(/profile:openai:a: cooling down until \S+ \(rate_limit\)/)
    expect(body.error.message).toMatch(/profile:openai:b: cooling down until \S+ \(rate_limit\)/)
  })

  it('answers a made-up 401 when the provider has no credential at all', async () => {
    const fetch = createFailoverFetch({ provider: 'openai', env: {} })
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      body: chatBody(),
    })
    expect(server.stats().total).toBe(0)
    expect(response.status).toBe(401)
    const body = (await response.json()) as { error: { message: string } }
    expect(body.error.message).toContain('No API key found for provider "openai"')
  })

  it('sends a request whose body is a stream once: it cannot be replayed', async () => {
    const { keys, store } = openaiProfiles()
    server.setBehaviour(keys.a, behave.rateLimit({ format: 'seconds', seconds: 30 }))
    server.setBehaviour(keys.b, behave.ok())
    const fetch = createFailoverFetch({ provider: 'openai', store, env: {}, minRetryGapMs: 0 })
    const bytes = new TextEncoder().encode(chatBody())
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes)
        controller.close()
      },
    })

    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      body,
      duplex: 'half',
    })

    expect(response.status).toBe(429)
    expect(server.stats().requests.map((request) => request.key)).toEqual([keys.a])
    expect(getFailoverFetchResult(response)).toMatchObject({ outcome: 'failed', calls: 1 })
  })

  it('stops at once when the caller aborts, with no further request', async () => {
    const { keys, store } = openaiProfiles()
    server.setBehaviour(keys.a, behave.hang())
    server.setBehaviour(keys.b, behave.ok())
    const fetch = createFailoverFetch({ provider: 'openai', store, env: {}, minRetryGapMs: 0 })
    const controller = new AbortController()
    const pending = fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      body: chatBody(),
      signal: controller.signal,
    })
    await expect.poll(() => server.stats().total).toBe(1)

    const started = Date.now()
    controller.abort()
    const error = await pending.then(
      () => undefined,
      (caught: unknown) => caught,
    )

    expect(error).toMatchObject({ name: 'AbortError' })
    expect(Date.now() - started).toBeLessThan(100)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(server.stats().requests.map((request) => [request.key, request.aborted])).toEqual([
      [keys.a, true],
    ])
  })

  it('sends an Anthropic API key as x-api-key and an OAuth token as Bearer with the oauth beta', async () => {
    const apiKey = canarySecret('sk-ant-api-')
    const token = canarySecret('sk-ant-oat-')
    const store = createMemoryAuthStore(
      buildAuthProfileStore({
        profiles: {
          'anthropic:sub': tokenCredential('anthropic', token),
          'anthropic:key': apiKeyCredential('anthropic', apiKey),
        },
        order: { anthropic: ['anthropic:sub', 'anthropic:key'] },
      }),
    )
    server.setBehaviour(token, behave.overloaded())
    server.setBehaviour(apiKey, behave.ok())
    const fetch = createFailoverFetch({
      provider: 'anthropic',
      store,
      env: {},
      minRetryGapMs: 0,
      maxAttempts: 3,
    })

    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'unused', 'anthropic-beta': 'tools-2024-04-04' },
      body: JSON.stringify({ model: 'claude-opus-4-5', max_tokens: 10, messages: [] }),
    })

    expect(response.status).toBe(200)
    const requests = server.stats().requests
    expect(requests.map((request) => [request.key, request.scheme])).toEqual([
      [token, 'bearer'],
      [apiKey, 'x-api-key'],
    ])
    expect(requests[0]?.headers['anthropic-beta']).toBe('tools-2024-04-04,oauth-2025-04-20')
    expect(requests[0]?.headers['anthropic-version']).toBe('2023-06-01')
    expect(requests[1]?.headers['anthropic-beta']).toBe('tools-2024-04-04')
    expect(getFailoverFetchResult(response)?.trace[0]?.reason).toBe('overloaded')
  })

  it('sends a Gemini key as x-goog-api-key, never in the URL, and reads the model from the path', async () => {
    const keys = { a: canarySecret(), b: canarySecret() }
    const store = createMemoryAuthStore(
      buildAuthProfileStore({
        profiles: {
          'google:a': apiKeyCredential('google', keys.a),
          'google:b': apiKeyCredential('google', keys.b),
        },
      }),
    )
    server.setBehaviour(keys.a, behave.rateLimit())
    server.setBehaviour(keys.b, behave.ok())
    const fetch = createFailoverFetch({ provider: 'google', store, env: {}, minRetryGapMs: 0 })

    const response = await fetch(
      `${server.url}/v1beta/models/gemini-2.5-pro:generateContent?key=unused`,
      { method: 'POST', body: JSON.stringify({ contents: [] }) },
    )

    expect(response.status).toBe(200)
    expect(
      server.stats().requests.map((request) => [request.key, request.scheme, request.model]),
    ).toEqual([
      [keys.a, 'x-goog-api-key', 'gemini-2.5-pro'],
      [keys.b, 'x-goog-api-key', 'gemini-2.5-pro'],
    ])
    expect(getFailoverFetchResult(response)).toMatchObject({
      model: 'gemini-2.5-pro',
      profileId: 'google:b',
    })
    expect(
      store.snapshot().usageStats?.['google:a']?.modelCooldowns?.['gemini-2.5-pro'],
    ).toMatchObject({ reason: 'rate_limit' })
  })

  it('GitHub Copilot: the stored GitHub token is exchanged, the Copilot token goes to the host it names, with the editor headers', async () => {
    const github = canarySecret('ghu_')
    const copilot = `tid=${canarySecret('')};exp=4102444800;proxy-ep=proxy.business.githubcopilot.com;8a1:sig`
    const store = createMemoryAuthStore(
      buildAuthProfileStore({
        profiles: { 'github-copilot:me': tokenCredential('github-copilot', github) },
      }),
    )
    server.setBehaviour(copilot, behave.text('Hello from Copilot'))
    // GitHub's token exchange answers here; Copilot hosts are served by the fake provider.
    const hosts: string[] = []
    const routed = async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input)
      hosts.push(url.host)
      if (url.pathname === '/copilot_internal/v2/token')
        return Response.json({ token: copilot, expires_at: 4_102_444_800 })
      return globalThis.fetch(new URL(`${url.pathname}${url.search}`, server.url), init)
    }
    const fetch = createFailoverFetch({ provider: 'github-copilot', store, env: {}, fetch: routed })

    const response = await fetch('https://api.individual.githubcopilot.com/chat/completions', {
      method: 'POST',
      headers: { authorization: 'Bearer unused' },
      body: chatBody('gpt-4o'),
    })

    expect(response.status).toBe(200)
    expect(hosts).toEqual(['api.github.com', 'api.business.githubcopilot.com'])
    const [request] = server.stats().requests
    expect(request?.key).toBe(copilot)
    expect(request?.headers['editor-version']).toMatch(/^vscode\//)
    expect(request?.headers['copilot-integration-id']).toBe('vscode-chat')
    expect(leaks(getFailoverFetchResult(response), [github, copilot])).toEqual([])
  })

  describe('OAuth refresh on the way', () => {
    let tokens: TokenServer

    beforeAll(async () => {
      tokens = await startTokenServer()
    })
    afterAll(async () => {
      await tokens.close()
    })

    it('refreshes an access token the provider rejects, and sends the request again with the new one', async () => {
      await tokens.reset()
      const old = oauthCredential('anthropic', Date.now() + 60 * MINUTE)
      await tokens.seed(old.refresh)
      const store = createMemoryAuthStore(
        buildAuthProfileStore({ profiles: { 'anthropic:me': old } }),
      )
      server.setBehaviour(old.access, behave.unauthorized())
      server.setBehaviour('*', behave.ok())
      const config: ClawConfig = {
        ...configFor('anthropic'),
        auth: { oauth: { anthropic: { tokenEndpoint: tokens.tokenEndpoint } } },
      }
      const fetch = createFailoverFetch({
        provider: 'anthropic',
        store,
        config,
        env: {},
        minRetryGapMs: 0,
      })

      const response = await fetch(`${server.url}/v1/messages`, {
        method: 'POST',
        body: JSON.stringify({ model: 'claude-opus-4-5', max_tokens: 10, messages: [] }),
      })

      expect(response.status).toBe(200)
      const { issued, calls } = await tokens.stats()
      expect(calls).toBe(1)
      const refreshed = store.snapshot().profiles['anthropic:me']
      expect(refreshed).toMatchObject({ type: 'oauth' })
      const access = refreshed?.type === 'oauth' ? refreshed.access : ''
      expect(issued).toContain(access)
      expect(server.stats().requests.map((request) => [request.key, request.scheme])).toEqual([
        [old.access, 'bearer'],
        [access, 'bearer'],
      ])
      const result = getFailoverFetchResult(response)
      expect(result).toMatchObject({ outcome: 'succeeded', profileId: 'anthropic:me', calls: 2 })
      expect(leaks(result, [old.access, old.refresh, ...issued])).toEqual([])
    })
  })
})
