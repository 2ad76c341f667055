// `claw import --from openclaw` and `claw doctor` on OpenClaw 2026.9 state dirs written by
// OpenClaw itself (copied to temp dirs): the built claw, as a user runs it, under whichever Node
// runs the tests (node:sqlite on Node 24, sql.js on Node 20).
import {
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  copyOpenClawFixture,
  hashTree,
  openClawExpected,
  openClawSecrets,
  type OpenClawFixtureName,
} from '../../../../test-support/openclaw-fixtures.ts'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'

type Doc = { [key: string]: Doc }

let sandbox: ClawSandbox
const disposers: (() => void)[] = []
beforeEach(() => {
  sandbox = new ClawSandbox('claw-import-openclaw-')
})
afterEach(() => {
  sandbox.dispose()
  for (const dispose of disposers.splice(0)) dispose()
})

function fixture(name: OpenClawFixtureName): string {
  const copy = copyOpenClawFixture(name)
  disposers.push(copy.dispose)
  return copy.dir
}

function storeOf(agentId: string): Doc {
  return JSON.parse(
    readFileSync(join(sandbox.agentDir(agentId), 'auth-profiles.json'), 'utf8'),
  ) as Doc
}

function configOf(): Doc {
  return JSON.parse(readFileSync(join(sandbox.stateDir, 'claw.json'), 'utf8')) as Doc
}

