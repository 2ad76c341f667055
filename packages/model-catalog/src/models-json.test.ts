import { describe, expect, it } from 'vitest'
import { buildModelsJson } from './models-json.js'

const canary = 'sk-claw-canary-9e1f4b2c7a3d58e6'
const noAuth = () => false

describe('buildModelsJson', () => {
  it('writes nothing when there are no providers', () => {
    const result = buildModelsJson({ config: {}, hasAuth: noAuth })
    expect(result.content).toBeNull()
    expect(result.changed).toBe(false)
    expect(result.providers).toEqual({})
  })

  it('writes explicit providers with ${VAR} keys as env var names', () => {
    const result = buildModelsJson({
      hasAuth: noAuth,
      config: {
        models: {
          providers: {
            custom: {
              baseUrl: 'https://llm.example.test/v1',
              apiKey: '${CUSTOM_KEY}',
              api: 'openai-completions',
              models: [{ id: 'big', contextWindow: 64_000 }],
            },
            plain: { baseUrl: 'https://plain.example.test', apiKey: 'PLAIN_API_KEY', models: [] },
          },
        },
      },
    })
    expect(result.providers['custom']).toEqual({
      baseUrl: 'https://llm.example.test/v1',
      apiKey: 'CUSTOM_KEY',
      api: 'openai-completions',
      models: [
        {
          id: 'big',
          name: 'big',
          reasoning: false,
          input: ['text'],
          cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
          contextWindow: 64_000,
          maxTokens: 16_384,
        },
      ],
    })
    expect(result.providers['plain']?.apiKey).toBe('PLAIN_API_KEY')
    expect(result.content).toBe(`${JSON.stringify({ providers: result.providers }, null, 2)}\n`)
    expect(result.changed).toBe(true)
  })

  it('never copies a literal secret into the output', () => {
    const result = buildModelsJson({
      hasAuth: noAuth,
      config: {
        models: {
          providers: {
            custom: { baseUrl: 'https://x.test', apiKey: canary, models: [{ id: 'm' }] },
          },
        },
      },
      authEnvVar: () => undefined,
    })
    expect(result.content).not.toContain(canary)
    expect(result.providers['custom']?.apiKey).toBeUndefined()
    expect(result.warnings).toHaveLength(1)
    expect(result.warnings[0]).toContain('models.providers.custom.apiKey holds a literal key')
    expect(result.warnings[0]).not.toContain(canary)
  })

  it('refuses an authEnvVar answer that is not an env var name', () => {
    const result = buildModelsJson({
      hasAuth: (provider) => provider === 'minimax',
      authEnvVar: () => canary,
    })
    expect(result.content).not.toContain(canary)
    expect(result.warnings.join('\n')).not.toContain(canary)
  })

  it('adds implicit providers only when credentials exist, keyed by the env var name', () => {
    const result = buildModelsJson({
      hasAuth: (provider) => provider === 'minimax' || provider === 'moonshot',
      authEnvVar: (provider) => (provider === 'minimax' ? 'MINIMAX_API_KEY' : undefined),
    })
    expect(Object.keys(result.providers)).toEqual(['minimax', 'moonshot'])
    const minimax = result.providers['minimax']
    expect(minimax?.baseUrl).toBe('https://api.minimax.chat/v1')
    expect(minimax?.apiKey).toBe('MINIMAX_API_KEY')
    expect(minimax?.models.map((model) => model.id)).toEqual(['MiniMax-M2.1', 'MiniMax-VL-01'])
    expect(minimax?.models[0]).toMatchObject({ contextWindow: 200_000, maxTokens: 8192 })
    expect(result.providers['moonshot']?.models.map((model) => model.id)).toEqual(['kimi-k2.5'])
    expect(result.providers['moonshot']?.models[0]?.contextWindow).toBe(256_000)
    expect(result.providers['moonshot']?.apiKey).toBeUndefined()
  })

  it('gives Kimi Code its header and compat flags, Qwen its placeholder key', () => {
    const result = buildModelsJson({
      hasAuth: (provider) => provider === 'kimi-code' || provider === 'qwen-portal',
    })
    const kimi = result.providers['kimi-code']
    expect(kimi?.headers).toEqual({ 'User-Agent': 'KimiCLI/0.77' })
    expect(kimi?.models[0]).toMatchObject({
      id: 'kimi-for-coding',
      compat: { supportsDeveloperRole: false },
    })
    const qwen = result.providers['qwen-portal']
    expect(qwen).toMatchObject({ baseUrl: 'https://portal.qwen.ai/v1', apiKey: 'qwen-oauth' })
    expect(qwen?.models.map((model) => model.id)).toEqual(['coder-model', 'vision-model'])
  })

  it('configures Bedrock with aws-sdk auth and the AWS env var name', () => {
    const result = buildModelsJson({
      hasAuth: (provider) => provider === 'amazon-bedrock',
      authEnvVar: (provider) => (provider === 'amazon-bedrock' ? 'AWS_ACCESS_KEY_ID' : undefined),
      config: { models: { bedrockDiscovery: { region: 'eu-west-1' } } },
      discovered: {
        'amazon-bedrock': { models: [{ id: 'anthropic.claude-x', contextWindow: 200_000 }] },
      },
    })
    expect(result.providers['amazon-bedrock']).toMatchObject({
      baseUrl: 'https://bedrock-runtime.eu-west-1.amazonaws.com',
      auth: 'aws-sdk',
      apiKey: 'AWS_ACCESS_KEY_ID',
    })
    const discoveryOnly = buildModelsJson({
      hasAuth: noAuth,
      config: { models: { bedrockDiscovery: { enabled: true } } },
      discovered: { 'amazon-bedrock': { models: [{ id: 'm' }] } },
    })
    expect(discoveryOnly.providers['amazon-bedrock']?.apiKey).toBe('AWS_PROFILE')
  })

  it('uses the discovered Copilot base URL but never overrides an explicit Copilot provider', () => {
    const implicit = buildModelsJson({
      hasAuth: (provider) => provider === 'github-copilot',
      discovered: { 'github-copilot': { baseUrl: 'https://api.enterprise.example.test' } },
    })
    expect(implicit.providers['github-copilot']).toEqual({
      baseUrl: 'https://api.enterprise.example.test',
      api: 'github-copilot',
      models: [],
    })
    const explicit = buildModelsJson({
      hasAuth: (provider) => provider === 'github-copilot',
      discovered: { 'github-copilot': { baseUrl: 'https://api.enterprise.example.test' } },
      config: { models: { providers: { 'github-copilot': { baseUrl: 'https://mine.test' } } } },
    })
    expect(explicit.providers['github-copilot']).toEqual({
      baseUrl: 'https://mine.test',
      models: [],
    })
  })

  it('merges explicit over implicit: explicit fields win, explicit models first', () => {
    const result = buildModelsJson({
      hasAuth: (provider) => provider === 'minimax',
      config: {
        models: {
          providers: {
            MiniMax: {
              baseUrl: 'https://proxy.test/v1',
              models: [{ id: 'MiniMax-M2.1', contextWindow: 100_000 }, { id: 'custom-x' }],
            },
          },
        },
      },
    })
    const minimax = result.providers['minimax']
    expect(minimax?.baseUrl).toBe('https://proxy.test/v1')
    expect(minimax?.models.map((model) => model.id)).toEqual([
      'MiniMax-M2.1',
      'custom-x',
      'MiniMax-VL-01',
    ])
    expect(minimax?.models[0]?.contextWindow).toBe(100_000)
  })

  it('keeps existing providers in merge mode and drops them in replace mode', () => {
    const existing = `${JSON.stringify(
      { providers: { old: { baseUrl: 'https://old.test', models: [] } } },
      null,
      2,
    )}\n`
    const config = {
      models: { providers: { fresh: { baseUrl: 'https://fresh.test', models: [] } } },
    }
    const merged = buildModelsJson({ hasAuth: noAuth, existing, config })
    expect(Object.keys(merged.providers)).toEqual(['fresh', 'old'])
    const replaced = buildModelsJson({
      hasAuth: noAuth,
      existing,
      config: { models: { ...config.models, mode: 'replace' } },
    })
    expect(Object.keys(replaced.providers)).toEqual(['fresh'])
  })

  it('reports no change when the content equals the existing file', () => {
    const config = {
      models: { providers: { fresh: { baseUrl: 'https://fresh.test', models: [] } } },
    }
    const first = buildModelsJson({ hasAuth: noAuth, config })
    const second = buildModelsJson({ hasAuth: noAuth, config, existing: first.content ?? '' })
    expect(second.content).toBe(first.content)
    expect(second.changed).toBe(false)
  })

  it('ignores an unreadable existing file with a warning', () => {
    const result = buildModelsJson({
      hasAuth: noAuth,
      existing: '{ not json',
      config: { models: { providers: { a: { baseUrl: 'https://a.test' } } } },
    })
    expect(Object.keys(result.providers)).toEqual(['a'])
    expect(result.warnings[0]).toContain('existing models.json')
    const poisoned = buildModelsJson({
      hasAuth: noAuth,
      existing: '{"providers":{"__proto__":{"polluted":true},"ok":{"baseUrl":"x","models":[]}}}',
    })
    expect(Object.keys(poisoned.providers)).toEqual(['ok'])
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('normalises google gemini-3 ids to their preview ids', () => {
    const result = buildModelsJson({
      hasAuth: noAuth,
      config: {
        models: {
          providers: {
            google: { models: [{ id: 'gemini-3-pro' }, { id: 'gemini-3-flash' }] },
          },
        },
      },
    })
    expect(result.providers['google']?.models.map((model) => model.id)).toEqual([
      'gemini-3-pro-preview',
      'gemini-3-flash-preview',
    ])
    expect(result.providers['google']?.baseUrl).toBe(
      'https://generativelanguage.googleapis.com/v1beta',
    )
  })

  it('substitutes ${VAR} in base URLs when env is given, keeping key references', () => {
    const config = {
      models: {
        providers: {
          custom: { baseUrl: '${CUSTOM_API_BASE}/v1', apiKey: '${CUSTOM_KEY}', models: [] },
        },
      },
    }
    const result = buildModelsJson({
      hasAuth: noAuth,
      config,
      env: { CUSTOM_API_BASE: 'https://base.test', CUSTOM_KEY: canary },
    })
    expect(result.providers['custom']).toMatchObject({
      baseUrl: 'https://base.test/v1',
      apiKey: 'CUSTOM_KEY',
    })
    expect(result.content).not.toContain(canary)
    expect(() => buildModelsJson({ hasAuth: noAuth, config, env: {} })).toThrow(
      'Environment variable CUSTOM_API_BASE is not set (referenced at models.providers.custom.baseUrl)',
    )
  })

  it('writes env SecretRefs as the variable name and keeps other refs as references', () => {
    const result = buildModelsJson({
      hasAuth: noAuth,
      config: {
        models: {
          providers: {
            a: {
              baseUrl: 'https://a.test',
              apiKey: { source: 'env', provider: 'default', id: 'A_KEY' },
            },
            b: {
              baseUrl: 'https://b.test',
              apiKey: { source: 'file', provider: 'vault', id: '/b' },
            },
          },
        },
      },
    })
    expect(result.providers['a']?.apiKey).toBe('A_KEY')
    expect(result.providers['b']?.apiKey).toEqual({ source: 'file', provider: 'vault', id: '/b' })
  })
})
