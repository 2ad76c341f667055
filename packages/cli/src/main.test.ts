// The command line itself: help, version, routing, usage errors, and that nothing a user types by
// mistake (a key pasted as an argument) is echoed back.
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import { CLAW_BIN, ClawSandbox } from '../test/helpers/claw.ts'

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

describe('start-up', () => {
  // What `claw models status` loads decides how fast it starts (the benchmark measures the time;
  // this test pins the cause). The bundle keeps each source module's path as a comment, so the
  // loaded chunks say which modules they hold.
  function recordLoads(): {
    env: Record<string, string>
    read(): { chunks: string; builtins: string[] }
  } {
    const hook = join(sandbox.root, 'record-loads.mjs')
    const hooks = join(sandbox.root, 'record-loads-hooks.mjs')
    const log = join(sandbox.root, 'loads.log')
    const binDir = `${pathToFileURL(dirname(CLAW_BIN)).href}/`
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs'
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, 'url ' + url + '\\n')
  return next(url, context)
}
`,
    )
    writeFileSync(
      hook,
      `import { register } from 'node:module'
import { appendFileSync } from 'node:fs'
register(${JSON.stringify(pathToFileURL(hooks).href)})
process.on('exit', () => {
  for (const entry of process.moduleLoadList) appendFileSync(${JSON.stringify(log)}, 'builtin ' + entry + '\\n')
})
`,
    )
    return {
      env: { NODE_OPTIONS: `--import=${pathToFileURL(hook).href}` },
      read() {
        const lines = readFileSync(log, 'utf8').split('\n')
        rmSync(log)
        const urls = lines.filter((line) => line.startsWith('url ')).map((line) => line.slice(4))
        const chunks = urls
          .filter((url) => url.startsWith(binDir))
          .map((url) => readFileSync(fileURLToPath(url), 'utf8'))
          .join('\n')
        const builtins = lines
          .filter((line) => line.startsWith('builtin NativeModule '))
          .map((line) => line.slice('builtin NativeModule '.length))
        return { chunks, builtins }
      },
    }
  }

  it('models status loads neither the OAuth flows, the probes nor zod (config cached)', async () => {
    sandbox.writeConfig({
      agents: { defaults: { model: { primary: 'anthropic/claude-sonnet-4-5' } } },
    })
    sandbox.writeStore({
      version: 1,
      profiles: {
        'anthropic:a': { type: 'api_key', provider: 'anthropic', key: 'sk-ant-start-000000000000' },
        'openai:codex': {
          type: 'oauth',
          provider: 'openai-codex',
          access: 'access-start',
          refresh: 'refresh-start',
          expires: Date.now() + 86_400_000 * 3,
        },
      },
    })
    const loads = recordLoads()
    // First run: the config has not been validated yet, so the schemas (zod) load. This is the
    // control that shows the markers below are found when present.
    expect((await sandbox.run(['models', 'status', '--json'], { env: loads.env })).code).toBe(0)
    const first = loads.read()
    expect(first.chunks).toContain('node_modules/zod/')

    const second = await sandbox.run(['models', 'status', '--json'], { env: loads.env })
    expect(second.code).toBe(0)
    const { chunks, builtins } = loads.read()
    expect(chunks).toContain('src/commands/models-status.ts')
    for (const module of [
      'node_modules/zod/',
      'auth-profiles/src/oauth/login.ts',
      'auth-profiles/src/oauth/authorization-code.ts',
      'auth-profiles/src/oauth/device.ts',
      'auth-profiles/src/oauth/refresh.ts',
      'auth-profiles/src/credentials/external-cli/index.ts',
      'src/status/probe.ts',
      'src/secret-input.ts',
      // Only for mistakes and help.
      'src/suggest.ts',
      'src/help.ts',
      'src/model-config/ref-check.ts',
      // Only for probes and refreshes.
      'src/auth/spinner.ts',
      'failover/src/usage-limit.ts',
    ]) {
      expect(chunks, module).not.toContain(module)
    }
    expect(builtins).not.toContain('http')
    expect(builtins).not.toContain('child_process')
  })

  it('loads node:crypto only for the config digest: not at all without a config file', async () => {
    sandbox.writeStore({
      version: 1,
      profiles: {
        'anthropic:a': { type: 'api_key', provider: 'anthropic', key: 'sk-ant-start-000000000000' },
      },
    })
    const loads = recordLoads()
    expect((await sandbox.run(['models', 'status', '--json'], { env: loads.env })).code).toBe(0)
    expect(loads.read().builtins).not.toContain('crypto')

    sandbox.writeConfig({
      agents: { defaults: { model: { primary: 'anthropic/claude-sonnet-4-5' } } },
    })
    expect((await sandbox.run(['models', 'status', '--json'], { env: loads.env })).code).toBe(0)
    expect(loads.read().builtins).toContain('crypto')
  })
})
