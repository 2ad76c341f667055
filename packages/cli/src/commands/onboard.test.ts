// `claw onboard` with flags (no terminal): the seeds' argv forms (warned about), the -stdin forms,
// --auth-choice, the default model, and the errors.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox } from '../../test/helpers/claw.ts'

/** A parsed JSON document, indexable in assertions. */
type Doc = { [key: string]: Doc }

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-onboard-')
})
afterEach(() => sandbox.dispose())

function readJson(path: string): Doc {
  return JSON.parse(readFileSync(path, 'utf8')) as Doc
}
const config = (): Doc => readJson(join(sandbox.stateDir, 'claw.json'))
const store = (): Doc => readJson(join(sandbox.agentDir(), 'auth-profiles.json'))

describe('claw onboard (flags)', () => {
  it('reads the Anthropic key from stdin and sets the recommended default model', async () => {
    const key = canarySecret('sk-ant-api03-')
    const result = await sandbox.run(['onboard', '--anthropic-api-key-stdin'], {
      stdin: `${key}\n`,
    })
    const configPath = join(sandbox.stateDir, 'claw.json')
    expect(result).toEqual({
      code: 0,
      stdout: [
        'Auth profile: anthropic:default (anthropic/api_key)',
        `Updated ${configPath}`,
        'Default model: anthropic/claude-opus-4-5',
        `Updated ${configPath}`,
        'Next: `claw models status` shows what is configured.',
        '',
      ].join('\n'),
      stderr: '',
    })
    expect(store()['profiles']?.['anthropic:default']).toMatchObject({ type: 'api_key', key })
    expect(config()).toEqual({
      auth: { profiles: { 'anthropic:default': { provider: 'anthropic', mode: 'api_key' } } },
      agents: {
        defaults: {
          model: { primary: 'anthropic/claude-opus-4-5' },
          models: { 'anthropic/claude-opus-4-5': {} },
        },
      },
    })
    expect(sandbox.leaks([key])).toEqual([])
  })

  it('accepts the argv forms with a warning, and keeps a configured default model', async () => {
    sandbox.writeConfig({ agents: { defaults: { model: { primary: 'openai/gpt-5.2' } } } })
    const anthropic = canarySecret('sk-ant-api03-')
    const openai = canarySecret()
    const result = await sandbox.run([
      'onboard',
      '--anthropic-api-key',
      anthropic,
      '--openai-api-key',
      openai,
    ])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe(
      [
        'Warning: --anthropic-api-key puts a secret on the command line, where other users and shell history can see it. Prefer --anthropic-api-key-stdin (or paste it at the prompt).',
        'Warning: --openai-api-key puts a secret on the command line, where other users and shell history can see it. Prefer --openai-api-key-stdin (or paste it at the prompt).',
        '',
      ].join('\n'),
    )
    expect(result.stdout).toContain('Auth profile: anthropic:default (anthropic/api_key)\n')
    expect(result.stdout).toContain('Auth profile: openai:default (openai/api_key)\n')
    expect(result.stdout).toContain('Default model: openai/gpt-5.2 (unchanged)\n')
    expect(Object.keys(store()['profiles'] ?? {}).sort()).toEqual([
      'anthropic:default',
      'openai:default',
    ])
    // The sandbox records argv itself; the command's own output must not repeat the keys.
    expect(result.stdout + result.stderr).not.toContain(anthropic)
    expect(result.stdout + result.stderr).not.toContain(openai)
  })

  it('--auth-choice <provider>-api-key --token-stdin, with --model', async () => {
    const key = canarySecret('sk-or-v1-')
    const result = await sandbox.run(
      [
        'onboard',
        '--auth-choice',
        'openrouter-api-key',
        '--token-stdin',
        '--model',
        'openrouter/openrouter/auto',
      ],
      { stdin: key },
    )
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Auth profile: openrouter:default (openrouter/api_key)\n')
    expect(result.stdout).toContain('Default model: openrouter/openrouter/auto\n')
    expect(config()['agents']?.['defaults']?.['model']).toEqual({
      primary: 'openrouter/openrouter/auto',
    })
    expect(sandbox.leaks([key])).toEqual([])
  })

  it('--auth-choice setup-token validates the token before storing anything', async () => {
    const bad = await sandbox.run(['onboard', '--auth-choice', 'setup-token', '--token-stdin'], {
      stdin: 'sk-ant-oat01-short',
    })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^The setup-token is too short/)
    const token = `sk-ant-oat01-${canarySecret('').padEnd(90, 'x')}`
    const ok = await sandbox.run(['onboard', '--auth-choice', 'setup-token', '--token-stdin'], {
      stdin: token,
    })
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('Auth profile: anthropic:manual (anthropic/token)\n')
    expect(store()['profiles']?.['anthropic:manual']).toMatchObject({ type: 'token', token })
    expect(sandbox.leaks([token])).toEqual([])
  })

  it('explains which flags to pass without a terminal, and rejects bad combinations', async () => {
    const none = await sandbox.run(['onboard'])
    expect(none).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'onboard needs a terminal for the wizard. Without one, pass flags: --anthropic-api-key-stdin, --openai-api-key-stdin, --auth-choice <id> --token-stdin, or --openai-codex (and --model <ref> to pick the default model). See `claw onboard --help`.\n',
    })
    const twoStdin = await sandbox.run([
      'onboard',
      '--anthropic-api-key-stdin',
      '--openai-api-key-stdin',
    ])
    expect(twoStdin.stderr).toBe(
      'Only one of --anthropic-api-key-stdin, --openai-api-key-stdin can be used: stdin is read once.\n',
    )
    const unknown = await sandbox.run(['onboard', '--auth-choice', 'nope-api-key', '--token-stdin'])
    expect(unknown.stderr).toMatch(/^Unknown provider "nope"\./)
    const choice = await sandbox.run(['onboard', '--auth-choice', 'frobnicate'])
    expect(choice.stderr).toMatch(/^Unknown --auth-choice "frobnicate"\. Use <provider>-api-key/)
    const noSecret = await sandbox.run(['onboard', '--auth-choice', 'openai-api-key'])
    expect(noSecret.stderr).toBe(
      '--auth-choice openai-api-key needs the secret: pass --token-stdin (piped) or run in a terminal.\n',
    )
    const tokenOnly = await sandbox.run(['onboard', '--token-stdin'], { stdin: 'x' })
    expect(tokenOnly.stderr).toBe(
      '--token needs --auth-choice <id> (e.g. --auth-choice openrouter-api-key).\n',
    )
    const badModel = await sandbox.run(['onboard', '--model', 'anthropic/', '--non-interactive'])
    expect(badModel).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Invalid model reference: anthropic/\n',
    })
  })
})
