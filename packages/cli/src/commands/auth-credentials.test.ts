// `claw models auth paste-api-key | paste-token | setup-token | list | logout | clear-cooldown |
// order …` as real child processes against temp state dirs.
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  oauthCredential,
  tokenCredential,
} from '@claw/auth-profiles/testing'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'

/** A parsed JSON document, indexable in assertions. */
type Doc = { [key: string]: Doc }

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-auth-')
})
afterEach(() => sandbox.dispose())

const HOUR = 3_600_000
const DAY = 24 * HOUR

function readJson(path: string): Doc {
  return JSON.parse(readFileSync(path, 'utf8')) as Doc
}

function storeFile(agentId = 'main'): Doc {
  return readJson(join(sandbox.agentDir(agentId), 'auth-profiles.json'))
}

function configFile(): Doc {
  return readJson(join(sandbox.stateDir, 'claw.json'))
}

/** Replaces the sandbox's temp root in every string of a JSON value. */
function normalize<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll(sandbox.root, '<root>')) as T
}

describe('models auth paste-api-key', () => {
  it('stores a piped key as <provider>:default and records it in config, printing no secret', async () => {
    const key = canarySecret()
    const result = await sandbox.run(['models', 'auth', 'paste-api-key', '--provider', 'OpenAI'], {
      stdin: `${key}\n`,
    })
    expect(result).toEqual({
      code: 0,
      stdout: `Auth profile: openai:default (openai/api_key)\nUpdated ${join(sandbox.stateDir, 'claw.json')}\n`,
      stderr: '',
    })
    expect(storeFile().profiles).toEqual({
      'openai:default': { type: 'api_key', provider: 'openai', key, generation: 1 },
    })
    expect(configFile()).toEqual({
      auth: { profiles: { 'openai:default': { provider: 'openai', mode: 'api_key' } } },
    })
    expect(statSync(join(sandbox.agentDir(), 'auth-profiles.json')).mode & 0o777).toBe(0o600)
    expect(sandbox.leaks([key])).toEqual([])
  })

  it('honours --profile-id and --agent, and moves the id to the front of an existing auth.order', async () => {
    sandbox.writeConfig({ auth: { order: { anthropic: ['anthropic:default'] } } })
    const key = canarySecret()
    const result = await sandbox.run(
      [
        'models',
        'auth',
        'paste-api-key',
        '--provider',
        'anthropic',
        '--profile-id',
        'anthropic:work',
        '--agent',
        'work',
      ],
      { stdin: key },
    )
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Auth profile: anthropic:work (anthropic/api_key)\n')
    expect(storeFile('work').profiles?.['anthropic:work']).toMatchObject({ type: 'api_key', key })
    expect(configFile().auth).toEqual({
      order: { anthropic: ['anthropic:work', 'anthropic:default'] },
      profiles: { 'anthropic:work': { provider: 'anthropic', mode: 'api_key' } },
    })
    expect(sandbox.leaks([key])).toEqual([])
  })

  it('accepts a provider declared in config models.providers', async () => {
    sandbox.writeConfig({
      models: { providers: { 'my-llm': { baseUrl: 'http://127.0.0.1:9/v1', models: [] } } },
    })
    const result = await sandbox.run(['models', 'auth', 'paste-api-key', '--provider', 'my-llm'], {
      stdin: canarySecret(),
    })
    expect(result.stderr).toBe('')
    expect(result.stdout).toContain('Auth profile: my-llm:default (my-llm/api_key)')
  })

  it('rejects an unknown provider before reading anything', async () => {
    const key = canarySecret()
    const result = await sandbox.run(['models', 'auth', 'paste-api-key', '--provider', 'nope'], {
      stdin: key,
    })
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Unknown provider "nope". Run `claw models list --all --plain` to see known provider/model ids, or declare the provider under models.providers in the config.\n',
    })
    const missing = await sandbox.run(['models', 'auth', 'paste-api-key'], { stdin: key })
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'Missing --provider <id>.\n' })
    expect(sandbox.leaks([key])).toEqual([])
  })

  it('refuses empty stdin and never takes the key from argv', async () => {
    const empty = await sandbox.run(['models', 'auth', 'paste-api-key', '--provider', 'openai'])
    expect(empty.code).toBe(1)
    expect(empty.stderr).toBe(
      'No secret received on stdin. Pipe it in (e.g. `printenv MY_KEY | claw …`) or run in a terminal to be prompted.\n',
    )
    const key = canarySecret()
    const argv = await sandbox.run(['models', 'auth', 'paste-api-key', '--provider', 'openai', key])
    // (The sandbox records the command line itself, so check this run's output directly.)
    expect(argv).toEqual({
      code: 1,
      stdout: '',
      stderr: `Unexpected argument: sk-…${key.slice(-4)}\n`,
    })
  })

  it('fails with exit 78 on a corrupt store or an invalid config, naming the file', async () => {
    const storePath = sandbox.writeStore('{ not json')
    const corrupt = await sandbox.run(['models', 'auth', 'paste-api-key', '--provider', 'openai'], {
      stdin: canarySecret(),
    })
    expect(corrupt.code).toBe(78)
    expect(corrupt.stderr).toContain(storePath)
    expect(readFileSync(storePath, 'utf8')).toBe('{ not json')

    const other = new ClawSandbox('claw-auth-')
    try {
      const configPath = other.writeConfig('{ auth: { profiles: 3 } }')
      const invalid = await other.run(['models', 'auth', 'paste-api-key', '--provider', 'openai'], {
        stdin: canarySecret(),
      })
      expect(invalid.code).toBe(78)
      expect(invalid.stderr).toContain(`Invalid config at ${configPath}`)
      expect(invalid.stderr).toContain('auth.profiles')
    } finally {
      other.dispose()
    }
  })
})

