import { describe, expect, it } from 'vitest'
import { buildModelAliasIndex, resolveModelRefFromString } from './aliases.js'
import {
  buildAllowedModelSet,
  formatModelNotAllowedMessage,
  resolveAllowedModelRef,
} from './allowlist.js'
import type { CatalogConfig } from './schemas.js'
import {
  DEFAULT_MODEL,
  DEFAULT_PROVIDER,
  resolveConfiguredFallbacks,
  resolveConfiguredModelRef,
} from './configured-model.js'

const seedConfig: CatalogConfig = {
  agents: {
    defaults: {
      model: {
        primary: 'anthropic/claude-opus-4-5',
        fallbacks: ['openai/gpt-5.2', 'openai/gpt-5-mini'],
      },
      models: {
        'anthropic/claude-opus-4-5': { alias: 'opus' },
        'anthropic/claude-sonnet-4-5': { alias: 'sonnet' },
        'openai/gpt-5.2': { alias: 'gpt' },
        'openai/gpt-5-mini': { alias: 'gpt-mini' },
      },
    },
  },
}

const catalog = [
  { provider: 'anthropic', id: 'claude-opus-4-5' },
  { provider: 'anthropic', id: 'claude-sonnet-4-5' },
  { provider: 'openai', id: 'gpt-5.2' },
  { provider: 'openai', id: 'gpt-5-mini' },
  { provider: 'openai', id: 'gpt-4.1-mini' },
]

describe('buildModelAliasIndex', () => {
  it('indexes aliases case-insensitively and lists aliases per key', () => {
    const index = buildModelAliasIndex({ config: seedConfig, defaultProvider: 'anthropic' })
    expect(index.byAlias.get('opus')).toEqual({
      alias: 'opus',
      ref: { provider: 'anthropic', model: 'claude-opus-4-5' },
    })
    expect(index.byKey.get('openai/gpt-5.2')).toEqual(['gpt'])
    expect(index.byAlias.size).toBe(4)
  })

  it('skips unparsable keys and entries without an alias, trims aliases', () => {
    const index = buildModelAliasIndex({
      defaultProvider: 'anthropic',
      config: {
        agents: {
          defaults: {
            models: {
              'anthropic/': { alias: 'broken' },
              'openai/gpt-5.2': {},
              'openai/gpt-5-mini': { alias: '   ' },
              'claude-haiku-4-5': { alias: '  Haiku ' },
            },
          },
        },
      },
    })
    expect([...index.byAlias.keys()]).toEqual(['haiku'])
    expect(index.byAlias.get('haiku')).toEqual({
      alias: 'Haiku',
      ref: { provider: 'anthropic', model: 'claude-haiku-4-5' },
    })
  })

  it('lets the last definition of an alias win', () => {
    const index = buildModelAliasIndex({
      defaultProvider: 'anthropic',
      config: {
        agents: {
          defaults: {
            models: {
              'anthropic/claude-opus-4-5': { alias: 'best' },
              'openai/gpt-5.2': { alias: 'BEST' },
            },
          },
        },
      },
    })
    expect(index.byAlias.get('best')?.ref).toEqual({ provider: 'openai', model: 'gpt-5.2' })
    expect(index.byKey.get('openai/gpt-5.2')).toEqual(['BEST'])
    expect(index.byKey.has('anthropic/claude-opus-4-5')).toBe(false)
  })

  it('is empty without config', () => {
    const index = buildModelAliasIndex({ defaultProvider: 'anthropic' })
    expect(index.byAlias.size).toBe(0)
    expect(index.byKey.size).toBe(0)
  })
})

describe('resolveModelRefFromString', () => {
  const aliasIndex = buildModelAliasIndex({ config: seedConfig, defaultProvider: 'anthropic' })

  it('resolves an alias case-insensitively and reports it', () => {
    expect(resolveModelRefFromString('OPUS', { defaultProvider: 'anthropic', aliasIndex })).toEqual(
      { ref: { provider: 'anthropic', model: 'claude-opus-4-5' }, alias: 'opus' },
    )
  })

  it('parses anything else as a model ref', () => {
    expect(
      resolveModelRefFromString('openai/gpt-4.1-mini', {
        defaultProvider: 'anthropic',
        aliasIndex,
      }),
    ).toEqual({ ref: { provider: 'openai', model: 'gpt-4.1-mini' } })
    expect(resolveModelRefFromString('claude-haiku-4-5', { defaultProvider: 'anthropic' })).toEqual(
      {
        ref: { provider: 'anthropic', model: 'claude-haiku-4-5' },
      },
    )
  })

  it('does not treat input containing a slash as an alias', () => {
    const index = buildModelAliasIndex({
      defaultProvider: 'anthropic',
      config: { agents: { defaults: { models: { 'openai/gpt-5.2': { alias: 'a/b' } } } } },
    })
    expect(
      resolveModelRefFromString('a/b', { defaultProvider: 'anthropic', aliasIndex: index }),
    ).toEqual({ ref: { provider: 'a', model: 'b' } })
  })

  it('returns null for unparsable input', () => {
    expect(resolveModelRefFromString('', { defaultProvider: 'anthropic' })).toBeNull()
    expect(resolveModelRefFromString('anthropic/', { defaultProvider: 'anthropic' })).toBeNull()
    expect(resolveModelRefFromString(undefined, { defaultProvider: 'anthropic' })).toBeNull()
  })
})

