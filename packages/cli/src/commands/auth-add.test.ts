// `claw models auth add` on a real pseudo-terminal: provider → method → the paste / setup-token /
// import command it runs; cancelling at any step writes nothing; without a terminal it refuses.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox } from '../../test/helpers/claw.ts'
import { KEYS, runClawOnTty } from '../../test/helpers/tty.ts'

/** A parsed JSON document, indexable in assertions. */
type Doc = { [key: string]: Doc }

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-auth-add-')
})
afterEach(() => sandbox.dispose())

function readJson(path: string): Doc {
  return JSON.parse(readFileSync(path, 'utf8')) as Doc
}

function nothingWritten(): void {
  expect(existsSync(join(sandbox.stateDir, 'claw.json'))).toBe(false)
  expect(existsSync(join(sandbox.agentDir(), 'auth-profiles.json'))).toBe(false)
}

it('picks a provider by typing, then API key: the key is read hidden and stored', async () => {
  const key = canarySecret('sk-')
  const result = await runClawOnTty(['models', 'auth', 'add'], sandbox.baseEnv(), [
    { waitFor: '? Provider', input: 'openai' },
    { waitFor: '> openai', input: KEYS.enter },
    { waitFor: '? How do you authenticate with openai?', input: KEYS.enter },
    { waitFor: 'Paste the API key for openai (hidden): ', input: `${key}\r` },
  ])
  sandbox.outputs.push(result.output)
  expect(result.code).toBe(0)
  expect(result.output).toContain('? How do you authenticate with openai? API key')
  expect(result.output).toContain('Running: claw models auth paste-api-key --provider openai')
  expect(result.output).toContain('Auth profile: openai:default (openai/api_key)')
  expect(sandbox.leaks([key])).toEqual([])
  expect(readJson(join(sandbox.agentDir(), 'auth-profiles.json'))['profiles']).toMatchObject({
    'openai:default': { type: 'api_key', provider: 'openai', key },
  })
  expect(readJson(join(sandbox.stateDir, 'claw.json'))).toEqual({
    auth: { profiles: { 'openai:default': { provider: 'openai', mode: 'api_key' } } },
  })
})

it("offers a provider's other ways in: setup-token, OAuth login, import from its CLI", async () => {
  const bad = canarySecret('sk-wrong-')
  const result = await runClawOnTty(
    ['models', 'auth', 'add', '--provider', 'Anthropic'],
    sandbox.baseEnv(),
    [
      { waitFor: '? How do you authenticate with anthropic?', input: KEYS.down },
      { waitFor: '> Setup-token', input: KEYS.enter },
      { waitFor: 'Paste the setup-token (hidden): ', input: `${bad}\r` },
    ],
  )
  sandbox.outputs.push(result.output)
  expect(result.output).toContain('  API key  (pasted at a hidden prompt)')
  expect(result.output).toContain('  OAuth login  (browser)')
  expect(result.output).toContain('  Import from Claude Code  (')
  // A pasted value that is not a setup-token is refused, with exit 1 and without echoing it.
  expect(result.code).toBe(1)
  expect(result.output).toContain('A setup-token starts with sk-ant-oat01-')
  expect(sandbox.leaks([bad])).toEqual([])
  nothingWritten()
})

it('imports from the tool that holds a credential, through `claw import`', async () => {
  const access = canarySecret('sk-ant-oat01-')
  const refresh = canarySecret('sk-ant-ort01-')
  mkdirSync(join(sandbox.home, '.claude'), { recursive: true })
  writeFileSync(
    join(sandbox.home, '.claude', '.credentials.json'),
    JSON.stringify({
      claudeAiOauth: { accessToken: access, refreshToken: refresh, expiresAt: Date.now() + 864e5 },
    }),
    { mode: 0o600 },
  )
  const result = await runClawOnTty(
    ['models', 'auth', 'add', '--provider', 'anthropic'],
    sandbox.baseEnv(),
    [
      { waitFor: '? How do you authenticate with anthropic?', input: 'claude' },
      { waitFor: '> Import from Claude Code', input: KEYS.enter },
    ],
  )
  expect(result.code).toBe(0)
  expect(result.output).toContain('Running: claw import --from claude-cli')
  expect(result.output).toContain('- anthropic:claude-cli')
  expect(result.output).not.toContain(access)
  expect(readJson(join(sandbox.agentDir(), 'auth-profiles.json'))['profiles']).toMatchObject({
    'anthropic:claude-cli': { provider: 'anthropic' },
  })
})

it('Esc in the method list cancels with exit 1 and writes nothing', async () => {
  const result = await runClawOnTty(['models', 'auth', 'add'], sandbox.baseEnv(), [
    { waitFor: '? Provider', input: KEYS.enter },
    { waitFor: '? How do you authenticate with anthropic?', input: KEYS.escape },
  ])
  expect(result.code).toBe(1)
  expect(result.output).toContain('? How do you authenticate with anthropic? (cancelled)')
  expect(result.output).toContain('Cancelled.')
  nothingWritten()
})

it('Ctrl-C at the hidden prompt cancels with exit 1; nothing typed is echoed or written', async () => {
  const partial = canarySecret('sk-')
  const result = await runClawOnTty(
    ['models', 'auth', 'add', '--provider', 'openai'],
    sandbox.baseEnv(),
    [
      { waitFor: '? How do you authenticate with openai?', input: KEYS.enter },
      { waitFor: 'Paste the API key for openai (hidden): ', input: `${partial}${KEYS.ctrlC}` },
    ],
  )
  sandbox.outputs.push(result.output)
  expect(result.code).toBe(1)
  expect(result.output).toContain('Cancelled.')
  expect(sandbox.leaks([partial])).toEqual([])
  nothingWritten()
})

it('an unknown --provider is an error on a terminal, with exit 1', async () => {
  const result = await runClawOnTty(
    ['models', 'auth', 'add', '--provider', 'opneai'],
    sandbox.baseEnv(),
  )
  expect(result.code).toBe(1)
  expect(result.output).toContain('Unknown provider "opneai"')
  nothingWritten()
})

it('without a terminal it refuses with exit 1 and names the non-interactive commands', async () => {
  const result = await sandbox.run(['models', 'auth', 'add'])
  expect(result.code).toBe(1)
  expect(result.stdout).toBe('')
  expect(result.stderr).toBe(
    '`claw models auth add` asks on a terminal. Without one, use: ' +
      '`claw models auth paste-api-key --provider <id>` or `paste-token --provider <id>` (secret ' +
      'on stdin), `claw models auth setup-token`, `claw models auth login --provider <id>`, ' +
      '`claw models auth login-github-copilot`, or `claw import --from <source>`.\n',
  )
  nothingWritten()
})
