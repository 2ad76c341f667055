// `claw agents add|list|remove`: isolated agents with their own credential stores, run as real
// child processes against a temp state dir.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import JSON5 from 'json5'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  tokenCredential,
} from '@claw/auth-profiles/testing'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'
import { runClawOnTty } from '../../test/helpers/tty.ts'

let sandbox: ClawSandbox
let configPath: string
beforeEach(() => {
  sandbox = new ClawSandbox()
  configPath = join(sandbox.stateDir, 'claw.json')
})
afterEach(() => sandbox.dispose())

const readConfig = (): unknown => JSON5.parse(readFileSync(configPath, 'utf8'))
const mode = (path: string): number => statSync(path).mode & 0o777

function agentRow(
  id: string,
  profileCount: number,
  options: { agentDir?: string; storeExists?: boolean } = {},
) {
  const agentDir = options.agentDir ?? sandbox.agentDir(id)
  return {
    id,
    default: id === 'main',
    configured: id !== 'main',
    agentDir,
    storePath: join(agentDir, 'auth-profiles.json'),
    storeExists: options.storeExists ?? profileCount > 0,
    profileCount,
  }
}

describe('claw agents list', () => {
  it('always lists main, as the default', async () => {
    const json = await sandbox.run(['agents', 'list', '--json'])
    expect(json.code).toBe(0)
    expect(parseJsonOutput(json)).toEqual({
      schemaVersion: 1,
      defaultAgentId: 'main',
      agents: [agentRow('main', 0)],
    })
    expect(await sandbox.run(['agents', 'list'])).toEqual({
      code: 0,
      stdout: `Agents (1):\n- main (default): 0 profiles, ${join(sandbox.agentDir(), 'auth-profiles.json')} (no store yet)\n`,
      stderr: '',
    })
    expect(await sandbox.run(['agents', 'list', '--plain'])).toEqual({
      code: 0,
      stdout: 'main\n',
      stderr: '',
    })
    expect((await sandbox.run(['agents', 'list', '--plain', '--json'])).stderr).toBe(
      'Choose either --json or --plain, not both.\n',
    )
  })

  it("counts each agent's own profiles: stores are isolated", async () => {
    const secrets = [canarySecret(), canarySecret(), canarySecret(), canarySecret()]
    sandbox.writeConfig({ agents: { list: [{ id: 'work' }, { id: 'personal' }] } })
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: { 'openai:main': apiKeyCredential('openai', secrets[0]) },
      }),
    )
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'anthropic:work': tokenCredential('anthropic', secrets[1]),
          'openai:work': apiKeyCredential('openai', secrets[2]),
        },
      }),
      'work',
    )
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: { 'openai:personal': apiKeyCredential('openai', secrets[3]) },
      }),
      'personal',
    )
    const json = await sandbox.run(['agents', 'list', '--json'])
    expect(parseJsonOutput(json)).toEqual({
      schemaVersion: 1,
      defaultAgentId: 'main',
      agents: [agentRow('main', 1), agentRow('work', 2), agentRow('personal', 1)],
    })
    const human = await sandbox.run(['agents', 'list'])
    expect(human.stdout).toBe(
      [
        'Agents (3):',
        `- main (default): 1 profile, ${join(sandbox.agentDir('main'), 'auth-profiles.json')}`,
        `- work: 2 profiles, ${join(sandbox.agentDir('work'), 'auth-profiles.json')}`,
        `- personal: 1 profile, ${join(sandbox.agentDir('personal'), 'auth-profiles.json')}`,
        '',
      ].join('\n'),
    )
    expect(sandbox.leaks(secrets)).toEqual([])
  })

  it('reports a corrupt store with exit 78 naming the file', async () => {
    sandbox.writeConfig({ agents: { list: [{ id: 'work' }] } })
    const path = sandbox.writeStore('{ "version": 1, "profiles": ', 'work')
    const result = await sandbox.run(['agents', 'list', '--json'])
    expect(result.code).toBe(78)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(path)
  })

  it('shows a table on a terminal', async () => {
    sandbox.writeConfig({ agents: { list: [{ id: 'work' }] } })
    const result = await runClawOnTty(['agents', 'list'], { ...sandbox.baseEnv(), NO_COLOR: '1' })
    expect(result.code).toBe(0)
    const store = (id: string) => join(sandbox.agentDir(id), 'auth-profiles.json')
    expect(result.output.split(/\r?\n/).slice(0, 4)).toEqual([
      'Agents (2):',
      'Agent           Profiles  Store',
      `main (default)  0         ${store('main')} (no store yet)`,
      `work            0         ${store('work')} (no store yet)`,
    ])
  })
})

