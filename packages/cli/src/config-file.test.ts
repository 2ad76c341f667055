// What claw does with a config file (and the files next to it) that is hostile or broken: a
// writer frozen past the lock's stale time, bytes that are not UTF-8, keys written twice, a FIFO
// or /dev/zero where the config should be, a symlinked backup, a file where a lock directory
// goes, an agent dir linked elsewhere. (A config that names commands to run: config-exec.test.ts.)
// Every claw here is a real child process; every wait is bounded.
import { execFileSync, spawn } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import JSON5 from 'json5'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiKeyCredential, canarySecret } from '@claw/auth-profiles/testing'
import { canSeeStoppedProcesses, waitUntilStopped } from '../../../test-support/stopped.ts'
import { ClawSandbox, parseJsonOutput, type ClawResult } from '../test/helpers/claw.ts'

const isPosix = process.platform !== 'win32'

let sandbox: ClawSandbox
let configPath: string
beforeEach(() => {
  sandbox = new ClawSandbox('claw-config-')
  configPath = join(sandbox.stateDir, 'claw.json')
})
afterEach(() => sandbox.dispose())

const readConfig = (path = configPath): Record<string, unknown> =>
  JSON5.parse<Record<string, unknown>>(readFileSync(path, 'utf8'))

const aliases = (): string[] => {
  const config = readConfig() as {
    agents?: { defaults?: { models?: Record<string, { alias?: string }> } }
  }
  return Object.values(config.agents?.defaults?.models ?? {})
    .map((entry) => entry.alias ?? '')
    .sort()
}

describe('a config writer frozen right before its rename', () => {
  const fixture = fileURLToPath(
    new URL('../test/fixtures/freeze-before-rename.mjs', import.meta.url),
  )

  it.skipIf(!canSeeStoppedProcesses)(
    'gives up when it resumes after another claw took the stale lock over, so the newer edit stays',
    async () => {
      sandbox.writeConfig({ agents: { defaults: { model: 'openai/gpt-5.2' } } })
      // No config validation cache (its directory cannot be created): the first rename this claw
      // reaches is then the config's own write.
      const noCache = join(sandbox.root, 'no-cache')
      writeFileSync(noCache, '')
      const frozen = spawn(
        process.execPath,
        [fixture, 'models', 'aliases', 'add', 'frozen', 'openai/frozen'],
        {
          env: {
            ...sandbox.baseEnv(),
            XDG_CACHE_HOME: noCache,
            CLAW_ENABLE_TEST_HOOKS: '1',
            CLAW_TEST_FAULTS: 'die@before-rename',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        },
      )
      let stderr = ''
      frozen.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
      frozen.stdout.resume()
      const exited = new Promise<number | null>((resolve) => frozen.once('close', resolve))
      try {
        await waitUntilStopped(frozen.pid!, 20_000)
        // The other writer waits out the stale time (10 s), takes the lock over and writes.
        const newer = await sandbox.run(['models', 'aliases', 'add', 'newer', 'openai/newer'], {
          timeoutMs: 60_000,
        })
        expect(newer.code).toBe(0)
        process.kill(frozen.pid!, 'SIGCONT')
        const code = await Promise.race([
          exited,
          new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 20_000)),
        ])
        expect(code).toBe(1)
        expect(stderr).toContain(
          `The lock ${configPath}.lock was lost before the write could be committed`,
        )
      } finally {
        try {
          process.kill(-frozen.pid!, 'SIGKILL')
        } catch {
          // Exited.
        }
      }
      expect(aliases()).toEqual(['newer'])
    },
    90_000,
  )
})

