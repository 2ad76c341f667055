import { describe, expect, it } from 'vitest'
import { collectProviderApiKeys, resolveAmbientCredentials, resolveEnvApiKey } from './env-keys.js'
import { isAuthProfilesError } from '../errors.js'

describe('resolveEnvApiKey', () => {
  it.each([
    ['anthropic', ['ANTHROPIC_OAUTH_TOKEN', 'ANTHROPIC_API_KEY']],
    ['github-copilot', ['COPILOT_GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_TOKEN']],
    ['chutes', ['CHUTES_OAUTH_TOKEN', 'CHUTES_API_KEY']],
    ['zai', ['ZAI_API_KEY', 'Z_AI_API_KEY']],
    ['opencode', ['OPENCODE_API_KEY', 'OPENCODE_ZEN_API_KEY']],
    ['qwen-portal', ['QWEN_OAUTH_TOKEN', 'QWEN_PORTAL_API_KEY']],
  ])("follows OpenClaw's precedence for %s", (provider, names) => {
    // With every variable set, the first wins; removing it promotes the next one.
    for (let first = 0; first < names.length; first += 1) {
      const env = Object.fromEntries(names.slice(first).map((name) => [name, `value-of-${name}`]))
      const name = names[first] ?? ''
      expect(resolveEnvApiKey(provider, { env })).toMatchObject({
        apiKey: `value-of-${name}`,
        envVar: name,
        source: `env: ${name}`,
      })
    }
  })

  it.each([
    ['openai', 'OPENAI_API_KEY'],
    ['google', 'GEMINI_API_KEY'],
    ['groq', 'GROQ_API_KEY'],
    ['deepgram', 'DEEPGRAM_API_KEY'],
    ['cerebras', 'CEREBRAS_API_KEY'],
    ['xai', 'XAI_API_KEY'],
    ['openrouter', 'OPENROUTER_API_KEY'],
    ['vercel-ai-gateway', 'AI_GATEWAY_API_KEY'],
    ['moonshot', 'MOONSHOT_API_KEY'],
    ['kimi-code', 'KIMICODE_API_KEY'],
    ['minimax', 'MINIMAX_API_KEY'],
    ['synthetic', 'SYNTHETIC_API_KEY'],
    ['venice', 'VENICE_API_KEY'],
    ['mistral', 'MISTRAL_API_KEY'],
  ])('reads %s from %s', (provider, name) => {
    expect(resolveEnvApiKey(provider, { env: { [name]: 'secret-value' } })).toEqual({
      apiKey: 'secret-value',
      source: `env: ${name}`,
      envVar: name,
      mode: 'api-key',
    })
  })

  it.each([
    ['anthropic', 'ANTHROPIC_OAUTH_TOKEN'],
    ['chutes', 'CHUTES_OAUTH_TOKEN'],
    ['qwen-portal', 'QWEN_OAUTH_TOKEN'],
  ])('reports %s %s as oauth mode', (provider, name) => {
    expect(resolveEnvApiKey(provider, { env: { [name]: 'tok' } })?.mode).toBe('oauth')
  })

  it('reports GitHub tokens as api-key mode (no OAUTH_TOKEN in the name)', () => {
    expect(resolveEnvApiKey('github-copilot', { env: { GH_TOKEN: 'gho_x' } })?.mode).toBe('api-key')
  })

  it('trims values and skips empty or blank ones', () => {
    const env = { ANTHROPIC_OAUTH_TOKEN: '   ', ANTHROPIC_API_KEY: '  sk-ant-key \n' }
    expect(resolveEnvApiKey('anthropic', { env })).toEqual({
      apiKey: 'sk-ant-key',
      source: 'env: ANTHROPIC_API_KEY',
      envVar: 'ANTHROPIC_API_KEY',
      mode: 'api-key',
    })
    expect(resolveEnvApiKey('anthropic', { env: { ANTHROPIC_API_KEY: '' } })).toBeNull()
  })

  it('normalises the provider id', () => {
    expect(resolveEnvApiKey(' Z.AI ', { env: { Z_AI_API_KEY: 'z' } })?.envVar).toBe('Z_AI_API_KEY')
    expect(resolveEnvApiKey('qwen', { env: { QWEN_PORTAL_API_KEY: 'q' } })?.envVar).toBe(
      'QWEN_PORTAL_API_KEY',
    )
  })

  it('returns null for unknown providers, missing variables and ambient-only providers', () => {
    expect(resolveEnvApiKey('no-such-provider-xyz', { env: { OPENAI_API_KEY: 'k' } })).toBeNull()
    expect(resolveEnvApiKey('openai', { env: {} })).toBeNull()
    expect(resolveEnvApiKey('', { env: { OPENAI_API_KEY: 'k' } })).toBeNull()
    expect(
      resolveEnvApiKey('amazon-bedrock', { env: { AWS_BEARER_TOKEN_BEDROCK: 'b' } }),
    ).toBeNull()
    expect(
      resolveEnvApiKey('google-vertex', { env: { GOOGLE_APPLICATION_CREDENTIALS: '/x.json' } }),
    ).toBeNull()
  })

  it('does not read inherited properties of the env object', () => {
    const env = Object.create({ OPENAI_API_KEY: 'inherited' }) as Record<string, string>
    expect(resolveEnvApiKey('openai', { env })).toBeNull()
  })
})