describe('resolveConfiguredModelRef', () => {
  it('returns the compiled-in defaults when nothing is configured', () => {
    expect(resolveConfiguredModelRef()).toEqual({
      provider: DEFAULT_PROVIDER,
      model: DEFAULT_MODEL,
    })
    expect(DEFAULT_PROVIDER).toBe('anthropic')
    expect(DEFAULT_MODEL).toBe('claude-opus-4-5')
    expect(
      resolveConfiguredModelRef({
        config: { agents: { defaults: { model: '  ' } } },
        defaultProvider: 'openai',
        defaultModel: 'gpt-4.1-mini',
      }),
    ).toEqual({ provider: 'openai', model: 'gpt-4.1-mini' })
  })

  it('reads a string or { primary }', () => {
    expect(
      resolveConfiguredModelRef({ config: { agents: { defaults: { model: 'openai/gpt-5.2' } } } }),
    ).toEqual({ provider: 'openai', model: 'gpt-5.2' })
    expect(resolveConfiguredModelRef({ config: seedConfig })).toEqual({
      provider: 'anthropic',
      model: 'claude-opus-4-5',
    })
  })

  it('resolves an alias without warning', () => {
    const warnings: string[] = []
    const config: CatalogConfig = {
      agents: { defaults: { ...seedConfig.agents?.defaults, model: { primary: 'GPT' } } },
    }
    expect(
      resolveConfiguredModelRef({ config, warn: (message) => warnings.push(message) }),
    ).toEqual({ provider: 'openai', model: 'gpt-5.2' })
    expect(warnings).toEqual([])
  })

  it('assumes anthropic for a provider-less non-alias and warns through the callback', () => {
    const warnings: string[] = []
    const ref = resolveConfiguredModelRef({
      config: { agents: { defaults: { model: 'claude-sonnet-4-5' } } },
      defaultProvider: 'openai',
      warn: (message) => warnings.push(message),
    })
    expect(ref).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-5' })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('Falling back to "anthropic/claude-sonnet-4-5"')
  })

  it('stays silent without a warn callback', () => {
    expect(
      resolveConfiguredModelRef({ config: { agents: { defaults: { model: 'opus-4.5' } } } }),
    ).toEqual({ provider: 'anthropic', model: 'claude-opus-4-5' })
  })

  it('falls back to the defaults when a ref with a slash does not parse', () => {
    expect(
      resolveConfiguredModelRef({ config: { agents: { defaults: { model: 'openai/' } } } }),
    ).toEqual({ provider: 'anthropic', model: 'claude-opus-4-5' })
  })

  it('prefers the agent override when an agent id is given', () => {
    const config: CatalogConfig = {
      agents: {
        defaults: { model: 'anthropic/claude-opus-4-5' },
        list: [
          { id: 'work', model: { primary: 'openai/gpt-5.2', fallbacks: ['openai/gpt-5-mini'] } },
          { id: 'home' },
        ],
      },
    }
    expect(resolveConfiguredModelRef({ config, agentId: 'work' })).toEqual({
      provider: 'openai',
      model: 'gpt-5.2',
    })
    expect(resolveConfiguredModelRef({ config, agentId: 'home' })).toEqual({
      provider: 'anthropic',
      model: 'claude-opus-4-5',
    })
    expect(resolveConfiguredFallbacks({ config, agentId: 'work' })).toEqual(['openai/gpt-5-mini'])
    expect(resolveConfiguredFallbacks({ config, agentId: 'home' })).toEqual([])
    expect(resolveConfiguredFallbacks({ config: seedConfig })).toEqual([
      'openai/gpt-5.2',
      'openai/gpt-5-mini',
    ])
  })
})