describe('config contents', () => {
  it('invalid UTF-8 is an error naming the file and byte offset; nothing is rewritten', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"agents": {"defaults": {"model": "openai/gpt-5.2"}}, "caf'),
      Buffer.from([0xe9]),
      Buffer.from('": 1}\n'),
    ])
    mkdirSync(sandbox.stateDir, { recursive: true })
    writeFileSync(configPath, bytes, { mode: 0o600 })
    const result = await sandbox.run(['models', 'set', 'openai/gpt-4o'])
    expect(result).toEqual({
      code: 78,
      stdout: '',
      stderr: `Config file ${configPath} is not valid UTF-8 (byte offset 58); it was left unchanged.\n`,
    })
    expect(readFileSync(configPath).equals(bytes)).toBe(true)
    expect(existsSync(`${configPath}.bak`)).toBe(false)
  })

  it('a key written twice is an error naming its path (JSON and JSON5), not last-wins', async () => {
    sandbox.writeConfig('{"agents": {"defaults": {"model": "a/b", "model": "c/d"}}}')
    const json = await sandbox.run(['models', 'status', '--json'])
    expect(json.code).toBe(78)
    expect(json.stderr).toBe(
      `Invalid config at ${configPath}\n- agents.defaults.model: this key appears more than once in its object; keep one\n`,
    )
    sandbox.writeConfig("// comment\n{ agents: { defaults: { model: 'a/b' } }, 'agents': {} }\n")
    const json5 = await sandbox.run(['models', 'set', 'openai/gpt-4o'])
    expect(json5.code).toBe(78)
    expect(json5.stderr).toContain('- agents: this key appears more than once')
  })

  it('names the file in errors about unset variables and deep nesting', async () => {
    let nested = '"x"'
    for (let depth = 0; depth < 70; depth += 1) nested = `{"d": ${nested}}`
    sandbox.writeConfig(`{"models": {"providers": {"openai": {"apiKey": "\${MISSING}"}}}}`)
    const unset = await sandbox.run(['models', 'status'])
    expect(unset.stderr).toBe(
      `Environment variable MISSING is not set (referenced at models.providers.openai.apiKey in ${configPath})\n`,
    )
    sandbox.writeConfig(`{"extra": ${nested}}`)
    const deep = await sandbox.run(['models', 'status'])
    expect(deep.code).toBe(78)
    expect(deep.stderr).toMatch(
      new RegExp(`^Config nesting deeper than 64 levels at extra(\\.d)+ in ${configPath}\\n$`),
    )
  })
})

describe('what sits at the config path', () => {
  it.skipIf(!isPosix)('a FIFO fails at once, naming the file', async () => {
    mkdirSync(sandbox.stateDir, { recursive: true })
    execFileSync('mkfifo', [configPath])
    const result = await sandbox.run(['models', 'status'], { timeoutMs: 15_000 })
    expect(result.code).toBe(78)
    expect(result.stderr).toBe(
      `Config file ${configPath} is not a regular file (found a FIFO); claw will not read it.\n`,
    )
  })

  it.skipIf(!isPosix)('a link to /dev/zero is refused before anything is read', async () => {
    mkdirSync(sandbox.stateDir, { recursive: true })
    symlinkSync('/dev/zero', configPath)
    const result = await sandbox.run(['models', 'status'], { timeoutMs: 15_000 })
    expect(result.code).toBe(78)
    expect(result.stderr).toContain('is not a regular file (found a device)')
  })

  it.skipIf(!isPosix)(
    'a link to a file over the size cap is refused by the size of the file',
    async () => {
      mkdirSync(sandbox.stateDir, { recursive: true })
      const big = join(sandbox.root, 'big.json')
      writeFileSync(big, `{"pad": "${'x'.repeat(5 * 1024 * 1024)}"}`)
      symlinkSync(big, configPath)
      const result = await sandbox.run(['models', 'status'], { timeoutMs: 15_000 })
      expect(result.code).toBe(78)
      expect(result.stderr).toContain('over the 4194304-byte limit; it was not read')
    },
  )
})

describe('other files claw reads', () => {
  it.skipIf(!isPosix)(
    'a FIFO legacy auth.json fails `models auth list` and `doctor` at once, naming it',
    async () => {
      mkdirSync(sandbox.agentDir(), { recursive: true })
      const legacy = join(sandbox.agentDir(), 'auth.json')
      execFileSync('mkfifo', [legacy])
      const list = await sandbox.run(['models', 'auth', 'list'], { timeoutMs: 15_000 })
      expect(list.code).not.toBe(0)
      expect(list.stderr).toContain(`${legacy} is not a regular file (found a FIFO)`)
      const doctor = await sandbox.run(['doctor'], { timeoutMs: 15_000 })
      expect(doctor.code).not.toBe(0)
      expect(doctor.stdout).toContain(`${legacy} is not a regular file (found a FIFO)`)
    },
  )

  it.skipIf(!isPosix)(
    'a FIFO models.json does not hang a command that checks model refs against it',
    async () => {
      sandbox.writeConfig({ agents: { defaults: { model: 'openai/gpt-5.2' } } })
      mkdirSync(sandbox.agentDir(), { recursive: true })
      execFileSync('mkfifo', [join(sandbox.agentDir(), 'models.json')])
      const result = await sandbox.run(['models', 'set', 'openai/gpt-4o'], { timeoutMs: 15_000 })
      expect(result.code).toBe(0)
      expect(readConfig()).toMatchObject({
        agents: { defaults: { model: { primary: 'openai/gpt-4o' } } },
      })
    },
  )
})

