// Over 400 lines: every case runs the AI SDK against the same loopback provider and store setup.
// @claw/ai-sdk end to end: the AI SDK's own generateText / streamText / generateObject and tools,
// with the official @ai-sdk/openai, @ai-sdk/anthropic and @ai-sdk/google providers, against the
// fake provider on loopback (real HTTP, each provider's wire format, SSE streams). The AI SDK 7
// needs Node ≥ 22: under older Node every test here is skipped (and counted as skipped).
import { createAnthropic } from '@ai-sdk/anthropic'
import { createGoogleGenerativeAI } from '@ai-sdk/google'
import { createOpenAI } from '@ai-sdk/openai'
import { APICallError } from '@ai-sdk/provider'
import type { ClawConfig, MemoryAuthStore } from '@claw/auth-profiles'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  createMemoryAuthStore,
  findCanaries,
  oauthCredential,
} from '@claw/auth-profiles/testing'
import { FailoverSummaryError, type FailoverEvent, type FailoverTelemetry } from '@claw/failover'
import { behave, FAKE_USAGE } from '@claw/failover/testing'
import { createModelCatalog, estimateCost } from '@claw/model-catalog'
import { generateObject, generateText, NoSuchModelError, streamText, tool } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useProviderServer } from '../../../test-support/provider-server.ts'
import { z } from 'zod'
import {
  createClaw,
  type ClawProviderFactory,
  type ClawProviderMetadata,
  type CreateClawOptions,
} from '@claw/ai-sdk'
import {
  startTokenServer,
  type TokenServer,
} from '../../auth-profiles/test/fixtures/token-server.ts'

const nodeMajor = Number(process.versions.node.split('.')[0])
const MINUTE = 60_000

const server = useProviderServer()

/** Provider endpoints on the fake server, in claw's convention (Anthropic's without `/v1`). */
function providersConfig(): NonNullable<ClawConfig['models']> {
  return {
    providers: {
      openai: { baseUrl: `${server.url}/v1` },
      anthropic: { baseUrl: server.url },
      google: { baseUrl: `${server.url}/v1beta` },
    },
  }
}

const factories: CreateClawOptions['providers'] = {
  openai: createOpenAI,
  anthropic: createAnthropic,
  google: createGoogleGenerativeAI,
}

interface Setup {
  readonly store: MemoryAuthStore
  readonly keys: Readonly<Record<string, string>>
  readonly events: FailoverEvent[]
  readonly claw: ReturnType<typeof createClaw>
}

/** Canary API keys as profiles (`openai:a`, `openai:b`, `anthropic:key`, `google:a`, `google:b`). */
function setup(options: Partial<CreateClawOptions> = {}): Setup {
  const keys = {
    'openai:a': canarySecret(),
    'openai:b': canarySecret(),
    'anthropic:key': canarySecret('sk-ant-api-'),
    'google:a': canarySecret(),
    'google:b': canarySecret(),
  }
  const store = createMemoryAuthStore(
    buildAuthProfileStore({
      profiles: Object.fromEntries(
        Object.entries(keys).map(([id, key]) => [
          id,
          apiKeyCredential(id.slice(0, id.indexOf(':')), key),
        ]),
      ),
    }),
  )
  const events: FailoverEvent[] = []
  const claw = createClaw({
    store,
    config: { models: providersConfig() },
    providers: factories,
    env: {},
    minRetryGapMs: 0,
    onEvent: (event) => events.push(event),
    ...options,
  })
  return { store, keys, events, claw }
}

function claw(metadata: unknown): ClawProviderMetadata {
  return (metadata as { claw: ClawProviderMetadata }).claw
}

function leaks(value: unknown, secrets: readonly string[]): readonly string[] {
  return findCanaries(value, secrets, 'value')
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error,
  )
}

