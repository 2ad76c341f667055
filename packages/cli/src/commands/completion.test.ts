// `claw completion bash|zsh|fish`: the scripts, the candidates they ask `claw` for, and the scripts
// run by the real shells (a `claw` on PATH that is the built CLI).
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiKeyCredential, buildAuthProfileStore, canarySecret } from '@claw/auth-profiles/testing'
import { CLAW_BIN, ClawSandbox } from '../../test/helpers/claw.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-completion-')
})
afterEach(() => sandbox.dispose())

function hasShell(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0
}

/** The candidates `claw` offers for the last of `words`. */
async function complete(...words: string[]): Promise<string[]> {
  const result = await sandbox.run(['completion', '__complete', '--', ...words])
  expect(result.code).toBe(0)
  expect(result.stderr).toBe('')
  return result.stdout.split('\n').filter((line) => line !== '')
}

function writeState(): string {
  const key = canarySecret('sk-')
  sandbox.writeConfig({
    agents: {
      defaults: { models: { 'anthropic/claude-opus-4-5': { alias: 'opus' } } },
      list: [{ id: 'work' }],
    },
    models: { providers: { 'my-llm': { baseUrl: 'http://127.0.0.1:9/v1', models: [] } } },
  })
  sandbox.writeStore(
    buildAuthProfileStore({
      profiles: {
        'openai:default': apiKeyCredential('openai', key),
        'openai:work': apiKeyCredential('openai'),
        'anthropic:manual': apiKeyCredential('anthropic'),
      },
    }),
  )
  return key
}

/** A directory with a `claw` executable that runs the CLI under test, for the shells. */
function clawOnPath(): Record<string, string> {
  const bin = join(sandbox.root, 'bin')
  mkdirSync(bin, { recursive: true })
  const shim = join(bin, 'claw')
  writeFileSync(shim, `#!/bin/sh\nexec '${process.execPath}' '${CLAW_BIN}' "$@"\n`)
  chmodSync(shim, 0o755)
  const env = sandbox.baseEnv()
  return { ...env, PATH: `${bin}:${env['PATH'] ?? ''}` }
}

async function script(shell: string): Promise<string> {
  const result = await sandbox.run(['completion', shell])
  expect(result.code).toBe(0)
  const path = join(sandbox.root, `claw.${shell}`)
  writeFileSync(path, result.stdout)
  return path
}

describe('claw completion <shell>', () => {
  it('prints a script for bash, zsh and fish, and the install lines in --help', async () => {
    expect((await sandbox.run(['completion', 'bash'])).stdout).toContain(
      'complete -o default -F _claw_complete claw',
    )
    expect((await sandbox.run(['completion', 'zsh'])).stdout).toMatch(/^#compdef claw\n/)
    expect((await sandbox.run(['completion', 'fish'])).stdout).toContain(
      "complete -c claw -f -a '(__claw_complete)'",
    )
    const help = await sandbox.run(['completion', '--help'])
    expect(help.stdout).toContain(
      'claw completion bash > ~/.local/share/bash-completion/completions/claw',
    )
    expect(help.stdout).toContain('claw completion fish > ~/.config/fish/completions/claw.fish')
    expect((await sandbox.run(['--help'])).stdout).toMatch(/\n {2}completion +Print the shell/)
  })

  it('refuses an unknown shell', async () => {
    const result = await sandbox.run(['completion', 'powershell'])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      'Unknown shell "powershell". claw writes completion scripts for bash, zsh and fish.\n',
    )
  })
})

describe('the candidates', () => {
  it('completes commands from the registry, and flags from the command', async () => {
    expect(await complete('')).toEqual(expect.arrayContaining(['models', 'doctor', 'completion']))
    expect(await complete('models', 'st')).toEqual(['status'])
    expect(await complete('models', 'auth', 'paste-')).toEqual(['paste-api-key', 'paste-token'])
    expect(await complete('models', 'auth', 'paste-api-key', '--pro')).toEqual([
      '--provider',
      '--profile-id',
    ])
    expect(await complete('doctor', '--')).toEqual(expect.arrayContaining(['--fix', '--help']))
    expect(await complete('completion', '')).toEqual(['bash', 'zsh', 'fish'])
    expect(await complete('nonsense', '')).toEqual([])
  })

  it('completes providers, profile ids, agents, models and aliases from the state', async () => {
    const key = writeState()
    expect(await complete('models', 'auth', 'paste-api-key', '--provider', 'open')).toEqual(
      expect.arrayContaining(['openai', 'openrouter']),
    )
    expect(await complete('models', 'auth', 'paste-api-key', '--provider', 'my')).toEqual([
      'my-llm',
    ])
    expect(await complete('models', 'auth', 'logout', 'openai:')).toEqual([
      'openai:default',
      'openai:work',
    ])
    expect(await complete('models', 'auth', 'order', 'set', '--provider', 'openai', '')).toEqual(
      expect.arrayContaining(['openai:default', 'anthropic:manual']),
    )
    expect(await complete('models', 'status', '--agent', '')).toEqual(['main', 'work'])
    expect(await complete('models', 'set', '')).toEqual(['opus', 'anthropic/claude-opus-4-5'])
    expect(sandbox.leaks([key])).toEqual([])
  })

  it('offers nothing, and prints no error, when the config cannot be read', async () => {
    sandbox.writeConfig('{ not json')
    expect(await complete('models', 'auth', 'logout', '')).toEqual([])
  })
})

describe('in the real shells', () => {
  it('bash: completes a profile id after its colon', async () => {
    writeState()
    const path = await script('bash')
    const run = (line: string): string[] =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "$1"; COMP_LINE="$2"; COMP_POINT=\${#COMP_LINE}; _claw_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
          'bash',
          path,
          line,
        ],
        { env: clawOnPath(), encoding: 'utf8' },
      )
        .split('\n')
        .filter((word) => word !== '')
    expect(run('claw models st')).toEqual(['status'])
    expect(run('claw models auth logout openai:w')).toEqual(['work'])
    expect(run('claw models auth paste-api-key --provider my')).toEqual(['my-llm'])
  })

  it.skipIf(!hasShell('fish'))('fish: completes commands and profile ids', async () => {
    writeState()
    const path = await script('fish')
    const run = (line: string): string =>
      execFileSync('fish', ['-c', `source $argv[1]; complete -C "$argv[2]"`, path, line], {
        env: clawOnPath(),
        encoding: 'utf8',
      })
    expect(run('claw models st')).toBe('status\n')
    expect(run('claw models auth logout openai:d')).toBe('openai:default\n')
  })

  it.skipIf(!hasShell('zsh'))('zsh: the function offers what claw prints', async () => {
    writeState()
    const path = await script('zsh')
    // compadd and compdef stubbed: what the function would add is printed instead.
    const run = (...words: string[]): string =>
      execFileSync(
        'zsh',
        [
          '-c',
          'compdef() { :; }; compadd() { shift 2; print -l -- "$@"; }; source "$1"; shift; words=("$@"); CURRENT=$#; _claw',
          'zsh',
          path,
          ...words,
        ],
        { env: clawOnPath(), encoding: 'utf8' },
      )
    expect(zshSyntaxOk(path)).toBe(true)
    expect(run('claw', 'models', 'st')).toBe('status\n')
    expect(run('claw', 'models', 'auth', 'logout', 'anthropic:')).toBe('anthropic:manual\n')
  })
})

function zshSyntaxOk(path: string): boolean {
  return spawnSync('zsh', ['-n', path]).status === 0
}
