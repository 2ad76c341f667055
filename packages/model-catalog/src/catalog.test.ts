import { describe, expect, it } from 'vitest'
import { createModelCatalog, CUSTOM_MODEL_DEFAULTS } from './catalog.js'
import { estimateCost, modelSupportsVision } from './cost.js'
import { ModelCatalogError } from './errors.js'
import {
  findProviderConfig,
  getProvider,
  listProviders,
  resolveProviderBaseUrl,
} from './providers.js'
import { PROVIDER_REGISTRY } from './provider-registry.js'

const namedProviders = [
  'anthropic',
  'openai',
  'openai-codex',
  'openrouter',
  'kilocode',
  'ollama',
  'deepseek',
  'qwen-portal',
  'venice',
  'amazon-bedrock',
  'google',
  'google-vertex',
  'google-gemini-cli',
  'google-antigravity',
  'github-copilot',
  'chutes',
  'zai',
  'opencode',
  'groq',
  'cerebras',
  'xai',
  'mistral',
  'moonshot',
  'kimi-code',
  'minimax',
  'synthetic',
  'vercel-ai-gateway',
  'deepgram',
]

describe('provider registry', () => {
  it('covers every provider the product documents, once', () => {
    expect(PROVIDER_REGISTRY.map((info) => info.id).sort()).toEqual([...namedProviders].sort())
  })

  it("keeps OpenClaw's env precedence and marks OAuth-token variables", () => {
    expect(getProvider('anthropic')?.envVars).toEqual([
      { name: 'ANTHROPIC_OAUTH_TOKEN', kind: 'oauth-token' },
      { name: 'ANTHROPIC_API_KEY', kind: 'api-key' },
    ])
    expect(getProvider('github-copilot')?.envVars.map((envVar) => envVar.name)).toEqual([
      'COPILOT_GITHUB_TOKEN',
      'GH_TOKEN',
      'GITHUB_TOKEN',
    ])
    expect(getProvider('Z.AI')?.envVars.map((envVar) => envVar.name)).toEqual([
      'ZAI_API_KEY',
      'Z_AI_API_KEY',
    ])
    expect(getProvider('qwen')?.envVars[0]).toEqual({
      name: 'QWEN_OAUTH_TOKEN',
      kind: 'oauth-token',
    })
    expect(getProvider('vercel-ai-gateway')?.envVars[0]?.name).toBe('AI_GATEWAY_API_KEY')
    expect(getProvider('openai-codex')?.envVars).toEqual([])
  })

  it('marks aggregators, local servers and ambient-credential providers', () => {
    expect(getProvider('openrouter')?.cooldownBypass).toBe(true)
    expect(PROVIDER_REGISTRY.filter((info) => info.cooldownBypass).map((info) => info.id)).toEqual([
      'openrouter',
      'kilocode',
    ])
    expect(getProvider('kilocode')).toMatchObject({
      envVars: [{ name: 'KILOCODE_API_KEY', kind: 'api-key' }],
      api: 'openai-completions',
      baseUrl: 'https://api.kilo.ai/api/gateway',
    })
    expect(getProvider('ollama')?.local).toBe(true)
    expect(getProvider('amazon-bedrock')?.authModes).toEqual(['aws-sdk'])
    expect(getProvider('google')?.keyRotation).toEqual({
      envBase: 'GEMINI',
      fallbackEnvVars: ['GOOGLE_API_KEY'],
    })
  })

  it('answers catalog-only providers from the built-in data', () => {
    const huggingface = getProvider('huggingface')
    expect(huggingface?.envVars.length).toBeGreaterThan(0)
    expect(getProvider('no-such-provider')).toBeUndefined()
    const all = listProviders()
    expect(all.slice(0, PROVIDER_REGISTRY.length)).toEqual(PROVIDER_REGISTRY)
    expect(all.length).toBeGreaterThan(PROVIDER_REGISTRY.length)
    expect(listProviders({ includeCatalog: false })).toBe(PROVIDER_REGISTRY)
  })
})