describe('buildAllowedModelSet', () => {
  it('allows any model when agents.defaults.models is empty', () => {
    const allowed = buildAllowedModelSet({ catalog, config: {} })
    expect(allowed.allowAny).toBe(true)
    expect(allowed.has('some/unknown-model')).toBe(true)
    expect(allowed.keys.has('openai/gpt-4.1-mini')).toBe(true)
    expect(allowed.keys.has('anthropic/claude-opus-4-5')).toBe(true)
  })

  it('restricts to allowlisted catalog models plus the default', () => {
    const allowed = buildAllowedModelSet({ catalog, config: seedConfig })
    expect(allowed.allowAny).toBe(false)
    expect([...allowed.keys].sort()).toEqual([
      'anthropic/claude-opus-4-5',
      'anthropic/claude-sonnet-4-5',
      'openai/gpt-5-mini',
      'openai/gpt-5.2',
    ])
    expect(allowed.has('openai/gpt-4.1-mini')).toBe(false)
  })

  it('always allows the default model even when it is not listed', () => {
    const allowed = buildAllowedModelSet({
      catalog,
      config: {
        agents: {
          defaults: { model: 'openai/gpt-4.1-mini', models: { 'openai/gpt-5.2': {} } },
        },
      },
    })
    expect(allowed.has('openai/gpt-4.1-mini')).toBe(true)
    expect(allowed.has('openai/gpt-5.2')).toBe(true)
    expect(allowed.has('anthropic/claude-opus-4-5')).toBe(false)
  })

  it('accepts CLI providers, catalog models and configured providers only', () => {
    const allowed = buildAllowedModelSet({
      catalog,
      config: {
        models: { providers: { ollama: { baseUrl: 'http://localhost:11434', models: [] } } },
        agents: {
          defaults: {
            cliBackends: { 'my-cli': {} },
            models: {
              'claude-cli/opus': {},
              'codex-cli/gpt-5': {},
              'my-cli/anything': {},
              'ollama/llama3.2': {},
              'openai/gpt-5.2': {},
              'mystery/model': {},
            },
          },
        },
      },
    })
    expect(allowed.has('claude-cli/opus')).toBe(true)
    expect(allowed.has('codex-cli/gpt-5')).toBe(true)
    expect(allowed.has('my-cli/anything')).toBe(true)
    expect(allowed.has('ollama/llama3.2')).toBe(true)
    expect(allowed.has('openai/gpt-5.2')).toBe(true)
    expect(allowed.has('mystery/model')).toBe(false)
  })

  it('degrades to allow-any when no allowlist entry is usable', () => {
    const allowed = buildAllowedModelSet({
      catalog,
      config: { agents: { defaults: { models: { 'mystery/model': {}, 'nothing/': {} } } } },
    })
    expect(allowed.allowAny).toBe(true)
    expect(allowed.has('mystery/model')).toBe(true)
  })

  it('accepts a catalog object with list()', () => {
    const allowed = buildAllowedModelSet({
      catalog: { list: () => catalog },
      config: seedConfig,
    })
    expect(allowed.has('openai/gpt-5.2')).toBe(true)
  })
})

describe('resolveAllowedModelRef', () => {
  it("returns OpenClaw's error strings", () => {
    expect(resolveAllowedModelRef('', { catalog, config: seedConfig })).toEqual({
      error: 'invalid model: empty',
    })
    expect(resolveAllowedModelRef('  ', { catalog, config: seedConfig })).toEqual({
      error: 'invalid model: empty',
    })
    expect(resolveAllowedModelRef('openai/', { catalog, config: seedConfig })).toEqual({
      error: 'invalid model: openai/',
    })
    expect(resolveAllowedModelRef('openai/gpt-4.1-mini', { catalog, config: seedConfig })).toEqual({
      error: 'model not allowed: openai/gpt-4.1-mini',
    })
  })

  it('resolves aliases and allowed refs', () => {
    expect(resolveAllowedModelRef('Sonnet', { catalog, config: seedConfig })).toEqual({
      ref: { provider: 'anthropic', model: 'claude-sonnet-4-5' },
      key: 'anthropic/claude-sonnet-4-5',
      alias: 'sonnet',
    })
    expect(resolveAllowedModelRef('openai/gpt-5.2', { catalog, config: seedConfig })).toEqual({
      ref: { provider: 'openai', model: 'gpt-5.2' },
      key: 'openai/gpt-5.2',
    })
  })

  it('formats the chat-surface message', () => {
    expect(formatModelNotAllowedMessage('openai/gpt-4.1-mini')).toBe(
      'Model "openai/gpt-4.1-mini" is not allowed. Use /model to list available models.',
    )
  })
})