describe('resolveAmbientCredentials', () => {
  const bedrock = (env: Record<string, string>) =>
    resolveAmbientCredentials('amazon-bedrock', { env })

  it('follows the Bedrock source precedence', () => {
    const all = {
      AWS_BEARER_TOKEN_BEDROCK: 'bearer',
      AWS_ACCESS_KEY_ID: 'AKIA',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_PROFILE: 'dev',
    }
    expect(bedrock(all)).toEqual({ mode: 'aws-sdk', source: 'env: AWS_BEARER_TOKEN_BEDROCK' })
    expect(bedrock({ ...all, AWS_BEARER_TOKEN_BEDROCK: '' })).toEqual({
      mode: 'aws-sdk',
      source: 'env: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY',
    })
    expect(bedrock({ AWS_PROFILE: 'dev' })).toEqual({ mode: 'aws-sdk', source: 'env: AWS_PROFILE' })
    expect(bedrock({})).toEqual({ mode: 'aws-sdk', source: 'aws-sdk default chain' })
  })

  it('needs both access key variables', () => {
    expect(bedrock({ AWS_ACCESS_KEY_ID: 'AKIA', AWS_PROFILE: 'dev' })?.source).toBe(
      'env: AWS_PROFILE',
    )
    expect(bedrock({ AWS_SECRET_ACCESS_KEY: 'secret' })?.source).toBe('aws-sdk default chain')
  })

  it('ignores blank values', () => {
    expect(bedrock({ AWS_BEARER_TOKEN_BEDROCK: '  ', AWS_PROFILE: ' ' })?.source).toBe(
      'aws-sdk default chain',
    )
  })

  it('reports gcloud ADC for google-vertex only when GOOGLE_APPLICATION_CREDENTIALS is set', () => {
    expect(
      resolveAmbientCredentials('google-vertex', {
        env: { GOOGLE_APPLICATION_CREDENTIALS: '/home/me/adc.json' },
      }),
    ).toEqual({ mode: 'gcloud-adc', source: 'gcloud adc' })
    expect(resolveAmbientCredentials('google-vertex', { env: {} })).toBeNull()
    expect(
      resolveAmbientCredentials('google-vertex', { env: { GOOGLE_APPLICATION_CREDENTIALS: '' } }),
    ).toBeNull()
  })

  it('returns null for other providers', () => {
    expect(resolveAmbientCredentials('openai', { env: { AWS_PROFILE: 'dev' } })).toBeNull()
    expect(
      resolveAmbientCredentials('google', { env: { GOOGLE_APPLICATION_CREDENTIALS: '/x' } }),
    ).toBeNull()
  })

  it('normalises the provider id', () => {
    expect(resolveAmbientCredentials(' Amazon-Bedrock ', { env: {} })?.mode).toBe('aws-sdk')
  })
})