describe('the backup', () => {
  it.skipIf(!isPosix)('a symlinked claw.json.bak is replaced, never followed', async () => {
    const secret = canarySecret()
    sandbox.writeConfig({
      agents: { defaults: { model: 'openai/gpt-5.2' } },
      models: { providers: { openai: { apiKey: secret } } },
    })
    const victim = join(sandbox.root, 'victim.txt')
    writeFileSync(victim, 'untouched\n', { mode: 0o644 })
    chmodSync(victim, 0o644)
    symlinkSync(victim, `${configPath}.bak`)
    const result = await sandbox.run(['models', 'set', 'openai/gpt-4o'])
    expect(result.code).toBe(0)
    expect(readFileSync(victim, 'utf8')).toBe('untouched\n')
    expect(statSync(victim).mode & 0o777).toBe(0o644)
    expect(statSync(`${configPath}.bak`).isFile()).toBe(true)
    expect(readConfig(`${configPath}.bak`)).toMatchObject({
      agents: { defaults: { model: 'openai/gpt-5.2' } },
    })
  })
})

describe('a file where a lock directory goes', () => {
  it('fails at once, naming the path; doctor --fix removes it after a yes', async () => {
    sandbox.writeConfig({ agents: { defaults: { model: 'openai/gpt-5.2' } } })
    writeFileSync(`${configPath}.lock`, '')
    const started = performance.now()
    const result: ClawResult = await sandbox.run(['models', 'set', 'openai/gpt-4o'])
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`${configPath}.lock is a regular file, not a lock directory`)

    const report = parseJsonOutput<{ findings: { id: string; file?: string }[] }>(
      await sandbox.run(['doctor', '--json']),
    )
    expect(
      report.findings.filter((f) => f.id === 'locks.not_a_directory').map((f) => f.file),
    ).toEqual([`${configPath}.lock`])
    const declined = await sandbox.run(['doctor', '--fix', '--non-interactive'])
    expect(declined.code).toBe(1)
    expect(existsSync(`${configPath}.lock`)).toBe(true)
    const fixed = await sandbox.run(['doctor', '--fix', '--yes'])
    expect(fixed.stdout).toContain(`removed ${configPath}.lock (it blocked a lock)`)
    expect(existsSync(`${configPath}.lock`)).toBe(false)
    expect((await sandbox.run(['models', 'set', 'openai/gpt-4o'])).code).toBe(0)
  })
})

describe('an agent dir linked outside the state dir', () => {
  it.skipIf(!isPosix)(
    'is refused by every command and reported by doctor, unless configured',
    async () => {
      const elsewhere = join(sandbox.root, 'elsewhere')
      mkdirSync(elsewhere, { recursive: true, mode: 0o700 })
      mkdirSync(join(sandbox.stateDir, 'agents', 'main'), { recursive: true, mode: 0o700 })
      symlinkSync(elsewhere, sandbox.agentDir())
      const key = canarySecret()
      const paste = await sandbox.run(['models', 'auth', 'paste-api-key', '--provider', 'openai'], {
        stdin: `${key}\n`,
      })
      expect(paste.code).toBe(78)
      expect(paste.stderr).toContain(
        `The agent dir ${sandbox.agentDir()} resolves to ${elsewhere}, outside the state dir`,
      )
      expect(existsSync(join(elsewhere, 'auth-profiles.json'))).toBe(false)

      const doctor = parseJsonOutput<{ findings: { id: string }[] }>(
        await sandbox.run(['doctor', '--json']),
      )
      expect(doctor.findings.map((finding) => finding.id)).toContain('store.outside_state_dir')

      sandbox.writeConfig({ agents: { list: [{ id: 'main', agentDir: elsewhere }] } })
      const configured = await sandbox.run(
        ['models', 'auth', 'paste-api-key', '--provider', 'openai'],
        {
          stdin: `${key}\n`,
        },
      )
      expect(configured.code).toBe(0)
      const written = JSON.parse(readFileSync(join(elsewhere, 'auth-profiles.json'), 'utf8')) as {
        profiles: unknown
      }
      expect(written.profiles).toEqual({
        'openai:default': { ...apiKeyCredential('openai', key), generation: 1 },
      })
      expect(sandbox.leaks([key])).toEqual([])
    },
  )
})
