// `claw models auth paste-api-key | paste-token | setup-token` as real child processes against temp
// state dirs: what is stored where, what is refused, and that no secret is printed.
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox } from '../../test/helpers/claw.ts'
import { configFile, storeFile } from '../../test/helpers/json-files.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-auth-')
})
afterEach(() => sandbox.dispose())

const DAY = 24 * 3_600_000

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
    expect(storeFile(sandbox).profiles).toEqual({
      'openai:default': { type: 'api_key', provider: 'openai', key, generation: 1 },
    })
    expect(configFile(sandbox)).toEqual({
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
    expect(storeFile(sandbox, 'work').profiles?.['anthropic:work']).toMatchObject({
      type: 'api_key',
      key,
    })
    expect(configFile(sandbox).auth).toEqual({
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
    const stored = storeFile(sandbox).profiles?.['anthropic:manual']
    expect(stored).toMatchObject({ type: 'token', provider: 'anthropic', token })
    expect(stored?.expires).toBeGreaterThanOrEqual(before + 30 * DAY)
    expect(stored?.expires).toBeLessThanOrEqual(after + 30 * DAY)
    expect(configFile(sandbox).auth?.profiles).toEqual({
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
    expect(storeFile(sandbox).profiles?.['anthropic:manual']).toMatchObject({
      type: 'token',
      provider: 'anthropic',
      token,
    })
    expect(configFile(sandbox).auth?.profiles?.['anthropic:manual']).toEqual({
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