describe('collectProviderApiKeys', () => {
  it('returns nothing when no variable is set', () => {
    expect(collectProviderApiKeys('openai', { env: {} })).toEqual([])
  })

  it('uses CLAW_LIVE_<BASE>_KEY exclusively, even over primaryApiKey', () => {
    const env = {
      CLAW_LIVE_OPENAI_KEY: ' live ',
      OPENAI_API_KEYS: 'a,b',
      CLAW_LIVE_OPENAI_KEYS: 'c',
      OPENAI_API_KEY: 'd',
      OPENAI_API_KEY_1: 'e',
    }
    expect(collectProviderApiKeys('openai', { env, primaryApiKey: 'primary' })).toEqual(['live'])
  })

  it('ignores a blank or placeholder live key', () => {
    for (const value of ['', '  ', 'undefined', 'null']) {
      expect(
        collectProviderApiKeys('openai', {
          env: { CLAW_LIVE_OPENAI_KEY: value, OPENAI_API_KEY: 'k' },
        }),
      ).toEqual(['k'])
    }
  })

  it('orders the sources by priority', () => {
    const env = {
      OPENAI_API_KEY_2: 'numbered-2',
      OPENAI_API_KEY: 'single',
      CLAW_LIVE_OPENAI_KEYS: 'live-list',
      OPENAI_API_KEYS: 'list-1 list-2',
      OPENAI_API_KEY_1: 'numbered-1',
    }
    expect(collectProviderApiKeys('openai', { env, primaryApiKey: 'primary' })).toEqual([
      'primary',
      'list-1',
      'list-2',
      'live-list',
      'single',
      'numbered-2',
      'numbered-1',
    ])
  })

  it.each([
    ['commas', 'a,b,c'],
    ['semicolons', 'a;b;c'],
    ['spaces', 'a b c'],
    ['newlines and tabs', 'a\nb\tc'],
    ['mixed with empty items', ' ,a ,; b;;\n c, '],
  ])('splits list variables on %s', (_name, value) => {
    expect(collectProviderApiKeys('groq', { env: { GROQ_API_KEYS: value } })).toEqual([
      'a',
      'b',
      'c',
    ])
  })

  it('reads CLAW_LIVE_<BASE>_KEYS as a list', () => {
    expect(
      collectProviderApiKeys('anthropic', { env: { CLAW_LIVE_ANTHROPIC_KEYS: 'k1;k2 k3' } }),
    ).toEqual(['k1', 'k2', 'k3'])
  })

  it('reads <BASE>_API_KEY_* in the env object enumeration order, not sorted', () => {
    const env = {
      OPENAI_API_KEY_ZED: 'z',
      OPENAI_API_KEY_10: 'ten',
      UNRELATED: 'x',
      OPENAI_API_KEY_1: 'one',
      OPENAI_API_KEY_BACKUP: 'backup',
      OPENAI_API_KEYS_EXTRA: 'not-numbered',
      OPENAI_API_KEY: 'single',
    }
    expect(collectProviderApiKeys('openai', { env })).toEqual([
      'single',
      'z',
      'ten',
      'one',
      'backup',
    ])
  })

  it('trims, skips empty and placeholder values, and deduplicates keeping the first', () => {
    const env = {
      OPENAI_API_KEYS: ' k1 , k2,k1 ,undefined,null',
      OPENAI_API_KEY: ' k2 ',
      OPENAI_API_KEY_1: '   ',
      OPENAI_API_KEY_2: 'null',
      OPENAI_API_KEY_3: 'k3',
      OPENAI_API_KEY_4: 'k1',
    }
    expect(collectProviderApiKeys('openai', { env, primaryApiKey: ' k3 ' })).toEqual([
      'k3',
      'k1',
      'k2',
    ])
  })

  it('ignores a blank or placeholder primaryApiKey', () => {
    for (const primaryApiKey of ['', ' ', 'undefined', 'null']) {
      expect(
        collectProviderApiKeys('openai', { env: { OPENAI_API_KEY: 'k' }, primaryApiKey }),
      ).toEqual(['k'])
    }
  })

  it('uses the GEMINI base and the GOOGLE_API_KEY fallback for google and google-vertex', () => {
    const env = {
      GOOGLE_API_KEY: 'fallback',
      GEMINI_API_KEY_1: 'numbered',
      GEMINI_API_KEY: 'single',
      GEMINI_API_KEYS: 'list',
      CLAW_LIVE_GEMINI_KEYS: 'live-list',
      GOOGLE_API_KEYS: 'ignored',
      GOOGLE_VERTEX_API_KEY: 'ignored',
    }
    const expected = ['list', 'live-list', 'single', 'numbered', 'fallback']
    expect(collectProviderApiKeys('google', { env })).toEqual(expected)
    expect(collectProviderApiKeys('google-vertex', { env })).toEqual(expected)
    expect(collectProviderApiKeys('google', { env: { GOOGLE_API_KEY: 'only' } })).toEqual(['only'])
    expect(
      collectProviderApiKeys('google', {
        env: { CLAW_LIVE_GEMINI_KEY: 'live', GOOGLE_API_KEY: 'x' },
      }),
    ).toEqual(['live'])
  })

  it('has no fallback variables for other providers', () => {
    expect(collectProviderApiKeys('openai', { env: { GOOGLE_API_KEY: 'g' } })).toEqual([])
  })

  it('uses the registry stem where it differs (Vercel AI Gateway → AI_GATEWAY)', () => {
    expect(
      collectProviderApiKeys('vercel-ai-gateway', {
        env: {
          AI_GATEWAY_API_KEY: 'one',
          AI_GATEWAY_API_KEY_2: 'two',
          VERCEL_AI_GATEWAY_API_KEY: 'ignored',
        },
      }),
    ).toEqual(['one', 'two'])
  })

  it('upper-cases hyphenated provider ids with underscores', () => {
    const env = {
      KIMI_CODE_API_KEY: 'single',
      KIMI_CODE_API_KEYS: 'a b',
      KIMI_CODE_API_KEY_2: 'two',
      CLAW_LIVE_KIMI_CODE_KEYS: 'live',
    }
    expect(collectProviderApiKeys('kimi-code', { env })).toEqual([
      'a',
      'b',
      'live',
      'single',
      'two',
    ])
    expect(collectProviderApiKeys('qwen-portal', { env: { QWEN_PORTAL_API_KEY: 'q' } })).toEqual([
      'q',
    ])
  })

  it('normalises the provider id before deriving the base', () => {
    expect(collectProviderApiKeys(' Z.AI ', { env: { ZAI_API_KEY: 'z' } })).toEqual(['z'])
    expect(collectProviderApiKeys('qwen', { env: { QWEN_PORTAL_API_KEY: 'q' } })).toEqual(['q'])
  })

  it('works for providers unknown to the catalog', () => {
    expect(
      collectProviderApiKeys('my-proxy', {
        env: { MY_PROXY_API_KEY: 'p', MY_PROXY_API_KEY_B: 'b' },
      }),
    ).toEqual(['p', 'b'])
  })

  it('does not read the provider-specific variables of resolveEnvApiKey', () => {
    expect(
      collectProviderApiKeys('anthropic', { env: { ANTHROPIC_OAUTH_TOKEN: 'oauth' } }),
    ).toEqual([])
    expect(collectProviderApiKeys('anthropic', { env: { ANTHROPIC_API_KEY: 'k' } })).toEqual(['k'])
  })

  it('rejects an empty provider id', () => {
    let caught: unknown
    try {
      collectProviderApiKeys('  ', { env: {} })
    } catch (error) {
      caught = error
    }
    expect(isAuthProfilesError(caught, 'ERR_INVALID_ARGUMENT')).toBe(true)
  })
})