describe('models auth paste-token', () => {
  it('stores <provider>:manual with an absolute expiry from --expires-in (default unit: days)', async () => {
    const token = canarySecret('tok-')
    const before = Date.now()
    const result = await sandbox.run(
      ['models', 'auth', 'paste-token', '--provider', 'anthropic', '--expires-in', '30'],
      { stdin: token },
    )
    const after = Date.now()
    expect(result.stdout).toBe(
      `Auth profile: anthropic:manual (anthropic/token)\nUpdated ${join(sandbox.stateDir, 'claw.json')}\n`,
    )
    const stored = storeFile().profiles?.['anthropic:manual']
    expect(stored).toMatchObject({ type: 'token', provider: 'anthropic', token })
    expect(stored?.expires).toBeGreaterThanOrEqual(before + 30 * DAY)
    expect(stored?.expires).toBeLessThanOrEqual(after + 30 * DAY)
    expect(configFile().auth?.profiles).toEqual({
      'anthropic:manual': { provider: 'anthropic', mode: 'token' },
    })
    expect(sandbox.leaks([token])).toEqual([])
  })

  it('parses ms/s/m/h/d units and rejects anything else', async () => {
    const ok = await sandbox.run(
      ['models', 'auth', 'paste-token', '--provider', 'openai', '--expires-in', '1.5h'],
      { stdin: canarySecret() },
    )
    expect(ok.code).toBe(0)
    const bad = await sandbox.run(
      ['models', 'auth', 'paste-token', '--provider', 'openai', '--expires-in', '3 weeks'],
      { stdin: canarySecret() },
    )
    expect(bad).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Invalid --expires-in "3 weeks": use a number with an optional unit ms, s, m, h or d (default d), e.g. 365d or 12h.\n',
    })
  })
})