describe('built-in catalog', () => {
  const catalog = createModelCatalog()

  it('holds at least 500 models across at least 20 providers, with the seed models', () => {
    expect(catalog.list().length).toBeGreaterThanOrEqual(500)
    expect(
      catalog.providers().filter((provider) => provider.modelCount > 0).length,
    ).toBeGreaterThanOrEqual(20)
    for (const key of [
      'anthropic/claude-opus-4-5',
      'anthropic/claude-sonnet-4-5',
      'anthropic/claude-haiku-4-5',
      'openai/gpt-5.2',
      'openai/gpt-5-mini',
      'deepseek/deepseek-r1',
    ]) {
      expect(catalog.find(key), key).toBeDefined()
    }
  })

  it('finds case-insensitively, with model-id normalisation, and by ref object', () => {
    const opus = catalog.find('anthropic/claude-opus-4-5')
    expect(opus).toMatchObject({
      provider: 'anthropic',
      id: 'claude-opus-4-5',
      key: 'anthropic/claude-opus-4-5',
      api: 'anthropic-messages',
      baseUrl: 'https://api.anthropic.com',
      contextWindow: 200_000,
      source: 'builtin',
    })
    expect(catalog.find('Anthropic/Claude-Opus-4-5')).toBe(opus)
    expect(catalog.find('anthropic/opus-4.5')).toBe(opus)
    expect(catalog.find({ provider: 'anthropic', model: 'claude-opus-4-5' })).toBe(opus)
    expect(catalog.find('claude-opus-4-5')).toBeUndefined()
    expect(catalog.find('anthropic/')).toBeUndefined()
    expect(catalog.find('nobody/nothing')).toBeUndefined()
  })

  it('lists sorted by provider then name, and filters by normalised provider', () => {
    const all = catalog.list()
    for (let index = 1; index < all.length; index += 1) {
      const previous = all[index - 1]
      const current = all[index]
      if (!previous || !current) continue
      expect(previous.provider <= current.provider).toBe(true)
    }
    const zai = catalog.list({ provider: 'Z.AI' })
    expect(zai.length).toBeGreaterThan(0)
    expect(zai.every((model) => model.provider === 'zai')).toBe(true)
    expect(catalog.list({ provider: 'no-such-provider' })).toEqual([])
  })

  it('uses registry data for known providers', () => {
    const zai = catalog.providers().find((provider) => provider.id === 'zai')
    expect(zai).toMatchObject({ known: true, envVars: ['ZAI_API_KEY', 'Z_AI_API_KEY'] })
    const ollama = catalog.providers().find((provider) => provider.id === 'ollama')
    expect(ollama).toMatchObject({ known: true, modelCount: 0 })
  })
})

describe('createModelCatalog with user providers', () => {
  it('merges config models first, explicit fields winning, built-in models after', () => {
    const catalog = createModelCatalog({
      config: {
        models: {
          providers: {
            anthropic: {
              baseUrl: 'https://proxy.example.test',
              models: [
                { id: 'claude-opus-4-5', contextWindow: 1_000_000 },
                { id: 'claude-next', name: 'Claude Next' },
              ],
            },
          },
        },
      },
    })
    const opus = catalog.find('anthropic/claude-opus-4-5')
    expect(opus).toMatchObject({
      contextWindow: 1_000_000,
      name: 'Claude Opus 4.5',
      baseUrl: 'https://proxy.example.test',
      source: 'config',
    })
    expect(opus?.cost.input).toBeGreaterThan(0)
    expect(catalog.find('anthropic/claude-next')).toMatchObject({
      name: 'Claude Next',
      contextWindow: CUSTOM_MODEL_DEFAULTS.contextWindow,
      maxTokens: CUSTOM_MODEL_DEFAULTS.maxTokens,
      input: ['text'],
      api: 'anthropic-messages',
    })
    expect(catalog.find('anthropic/claude-haiku-4-5')).toMatchObject({
      source: 'builtin',
      baseUrl: 'https://proxy.example.test',
    })
  })

  it('replace mode drops the built-in models of a configured provider', () => {
    const catalog = createModelCatalog({
      config: {
        models: {
          mode: 'replace',
          providers: { anthropic: { models: [{ id: 'claude-opus-4-5' }] } },
        },
      },
    })
    expect(catalog.list({ provider: 'anthropic' }).map((model) => model.id)).toEqual([
      'claude-opus-4-5',
    ])
    expect(catalog.find('anthropic/claude-opus-4-5')?.contextWindow).toBe(200_000)
    expect(catalog.list({ provider: 'openai' }).length).toBeGreaterThan(0)
  })

  it('adds custom providers (the seed Ollama example) and layers models.json before config', () => {
    const catalog = createModelCatalog({
      modelsJson: {
        providers: {
          mycorp: {
            baseUrl: 'https://llm.mycorp.test/v1',
            api: 'openai-completions',
            models: [{ id: 'corp-large', contextWindow: 64_000 }],
          },
        },
      },
      config: {
        models: {
          providers: {
            ollama: {
              baseUrl: 'http://localhost:11434',
              api: 'openai-completions',
              models: [
                {
                  id: 'llama3.2',
                  name: 'Llama 3.2',
                  reasoning: false,
                  input: ['text'],
                  cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
                  contextWindow: 128000,
                  maxTokens: 4096,
                },
              ],
            },
            mycorp: { models: [{ id: 'corp-small' }] },
          },
        },
      },
    })
    expect(catalog.find('ollama/llama3.2')).toMatchObject({
      baseUrl: 'http://localhost:11434',
      maxTokens: 4096,
      source: 'config',
    })
    expect(
      catalog
        .list({ provider: 'mycorp' })
        .map((model) => model.id)
        .sort(),
    ).toEqual(['corp-large', 'corp-small'])
    expect(catalog.find('mycorp/corp-large')).toMatchObject({
      source: 'models.json',
      contextWindow: 64_000,
    })
    const mycorp = catalog.providers().find((provider) => provider.id === 'mycorp')
    expect(mycorp).toMatchObject({
      known: false,
      baseUrl: 'https://llm.mycorp.test/v1',
      modelCount: 2,
    })
  })

  it('requires a baseUrl for providers claw does not know', () => {
    const catalog = createModelCatalog({
      config: { models: { providers: { 'my-proxy': { models: [{ id: 'x' }] } } } },
    })
    let thrown: unknown
    try {
      catalog.list()
    } catch (error) {
      thrown = error
    }
    expect(ModelCatalogError.isInstance(thrown)).toBe(true)
    expect((thrown as ModelCatalogError).issues).toEqual([
      {
        path: 'models.providers["my-proxy"].baseUrl',
        message: 'required for a provider claw does not know',
      },
    ])
  })

  it('can leave out the built-in data', () => {
    const catalog = createModelCatalog({ builtin: false })
    expect(catalog.list()).toEqual([])
    expect(catalog.providers().length).toBe(PROVIDER_REGISTRY.length)
  })
})

