// Catching mistakes: mistyped commands and flags get the nearest real one, and the help is laid
// out so it can be read (grouped root help, flag names never running into their descriptions).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox } from '../test/helpers/claw.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox()
})
afterEach(() => sandbox.dispose())

describe('unknown commands and flags', () => {
  it('suggests the nearest command, also from deeper in the tree', async () => {
    expect(await sandbox.run(['models', 'stauts'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Unknown command: claw models stauts. Did you mean `claw models status`? See claw models --help.\n',
    })
    expect((await sandbox.run(['status'])).stderr).toBe(
      'Unknown command: claw status. Did you mean `claw models status`? See claw --help.\n',
    )
    expect((await sandbox.run(['models', 'auth', 'pase-api-key'])).stderr).toBe(
      'Unknown command: claw models auth pase-api-key. Did you mean `claw models auth paste-api-key`? See claw models auth --help.\n',
    )
    // Nothing close: no guess.
    expect((await sandbox.run(['frobnicate'])).stderr).toBe(
      'Unknown command: claw frobnicate. See claw --help.\n',
    )
  })

  it('suggests the nearest flag of the command', async () => {
    const result = await sandbox.run(['models', 'auth', 'paste-api-key', '--provdier', 'openai'])
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: "Unknown option '--provdier'. Did you mean --provider?\n",
    })
    expect((await sandbox.run(['doctor', '--fxi'])).stderr).toBe(
      "Unknown option '--fxi'. Did you mean --fix?\n",
    )
    expect((await sandbox.run(['models', 'status', '--Json'])).stderr).toBe(
      "Unknown option '--Json'. Did you mean --json?\n",
    )
  })

  it('never echoes or matches a secret typed in the wrong place', async () => {
    const secret = canarySecret()
    const results = [
      await sandbox.run(['models', secret]),
      await sandbox.run(['doctor', `--${secret}`]),
      await sandbox.run(['models', 'status', `--json=${secret}`]),
    ]
    for (const result of results) expect(result.code).toBe(1)
    expect(results[0]!.stderr).toBe(
      `Unknown command: claw models sk-…${secret.slice(-4)}. See claw models --help.\n`,
    )
    expect(results[1]!.stderr).not.toContain('Did you mean')
    expect(sandbox.leaks([secret])).toEqual([])
  })
})

describe('help', () => {
  it('groups the root help by area, one line per command family', async () => {
    const { stdout, code } = await sandbox.run(['--help'])
    expect(code).toBe(0)
    const headings = stdout.split('\n').filter((line) => /^[A-Z][A-Za-z ]+:$/.test(line))
    expect(headings).toEqual([
      'Models:',
      'Credentials:',
      'State and health:',
      'Setup:',
      'Global options:',
    ])
    expect(stdout).toMatch(/\n {2}models aliases list\|add\|remove +List, add or remove/)
    expect(stdout).toMatch(/\n {2}models auth login +Log in to a provider/)
    // Every description in a section starts in the same column.
    const columns = new Set(
      stdout
        .split('\n')
        .filter((line) => /^ {2}\S.* {2,}\S/.test(line) && !line.includes('--'))
        .map((line) => /^ {2}\S+(?: \S+)* {2,}/.exec(line)![0].length),
    )
    expect(columns.size).toBe(1)
  })

  it('never lets a long flag run into its description', async () => {
    for (const command of [['onboard'], ['models', 'status']]) {
      const { stdout } = await sandbox.run([...command, '--help'])
      const options = stdout.slice(
        stdout.indexOf('Options:'),
        stdout.indexOf('\n\n', stdout.indexOf('Options:')),
      )
      for (const line of options.split('\n').slice(1)) {
        // Two spaces at least between the flag (and its <value>) and the description.
        expect(line, line).toMatch(/^ {2}(?:-\w, )?--[\w-]+(?: <[\w-]+>)?(?: {2,}\S|$)|^ {4,}\S/)
      }
    }
  })
})

