import { describe, expect, it } from 'vitest'
import { ModelCatalogError } from './errors.js'
import {
  modelKey,
  normalizeModelId,
  normalizeProviderId,
  parseModelRef,
  parseModelSelection,
  requireModelRef,
} from './model-ref.js'

const anthropic = { defaultProvider: 'anthropic' }

describe('normalizeProviderId', () => {
  it.each([
    ['anthropic', 'anthropic'],
    ['  Anthropic ', 'anthropic'],
    ['z.ai', 'zai'],
    ['Z.AI', 'zai'],
    ['z-ai', 'zai'],
    ['opencode-zen', 'opencode'],
    ['qwen', 'qwen-portal'],
    ['QWEN', 'qwen-portal'],
    ['qwen-portal', 'qwen-portal'],
    ['openrouter', 'openrouter'],
    ['some-new-provider', 'some-new-provider'],
    ['', ''],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeProviderId(raw)).toBe(expected)
  })
})

describe('normalizeModelId', () => {
  it('maps the anthropic short ids case-insensitively', () => {
    expect(normalizeModelId('anthropic', 'opus-4.5')).toBe('claude-opus-4-5')
    expect(normalizeModelId('anthropic', 'Opus-4.5')).toBe('claude-opus-4-5')
    expect(normalizeModelId('anthropic', 'SONNET-4.5')).toBe('claude-sonnet-4-5')
    expect(normalizeModelId('Anthropic', ' sonnet-4.5 ')).toBe('claude-sonnet-4-5')
  })

  it('maps the gemini-3 ids to their preview ids for google only', () => {
    expect(normalizeModelId('google', 'gemini-3-pro')).toBe('gemini-3-pro-preview')
    expect(normalizeModelId('google', 'gemini-3-flash')).toBe('gemini-3-flash-preview')
    expect(normalizeModelId('google-gemini-cli', 'gemini-3-pro')).toBe('gemini-3-pro')
  })

  it('leaves everything else as written (trimmed)', () => {
    expect(normalizeModelId('openai', ' gpt-5.2 ')).toBe('gpt-5.2')
    expect(normalizeModelId('openai', 'opus-4.5')).toBe('opus-4.5')
    expect(normalizeModelId('anthropic', 'claude-opus-4-5')).toBe('claude-opus-4-5')
  })
})

describe('parseModelRef', () => {
  it('uses the default provider for a bare id', () => {
    expect(parseModelRef('claude-opus-4-5', anthropic)).toEqual({
      provider: 'anthropic',
      model: 'claude-opus-4-5',
    })
    expect(parseModelRef('gpt-5.2', { defaultProvider: 'OpenAI' })).toEqual({
      provider: 'openai',
      model: 'gpt-5.2',
    })
  })

  it('normalises the model id of a bare ref against the default provider', () => {
    expect(parseModelRef('opus-4.5', anthropic)).toEqual({
      provider: 'anthropic',
      model: 'claude-opus-4-5',
    })
  })

  it('splits at the first slash and keeps the rest as the model id', () => {
    expect(parseModelRef('openrouter/moonshotai/kimi-k2', anthropic)).toEqual({
      provider: 'openrouter',
      model: 'moonshotai/kimi-k2',
    })
    expect(parseModelRef('openrouter/anthropic/claude-sonnet-4-5', anthropic)).toEqual({
      provider: 'openrouter',
      model: 'anthropic/claude-sonnet-4-5',
    })
  })

  it('normalises the provider side', () => {
    expect(parseModelRef('Z.AI/glm-4.7', anthropic)).toEqual({ provider: 'zai', model: 'glm-4.7' })
    expect(parseModelRef('z-ai/glm-4.7', anthropic)).toEqual({ provider: 'zai', model: 'glm-4.7' })
    expect(parseModelRef(' anthropic / opus-4.5 ', anthropic)).toEqual({
      provider: 'anthropic',
      model: 'claude-opus-4-5',
    })
  })

  it.each(['', '   ', '/', 'anthropic/', '/model', ' / ', 'anthropic/  '])(
    'returns null for %j',
    (raw) => {
      expect(parseModelRef(raw, anthropic)).toBeNull()
    },
  )

  it('returns null for non-string input instead of throwing', () => {
    expect(parseModelRef(undefined, anthropic)).toBeNull()
    expect(parseModelRef(42, anthropic)).toBeNull()
    expect(parseModelRef({ provider: 'x' }, anthropic)).toBeNull()
  })

  it('rejects control and bidi-override characters', () => {
    expect(parseModelRef('anthropic/\u001b[31mx', anthropic)).toBeNull()
    expect(parseModelRef('anthropic/claude\u0000', anthropic)).toBeNull()
    expect(parseModelRef('anthropic/\u202eevil', anthropic)).toBeNull()
    expect(parseModelRef('open\u0085ai/gpt-5.2', anthropic)).toBeNull()
  })

  it('treats NFC and NFD spellings as the same ref', () => {
    const composed = parseModelRef('custom/caf\u00e9', anthropic)
    const decomposed = parseModelRef('custom/cafe\u0301', anthropic)
    expect(composed).toEqual(decomposed)
  })

  it('returns null for a bare id when the default provider is blank', () => {
    expect(parseModelRef('gpt-5.2', { defaultProvider: ' ' })).toBeNull()
  })
})

describe('requireModelRef', () => {
  it('returns the ref when it parses', () => {
    expect(requireModelRef('openai/gpt-5.2', anthropic)).toEqual({
      provider: 'openai',
      model: 'gpt-5.2',
    })
  })

  it('throws ERR_INVALID_MODEL_REF with the input escaped', () => {
    let thrown: unknown
    try {
      requireModelRef('anthropic/\u001b[31m', anthropic)
    } catch (error) {
      thrown = error
    }
    expect(ModelCatalogError.isInstance(thrown)).toBe(true)
    const error = thrown as ModelCatalogError
    expect(error.code).toBe('ERR_INVALID_MODEL_REF')
    expect(error.message).toContain('Invalid model reference')
    expect(error.message).not.toContain('\u001b')
    expect(() => requireModelRef(7, anthropic)).toThrow('Invalid model reference: (number)')
  })
})

describe('modelKey', () => {
  it('joins provider and model', () => {
    expect(modelKey('anthropic', 'claude-opus-4-5')).toBe('anthropic/claude-opus-4-5')
    expect(modelKey({ provider: 'openrouter', model: 'a/b' })).toBe('openrouter/a/b')
  })
})

describe('parseModelSelection', () => {
  it('splits at the first @', () => {
    expect(parseModelSelection('opus@anthropic:work')).toEqual({
      model: 'opus',
      profileId: 'anthropic:work',
    })
  })

  it('keeps email-style profile ids whole', () => {
    expect(parseModelSelection('opus@anthropic:me@example.com')).toEqual({
      model: 'opus',
      profileId: 'anthropic:me@example.com',
    })
  })

  it('returns the model alone when there is no profile', () => {
    expect(parseModelSelection(' anthropic/claude-opus-4-5 ')).toEqual({
      model: 'anthropic/claude-opus-4-5',
    })
    expect(parseModelSelection('opus@')).toEqual({ model: 'opus' })
  })

  it('reports an empty model when the input starts with @', () => {
    expect(parseModelSelection('@anthropic:work')).toEqual({
      model: '',
      profileId: 'anthropic:work',
    })
  })

  it('returns null for blank or non-string input', () => {
    expect(parseModelSelection('')).toBeNull()
    expect(parseModelSelection('  ')).toBeNull()
    expect(parseModelSelection(null)).toBeNull()
  })
})
