// The command line itself: help, version, routing, usage errors, and that nothing a user types by
// mistake (a key pasted as an argument) is echoed back.
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox } from './helpers/claw.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox()
})
afterEach(() => sandbox.dispose())

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
).version

describe('claw', () => {
  it('prints its version with --version and -v', async () => {
    for (const flag of ['--version', '-v']) {
      const result = await sandbox.run([flag])
      expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
    }
  })

  it('lists every command with no arguments or --help', async () => {
    const bare = await sandbox.run([])
    const help = await sandbox.run(['--help'])
    expect(bare.code).toBe(0)
    expect(help.stdout).toBe(bare.stdout)
    for (const command of ['models status', 'models auth login', 'doctor', 'route', 'import']) {
      expect(bare.stdout).toContain(`  ${command} `)
    }
  })

  it('lists a group of commands', async () => {
    const result = await sandbox.run(['models', 'auth', 'order'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Usage: claw models auth order <command>/)
    expect(result.stdout).toContain('models auth order set')
    expect(result.stdout).not.toContain('models status')
  })

  it('gives every command a --help with its flags', async () => {
    const result = await sandbox.run(['models', 'status', '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Usage: claw models status/)
    expect(result.stdout).toContain('--json')
    expect(result.stdout).toContain('--debug')
  })

  it('rejects unknown commands and options with exit 1 and one line on stderr', async () => {
    const command = await sandbox.run(['models', 'frobnicate'])
    expect(command).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Unknown command: claw models frobnicate. See claw models --help.\n',
    })
    const option = await sandbox.run(['doctor', '--frobnicate'])
    expect(option.code).toBe(1)
    expect(option.stderr).toBe("Unknown option '--frobnicate'.\n")
  })

  it('never echoes a secret typed as an argument', async () => {
    const secret = canarySecret()
    const results = [
      await sandbox.run(['models', secret]),
      await sandbox.run(['models', 'auth', 'paste-api-key', '--provider', 'openai', secret]),
      await sandbox.run(['frob', `--key=${secret}`]),
    ]
    for (const result of results) expect(result.code).toBe(1)
    expect(results.map((result) => result.stderr)).toEqual([
      'Unknown command: claw models sk-…' + secret.slice(-4) + '. See claw models --help.\n',
      'Unexpected argument: sk-…' + secret.slice(-4) + '\n',
      'Unknown command: claw frob. See claw --help.\n',
    ])
    expect(sandbox.leaks([secret])).toEqual([])
  })

  it('refuses --json together with --plain', async () => {
    const result = await sandbox.run(['models', 'status', '--json', '--plain'])
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Choose either --json or --plain, not both.\n',
    })
  })

  it('rejects an invalid --agent id before touching the disk', async () => {
    const result = await sandbox.run(['models', 'status', '--agent', '../escape'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^Invalid agent id: "\.\.\/escape"/)
  })

  it('names the file, line and column of a config syntax error and exits 78', async () => {
    const path = sandbox.writeConfig(
      '{\n  agents: {\n    defaults: { model: "openai/gpt-5.2" ,, }\n  }\n}\n',
    )
    const result = await sandbox.run(['models', 'status', '--json'])
    expect(result.code).toBe(78)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      `Invalid config at ${path}:3:42: JSON5 syntax error at line 3, column 42.\n`,
    )
  })

  it('reads clawdbot.json when claw.json is absent', async () => {
    sandbox.writeConfig(
      { agents: { defaults: { model: { primary: 'openai/gpt-5.2' } } } },
      'clawdbot.json',
    )
    const result = await sandbox.run(['models', 'status', '--plain'])
    expect(result).toEqual({ code: 0, stdout: 'openai/gpt-5.2\n', stderr: '' })
  })

  it('prints a stack only with --debug', async () => {
    sandbox.writeStore('{ not json')
    const plain = await sandbox.run(['models', 'status'])
    const debug = await sandbox.run(['models', 'status', '--debug'])
    expect(plain.code).toBe(78)
    expect(plain.stderr).toContain(sandbox.agentDir())
    expect(plain.stderr).not.toMatch(/\n\s+at /)
    expect(debug.code).toBe(78)
    expect(debug.stderr).toMatch(/\n\s+at /)
  })
})

describe('config validation cache', () => {
  it('skips re-validating an unchanged config, but never serves a changed one', async () => {
    const secret = canarySecret()
    const config = {
      agents: { defaults: { model: { primary: 'openai/gpt-5.2' } } },
      models: { providers: { openai: { apiKey: '${OPENAI_KEY}' } } },
    }
    sandbox.writeConfig(config)
    const env = { OPENAI_KEY: secret }
    expect((await sandbox.run(['models', 'status', '--plain'], { env })).code).toBe(0)
    const cacheFile = join(sandbox.home, '.cache', 'claw', 'validated-config.json')
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, string>
    expect(Object.keys(cached)).toEqual([join(sandbox.stateDir, 'claw.json')])
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600)

    // Same file, but the substituted value changed: validated again (and still fine).
    expect(
      (await sandbox.run(['models', 'status', '--plain'], { env: { OPENAI_KEY: 'x' } })).code,
    ).toBe(0)
    // A changed file that is invalid is reported, whatever was cached before.
    sandbox.writeConfig({ ...config, agents: { defaults: { model: 42 } } })
    const invalid = await sandbox.run(['models', 'status', '--plain'], { env })
    expect(invalid.code).toBe(78)
    expect(invalid.stderr).toMatch(/^Invalid config at .*claw\.json\n- agents\.defaults\.model: /)
    // The cache holds digests only: no config value, no secret.
    expect(readFileSync(cacheFile, 'utf8')).not.toContain('gpt-5.2')
    expect(sandbox.leaks([secret])).toEqual([])
  })
})
