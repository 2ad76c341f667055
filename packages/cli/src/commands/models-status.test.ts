// `claw models status`: the JSON document, the human view, --plain, --check exit codes, probes
// against a local fake provider, and bad input. Every run is a real child process.
import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  oauthCredential,
  tokenCredential,
} from '@claw/auth-profiles/testing'
import { behave, startProviderServer, type ProviderServer } from '@claw/failover/testing'
import { startFakeServer } from '../../../auth-profiles/test/helpers/fake-oauth-server.ts'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'

// Values that depend on the clock of the run (ms remaining, a catalog's first model).
const anyNumber: unknown = expect.any(Number)
const anyString: unknown = expect.any(String)
const MIN = 60_000
const HOUR = 60 * MIN

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox()
})
afterEach(() => sandbox.dispose())

/** A store with two OpenAI keys (one cooling down), an Anthropic OAuth login and a billing-disabled Groq key. */
function richStore(now: number) {
  const keys = {
    openaiA: canarySecret('sk-proj-'),
    openaiB: canarySecret('sk-proj-'),
    groq: canarySecret('gsk_'),
  }
  const anthropic = oauthCredential('anthropic', now + 72 * HOUR, { email: 'me@example.com' })
  const store = buildAuthProfileStore({
    profiles: {
      'openai:a': apiKeyCredential('openai', keys.openaiA),
      'openai:b': apiKeyCredential('openai', keys.openaiB),
      'anthropic:me': anthropic,
      'groq:main': apiKeyCredential('groq', keys.groq),
    },
    usageStats: {
      'openai:a': {
        cooldownUntil: now + 5 * MIN + 20_000,
        cooldownReason: 'rate_limit',
        errorCount: 1,
      },
      'groq:main': { disabledUntil: now + 5 * HOUR + 5 * MIN, disabledReason: 'billing' },
    },
  })
  return { store, secrets: [...Object.values(keys), anthropic.access, anthropic.refresh] }
}

const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>

const mask = (key: string) => `sk-proj-…${key.slice(-4)}`

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

