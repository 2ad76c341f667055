// `claw models status`: the JSON document (models, auth overview, cooldowns, OAuth health,
// --agent) and bad input. The human view and --check are in models-status-view.test.ts, probes in
// models-status-probe.test.ts. Every run is a real child process.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiKeyCredential, buildAuthProfileStore, canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'
import { richStore, mask } from '../../test/helpers/status-store.ts'

// Values that depend on the clock of the run (ms remaining, a catalog's first model).
const anyNumber: unknown = expect.any(Number)
const MIN = 60_000
const HOUR = 60 * MIN

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox()
})
afterEach(() => sandbox.dispose())

describe('claw models status --json', () => {
  it('reports models, the auth overview per provider, cooldowns and OAuth health', async () => {
    const now = Date.now()
    const { store, secrets } = richStore(now)
    const envKey = canarySecret('xai-')
    const configKey = canarySecret('cfg-')
    const configPath = sandbox.writeConfig({
      agents: {
        defaults: {
          model: {
            primary: 'fast',
            fallbacks: ['anthropic/claude-opus-4-5', 'mistral/mistral-large-latest'],
          },
          imageModel: { primary: 'openai/gpt-4o', fallbacks: ['google/gemini-2.5-pro'] },
          models: { 'openai/gpt-4o': { alias: 'fast' }, 'groq/llama-3.3-70b-versatile': {} },
        },
      },
      models: {
        providers: { custom: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: '${CUSTOM_KEY}' } },
      },
    })
    const storePath = sandbox.writeStore(store)
    const result = await sandbox.run(['models', 'status', '--json'], {
      env: { XAI_API_KEY: envKey, CUSTOM_KEY: configKey },
    })
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    const json = parseJsonOutput(result)
    const agentDir = sandbox.agentDir()
    const a = store.profiles['openai:a'] as { key: string }
    const b = store.profiles['openai:b'] as { key: string }
    const anthropic = store.profiles['anthropic:me'] as { expires: number }
    expect(json).toEqual({
      schemaVersion: 1,
      configPath,
      agentDir,
      defaultModel: 'fast',
      resolvedDefault: 'openai/gpt-4o',
      fallbacks: ['anthropic/claude-opus-4-5', 'mistral/mistral-large-latest'],
      imageModel: 'openai/gpt-4o',
      imageFallbacks: ['google/gemini-2.5-pro'],
      aliases: { fast: 'openai/gpt-4o' },
      allowed: ['openai/gpt-4o', 'groq/llama-3.3-70b-versatile'],
      // File mode (no `state` config): routing state lives in the store file.
      state: { backend: 'file' },
      alerts: {
        warnAfterMs: 24 * HOUR,
        expiring: [],
        reauthRequired: [],
        disabled: [
          {
            agentId: 'main',
            profileId: 'groq:main',
            provider: 'groq',
            reason: 'billing',
            until: now + 5 * HOUR + 5 * MIN,
            remainingMs: anyNumber,
          },
        ],
      },
      auth: {
        storePath,
        shellEnvFallback: { enabled: false, appliedKeys: [] },
        providersWithOAuth: ['anthropic (1)'],
        missingProvidersInUse: ['google', 'mistral'],
        providers: [
          {
            provider: 'anthropic',
            effective: { kind: 'profiles', detail: storePath },
            profiles: {
              count: 1,
              oauth: 1,
              token: 0,
              apiKey: 0,
              labels: ['anthropic:me=OAuth (me@example.com)'],
            },
          },
          {
            provider: 'custom',
            effective: { kind: 'models.json', detail: `…${configKey.slice(-4)}` },
            profiles: { count: 0, oauth: 0, token: 0, apiKey: 0, labels: [] },
            modelsJson: {
              value: `…${configKey.slice(-4)}`,
              source: 'config: models.providers.custom.apiKey',
            },
          },
          {
            provider: 'groq',
            effective: { kind: 'profiles', detail: storePath },
            profiles: {
              count: 1,
              oauth: 0,
              token: 0,
              apiKey: 1,
              labels: [`groq:main=gsk_…${secrets[2]!.slice(-4)} [disabled:billing 5h]`],
            },
          },
          {
            provider: 'openai',
            effective: { kind: 'profiles', detail: storePath },
            profiles: {
              count: 2,
              oauth: 0,
              token: 0,
              apiKey: 2,
              labels: [`openai:a=${mask(a.key)} [cooldown 5m]`, `openai:b=${mask(b.key)}`],
            },
          },
          {
            provider: 'xai',
            effective: { kind: 'env', detail: `xai-…${envKey.slice(-4)}` },
            profiles: { count: 0, oauth: 0, token: 0, apiKey: 0, labels: [] },
            env: { value: `xai-…${envKey.slice(-4)}`, source: 'env: XAI_API_KEY' },
          },
        ],
        unusableProfiles: [
          {
            profileId: 'openai:a',
            provider: 'openai',
            kind: 'cooldown',
            reason: 'rate_limit',
            until: store.usageStats!['openai:a']!.cooldownUntil,
            remainingMs: anyNumber,
          },
          {
            profileId: 'groq:main',
            provider: 'groq',
            kind: 'disabled',
            reason: 'billing',
            until: store.usageStats!['groq:main']!.disabledUntil,
            remainingMs: anyNumber,
          },
        ],
        ignoredEntries: [],
        oauth: {
          warnAfterMs: 24 * HOUR,
          profiles: [
            {
              profileId: 'anthropic:me',
              provider: 'anthropic',
              type: 'oauth',
              status: 'ok',
              expiresAt: anthropic.expires,
              remainingMs: anyNumber,
              source: 'store',
              label: 'anthropic:me (me@example.com)',
              needsReauth: false,
            },
            ...['groq:main', 'openai:a', 'openai:b'].map((profileId) => ({
              profileId,
              provider: profileId.split(':')[0],
              type: 'api_key',
              status: 'static',
              source: 'store',
              label: profileId,
              needsReauth: false,
            })),
          ],
          providers: [
            {
              provider: 'anthropic',
              status: 'ok',
              expiresAt: anthropic.expires,
              remainingMs: anyNumber,
              profiles: ['anthropic:me'],
            },
            { provider: 'custom', status: 'missing', profiles: [] },
            { provider: 'google', status: 'missing', profiles: [] },
            { provider: 'groq', status: 'static', profiles: ['groq:main'] },
            { provider: 'mistral', status: 'missing', profiles: [] },
            { provider: 'openai', status: 'static', profiles: ['openai:a', 'openai:b'] },
            { provider: 'xai', status: 'missing', profiles: [] },
          ],
        },
      },
    })
    expect(sandbox.leaks([...secrets, envKey, configKey])).toEqual([])
  })

  it('works with no config and no store (compiled-in default, nothing configured)', async () => {
    const result = await sandbox.run(['models', 'status', '--json'])
    expect(result.code).toBe(0)
    const json = parseJsonOutput<Record<string, unknown> & { auth: Record<string, unknown> }>(
      result,
    )
    expect(json['defaultModel']).toBe('anthropic/claude-opus-4-5')
    expect(json['imageModel']).toBeNull()
    expect(json['allowed']).toEqual([])
    expect(json.auth['missingProvidersInUse']).toEqual(['anthropic'])
    expect(json.auth['providers']).toEqual([])
  })

  it('uses the agent given with --agent: its store and its model override', async () => {
    sandbox.writeConfig({
      agents: {
        defaults: { model: 'openai/gpt-4o' },
        list: [{ id: 'work', model: { primary: 'anthropic/claude-sonnet-4-5', fallbacks: [] } }],
      },
    })
    const key = canarySecret('sk-ant-api03-')
    sandbox.writeStore(
      buildAuthProfileStore({ profiles: { 'anthropic:work': apiKeyCredential('anthropic', key) } }),
      'work',
    )
    const result = await sandbox.run(['models', 'status', '--json', '--agent', 'work'])
    const json = parseJsonOutput<
      Record<string, unknown> & { auth: { providers: { provider: string }[] } }
    >(result)
    expect(json).toMatchObject({
      agentId: 'work',
      agentDir: sandbox.agentDir('work'),
      defaultModel: 'anthropic/claude-sonnet-4-5',
      fallbacks: [],
      modelConfig: { defaultSource: 'agent', fallbacksSource: 'agent' },
    })
    expect(json.auth.providers.map((entry) => entry.provider)).toEqual(['anthropic'])
    expect(sandbox.leaks([key])).toEqual([])
  })
})

