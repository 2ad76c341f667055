// `claw models status` for people and cron jobs: the human view, --plain, alerts and the --check
// exit codes. Every run is a real child process.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  oauthCredential,
  tokenCredential,
} from '@claw/auth-profiles/testing'
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