describe('claw models status (human and plain)', () => {
  it('prints the sections with masked labels and cooldown markers, escaping ids', async () => {
    const now = Date.now()
    const { store, secrets } = richStore(now)
    sandbox.writeConfig({
      agents: {
        defaults: {
          model: 'openai/gpt-4o',
          models: { 'openai/gpt-4o': { alias: 'f\u001b[31mx' } },
        },
      },
    })
    sandbox.writeStore(store)
    const result = await sandbox.run(['models', 'status'])
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines.slice(0, 8)).toEqual([
      `Config        : ${sandbox.stateDir}/claw.json`,
      `Agent dir     : ${sandbox.agentDir()}`,
      'Default       : openai/gpt-4o',
      'Fallbacks (0) : -',
      'Image model   : -',
      'Image fallbacks (0): -',
      'Aliases (1)   : f\\u{1b}[31mx -> openai/gpt-4o',
      'Configured models (1): openai/gpt-4o',
    ])
    expect(result.stdout).toContain('\nAuth overview\n')
    expect(result.stdout).toContain('Shell env     : off\n')
    expect(result.stdout).toContain('State         : file\n')
    expect(result.stdout).toContain('Providers w/ OAuth/tokens (1): anthropic (1)\n')
    const openai = lines.find((line) => line.startsWith('- openai '))
    expect(openai).toBe(
      `- openai effective=profiles:${sandbox.agentDir()}/auth-profiles.json | profiles=2 (oauth=0, token=0, api_key=2) | ` +
        `openai:a=${mask((store.profiles['openai:a'] as { key: string }).key)} [cooldown 5m], ` +
        `openai:b=${mask((store.profiles['openai:b'] as { key: string }).key)}`,
    )
    expect(result.stdout).toContain('[disabled:billing 5h]')
    expect(result.stdout).toContain(
      '\nOAuth/token status\n- anthropic\n  - anthropic:me (me@example.com) ok expires in 3d\n',
    )
    expect(result.stdout).not.toContain('\u001b')
    expect(sandbox.leaks(secrets)).toEqual([])
  })

  it('lists what a cron job alerts on under `alerts`, with --check exit codes 1 and 2', async () => {
    const now = Date.now()
    const soon = oauthCredential('anthropic', now + 2 * HOUR)
    const setup = tokenCredential('anthropic', canarySecret('sk-ant-oat01-'), {
      expires: now + 3 * HOUR,
    })
    const dead = oauthCredential('openai-codex', now + 48 * HOUR, { status: 'needs_reauth' })
    const billing = canarySecret('sk-proj-')
    sandbox.writeConfig({ agents: { defaults: { model: 'anthropic/claude-opus-4-5' } } })
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'anthropic:soon': soon,
          'anthropic:setup': setup,
          'openai:billing': apiKeyCredential('openai', billing),
        },
        usageStats: {
          'openai:billing': { disabledUntil: now + HOUR, disabledReason: 'billing' },
        },
      }),
    )
    const expiring = await sandbox.run(['models', 'status', '--json', '--check'])
    expect(expiring.code).toBe(2)
    expect(parseJsonOutput(expiring)['alerts']).toEqual({
      warnAfterMs: 24 * HOUR,
      expiring: [
        {
          agentId: 'main',
          profileId: 'anthropic:setup',
          provider: 'anthropic',
          type: 'token',
          expiresAt: now + 3 * HOUR,
          remainingMs: anyNumber,
          refreshable: false,
        },
        {
          agentId: 'main',
          profileId: 'anthropic:soon',
          provider: 'anthropic',
          type: 'oauth',
          expiresAt: now + 2 * HOUR,
          remainingMs: anyNumber,
          refreshable: true,
        },
      ],
      reauthRequired: [],
      disabled: [
        {
          agentId: 'main',
          profileId: 'openai:billing',
          provider: 'openai',
          reason: 'billing',
          until: now + HOUR,
          remainingMs: anyNumber,
        },
      ],
    })

    sandbox.writeStore(
      buildAuthProfileStore({ profiles: { 'openai-codex:me': dead, 'anthropic:soon': soon } }),
    )
    const reauth = await sandbox.run(['models', 'status', '--json', '--check'])
    expect(reauth.code).toBe(1)
    expect(parseJsonOutput(reauth)['alerts']).toMatchObject({
      reauthRequired: [
        {
          agentId: 'main',
          profileId: 'openai-codex:me',
          provider: 'openai-codex',
          reason: 'refresh_rejected',
        },
      ],
    })
    expect(
      sandbox.leaks([soon.access, soon.refresh, setup.token ?? '', dead.access, billing]),
    ).toEqual([])
  })

  it('shows a GitHub Copilot token as ok (renewed by exchange), not static', async () => {
    const githubToken = canarySecret('ghu_')
    sandbox.writeConfig({ agents: { defaults: { model: 'github-copilot/gpt-4o' } } })
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: { 'github-copilot:gh': tokenCredential('github-copilot', githubToken) },
      }),
    )
    const human = await sandbox.run(['models', 'status'])
    expect(human.stdout).toContain(
      '\nOAuth/token status\n- github-copilot\n  - github-copilot:gh ok (refreshed by exchange)\n',
    )
    const json = parseJsonOutput(await sandbox.run(['models', 'status', '--json', '--check']))
    const oauth = (json.auth as { oauth: { profiles: unknown[]; providers: unknown[] } }).oauth
    expect(oauth.profiles).toEqual([
      expect.objectContaining({
        profileId: 'github-copilot:gh',
        status: 'ok',
        renewal: 'exchange',
      }),
    ])
    expect(oauth.providers).toEqual([
      expect.objectContaining({ provider: 'github-copilot', status: 'ok' }),
    ])
    expect(sandbox.leaks([githubToken])).toEqual([])
  })

  it('lists providers in use without auth under "Missing auth" with a hint', async () => {
    sandbox.writeConfig({
      agents: {
        defaults: { model: { primary: 'anthropic/claude-opus-4-5', fallbacks: ['openai/gpt-4o'] } },
      },
    })
    const result = await sandbox.run(['models', 'status'])
    expect(result.stdout).toContain(
      '\nMissing auth\n' +
        '- anthropic Run `claude setup-token`, then `claw models auth setup-token` or `claw onboard`.\n' +
        '- openai Run `claw models auth paste-api-key --provider openai`, `claw onboard`, or set OPENAI_API_KEY.\n',
    )
    expect(result.stdout).toContain('\nOAuth/token status\n- none\n')
  })

  it('--plain prints only the resolved default model', async () => {
    sandbox.writeConfig({ agents: { defaults: { model: 'Z.AI/glm-4.7' } } })
    const result = await sandbox.run(['models', 'status', '--plain'])
    expect(result).toEqual({ code: 0, stdout: 'zai/glm-4.7\n', stderr: '' })
  })

  it('a bare model without a provider falls back to anthropic with a warning on stderr', async () => {
    sandbox.writeConfig({ agents: { defaults: { model: 'claude-opus-4-5' } } })
    const result = await sandbox.run(['models', 'status', '--plain'])
    expect(result.stdout).toBe('anthropic/claude-opus-4-5\n')
    expect(result.stderr).toContain('Falling back to "anthropic/claude-opus-4-5"')
  })
})

