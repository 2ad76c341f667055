// `claw doctor [--fix] [--yes] [--non-interactive] [--json]`, run as a real child process against
// crafted state dirs: the report and its exit codes, unparseable files, permissions, every agent and
// hostile ids. Credentials (tokens, cooldowns, profiles) are in doctor-credentials.test.ts, the
// files doctor repairs (legacy, orphans, plaintext secrets) in doctor-files.test.ts.
import { chmodSync, readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  tokenCredential,
} from '@claw/auth-profiles/testing'
import { ClawSandbox } from '../../test/helpers/claw.ts'
import { doctorJson, hashStateDir, ids, mode } from '../../test/helpers/doctor.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-doctor-')
})
afterEach(() => sandbox.dispose())

const HOUR = 3_600_000

describe('claw doctor: a clean state', () => {
  it('reports no problems on an empty state dir (exit 0), with the documented JSON shape', async () => {
    const { result, json } = await doctorJson(sandbox)
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    expect(json).toEqual({
      schemaVersion: 1,
      stateDir: '<state>',
      configPath: '<state>/claw.json',
      findings: [
        {
          id: 'config.absent',
          area: 'config',
          severity: 'info',
          message: 'No config file at <state>/claw.json; defaults apply.',
          file: '<state>/claw.json',
        },
      ],
      fixed: [],
      summary: { errors: 0, warnings: 0, infos: 1 },
      alerts: { warnAfterMs: 24 * HOUR, expiring: [], reauthRequired: [], disabled: [] },
    })
  })

  it('passes every check on a healthy config and store, grouped by area with ASCII markers', async () => {
    const key = canarySecret()
    sandbox.writeConfig({
      auth: { profiles: { 'openai:work': { provider: 'openai', mode: 'api_key' } } },
    })
    sandbox.writeStore(
      buildAuthProfileStore({ profiles: { 'openai:work': apiKeyCredential('openai', key) } }),
    )
    const result = await sandbox.run(['doctor'])
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      'claw doctor',
      `State dir: ${sandbox.stateDir}`,
      `Config:    ${sandbox.stateDir}/claw.json`,
    ])
    expect(result.stdout).toContain('Credential stores\n  [ok] Every credential store parses.')
    expect(result.stdout).toContain(
      'File permissions\n  [ok] Credential files are 0600 and their directories 0700.',
    )
    expect(result.stdout).toContain('Summary: 0 errors, 0 warnings, 0 notes.')
    expect(result.stdout).not.toMatch(/\[(warn|error)\]/)
    expect(sandbox.leaks([key])).toEqual([])
  })

  it('shows its flags in --help and rejects --plain', async () => {
    const help = await sandbox.run(['doctor', '--help'])
    expect(help.code).toBe(0)
    for (const option of ['--fix', '--yes', '--non-interactive', '--json']) {
      expect(help.stdout).toContain(option)
    }
    const plain = await sandbox.run(['doctor', '--plain'])
    expect(plain.code).toBe(1)
    expect(plain.stderr).toMatch(/^Unknown option '--plain'/)
  })
})