describe.skipIf(nodeMajor < 22)('@claw/ai-sdk', () => {
  describe('generateText', () => {
    it('rotates past a rate-limited OpenAI key in one call, and says so in providerMetadata.claw', async () => {
      const { keys, claw: model, store, events } = setup()
      server.setBehaviour(keys['openai:a']!, behave.rateLimit({ format: 'seconds', seconds: 30 }))
      server.setBehaviour(keys['openai:b']!, behave.text('Hello from b'))

      const result = await generateText({ model: model('openai/gpt-5.2'), prompt: 'Hi' })

      expect(result.text).toBe('Hello from b')
      const requests = server.stats().requests
      expect(requests.map((request) => [request.key, request.path, request.scheme])).toEqual([
        [keys['openai:a'], '/v1/responses', 'bearer'],
        [keys['openai:b'], '/v1/responses', 'bearer'],
      ])
      const meta = claw(result.providerMetadata)
      expect(meta).toMatchObject({
        provider: 'openai',
        model: 'gpt-5.2',
        profileId: 'openai:b',
        attempts: [
          { provider: 'openai', profileId: 'openai:a', reason: 'rate_limit', status: 429 },
        ],
      })
      expect(meta.trace.map((entry) => [entry.profileId, entry.outcome])).toEqual([
        ['openai:a', 'failed'],
        ['openai:b', 'succeeded'],
      ])
      // Usage feeds the catalog's prices.
      const price = createModelCatalog().find('openai/gpt-5.2')!
      expect(meta.cost).toEqual(
        estimateCost(price, { input: FAKE_USAGE.input, output: FAKE_USAGE.output }),
      )
      expect(store.snapshot().usageStats?.['openai:a']?.modelCooldowns?.['gpt-5.2']).toMatchObject({
        reason: 'rate_limit',
      })
      expect(leaks([result.providerMetadata, events], Object.values(keys))).toEqual([])
    })

    it('passes `telemetry` to every failover run, which observes the run it wraps', async () => {
      const observed: string[] = []
      const telemetry: FailoverTelemetry = {
        observeRun: (options, execute) => {
          observed.push(`${options.provider ?? ''}/${options.model ?? ''}`)
          return execute({ oauth: options.oauth, onEvent: (event) => observed.push(event.type) })
        },
      }
      const { keys, claw: model } = setup({ telemetry })
      server.setBehaviour(keys['openai:a']!, behave.text('Hello'))
      await generateText({ model: model('openai/gpt-5.2'), prompt: 'Hi' })
      expect(observed).toEqual(['openai/gpt-5.2', 'attempt_started', 'attempt_succeeded'])
    })

    it('resolves aliases and sends Gemini keys the Gemini way', async () => {
      const { keys } = setup()
      const { claw: model } = setup({
        store: createMemoryAuthStore(
          buildAuthProfileStore({
            profiles: {
              'google:a': apiKeyCredential('google', keys['google:a']),
              'google:b': apiKeyCredential('google', keys['google:b']),
            },
          }),
        ),
        config: {
          models: providersConfig(),
          agents: { defaults: { models: { 'google/gemini-2.5-pro': { alias: 'gemini' } } } },
        },
      })
      server.setBehaviour(keys['google:a']!, behave.serverError())
      server.setBehaviour(keys['google:b']!, behave.text('Hello from Gemini'))

      const result = await generateText({ model: model('gemini'), prompt: 'Hi' })

      expect(result.text).toBe('Hello from Gemini')
      expect(server.stats().requests.map((request) => [request.key, request.scheme])).toEqual([
        [keys['google:a'], 'x-goog-api-key'],
        [keys['google:a'], 'x-goog-api-key'],
        [keys['google:b'], 'x-goog-api-key'],
      ])
      expect(claw(result.providerMetadata)).toMatchObject({
        provider: 'google',
        model: 'gemini-2.5-pro',
        profileId: 'google:b',
      })
    })

    it('model@profile: that profile and only it, even while it cools down', async () => {
      const {
        keys,
        claw: model,
        store,
      } = setup({
        config: {
          models: providersConfig(),
          agents: { defaults: { models: { 'openai/gpt-5.2': { alias: 'gpt' } } } },
        },
      })
      server.setBehaviour(keys['openai:a']!, behave.text('from a'))
      server.setBehaviour(keys['openai:b']!, behave.text('from b'))
      await store.update((draft) => {
        draft.usageStats = { 'openai:b': { cooldownUntil: Date.now() + 60 * MINUTE } }
      })

      const result = await generateText({ model: model('gpt@openai:b'), prompt: 'Hi' })

      expect(result.text).toBe('from b')
      expect(server.stats().requests.map((request) => request.key)).toEqual([keys['openai:b']])
      expect(claw(result.providerMetadata)).toMatchObject({ profileId: 'openai:b', attempts: [] })
    })

    it('a failure claw gives up on is not retried by the AI SDK (no backoff, no second failover run)', async () => {
      const key = canarySecret()
      const store = createMemoryAuthStore(
        buildAuthProfileStore({ profiles: { 'openai:a': apiKeyCredential('openai', key) } }),
      )
      const single = createClaw({
        store,
        config: { models: providersConfig() },
        providers: factories,
        env: {},
      })
      server.setBehaviour(key, behave.rateLimit({ format: 'seconds', seconds: 1 }))

      const started = Date.now()
      const error = await rejectionOf(
        generateText({ model: single('openai/gpt-5.2'), prompt: 'Hi', maxRetries: 2 }),
      )

      expect(APICallError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ statusCode: 429, isRetryable: false })
      expect(server.stats().total).toBe(1)
      expect(Date.now() - started).toBeLessThan(900)
      expect(leaks(error, [key])).toEqual([])
    })

    it('NoSuchModelError for a model outside the allowlist or a provider without a factory', () => {
      const { claw: model } = setup({
        config: {
          models: providersConfig(),
          agents: { defaults: { models: { 'openai/gpt-5.2': {} } } },
        },
      })
      expect(() => model('openai/gpt-4o')).toThrow(NoSuchModelError)
      expect(() => model('openai/gpt-4o')).toThrow(/not allowed/)
      expect(model('openai/gpt-5.2').modelId).toBe('openai/gpt-5.2')
      expect(() => setup().claw('mistral/mistral-large')).toThrow(/No AI SDK provider for mistral/)
    })
  })

  it('subscription providers: Copilot gets its exchanged token at the host it names, Codex its ChatGPT account', async () => {
    const github = canarySecret('ghu_')
    const copilot = `tid=${canarySecret('')};exp=4102444800;proxy-ep=proxy.business.githubcopilot.com;8a1:sig`
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const codex = `${part({ alg: 'none' })}.${part({
      'https://api.openai.com/auth': { chatgpt_account_id: 'acct-123' },
    })}.${canarySecret('')}`
    const store = createMemoryAuthStore(
      buildAuthProfileStore({
        profiles: {
          'github-copilot:me': { type: 'token', provider: 'github-copilot', token: github },
          'openai-codex:me': oauthCredential('openai-codex', Date.now() + 60 * MINUTE, {
            access: codex,
          }),
        },
      }),
    )
    server.setBehaviour(copilot, behave.text('Hello from Copilot'))
    server.setBehaviour(codex, behave.text('Hello from Codex'))
    // GitHub's token exchange answers here; the providers' hosts are served by the fake provider.
    const hosts: string[] = []
    const routed = async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input)
      hosts.push(`${url.host}${url.pathname}`)
      if (url.pathname === '/copilot_internal/v2/token')
        return Response.json({ token: copilot, expires_at: 4_102_444_800 })
      return globalThis.fetch(new URL(`${url.pathname}${url.search}`, server.url), init)
    }
    const chat: ClawProviderFactory = (settings) => {
      const provider = createOpenAI(settings)
      return (modelId) => provider.chat(modelId)
    }
    const model = createClaw({
      store,
      providers: { 'github-copilot': chat, 'openai-codex': createOpenAI },
      env: {},
      fetch: routed,
    })

    const viaCopilot = await generateText({
      model: model('github-copilot/gpt-4o', { fallbacks: [] }),
      prompt: 'Hi',
    })
    const viaCodex = await generateText({
      model: model('openai-codex/gpt-5.2', { fallbacks: [] }),
      prompt: 'Hi',
    })

    expect([viaCopilot.text, viaCodex.text]).toEqual(['Hello from Copilot', 'Hello from Codex'])
    expect(hosts).toEqual([
      'api.github.com/copilot_internal/v2/token',
      'api.business.githubcopilot.com/chat/completions',
      'chatgpt.com/backend-api/codex/responses',
    ])
    const [toCopilot, toCodex] = server.stats().requests
    expect(toCopilot?.key).toBe(copilot)
    expect(toCopilot?.headers['editor-version']).toMatch(/^vscode\//)
    expect(toCodex?.key).toBe(codex)
    expect(toCodex?.headers['chatgpt-account-id']).toBe('acct-123')
    expect(
      leaks([viaCopilot.providerMetadata, viaCodex.providerMetadata], [github, copilot, codex]),
    ).toEqual([])
  })

  describe('model fallback across providers, with an OAuth refresh on the way', () => {
    let tokens: TokenServer

    beforeAll(async () => {
      tokens = await startTokenServer()
    })
    afterAll(async () => {
      await tokens.close()
    })

    it('OpenAI keys rate-limited → the Anthropic fallback, whose expiring OAuth token is refreshed first', async () => {
      await tokens.reset()
      const keys = { a: canarySecret(), b: canarySecret() }
      // Expires within the refresh-ahead window: refreshed before it is used.
      const old = oauthCredential('anthropic', Date.now() + 2 * MINUTE)
      await tokens.seed(old.refresh)
      const store = createMemoryAuthStore(
        buildAuthProfileStore({
          profiles: {
            'openai:a': apiKeyCredential('openai', keys.a),
            'openai:b': apiKeyCredential('openai', keys.b),
            'anthropic:me': old,
          },
        }),
      )
      server.setBehaviour(keys.a, behave.rateLimit({ format: 'seconds', seconds: 30 }))
      server.setBehaviour(keys.b, behave.rateLimit({ format: 'seconds', seconds: 60 }))
      server.setBehaviour('*', behave.text('Hello from Claude'))
      const events: FailoverEvent[] = []
      const model = createClaw({
        store,
        config: {
          models: providersConfig(),
          agents: {
            defaults: {
              model: { primary: 'openai/gpt-5.2', fallbacks: ['anthropic/claude-opus-4-5'] },
            },
          },
          auth: { oauth: { anthropic: { tokenEndpoint: tokens.tokenEndpoint } } },
        },
        providers: factories,
        env: {},
        minRetryGapMs: 0,
        onEvent: (event) => events.push(event),
      })

      const result = await generateText({ model: model('openai/gpt-5.2'), prompt: 'Hi' })

      expect(result.text).toBe('Hello from Claude')
      const { issued, calls } = await tokens.stats()
      expect(calls).toBe(1)
      const refreshed = store.snapshot().profiles['anthropic:me']
      const access = refreshed?.type === 'oauth' ? refreshed.access : ''
      expect(access).not.toBe(old.access)
      const requests = server.stats().requests
      expect(requests.map((request) => [request.key, request.scheme])).toEqual([
        [keys.a, 'bearer'],
        [keys.b, 'bearer'],
        [access, 'bearer'],
      ])
      expect(requests[2]?.path).toBe('/v1/messages')
      expect(requests[2]?.headers['anthropic-beta']).toContain('oauth-2025-04-20')
      const meta = claw(result.providerMetadata)
      expect(meta).toMatchObject({
        provider: 'anthropic',
        model: 'claude-opus-4-5',
        profileId: 'anthropic:me',
      })
      expect(meta.attempts.map((attempt) => [attempt.profileId, attempt.reason])).toEqual([
        ['openai:a', 'rate_limit'],
        ['openai:b', 'rate_limit'],
      ])
      expect(events.map((event) => event.type)).toContain('fallback')
      const secrets = [keys.a, keys.b, old.access, old.refresh, ...issued]
      expect(leaks([result.providerMetadata, events, result.response.headers], secrets)).toEqual([])
    })
  })

  describe('streamText', () => {
    it('fails over before the first content part: a stream that errors first is dropped unseen', async () => {
      const { keys, claw: model } = setup()
      server.setBehaviour(keys['openai:a']!, behave.streamError())
      server.setBehaviour(keys['openai:b']!, behave.text('Streamed hello from b'))

      const result = streamText({ model: model('openai/gpt-5.2'), prompt: 'Hi' })
      const parts: string[] = []
      for await (const part of result.fullStream) parts.push(part.type)

      expect(await result.text).toBe('Streamed hello from b')
      expect(parts).not.toContain('error')
      expect(server.stats().requests.map((request) => [request.key, request.stream])).toEqual([
        [keys['openai:a'], true],
        [keys['openai:b'], true],
      ])
      const meta = claw(await result.providerMetadata)
      expect(meta).toMatchObject({ provider: 'openai', profileId: 'openai:b' })
      expect(meta.attempts[0]).toMatchObject({ profileId: 'openai:a' })
    })

    it('Gemini: an error event before any text moves on to the next key', async () => {
      const { keys, claw: model } = setup()
      server.setBehaviour(keys['google:a']!, behave.streamError())
      server.setBehaviour(keys['google:b']!, behave.text('Streamed hello from Gemini'))

      const result = streamText({ model: model('google/gemini-2.5-pro'), prompt: 'Hi' })
      const parts: string[] = []
      for await (const part of result.fullStream) parts.push(part.type)

      expect(await result.text).toBe('Streamed hello from Gemini')
      expect(parts).not.toContain('error')
      expect(server.stats().requests.map((request) => [request.key, request.stream])).toEqual([
        [keys['google:a'], true],
        [keys['google:b'], true],
      ])
      expect(claw(await result.providerMetadata).attempts).toEqual([
        expect.objectContaining({ profileId: 'google:a', reason: 'overloaded' }),
      ])
    })

    it('Anthropic: an overloaded key, then a stream from the next one', async () => {
      const { keys, claw: model, store } = setup()
      const second = canarySecret('sk-ant-api-')
      await store.update((draft) => {
        draft.profiles['anthropic:second'] = apiKeyCredential('anthropic', second)
      })
      server.setBehaviour(keys['anthropic:key']!, behave.overloaded())
      server.setBehaviour(second, behave.text('Hello from Claude'))

      const result = streamText({ model: model('anthropic/claude-opus-4-5'), prompt: 'Hi' })

      expect(await result.text).toBe('Hello from Claude')
      expect(server.stats().requests.map((request) => request.scheme)).toEqual([
        'x-api-key',
        'x-api-key',
      ])
      expect(claw(await result.providerMetadata).profileId).toBe('anthropic:second')
    })

    it('no failover once a chunk reached the caller: the stream dies, the error is the stream’s own', async () => {
      const { keys, claw: model } = setup()
      server.setBehaviour(keys['openai:a']!, behave.streamDies({ reply: { text: 'Hello there' } }))
      server.setBehaviour(keys['openai:b']!, behave.ok())
      const result = streamText({ model: model('openai/gpt-5.2'), prompt: 'Hi' })
      const chunks: string[] = []
      let failure: unknown
      try {
        for await (const part of result.fullStream) {
          if (part.type === 'text-delta') chunks.push(part.text)
          if (part.type === 'error') failure = part.error
        }
      } catch (error) {
        failure = error
      }

      expect(chunks.join('')).toBe('Hello ')
      // The connection dropped mid-stream: the provider's own stream error, surfaced as is.
      expect(failure).toMatchObject({ message: 'Failed to process successful response' })
      expect(server.stats().requests.map((request) => request.key)).toEqual([keys['openai:a']])
    })
  })

  it('a caller abort stops everything at once, with no further request', async () => {
    const { keys, claw: model } = setup()
    server.setBehaviour(keys['openai:a']!, behave.hang())
    server.setBehaviour(keys['openai:b']!, behave.ok())
    const controller = new AbortController()

    const pending = rejectionOf(
      generateText({
        model: model('openai/gpt-5.2'),
        prompt: 'Hi',
        abortSignal: controller.signal,
      }),
    )
    await expect.poll(() => server.stats().total).toBe(1)
    const started = Date.now()
    controller.abort()
    const error = await pending

    expect(Date.now() - started).toBeLessThan(100)
    expect(error).toMatchObject({ name: 'AbortError' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(server.stats().requests.map((request) => [request.key, request.aborted])).toEqual([
      [keys['openai:a'], true],
    ])
  })

  it('a caller abort while a stream waits for its first part: no further request', async () => {
    const { keys, claw: model } = setup()
    server.setBehaviour(keys['openai:a']!, behave.hang())
    server.setBehaviour(keys['openai:b']!, behave.ok())
    const controller = new AbortController()

    const result = streamText({
      model: model('openai/gpt-5.2'),
      prompt: 'Hi',
      abortSignal: controller.signal,
    })
    const parts: string[] = []
    const consumed = (async () => {
      for await (const part of result.fullStream) parts.push(part.type)
    })().catch(() => undefined)
    await expect.poll(() => server.stats().total).toBe(1)
    controller.abort()
    await consumed

    expect(parts).not.toContain('text-delta')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(server.stats().requests.map((request) => [request.key, request.aborted])).toEqual([
      [keys['openai:a'], true],
    ])
  })

  it('structured output: generateObject through a failover', async () => {
    const { keys, claw: model } = setup()
    server.setBehaviour(keys['openai:a']!, behave.unauthorized())
    server.setBehaviour(keys['openai:b']!, behave.text('{"city":"Paris","celsius":21}'))

    const { object, providerMetadata } = await generateObject({
      model: model('openai/gpt-5.2'),
      schema: z.object({ city: z.string(), celsius: z.number() }),
      prompt: 'Weather in Paris?',
    })

    expect(object).toEqual({ city: 'Paris', celsius: 21 })
    const body = server.stats().requests[1]?.body as { text?: { format?: { type?: string } } }
    expect(body.text?.format?.type).toBe('json_schema')
    expect(claw(providerMetadata).attempts[0]).toMatchObject({ reason: 'auth' })
  })

  it('tool calls: the tool runs with the input of the model that answered', async () => {
    const { keys, claw: model } = setup()
    server.setBehaviour(keys['openai:a']!, behave.paymentRequired())
    server.setBehaviour(keys['openai:b']!, behave.toolCall('weather', { city: 'Paris' }))
    const inputs: unknown[] = []

    const result = await generateText({
      model: model('openai/gpt-5.2'),
      prompt: 'Weather in Paris?',
      tools: {
        weather: tool({
          description: 'The weather in a city',
          inputSchema: z.object({ city: z.string() }),
          execute: (input) => {
            inputs.push(input)
            return Promise.resolve({ celsius: 21 })
          },
        }),
      },
    })

    expect(inputs).toEqual([{ city: 'Paris' }])
    expect(result.toolCalls).toEqual([
      expect.objectContaining({ toolName: 'weather', input: { city: 'Paris' } }),
    ])
    expect(result.toolResults[0]).toMatchObject({ output: { celsius: 21 } })
    const tools = (server.stats().requests[0]?.body as { tools?: { name: string }[] }).tools
    expect(tools?.map((entry) => entry.name)).toEqual(['weather'])
  })

  it('every credential failing: a FailoverSummaryError with the trace, and no secret anywhere', async () => {
    const { keys, claw: model, events } = setup()
    server.setBehaviour(keys['openai:a']!, behave.unauthorized())
    server.setBehaviour(keys['openai:b']!, behave.rateLimit({ format: 'seconds', seconds: 5 }))

    const error = await rejectionOf(
      generateText({ model: model('openai/gpt-5.2', { fallbacks: [] }), prompt: 'Hi' }),
    )

    expect(FailoverSummaryError.isInstance(error)).toBe(true)
    const summary = error as FailoverSummaryError
    expect(summary.attempts.map((attempt) => attempt.reason)).toEqual(['auth', 'rate_limit'])
    expect(leaks([summary, summary.trace, events, summary.cause], Object.values(keys))).toEqual([])
  })
})