describe('claw models status --check', () => {
  const check = async (store: unknown, config: unknown, env: Record<string, string> = {}) => {
    sandbox.writeConfig(config)
    sandbox.writeStore(store)
    return sandbox.run(['models', 'status', '--check', '--json'], { env })
  }
  const openaiDefault = { agents: { defaults: { model: 'openai/gpt-4o' } } }

  it('exits 0 when every provider in use has a static key', async () => {
    const store = buildAuthProfileStore({ profiles: { 'openai:a': apiKeyCredential('openai') } })
    expect((await check(store, openaiDefault)).code).toBe(0)
  })

  it('exits 2 when an OAuth credential expires within 24 h', async () => {
    const store = buildAuthProfileStore({
      profiles: {
        'openai:a': apiKeyCredential('openai'),
        'anthropic:me': oauthCredential('anthropic', Date.now() + 3 * HOUR),
      },
    })
    expect((await check(store, openaiDefault)).code).toBe(2)
  })

  it('exits 1 when a token has expired', async () => {
    const store = buildAuthProfileStore({
      profiles: {
        'openai:a': apiKeyCredential('openai'),
        'anthropic:t': tokenCredential('anthropic', canarySecret(), { expires: Date.now() - HOUR }),
      },
    })
    const result = await check(store, openaiDefault)
    expect(result.code).toBe(1)
    expect(
      parseJsonOutput<{ auth: { oauth: { profiles: { status: string }[] } } }>(result).auth.oauth
        .profiles[0]!.status,
    ).toBe('expired')
  })

  it('exits 1 when a provider in use has no auth at all, 0 once an env key exists', async () => {
    const store = buildAuthProfileStore({ profiles: { 'openai:a': apiKeyCredential('openai') } })
    const config = {
      agents: {
        defaults: {
          model: { primary: 'openai/gpt-4o', fallbacks: ['groq/llama-3.3-70b-versatile'] },
        },
      },
    }
    const missing = await check(store, config)
    expect(missing.code).toBe(1)
    expect(
      parseJsonOutput<{ auth: { missingProvidersInUse: string[] } }>(missing).auth
        .missingProvidersInUse,
    ).toEqual(['groq'])
    expect((await check(store, config, { GROQ_API_KEY: canarySecret('gsk_') })).code).toBe(0)
  })

  it('applies the exit code in human and plain mode too', async () => {
    sandbox.writeConfig(openaiDefault)
    expect((await sandbox.run(['models', 'status', '--check'])).code).toBe(1)
    expect((await sandbox.run(['models', 'status', '--check', '--plain'])).code).toBe(1)
    expect((await sandbox.run(['models', 'status'])).code).toBe(0)
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

describe('claw models status --probe', () => {
  let server: ProviderServer
  beforeAll(async () => {
    server = await startProviderServer()
  })
  afterAll(async () => {
    await server.close()
  })
  beforeEach(() => server.reset())

  it('probes each credential once, classifies failures and records nothing', async () => {
    const good = canarySecret('sk-proj-')
    const limited = canarySecret('sk-proj-')
    const revoked = canarySecret('sk-proj-')
    const hanging = canarySecret('sk-proj-')
    const excluded = canarySecret('sk-ant-api03-')
    const ordered = canarySecret('sk-ant-api03-')
    server.setBehaviour(good, behave.ok())
    server.setBehaviour(limited, behave.rateLimit({ format: 'seconds', seconds: 30 }))
    server.setBehaviour(hanging, behave.hang())
    // `revoked` is unknown to the server: 401.
    sandbox.writeConfig({
      agents: { defaults: { model: 'openai/gpt-4o' } },
      models: {
        providers: {
          openai: { baseUrl: `${server.url}/v1` },
          weird: {
            baseUrl: `${server.url}/v1`,
            api: 'bedrock-converse-stream',
            apiKey: canarySecret(),
            models: [{ id: 'w1', name: 'W1' }],
          },
          empty: { baseUrl: `${server.url}/v1`, apiKey: canarySecret() },
        },
      },
      auth: { order: { anthropic: ['anthropic:ordered'] } },
    })
    const storePath = sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai:good': apiKeyCredential('openai', good),
          'openai:limited': apiKeyCredential('openai', limited),
          'openai:revoked': apiKeyCredential('openai', revoked),
          'openai:hanging': apiKeyCredential('openai', hanging),
          'anthropic:excluded': apiKeyCredential('anthropic', excluded),
          'anthropic:ordered': tokenCredential('anthropic', ordered, {
            expires: Date.now() - HOUR,
          }),
        },
      }),
    )
    const before = readFileSync(storePath, 'utf8')
    const result = await sandbox.run([
      'models',
      'status',
      '--json',
      '--probe',
      '--probe-timeout',
      '1500',
      '--probe-concurrency',
      '3',
      '--probe-max-tokens',
      '4',
    ])
    // Some probes failed (rate limit, revoked key, timeout, expired token): exit 3.
    expect(result.code).toBe(3)
    const probes = parseJsonOutput<{
      auth: { probes: Record<string, unknown> & { results: Record<string, unknown>[] } }
    }>(result).auth.probes
    expect(probes).toMatchObject({
      totalTargets: 5,
      options: { profileIds: [], timeoutMs: 1500, concurrency: 3, maxTokens: 4 },
    })
    const results = probes.results.map(({ latencyMs: _latency, ...rest }) => rest)
    expect(results).toEqual([
      {
        provider: 'anthropic',
        model: anyString,
        profileId: 'anthropic:excluded',
        label: 'anthropic:excluded',
        source: 'profile',
        mode: 'api_key',
        status: 'unknown',
        reasonCode: 'excluded_by_auth_order',
        error: 'Excluded by auth.order for this provider.',
      },
      {
        provider: 'anthropic',
        model: anyString,
        profileId: 'anthropic:ordered',
        label: 'anthropic:ordered',
        source: 'profile',
        mode: 'token',
        status: 'unknown',
        reasonCode: 'expired',
        error:
          'Auth profile credentials are missing or expired.\n↳ Auth reason [expired]: token credentials are expired.',
      },
      {
        provider: 'empty',
        label: 'models.json',
        source: 'models.json',
        mode: 'api_key',
        status: 'no_model',
        reasonCode: 'no_model',
        error: 'No model available for probe',
      },
      expect.objectContaining({
        provider: 'openai',
        model: 'openai/gpt-4o',
        profileId: 'openai:good',
        status: 'ok',
      }),
      expect.objectContaining({
        profileId: 'openai:hanging',
        status: 'timeout',
        reasonCode: 'timeout',
      }),
      expect.objectContaining({
        profileId: 'openai:limited',
        status: 'rate_limit',
        reasonCode: 'rate_limit',
      }),
      expect.objectContaining({ profileId: 'openai:revoked', status: 'auth', reasonCode: 'auth' }),
      {
        provider: 'weird',
        model: 'weird/w1',
        label: 'models.json',
        source: 'models.json',
        mode: 'api_key',
        status: 'unsupported',
        reasonCode: 'unsupported_api',
        error: 'Probing bedrock-converse-stream APIs is not supported.',
      },
    ])
    // One call per probed OpenAI key, with the probe's token limit; nothing else was called.
    const requests = server.stats().requests
    expect(requests.map((request) => request.key).sort()).toEqual(
      [good, hanging, limited, revoked].sort(),
    )
    expect(requests.every((request) => request.model === 'gpt-4o')).toBe(true)
    // Probes never persist cooldowns or usage.
    expect(readFileSync(storePath, 'utf8')).toBe(before)
    expect(sandbox.leaks([good, limited, revoked, hanging, excluded, ordered])).toEqual([])
  })

  it('filters by provider and profile, and renders the probe table', async () => {
    const good = canarySecret('sk-proj-')
    server.setBehaviour(good, behave.ok())
    sandbox.writeConfig({
      agents: { defaults: { model: 'openai/gpt-4o' } },
      models: { providers: { openai: { baseUrl: `${server.url}/v1` } } },
    })
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai:good': apiKeyCredential('openai', good),
          'openai:other': apiKeyCredential('openai'),
          'anthropic:x': apiKeyCredential('anthropic'),
        },
      }),
    )
    const result = await sandbox.run([
      'models',
      'status',
      '--probe',
      '--probe-provider',
      'OpenAI',
      '--probe-profile',
      'openai:good',
    ])
    expect(result.code).toBe(0)
    const section = result.stdout.slice(result.stdout.indexOf('\nAuth probes\n'))
    const lines = section.split('\n').filter(Boolean)
    expect(lines[0]).toBe('Auth probes')
    expect(lines[1]).toMatch(/^Model\s+Profile\s+Status$/)
    expect(lines[2]).toMatch(/^openai\/gpt-4o\s+openai:good \(api_key\)\s+ok · \d+ms$/)
    expect(lines[3]).toMatch(/^Probed 1 target in \d+(ms|\.\ds)$/)
    expect(server.stats().total).toBe(1)
    expect(sandbox.leaks([good])).toEqual([])
  })

  it('refreshes an expiring OAuth profile at the auth.oauth token endpoint before probing it', async () => {
    const now = Date.now()
    const old = oauthCredential('qwen-portal', now + MIN)
    const newAccess = canarySecret('access-canary-')
    server.setBehaviour(newAccess, behave.ok())
    // A real token endpoint on loopback, reached only through config `auth.oauth.<provider>`. It
    // sends no new refresh token, so the stored one must be kept.
    const tokens = await startFakeServer({
      '/token': () => ({
        json: { access_token: newAccess, token_type: 'Bearer', expires_in: 3600 },
      }),
    })
    try {
      sandbox.writeConfig({
        agents: { defaults: { model: 'qwen-portal/coder-model' } },
        models: { providers: { 'qwen-portal': { baseUrl: `${server.url}/v1` } } },
        auth: { oauth: { 'qwen-portal': { tokenEndpoint: `${tokens.url}/token` } } },
      })
      const storePath = sandbox.writeStore(
        buildAuthProfileStore({ profiles: { 'qwen-portal:me': old } }),
      )
      const result = await sandbox.run(['models', 'status', '--json', '--probe'])
      expect(result.code).toBe(0)
      const probes = parseJsonOutput<{ auth: { probes: { results: Record<string, unknown>[] } } }>(
        result,
      ).auth.probes
      expect(probes.results).toEqual([
        expect.objectContaining({
          provider: 'qwen-portal',
          model: 'qwen-portal/coder-model',
          profileId: 'qwen-portal:me',
          source: 'profile',
          mode: 'oauth',
          status: 'ok',
        }),
      ])
      // One refresh with the stored refresh token, then one probe call with the new access token.
      expect(tokens.requests.map((request) => request.path)).toEqual(['/token'])
      expect(tokens.requests[0]?.form.get('grant_type')).toBe('refresh_token')
      expect(tokens.requests[0]?.form.get('refresh_token')).toBe(old.refresh)
      expect(server.stats().requests.map((request) => request.key)).toEqual([newAccess])
      const stored = (readJson(storePath)['profiles'] as Record<string, Record<string, unknown>>)[
        'qwen-portal:me'
      ]
      expect(stored).toMatchObject({ type: 'oauth', access: newAccess, refresh: old.refresh })
      expect(stored?.['expires']).toBeGreaterThanOrEqual(now + HOUR)
      expect(sandbox.leaks([old.access, old.refresh, newAccess])).toEqual([])
    } finally {
      await tokens.close()
    }
  })

  it('probes the env key when a provider has no profiles', async () => {
    const envKey = canarySecret('sk-proj-')
    server.setBehaviour(envKey, behave.ok())
    sandbox.writeConfig({
      agents: { defaults: { model: 'openai/gpt-4o' } },
      models: { providers: { openai: { baseUrl: `${server.url}/v1` } } },
    })
    const result = await sandbox.run(['models', 'status', '--json', '--probe'], {
      env: { OPENAI_API_KEY: envKey },
    })
    const probes = parseJsonOutput<{ auth: { probes: { results: Record<string, unknown>[] } } }>(
      result,
    ).auth.probes
    expect(probes.results).toEqual([
      expect.objectContaining({
        provider: 'openai',
        label: 'env',
        source: 'env',
        mode: 'api_key',
        status: 'ok',
      }),
    ])
    expect(sandbox.leaks([envKey])).toEqual([])
  })
})