describe('estimateCost', () => {
  const model = { cost: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } }

  it('prices each bucket per million tokens and sums without float noise', () => {
    expect(
      estimateCost(model, { input: 1_000_000, output: 100_000, cacheRead: 200_000, cacheWrite: 0 }),
    ).toEqual({ input: 3, output: 1.5, cacheRead: 0.06, cacheWrite: 0, total: 4.56 })
    expect(
      estimateCost({ cost: { input: 0.1, output: 0.2 } }, { input: 1_000_000, output: 1_000_000 })
        .total,
    ).toBe(0.3)
    expect(estimateCost(model, {})).toEqual({
      input: 0,
      output: 0,
      cacheRead: 0,
      cacheWrite: 0,
      total: 0,
    })
  })

  it('works with catalog entries', () => {
    const opus = createModelCatalog().find('anthropic/claude-opus-4-5')
    expect(estimateCost(opus, { input: 10_000, output: 2_000 }).total).toBe(0.1)
  })

  it.each([
    [{ input: -1 }, 'usage.input'],
    [{ output: Number.NaN }, 'usage.output'],
    [{ cacheRead: Number.POSITIVE_INFINITY }, 'usage.cacheRead'],
    [{ cacheWrite: '12' as unknown as number }, 'usage.cacheWrite'],
  ])('rejects bad usage %j with a typed error', (usage, path) => {
    expect(() => estimateCost(model, usage)).toThrow(path)
    try {
      estimateCost(model, usage)
    } catch (error) {
      expect((error as ModelCatalogError).code).toBe('ERR_INVALID_USAGE')
    }
  })

  it('rejects a model without prices', () => {
    expect(() => estimateCost(undefined, { input: 1 })).toThrow('needs a model with cost data')
  })
})

describe('modelSupportsVision', () => {
  it('checks for image input', () => {
    expect(modelSupportsVision({ input: ['text', 'image'] })).toBe(true)
    expect(modelSupportsVision({ input: ['text'] })).toBe(false)
    expect(modelSupportsVision(undefined)).toBe(false)
    expect(modelSupportsVision(createModelCatalog().find('anthropic/claude-opus-4-5'))).toBe(true)
  })
})

describe('resolveProviderBaseUrl / findProviderConfig', () => {
  it('prefers the configured base URL, matched by normalised id', () => {
    const config = { models: { providers: { 'Z.AI': { baseUrl: 'http://127.0.0.1:1/v4' } } } }
    expect(findProviderConfig(config, 'zai')?.id).toBe('Z.AI')
    expect(resolveProviderBaseUrl('zai', config)).toBe('http://127.0.0.1:1/v4')
  })

  it('falls back to the registry default, and is undefined for unknown providers', () => {
    expect(resolveProviderBaseUrl('openai')).toBe('https://api.openai.com/v1')
    expect(resolveProviderBaseUrl('no-such-provider')).toBeUndefined()
    expect(findProviderConfig(undefined, 'openai')).toBeUndefined()
  })
})