describe('claw doctor: unparseable files (exit 78)', () => {
  it('reports a corrupt store naming the file, keeps checking, and never rewrites it', async () => {
    const storePath = sandbox.writeStore('{"version":1,"profiles":{"openai:a":')
    const ops = sandbox.writeStore(
      buildAuthProfileStore({
        profiles: { 'openai:ops': tokenCredential('openai', canarySecret(), { expires: 1 }) },
      }),
      'ops',
    )
    chmodSync(ops, 0o644)
    const before = hashStateDir(sandbox)
    const { result, json } = await doctorJson(sandbox)
    expect(result.code).toBe(78)
    expect(json.findings.find((finding) => finding.id === 'store.invalid')).toEqual({
      id: 'store.invalid',
      area: 'stores',
      severity: 'error',
      message: `Invalid auth profile store <state>/agents/main/agent/auth-profiles.json:\n- (root): not valid JSON (syntax error at the end of the file (truncated?))\nThe file was left unchanged; repair it (or restore a backup) before claw writes to it again.`,
      agentId: 'main',
      file: '<state>/agents/main/agent/auth-profiles.json',
      fix: 'Repair the file or restore a backup; claw does not write to it until then.',
    })
    // The other agent is still checked.
    expect(ids(json)).toEqual(['store.invalid', 'permissions.file', 'tokens.expired'])
    expect(hashStateDir(sandbox)).toBe(before)

    const fixed = await doctorJson(sandbox, ['--fix'])
    expect(fixed.result.code).toBe(78)
    expect(fixed.json.fixed).toEqual([
      'chmod 600 <state>/agents/ops/agent/auth-profiles.json (was 0644)',
    ])
    expect(readFileSync(storePath, 'utf8')).toBe('{"version":1,"profiles":{"openai:a":')
  })

  it('reports an invalid config with file and line, and still runs the store checks', async () => {
    sandbox.writeConfig('{\n  auth: {\n    profiles: {,\n  }\n}\n')
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: { 'openai:a': tokenCredential('openai', canarySecret(), { expires: 1 }) },
      }),
    )
    const before = hashStateDir(sandbox)
    const { result, json } = await doctorJson(sandbox)
    expect(result.code).toBe(78)
    expect(json.findings[0]).toEqual({
      id: 'config.invalid',
      area: 'config',
      severity: 'error',
      message: 'Invalid config at <state>/claw.json:3:16: JSON5 syntax error at line 3, column 16.',
      file: '<state>/claw.json',
      fix: 'Repair the file (or restore <state>/claw.json.bak if it exists); the checks that need the config were skipped.',
    })
    expect(ids(json)).toEqual(['config.invalid', 'tokens.expired'])
    expect(json.summary).toEqual({ errors: 2, warnings: 0, infos: 0 })
    expect(hashStateDir(sandbox)).toBe(before)

    const human = await sandbox.run(['doctor'])
    expect(human.code).toBe(78)
    expect(human.stdout).toContain(
      `Config file\n  [error] Invalid config at ${sandbox.stateDir}/claw.json:3:16: JSON5 syntax error at line 3, column 16.`,
    )
  })

  it('reports a config that fails validation, naming the config path', async () => {
    sandbox.writeConfig({
      auth: { profiles: { 'openai:a': { provider: 'openai', mode: 'bogus' } } },
    })
    const { result, json } = await doctorJson(sandbox)
    expect(result.code).toBe(78)
    expect(json.findings[0]?.id).toBe('config.invalid')
    expect(json.findings[0]?.message).toContain('auth.profiles["openai:a"].mode')
  })
})