describe('claw models status: bad input', () => {
  it.each([
    [['--json', '--plain'], 'Choose either --json or --plain, not both.'],
    [['--probe', '--plain'], '--probe cannot be used with --plain output.'],
    [['--probe-timeout', '0'], '--probe-timeout must be a positive number (ms).'],
    [['--probe-timeout', 'soon'], '--probe-timeout must be a positive number (ms).'],
    [['--probe-concurrency=-1'], '--probe-concurrency must be > 0.'],
    [['--probe-max-tokens', 'x'], '--probe-max-tokens must be > 0.'],
    [['--bogus'], "Unknown option '--bogus'."],
  ])('%j → %s', async (flags, message) => {
    const result = await sandbox.run(['models', 'status', ...flags])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`${message}\n`)
    expect(result.stdout).toBe('')
  })

  it('a corrupt store is exit 78 naming the file', async () => {
    const path = sandbox.writeStore('{"version":1,"profiles":')
    const result = await sandbox.run(['models', 'status', '--json'])
    expect(result.code).toBe(78)
    expect(result.stderr).toContain(path)
    expect(result.stdout).toBe('')
  })

  it('an invalid config is exit 78 naming the file and line', async () => {
    const path = sandbox.writeConfig('{ agents: { defaults: { model: ')
    const result = await sandbox.run(['models', 'status'])
    expect(result.code).toBe(78)
    expect(result.stderr).toMatch(new RegExp(`^Invalid config at ${path}:1:`))
  })
})