describe('models auth setup-token', () => {
  const setupToken = (): string => `sk-ant-oat01-${canarySecret('').padEnd(80, 'x')}`

  it('stores a piped setup-token as anthropic:manual (token)', async () => {
    const token = setupToken()
    const result = await sandbox.run(['models', 'auth', 'setup-token'], { stdin: `${token}\n` })
    expect(result.stdout).toBe(
      `Auth profile: anthropic:manual (anthropic/token)\nUpdated ${join(sandbox.stateDir, 'claw.json')}\n`,
    )
    expect(storeFile().profiles?.['anthropic:manual']).toMatchObject({
      type: 'token',
      provider: 'anthropic',
      token,
    })
    expect(configFile().auth?.profiles?.['anthropic:manual']).toEqual({
      provider: 'anthropic',
      mode: 'token',
    })
    expect(sandbox.leaks([token])).toEqual([])
  })

  it("gives OpenClaw's messages for another provider, no TTY, and a malformed token", async () => {
    expect(await sandbox.run(['models', 'auth', 'setup-token', '--provider', 'openai'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Only --provider anthropic is supported for setup-token.\n',
    })
    const noTty = await sandbox.run(['models', 'auth', 'setup-token'])
    expect(noTty.code).toBe(1)
    expect(noTty.stderr).toMatch(/^setup-token requires an interactive TTY\. Or pipe the token/)
    const secret = canarySecret()
    const bad = await sandbox.run(['models', 'auth', 'setup-token'], { stdin: secret })
    expect(bad).toEqual({
      code: 1,
      stdout: '',
      stderr: 'A setup-token starts with sk-ant-oat01- (run `claude setup-token` to create one).\n',
    })
    expect(sandbox.leaks([secret])).toEqual([])
  })
})

describe('models auth list', () => {
  it('lists profiles with masked labels, expiry and cooldown state (golden JSON)', async () => {
    const now = Date.now()
    const key = canarySecret()
    const token = canarySecret('tok-')
    const oauth = oauthCredential('openai-codex', now + 10 * DAY, { email: 'me@example.com' })
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai:default': apiKeyCredential('openai', key),
          'anthropic:manual': tokenCredential('anthropic', token, { expires: now - HOUR }),
          'openai-codex:me@example.com': oauth,
        },
        usageStats: {
          'openai:default': {
            cooldownUntil: now + 30 * 60_000,
            cooldownReason: 'rate_limit',
            errorCount: 1,
          },
        },
      }),
    )
    sandbox.writeConfig({
      auth: { profiles: { 'openai:default': { provider: 'openai', mode: 'api_key' } } },
    })
    const result = await sandbox.run(['models', 'auth', 'list', '--json'])
    expect(result.code).toBe(0)
    const json = normalize(parseJsonOutput<Doc>(result))
    // Times depend on the clock of the run: check them, then pin them for the golden object.
    const profiles = json['profiles'] as unknown as Record<string, unknown>[]
    for (const profile of profiles) {
      if (profile['remainingMs'] !== null) profile['remainingMs'] = '<remaining>'
      const unusable = profile['unusable'] as Record<string, unknown> | null
      if (unusable) unusable['remainingMs'] = '<remaining>'
    }
    expect(json).toEqual({
      schemaVersion: 1,
      agentId: 'main',
      agentDir: '<root>/state/agents/main/agent',
      authStorePath: '<root>/state/agents/main/agent/auth-profiles.json',
      profiles: [
        {
          profileId: 'anthropic:manual',
          provider: 'anthropic',
          type: 'token',
          credential: `token:…${token.slice(-4)}`,
          email: null,
          status: 'expired',
          expiresAt: now - HOUR,
          remainingMs: '<remaining>',
          needsReauth: false,
          unusable: null,
          configMode: null,
        },
        {
          profileId: 'openai:default',
          provider: 'openai',
          type: 'api_key',
          credential: `sk-…${key.slice(-4)}`,
          email: null,
          status: 'static',
          expiresAt: null,
          remainingMs: null,
          needsReauth: false,
          unusable: {
            kind: 'cooldown',
            reason: 'rate_limit',
            model: null,
            until: now + 30 * 60_000,
            remainingMs: '<remaining>',
          },
          configMode: 'api_key',
        },
        {
          profileId: 'openai-codex:me@example.com',
          provider: 'openai-codex',
          type: 'oauth',
          credential: 'OAuth',
          email: 'me@example.com',
          status: 'ok',
          expiresAt: now + 10 * DAY,
          remainingMs: '<remaining>',
          needsReauth: false,
          unusable: null,
          configMode: null,
        },
      ],
      ignored: [],
    })

    const human = await sandbox.run(['models', 'auth', 'list'])
    expect(human.stdout).toContain('- anthropic:manual (anthropic/token) | token:…')
    expect(human.stdout).toMatch(
      /openai:default \(openai\/api_key\) \| sk-…\w{4} \| no expiry \| cooldown (29|30)m/,
    )
    expect(human.stdout).toContain('OAuth [me@example.com] | expires in 10d | ok')
    const plain = await sandbox.run(['models', 'auth', 'list', '--plain'])
    expect(plain.stdout).toBe('anthropic:manual\nopenai:default\nopenai-codex:me@example.com\n')
    const both = await sandbox.run(['models', 'auth', 'list', '--json', '--plain'])
    expect(both).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Choose either --json or --plain, not both.\n',
    })
    expect(sandbox.leaks([key, token, oauth.access, oauth.refresh])).toEqual([])
  })

  it('escapes control characters in ids and says when there are no profiles', async () => {
    const empty = await sandbox.run(['models', 'auth', 'list'])
    expect(empty.stdout).toContain('No auth profiles in ')
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai-codex:x': oauthCredential('openai-codex', Date.now() + DAY, {
            email: 'evil\u001b[2J@example.com',
          }),
        },
      }),
    )
    const result = await sandbox.run(['models', 'auth', 'list'])
    expect(result.stdout).not.toContain('\u001b')
    expect(result.stdout).toContain('OAuth [evil\\u{1b}[2J@example.com]')
  })

  it('exits 78 naming the file when the store is corrupt', async () => {
    const path = sandbox.writeStore('')
    const result = await sandbox.run(['models', 'auth', 'list', '--json'])
    expect(result.code).toBe(78)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(path)
  })
})

