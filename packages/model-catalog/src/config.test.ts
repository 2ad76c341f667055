import { describe, expect, it } from 'vitest'
import { findUnsafeKeys, formatConfigPath, MAX_CONFIG_DEPTH } from './config-path.js'
import {
  parseCatalogConfig,
  parseModelsJson,
  resolveAgentModelFallbacks,
  resolveAgentModelPrimary,
} from './config-schema.js'
import { substituteEnvVars } from './env-substitution.js'
import { ModelCatalogError } from './errors.js'

function catchError(run: () => unknown): ModelCatalogError {
  try {
    run()
  } catch (error) {
    if (ModelCatalogError.isInstance(error)) return error
    throw error
  }
  throw new Error('expected a ModelCatalogError')
}

async function catchAsyncError(run: () => Promise<unknown>): Promise<ModelCatalogError> {
  try {
    await run()
  } catch (error) {
    if (ModelCatalogError.isInstance(error)) return error
    throw error
  }
  throw new Error('expected a ModelCatalogError')
}

const canary = 'sk-claw-canary-3f9a1c0d5e7b42a8'

describe('formatConfigPath', () => {
  it('formats identifiers, indexes and quoted keys', () => {
    expect(formatConfigPath(['models', 'providers', 'ollama', 'models', 0, 'contextWindow'])).toBe(
      'models.providers.ollama.models[0].contextWindow',
    )
    expect(formatConfigPath(['agents', 'defaults', 'models', 'anthropic/claude-opus-4-5'])).toBe(
      'agents.defaults.models["anthropic/claude-opus-4-5"]',
    )
    expect(formatConfigPath([])).toBe('(root)')
  })
})