describe('claw doctor: permissions', () => {
  it('warns about 0644 files and 0755 dirs, changes nothing without --fix, and --fix is idempotent', async () => {
    const key = canarySecret()
    const configPath = sandbox.writeConfig({})
    const storePath = sandbox.writeStore(
      buildAuthProfileStore({ profiles: { 'openai:a': apiKeyCredential('openai', key) } }),
    )
    chmodSync(configPath, 0o644)
    chmodSync(storePath, 0o644)
    chmodSync(sandbox.stateDir, 0o755)
    chmodSync(sandbox.agentDir(), 0o755)

    const before = hashStateDir(sandbox)
    const { result, json } = await doctorJson(sandbox)
    expect(result.code).toBe(0)
    expect(json.findings).toEqual([
      {
        id: 'permissions.dir',
        area: 'permissions',
        severity: 'warning',
        message: '<state> is mode 0755; other users can list or enter it (should be 0700).',
        file: '<state>',
        fix: 'chmod 700 <state>',
        repair: 'safe',
      },
      {
        id: 'permissions.file',
        area: 'permissions',
        severity: 'warning',
        message: '<state>/claw.json is mode 0644; other users can read it (should be 0600).',
        file: '<state>/claw.json',
        fix: 'chmod 600 <state>/claw.json',
        repair: 'safe',
      },
      {
        id: 'permissions.dir',
        area: 'permissions',
        severity: 'warning',
        message:
          '<state>/agents/main/agent is mode 0755; other users can list or enter it (should be 0700).',
        file: '<state>/agents/main/agent',
        fix: 'chmod 700 <state>/agents/main/agent',
        repair: 'safe',
      },
      {
        id: 'permissions.file',
        area: 'permissions',
        severity: 'warning',
        message:
          '<state>/agents/main/agent/auth-profiles.json is mode 0644; other users can read it (should be 0600).',
        file: '<state>/agents/main/agent/auth-profiles.json',
        fix: 'chmod 600 <state>/agents/main/agent/auth-profiles.json',
        repair: 'safe',
      },
    ])
    expect(hashStateDir(sandbox)).toBe(before)

    const fix = await sandbox.run(['doctor', '--fix'])
    expect(fix.code).toBe(0)
    expect(fix.stdout).toContain(
      [
        'Changes',
        `  - chmod 700 ${sandbox.stateDir} (was 0755)`,
        `  - chmod 600 ${sandbox.stateDir}/claw.json (was 0644)`,
        `  - chmod 700 ${sandbox.agentDir()} (was 0755)`,
        `  - chmod 600 ${storePath} (was 0644)`,
        '',
      ].join('\n'),
    )
    expect([
      mode(sandbox.stateDir),
      mode(configPath),
      mode(sandbox.agentDir()),
      mode(storePath),
    ]).toEqual([0o700, 0o600, 0o700, 0o600])

    const afterFix = hashStateDir(sandbox)
    const again = await doctorJson(sandbox, ['--fix'])
    expect(again.result.code).toBe(0)
    expect(again.json.fixed).toEqual([])
    expect(again.json.summary).toEqual({ errors: 0, warnings: 0, infos: 0 })
    expect(hashStateDir(sandbox)).toBe(afterFix)
    expect(sandbox.leaks([key])).toEqual([])
  })
})

describe('claw doctor: every agent', () => {
  it('checks main, configured agents and agent dirs, naming the agent', async () => {
    sandbox.writeConfig({ agents: { list: [{ id: 'ops' }] } })
    sandbox.writeStore(buildAuthProfileStore({ profiles: {} }))
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: { 'openai:x': tokenCredential('openai', canarySecret(), { expires: 1 }) },
      }),
      'ops',
    )
    sandbox.writeStore('', 'stray')
    const { result, json } = await doctorJson(sandbox)
    expect(result.code).toBe(78)
    expect(
      json.findings.map((finding) => [finding.id, finding.agentId, finding.message.split('\n')[0]]),
    ).toEqual([
      [
        'store.invalid',
        'stray',
        'Invalid auth profile store <state>/agents/stray/agent/auth-profiles.json:',
      ],
      [
        'tokens.expired',
        'ops',
        'openai:x (agent ops): expired — static tokens cannot be refreshed.',
      ],
    ])
  })
})

describe('claw doctor: hostile ids', () => {
  it('escapes control characters from the store in every message', async () => {
    const evil = 'openai:\u001b[31mevil\u0007'
    sandbox.writeStore(
      JSON.stringify({
        version: 1,
        profiles: { [evil]: apiKeyCredential('openai'), 'openai:ok': apiKeyCredential('openai') },
        order: { openai: ['openai:ok', evil] },
      }),
    )
    const result = await sandbox.run(['doctor'])
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain('\u001b')
    expect(result.stdout).not.toContain('\u0007')
    expect(result.stdout).toContain('lists openai:\\u{1b}[31mevil\\u{7}, which has no profile.')
    const { json } = await doctorJson(sandbox)
    expect(ids(json)).toEqual(['store.ignored_entry', 'orphans.store_order'])
  })
})