describe('models auth logout', () => {
  it('removes the profile from the store and from config auth.profiles / auth.order', async () => {
    const key = canarySecret()
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai:default': apiKeyCredential('openai', key),
          'openai:backup': apiKeyCredential('openai'),
        },
        order: { openai: ['openai:default', 'openai:backup'] },
      }),
    )
    sandbox.writeConfig({
      auth: {
        profiles: { 'openai:default': { provider: 'openai', mode: 'api_key' } },
        order: { openai: ['openai:default'] },
      },
    })
    const result = await sandbox.run(['models', 'auth', 'logout', 'openai:default', '--json'])
    expect(parseJsonOutput(result)).toEqual({
      schemaVersion: 1,
      profileId: 'openai:default',
      removed: true,
      revoked: false,
      configUpdated: true,
    })
    expect(Object.keys(storeFile().profiles ?? {})).toEqual(['openai:backup'])
    expect(storeFile().order).toEqual({ openai: ['openai:backup'] })
    expect(configFile()).toEqual({ auth: { profiles: {} } })
    expect(sandbox.leaks([key])).toEqual([])

    const again = await sandbox.run(['models', 'auth', 'logout', 'openai:default'])
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: `Auth profile "openai:default" not found in ${sandbox.agentDir()}.\n`,
    })
  })
})