describe('claw agents add', () => {
  it('adds a config entry and creates only the agent dir (0700)', async () => {
    const result = await sandbox.run(['agents', 'add', 'work'])
    const agentDir = sandbox.agentDir('work')
    expect(result).toEqual({
      code: 0,
      stdout: [
        `Updated ${configPath}`,
        'Agent "work" added.',
        `Agent dir: ${agentDir}`,
        'Add credentials with: claw models auth paste-api-key --provider <id> --agent work',
        '',
      ].join('\n'),
      stderr: '',
    })
    expect(readConfig()).toEqual({ agents: { list: [{ id: 'work' }] } })
    expect(mode(configPath)).toBe(0o600)
    expect(mode(agentDir)).toBe(0o700)
    expect(readdirSync(agentDir)).toEqual([])

    const json = await sandbox.run(['agents', 'add', 'personal', '--json'])
    expect(parseJsonOutput(json)).toEqual({
      schemaVersion: 1,
      id: 'personal',
      agentDir: sandbox.agentDir('personal'),
      storePath: join(sandbox.agentDir('personal'), 'auth-profiles.json'),
      configPath,
    })
    expect(readConfig()).toEqual({ agents: { list: [{ id: 'work' }, { id: 'personal' }] } })
    expect(readFileSync(`${configPath}.bak`, 'utf8')).toContain('"work"')
  })

  it('keeps a custom --agent-dir and the rest of the config', async () => {
    sandbox.writeConfig({ agents: { defaults: { model: 'openai/gpt-5.2' } } })
    const custom = join(sandbox.root, 'elsewhere', 'work')
    const result = await sandbox.run(['agents', 'add', 'work', '--agent-dir', custom, '--json'])
    expect(parseJsonOutput(result)).toMatchObject({ id: 'work', agentDir: custom })
    expect(readConfig()).toEqual({
      agents: { defaults: { model: 'openai/gpt-5.2' }, list: [{ id: 'work', agentDir: custom }] },
    })
    expect(mode(custom)).toBe(0o700)
    const list = parseJsonOutput<{ agents: unknown[] }>(
      await sandbox.run(['agents', 'list', '--json']),
    )
    expect(list.agents).toEqual([agentRow('main', 0), agentRow('work', 0, { agentDir: custom })])
  })

  it('refuses invalid ids, duplicates and a dir another agent uses', async () => {
    sandbox.writeConfig({ agents: { list: [{ id: 'work' }] } })
    const before = readFileSync(configPath, 'utf8')
    const cases: [string[], string][] = [
      [['../evil'], 'Invalid agent id: "../evil". Use letters, digits, "-" and "_".'],
      [['a b'], 'Invalid agent id: "a b". Use letters, digits, "-" and "_".'],
      [['main'], 'Agent "main" already exists.'],
      [['Work'], 'Agent "work" already exists.'],
      [
        ['other', '--agent-dir', sandbox.agentDir('work')],
        `Agent dir ${sandbox.agentDir('work')} is already used by agent "work".`,
      ],
      [['--bogus', 'x'], "Unknown option '--bogus'."],
    ]
    for (const [args, message] of cases) {
      expect(await sandbox.run(['agents', 'add', ...args])).toEqual({
        code: 1,
        stdout: '',
        stderr: `${message}\n`,
      })
    }
    expect(readFileSync(configPath, 'utf8')).toBe(before)
    expect(existsSync(join(sandbox.stateDir, 'agents'))).toBe(false)
    expect(existsSync(join(sandbox.stateDir, 'evil'))).toBe(false)
  })

  it('refuses to add an agent when the config is invalid (exit 78)', async () => {
    sandbox.writeConfig({ agents: { list: [{ id: '' }] } })
    const result = await sandbox.run(['agents', 'add', 'work'])
    expect(result.code).toBe(78)
    expect(result.stderr).toMatch(
      new RegExp(`^Invalid config at ${configPath}\\n- agents\\.list\\[0\\]\\.id: `),
    )
    expect(existsSync(sandbox.agentDir('work'))).toBe(false)
  })
})

describe('claw agents remove', () => {
  it('removes the config entry and keeps the files', async () => {
    const secret = canarySecret()
    sandbox.writeConfig({ agents: { list: [{ id: 'work' }, { id: 'personal' }] } })
    const store = sandbox.writeStore(
      buildAuthProfileStore({ profiles: { 'openai:work': apiKeyCredential('openai', secret) } }),
      'work',
    )
    const result = await sandbox.run(['agents', 'remove', 'work'])
    expect(result).toEqual({
      code: 0,
      stdout: `Updated ${configPath}\nRemoved agent "work" from the config. Its files were kept in ${sandbox.agentDir('work')}.\n`,
      stderr: '',
    })
    expect(readConfig()).toEqual({ agents: { list: [{ id: 'personal' }] } })
    expect(existsSync(store)).toBe(true)
    expect((await sandbox.run(['agents', 'list', '--plain'])).stdout).toBe('main\npersonal\n')
    expect(sandbox.leaks([secret])).toEqual([])
  })

  it('refuses main, unknown agents and invalid ids', async () => {
    sandbox.writeConfig({ agents: { list: [{ id: 'work' }] } })
    const cases: [string, string][] = [
      ['main', 'The default agent "main" cannot be removed.'],
      ['nope', 'Agent not found: nope'],
      ['../x', 'Invalid agent id: "../x". Use letters, digits, "-" and "_".'],
    ]
    for (const [id, message] of cases) {
      expect(await sandbox.run(['agents', 'remove', id])).toEqual({
        code: 1,
        stdout: '',
        stderr: `${message}\n`,
      })
    }
    expect(readConfig()).toEqual({ agents: { list: [{ id: 'work' }] } })
  })
})