describe('model references are checked before they are written', () => {
  interface Written {
    agents: { defaults: { model: { primary?: string; fallbacks?: string[] } } }
  }
  const config = (): Written =>
    JSON.parse(readFileSync(join(sandbox.stateDir, 'claw.json'), 'utf8')) as Written

  it('refuses an unknown provider with a suggestion, and writes nothing', async () => {
    sandbox.writeConfig({})
    for (const args of [
      ['models', 'set', 'opneai/gpt-5.2'],
      ['models', 'aliases', 'add', 'smart', 'opneai/gpt-5.2'],
      ['models', 'fallbacks', 'add', 'opneai/gpt-5.2'],
      ['models', 'set-image', 'opneai/gpt-5.2'],
    ]) {
      expect(await sandbox.run(args)).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'Unknown provider "opneai" in opneai/gpt-5.2. Did you mean openai? Custom providers are declared under models.providers.\n',
      })
    }
    expect(config()).toEqual({})
  })

  it('warns about an unknown model of a known provider but writes it, unless --strict', async () => {
    sandbox.writeConfig({})
    const strict = await sandbox.run(['models', 'set', 'anthropic/claude-opus-4-9', '--strict'])
    expect(strict).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Unknown model: anthropic has no model "claude-opus-4-9" in the catalog (did you mean claude-opus-4-5?).\n',
    })
    expect(config()).toEqual({})
    const loose = await sandbox.run(['models', 'set', 'anthropic/claude-opus-4-9'])
    expect(loose.code).toBe(0)
    expect(loose.stderr).toBe(
      'Warning: anthropic has no model "claude-opus-4-9" in the catalog (did you mean claude-opus-4-5?); saved anyway (--strict refuses). `claw models scan` lists what a provider serves.\n',
    )
    expect(config().agents.defaults.model.primary).toBe('anthropic/claude-opus-4-9')
  })

  it('resolves a bare id to the provider that serves it, and says so', async () => {
    sandbox.writeConfig({})
    const unique = await sandbox.run(['models', 'set', 'claude-opus-4-5'])
    expect(unique.code).toBe(0)
    expect(unique.stderr).toBe(
      'Note: "claude-opus-4-5" resolved to anthropic/claude-opus-4-5 (the only provider in the catalog that serves it).\n',
    )
    // gpt-4o is served by several providers: the default model's provider wins.
    sandbox.writeConfig({ agents: { defaults: { model: { primary: 'openai/gpt-5.2' } } } })
    const fallback = await sandbox.run(['models', 'fallbacks', 'add', 'gpt-4o'])
    expect(fallback.stderr).toBe(
      'Note: "gpt-4o" resolved to openai/gpt-4o (the provider of your default model).\n',
    )
    expect(config().agents.defaults.model.fallbacks).toEqual(['openai/gpt-4o'])
  })

  it('refuses a bare id that no provider serves, or that several serve with nothing to choose', async () => {
    sandbox.writeConfig({})
    expect(await sandbox.run(['models', 'aliases', 'add', 'bad', 'gpt-nonexistent-9'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Unknown model "gpt-nonexistent-9": no provider in the catalog serves it. Write it as <provider>/gpt-nonexistent-9.\n',
    })
    expect((await sandbox.run(['models', 'set', 'gpt-5.2'])).stderr).toBe(
      '"gpt-5.2" is served by several providers (openai, openai-codex): write it as <provider>/gpt-5.2, e.g. openai/gpt-5.2.\n',
    )
    expect(config()).toEqual({})
  })

  it('onboard resolves a bare --model against the provider being set up', async () => {
    const result = await sandbox.run(
      ['onboard', '--openai-api-key-stdin', '--model', 'gpt-5.2', '--non-interactive'],
      { stdin: 'sk-test-onboard-0000000000000000\n' },
    )
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(
      'Note: "gpt-5.2" resolved to openai/gpt-5.2 (the provider you are setting up).',
    )
    expect(config().agents.defaults.model.primary).toBe('openai/gpt-5.2')
  })

  it('doctor reports config refs that resolve to nothing', async () => {
    sandbox.writeConfig({
      agents: {
        defaults: {
          model: { primary: 'smart', fallbacks: ['anthropic/claude-opus-4-5', 'opneai/gpt-5.2'] },
          models: { 'openai/gpt-9-turbo': { alias: 'smart' } },
        },
      },
    })
    const result = await sandbox.run(['doctor', '--json'])
    expect(result.code).toBe(1)
    const findings = (
      JSON.parse(result.stdout) as { findings: { id: string; severity: string; message: string }[] }
    ).findings.filter((finding) => finding.id.startsWith('model-refs.'))
    expect(findings.map(({ id, severity, message }) => ({ id, severity, message }))).toEqual([
      {
        id: 'model-refs.unknown_model',
        severity: 'warning',
        message:
          'agents.defaults.model.primary: smart (openai/gpt-9-turbo): openai has no model "gpt-9-turbo" in the catalog (did you mean gpt-4-turbo?).',
      },
      {
        id: 'model-refs.unknown_provider',
        severity: 'error',
        message:
          'agents.defaults.model.fallbacks[1]: opneai/gpt-5.2 names an unknown provider "opneai" (did you mean openai?); requests to it cannot succeed.',
      },
      {
        id: 'model-refs.unknown_model',
        severity: 'warning',
        message:
          'agents.defaults.models["openai/gpt-9-turbo"]: openai/gpt-9-turbo: openai has no model "gpt-9-turbo" in the catalog (did you mean gpt-4-turbo?).',
      },
    ])
  })
})