describe('models auth clear-cooldown', () => {
  it('clears a cooldown, keeps a billing disable unless --all', async () => {
    const now = Date.now()
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: { 'openai:default': apiKeyCredential('openai') },
        usageStats: {
          'openai:default': {
            cooldownUntil: now + HOUR,
            cooldownReason: 'rate_limit',
            disabledUntil: now + 5 * HOUR,
            disabledReason: 'billing',
            errorCount: 3,
            lastUsed: 1,
          },
        },
      }),
    )
    const first = await sandbox.run(['models', 'auth', 'clear-cooldown', 'openai:default'])
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(
      /^Cleared cooldown for openai:default\.\nStill disabled:billing 5h \(use --all to clear a disabled state\)\.\n$/,
    )
    expect(storeFile().usageStats?.['openai:default']).toEqual({
      disabledUntil: now + 5 * HOUR,
      disabledReason: 'billing',
      errorCount: 0,
      lastUsed: 1,
    })
    const all = await sandbox.run([
      'models',
      'auth',
      'clear-cooldown',
      'openai:default',
      '--all',
      '--json',
    ])
    expect(parseJsonOutput(all)).toEqual({
      schemaVersion: 1,
      profileId: 'openai:default',
      cleared: true,
      state: null,
    })
    expect(storeFile().usageStats?.['openai:default']).toEqual({ errorCount: 0, lastUsed: 1 })
    const missing = await sandbox.run(['models', 'auth', 'clear-cooldown', 'nope:x'])
    expect(missing.stderr).toBe(`Auth profile "nope:x" not found in ${sandbox.agentDir()}.\n`)
  })
})

describe('models auth order', () => {
  beforeEach(() => {
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'anthropic:a': apiKeyCredential('anthropic'),
          'anthropic:b': apiKeyCredential('anthropic'),
          'openai:default': apiKeyCredential('openai'),
        },
      }),
    )
  })

  it('get / set / clear as in OpenClaw (JSON shape, plain lines, messages)', async () => {
    const none = await sandbox.run([
      'models',
      'auth',
      'order',
      'get',
      '--provider',
      'anthropic',
      '--json',
    ])
    expect(normalize(parseJsonOutput(none))).toEqual({
      schemaVersion: 1,
      agentId: 'main',
      agentDir: '<root>/state/agents/main/agent',
      provider: 'anthropic',
      authStorePath: '<root>/state/agents/main/agent/auth-profiles.json',
      order: null,
    })
    const set = await sandbox.run([
      'models',
      'auth',
      'order',
      'set',
      '--provider',
      'Anthropic',
      ' anthropic:b',
      'anthropic:a',
      'anthropic:b',
    ])
    expect(set.code).toBe(0)
    expect(storeFile().order).toEqual({ anthropic: ['anthropic:b', 'anthropic:a'] })
    const get = await sandbox.run(['models', 'auth', 'order', 'get', '--provider', 'anthropic'])
    expect(get.stdout).toBe(
      [
        'Agent: main',
        'Provider: anthropic',
        `Auth file: ${join(sandbox.agentDir(), 'auth-profiles.json')}`,
        'Order override: anthropic:b, anthropic:a',
        '',
      ].join('\n'),
    )
    const clear = await sandbox.run(['models', 'auth', 'order', 'clear', '--provider', 'anthropic'])
    expect(clear).toEqual({ code: 0, stdout: 'Cleared per-agent order override.\n', stderr: '' })
    expect(storeFile()).not.toHaveProperty('order')
  })

  it('rejects missing ids, unknown profiles and profiles of another provider', async () => {
    const base = ['models', 'auth', 'order', 'set', '--provider', 'anthropic']
    expect((await sandbox.run(base)).stderr).toBe(
      'Missing profile ids. Provide one or more profile ids.\n',
    )
    expect((await sandbox.run([...base, 'anthropic:zzz'])).stderr).toBe(
      `Auth profile "anthropic:zzz" not found in ${sandbox.agentDir()}.\n`,
    )
    const other = await sandbox.run([...base, 'anthropic:a', 'openai:default'])
    expect(other).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Auth profile "openai:default" is for openai, not anthropic.\n',
    })
    expect(storeFile()).not.toHaveProperty('order')
    expect((await sandbox.run(['models', 'auth', 'order', 'get'])).stderr).toBe(
      'Missing --provider <id>.\n',
    )
  })
})