describe('claw import --from openclaw', () => {
  it('imports every agent and the config, and a second run changes nothing', async () => {
    const dir = fixture('fresh')
    const expected = openClawExpected('fresh')
    const before = hashTree(dir)
    const first = await sandbox.run(['import', '--from', 'openclaw', dir])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain('OpenClaw 2026.9.6 state dir')
    expect(first.stdout).toContain('Imported 4 profiles into agent main:')
    expect(first.stdout).toContain(
      '- openai-codex:codex-canary@example.invalid (was openai:codex-canary@example.invalid',
    )
    expect(first.stdout).toContain('Imported 1 profile into agent work:')
    expect(first.stdout).toContain(`Wrote ${join(sandbox.stateDir, 'claw.json')}`)

    const main = storeOf('main')
    expect(Object.keys(main['profiles']!).sort()).toEqual([
      'anthropic:manual',
      'openai-codex:codex-canary@example.invalid',
      'openai:personal',
      'openai:work',
    ])
    expect(main['order']).toEqual({
      openai: ['openai:work', 'openai:personal'],
      'openai-codex': ['openai-codex:codex-canary@example.invalid'],
    })
    expect(main['usageStats']).toEqual(expected.agents['main']!.store.usageStats)
    expect(Object.keys(storeOf('work')['profiles']!)).toEqual(['anthropic:work'])
    const config = configOf()
    expect(config['agents']!['defaults']!['model']).toEqual(expected.config.model)
    expect(config['auth']!['order']).toEqual(expected.config.authOrder)

    const imported = hashTree(sandbox.stateDir)
    const second = await sandbox.run(['import', '--from', 'openclaw', dir])
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toContain('Nothing new for agent main.')
    expect(second.stdout).toContain('Already up to date: 4 profiles.')
    expect(second.stdout).toContain('exists: OpenClaw')
    expect(hashTree(sandbox.stateDir)).toBe(imported)

    expect(hashTree(dir)).toBe(before)
    expect(sandbox.leaks(openClawSecrets(expected))).toEqual([])
  })

  it('--dry-run --json reports the plan and writes nothing', async () => {
    const dir = fixture('migrated-from-clawdbot')
    const result = await sandbox.run(['import', '--from', 'openclaw', dir, '--dry-run', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const json = parseJsonOutput<Doc>(result)
    expect(json['dryRun']).toBe(true)
    expect(json['renamed']).toEqual({ 'openai:chatgpt-default': 'openai-codex:default' })
    expect(json['agents']![0]!['imported']).toEqual([
      'anthropic:default',
      'anthropic:work',
      'openai:default',
      'openai-codex:default',
    ])
    expect(json['config']!['action']).toBe('would_write')
    expect(json['config']!['source']).toBe(join(dir, 'clawdbot.json'))
    expect(existsSync(sandbox.stateDir)).toBe(false)
    expect(sandbox.leaks(openClawSecrets(openClawExpected('migrated-from-clawdbot')))).toEqual([])
  })

  it('migrated: the Codex-runtime model becomes openai-codex/<model> in claw.json', async () => {
    const dir = fixture('migrated-from-clawdbot')
    const result = await sandbox.run(['import', '--from', 'openclaw', dir])
    expect(result.code, result.stderr).toBe(0)
    const defaults = configOf()['agents']!['defaults']!
    expect(defaults['model']).toEqual({
      primary: 'anthropic/claude-opus-4-7',
      fallbacks: ['openai-codex/gpt-5.5', 'anthropic/claude-sonnet-4-6'],
    })
    expect(defaults['models']!['openai-codex/gpt-5.5']).toEqual({ alias: 'codex' })
    expect(storeOf('main')['lastGood']).toEqual({
      anthropic: 'anthropic:default',
      'openai-codex': 'openai-codex:default',
    })
    const status = await sandbox.run(['models', 'status', '--json'])
    expect(status.code, status.stderr).toBe(0)
  })

  it("keeps claw's own config and says so", async () => {
    const dir = fixture('fresh')
    sandbox.writeConfig({ agents: { defaults: { model: { primary: 'openai/gpt-5' } } } })
    const result = await sandbox.run(['import', '--from', 'openclaw', dir])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain("exists: OpenClaw's model and auth settings")
    expect(configOf()).toEqual({ agents: { defaults: { model: { primary: 'openai/gpt-5' } } } })
  })

  it('defaults to $OPENCLAW_STATE_DIR and refuses to import into the OpenClaw dir itself', async () => {
    const dir = fixture('fresh')
    const before = hashTree(dir)
    const inside = await sandbox.run(['import', '--from', 'openclaw'], {
      env: { OPENCLAW_STATE_DIR: dir, CLAW_STATE_DIR: dir },
    })
    expect(inside.code).toBe(1)
    expect(inside.stderr).toContain('claw never writes to an OpenClaw dir')
    expect(hashTree(dir)).toBe(before)
    const fromEnv = await sandbox.run(['import', '--from', 'openclaw', '--agent', 'work'], {
      env: { OPENCLAW_STATE_DIR: dir },
    })
    expect(fromEnv.code, fromEnv.stderr).toBe(0)
    expect(fromEnv.stdout).toContain('Imported 1 profile into agent work:')
    expect(existsSync(join(sandbox.agentDir('main'), 'auth-profiles.json'))).toBe(false)
  })

  it('bad input: a clear error naming the file, exit 78, nothing written anywhere', async () => {
    const dir = fixture('fresh')
    const file = join(dir, 'state', 'openclaw.sqlite')
    truncateSync(file, 200_000)
    const before = hashTree(dir)
    const result = await sandbox.run(['import', '--from', 'openclaw', dir])
    expect(result.code).toBe(78)
    expect(result.stderr).toContain(file)
    expect(result.stderr).toMatch(/truncated/)
    expect(result.stderr).not.toMatch(/\n\s+at /) // no stack trace
    expect(existsSync(sandbox.stateDir)).toBe(false)
    expect(hashTree(dir)).toBe(before)
  })

  it('OpenClaw still running (pending write-ahead log): refused, exit 1, nothing written', async () => {
    const dir = fixture('fresh')
    const file = join(dir, 'state', 'openclaw.sqlite')
    writeFileSync(`${file}-wal`, Buffer.alloc(8192, 7))
    const result = await sandbox.run(['import', '--from', 'openclaw', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`${file} has changes that are not in the database file yet`)
    expect(existsSync(sandbox.stateDir)).toBe(false)
  })

  it('a dir that is not an OpenClaw 2026.4+ dir points to --from clawdbot', async () => {
    const dir = fixture('fresh')
    const result = await sandbox.run(['import', '--from', 'openclaw', join(dir, 'agents')])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('--from clawdbot')
  })
})

describe('claw doctor and OpenClaw', () => {
  it('on an OpenClaw dir: says what it found and the command to import', async () => {
    const dir = fixture('fresh')
    const before = hashTree(dir)
    const result = await sandbox.run(['doctor', '--json'], { env: { CLAW_STATE_DIR: dir } })
    const json = parseJsonOutput<{ findings: Doc[] }>(result)
    const finding = json.findings.find((entry) => entry['area'] === ('openclaw' as unknown))
    expect(finding?.['id']).toBe('openclaw.state_dir')
    expect(finding?.['message']).toContain('main 4, work 1')
    expect(finding?.['fix']).toContain(`claw import --from openclaw ${dir}`)
    expect(hashTree(dir)).toBe(before)
  })

  it("finds ~/.openclaw beside claw's state dir, then reports it imported", async () => {
    const dir = fixture('migrated-from-clawdbot')
    symlinkSync(dir, join(sandbox.home, '.openclaw'))
    mkdirSync(sandbox.stateDir, { recursive: true, mode: 0o700 })
    const found = await sandbox.run(['doctor'])
    expect(found.stdout).toContain(
      `OpenClaw 2026.9.6 state dir ${join(sandbox.home, '.openclaw')} has 4 profiles claw does not have yet (main: 4)`,
    )
    expect(found.stdout).toContain(`claw import --from openclaw ${join(sandbox.home, '.openclaw')}`)
    expect((await sandbox.run(['import', '--from', 'openclaw'])).code).toBe(0)
    const after = await sandbox.run(['doctor'])
    expect(after.stdout).toContain('every profile is already in claw')
  })
})