describe('parseCatalogConfig', () => {
  it('accepts the seed configuration and passes unknown top-level keys through', async () => {
    const config = await parseCatalogConfig({
      gateway: { port: 1234 },
      auth: { profiles: {} },
      agents: {
        defaults: {
          workspace: '~/clawd',
          model: { primary: 'anthropic/claude-opus-4-5', fallbacks: ['openai/gpt-5.2'] },
          models: { 'anthropic/claude-opus-4-5': { alias: 'opus' } },
        },
        list: [{ id: 'work', model: 'openai/gpt-5.2', workspace: '~/work' }],
      },
      models: {
        mode: 'merge',
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
        },
      },
    })
    expect(config['gateway']).toEqual({ port: 1234 })
    expect(config.agents?.defaults?.['workspace']).toBe('~/clawd')
    expect(config.models?.providers?.['ollama']?.models?.[0]?.id).toBe('llama3.2')
  })

  it('names every problem by config path, never echoing values', async () => {
    const error = await catchAsyncError(() =>
      parseCatalogConfig(
        {
          models: {
            mode: 'sideways',
            providers: {
              custom: {
                baseUrl: 'https://example.test',
                apiKey: 12,
                contextWindw: 5,
                models: [{ id: 'm', contextWindow: canary, maxTokens: -1 }],
              },
            },
          },
        },
        { source: '/home/user/.claw/claw.json' },
      ),
    )
    expect(error.code).toBe('ERR_INVALID_CONFIG')
    expect(error.message.split('\n')[0]).toBe('Invalid config at /home/user/.claw/claw.json')
    const paths = error.issues.map((issue) => issue.path)
    expect(paths).toEqual(
      expect.arrayContaining([
        'models.mode',
        'models.providers.custom.apiKey',
        'models.providers.custom.contextWindw',
        'models.providers.custom.models[0].contextWindow',
        'models.providers.custom.models[0].maxTokens',
      ]),
    )
    expect(error.message).toContain('- models.providers.custom.contextWindw: unknown field')
    expect(error.message).not.toContain(canary)
    expect(JSON.stringify(error.issues)).not.toContain(canary)
    expect(error.message).not.toContain('sideways')
  })

  it('prefixes paths when validating a slice of a larger document', async () => {
    const error = await catchAsyncError(() =>
      parseCatalogConfig({ models: { mode: 1 } }, { pathPrefix: 'profiles.main' }),
    )
    expect(error.issues[0]?.path).toBe('profiles.main.models.mode')
  })

  it.each([
    [
      '__proto__ in providers',
      '{"models":{"providers":{"__proto__":{"baseUrl":"x"}}}}',
      'models.providers.__proto__',
    ],
    [
      'prototype key',
      '{"agents":{"defaults":{"models":{"prototype":{}}}}}',
      'agents.defaults.models.prototype',
    ],
    [
      'constructor.prototype',
      '{"agents":{"constructor":{"prototype":{"polluted":true}}}}',
      'agents.constructor',
    ],
  ])('rejects prototype-poisoning keys (%s)', async (_label, json, path) => {
    const before = Object.getOwnPropertyNames(Object.prototype)
    const error = await catchAsyncError(() => parseCatalogConfig(JSON.parse(json)))
    expect(error.code).toBe('ERR_UNSAFE_KEY')
    expect(error.issues.map((issue) => issue.path)).toContain(path)
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(before)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('rejects hostile nesting with an error instead of a stack overflow', async () => {
    let deep: unknown = {}
    for (let level = 0; level < 100_000; level += 1) deep = { next: deep }
    const error = await catchAsyncError(() =>
      parseCatalogConfig({ models: { bedrockDiscovery: deep } }),
    )
    expect(error.code).toBe('ERR_UNSAFE_KEY')
    expect(error.issues[0]?.message).toContain(`nesting deeper than ${MAX_CONFIG_DEPTH}`)
  })

  it('validates models.json documents with paths', async () => {
    const error = await catchAsyncError(() =>
      parseModelsJson({ providers: { x: { baseUrl: 5 } } }, { source: '/tmp/models.json' }),
    )
    expect(error.message.split('\n')[0]).toBe('Invalid models.json at /tmp/models.json')
    expect(error.issues[0]?.path).toBe('providers.x.baseUrl')
    await expect(
      parseModelsJson({ providers: { x: { baseUrl: 'https://x.test', models: [] } } }),
    ).resolves.toEqual({ providers: { x: { baseUrl: 'https://x.test', models: [] } } })
  })

  it('allows a constructor key holding a plain value', () => {
    expect(findUnsafeKeys({ tags: { constructor: 'x' } })).toEqual([])
  })
})

describe('agent model helpers', () => {
  it('reads primary and fallbacks from both shapes', () => {
    expect(resolveAgentModelPrimary(' openai/gpt-5.2 ')).toBe('openai/gpt-5.2')
    expect(resolveAgentModelPrimary({ primary: 'x/y' })).toBe('x/y')
    expect(resolveAgentModelPrimary({ fallbacks: [] })).toBeUndefined()
    expect(resolveAgentModelPrimary('  ')).toBeUndefined()
    expect(resolveAgentModelPrimary(undefined)).toBeUndefined()
    expect(resolveAgentModelFallbacks('openai/gpt-5.2')).toEqual([])
    expect(resolveAgentModelFallbacks({ fallbacks: ['a/b'] })).toEqual(['a/b'])
  })
})

describe('substituteEnvVars', () => {
  const env = { CUSTOM_API_BASE: 'https://example.test', OPENAI_KEY: canary, EMPTY: '' }

  it('replaces ${VAR} in every string and returns a new value', () => {
    const input = {
      models: {
        providers: {
          custom: {
            baseUrl: '${CUSTOM_API_BASE}/v1',
            models: [{ id: 'm', name: 'x ${CUSTOM_API_BASE}' }],
          },
        },
      },
      port: 8080,
      enabled: true,
    }
    const output = substituteEnvVars(input, { env })
    expect(output.models.providers.custom.baseUrl).toBe('https://example.test/v1')
    expect(output.models.providers.custom.models[0]?.name).toBe('x https://example.test')
    expect(output.port).toBe(8080)
    expect(input.models.providers.custom.baseUrl).toBe('${CUSTOM_API_BASE}/v1')
  })

  it('keeps $${VAR} as a literal ${VAR}', () => {
    expect(substituteEnvVars('cost $${NOT_A_VAR}', { env })).toBe('cost ${NOT_A_VAR}')
  })

  it('names the variable and the config path when it is unset, never the value', () => {
    const error = catchError(() =>
      substituteEnvVars(
        { providers: { openai: { apiKey: '${OPENAI_KEY}', baseUrl: '${MISSING_BASE}' } } },
        { env, pathPrefix: 'models' },
      ),
    )
    expect(error.code).toBe('ERR_ENV_VAR_UNSET')
    expect(error.message).toBe(
      'Environment variable MISSING_BASE is not set (referenced at models.providers.openai.baseUrl)',
    )
    expect(error.message).not.toContain(canary)
  })

  it('names the file the document came from, for unset variables and deep nesting', () => {
    const source = '/home/me/.claw/claw.json'
    const unset = catchError(() => substituteEnvVars({ a: '${MISSING_BASE}' }, { env, source }))
    expect(unset.message).toBe(
      `Environment variable MISSING_BASE is not set (referenced at a in ${source})`,
    )
    let deep: unknown = 'x'
    for (let depth = 0; depth < MAX_CONFIG_DEPTH + 1; depth += 1) deep = { d: deep }
    const nested = catchError(() => substituteEnvVars(deep, { env, source }))
    expect(nested.code).toBe('ERR_INVALID_CONFIG')
    expect(nested.message).toMatch(
      new RegExp(
        `^Config nesting deeper than ${MAX_CONFIG_DEPTH} levels at d(\\.d)+ in ${source}$`,
      ),
    )
  })

  it('treats an empty variable as unset', () => {
    expect(catchError(() => substituteEnvVars('${EMPTY}', { env })).code).toBe('ERR_ENV_VAR_UNSET')
  })

  it('rejects malformed references', () => {
    const error = catchError(() => substituteEnvVars({ a: ['${not valid}'] }, { env }))
    expect(error.code).toBe('ERR_INVALID_CONFIG')
    expect(error.message).toContain('a[0]')
  })

  it('does not copy prototype-poisoning keys onto a prototype', () => {
    const output = substituteEnvVars(JSON.parse('{"__proto__":{"polluted":"yes"}}') as object, {
      env,
    })
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})
