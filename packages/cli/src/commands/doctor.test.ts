// `claw doctor [--fix] [--yes] [--non-interactive] [--json]`, run as a real child process against
// crafted state dirs: each check, its repair, idempotence, "nothing changes without --fix", exit
// codes, and a canary scan of every output.
import { createHash } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join, relative } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  oauthCredential,
  tokenCredential,
} from '@claw/auth-profiles/testing'
import { startTokenServer } from '../../../auth-profiles/test/fixtures/token-server.ts'
import { ClawSandbox, parseJsonOutput, type ClawResult } from '../../test/helpers/claw.ts'
import { runClawOnTty } from '../../test/helpers/tty.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-doctor-')
})
afterEach(() => sandbox.dispose())

const HOUR = 3_600_000

interface DoctorJson {
  alerts: unknown
  schemaVersion: number
  stateDir: string
  configPath: string
  findings: {
    id: string
    area: string
    severity: string
    message: string
    fix?: string
    agentId?: string
    profileId?: string
    file?: string
    repair?: string
  }[]
  fixed: string[]
  summary: { errors: number; warnings: number; infos: number }
}

/** Replaces the sandbox's temp state dir with `<state>` so goldens are stable. */
function normalize<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).split(sandbox.stateDir).join('<state>')) as T
}

async function doctorJson(
  args: string[] = [],
  env?: Record<string, string>,
): Promise<{ result: ClawResult; json: DoctorJson }> {
  const result = await sandbox.run(['doctor', '--json', ...args], env ? { env } : {})
  return { result, json: normalize(parseJsonOutput<DoctorJson>(result)) }
}

/** Findings other than the always-present notes, as `id` → messages. */
function ids(json: DoctorJson): string[] {
  return json.findings.map((finding) => finding.id).filter((id) => id !== 'config.absent')
}

/** A fingerprint of every file and dir under the state dir: path, mode and content. */
function hashStateDir(): string {
  const hash = createHash('sha256')
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name)
      const stats = statSync(path)
      hash.update(`${relative(sandbox.stateDir, path)}:${stats.mode}\n`)
      if (entry.isDirectory()) walk(path)
      else hash.update(readFileSync(path))
    }
  }
  hash.update(`state:${statSync(sandbox.stateDir).mode}\n`)
  walk(sandbox.stateDir)
  return hash.digest('hex')
}

const mode = (path: string): number => statSync(path).mode & 0o777
const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>

describe('claw doctor: a clean state', () => {
  it('reports no problems on an empty state dir (exit 0), with the documented JSON shape', async () => {
    const { result, json } = await doctorJson()
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
    const before = hashStateDir()
    const { result, json } = await doctorJson()
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
    expect(hashStateDir()).toBe(before)

    const fixed = await doctorJson(['--fix'])
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
    const before = hashStateDir()
    const { result, json } = await doctorJson()
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
    expect(hashStateDir()).toBe(before)

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
    const { result, json } = await doctorJson()
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

    const before = hashStateDir()
    const { result, json } = await doctorJson()
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
    expect(hashStateDir()).toBe(before)

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

    const afterFix = hashStateDir()
    const again = await doctorJson(['--fix'])
    expect(again.result.code).toBe(0)
    expect(again.json.fixed).toEqual([])
    expect(again.json.summary).toEqual({ errors: 0, warnings: 0, infos: 0 })
    expect(hashStateDir()).toBe(afterFix)
    expect(sandbox.leaks([key])).toEqual([])
  })
})

describe('claw doctor: legacy files', () => {
  it('imports an agent-dir auth.json with --fix (removing it) and the oauth.json (keeping it)', async () => {
    const key = canarySecret()
    const access = canarySecret('access-canary-')
    const refresh = canarySecret('refresh-canary-')
    const agentDir = sandbox.agentDir()
    mkdirSync(agentDir, { recursive: true, mode: 0o700 })
    const authJson = join(agentDir, 'auth.json')
    writeFileSync(authJson, JSON.stringify({ openai: { type: 'api_key', key } }), { mode: 0o600 })
    const oauthDir = join(sandbox.stateDir, 'credentials')
    mkdirSync(oauthDir, { mode: 0o700 })
    const oauthJson = join(oauthDir, 'oauth.json')
    writeFileSync(
      oauthJson,
      JSON.stringify({ anthropic: { access, refresh, expires: Date.now() + 48 * HOUR } }),
      { mode: 0o600 },
    )

    const before = hashStateDir()
    const { result, json } = await doctorJson()
    expect(result.code).toBe(0)
    expect(json.findings.filter((finding) => finding.area === 'legacy')).toEqual([
      {
        id: 'legacy.auth_json',
        area: 'legacy',
        severity: 'warning',
        message:
          'Legacy <state>/agents/main/agent/auth.json has not been migrated to auth-profiles.json.',
        agentId: 'main',
        file: '<state>/agents/main/agent/auth.json',
        fix: 'claw doctor --fix imports it (and removes auth.json once auth-profiles.json is written).',
        repair: 'safe',
      },
      {
        id: 'legacy.oauth_json',
        area: 'legacy',
        severity: 'warning',
        message:
          'Legacy <state>/credentials/oauth.json has not been imported into <state>/agents/main/agent/auth-profiles.json.',
        agentId: 'main',
        file: '<state>/credentials/oauth.json',
        fix: 'claw doctor --fix imports it (the file is kept).',
        repair: 'safe',
      },
    ])
    expect(hashStateDir()).toBe(before)

    const fix = await doctorJson(['--fix'])
    expect(fix.result.code).toBe(0)
    expect(fix.json.fixed).toEqual([
      'Imported legacy credentials into <state>/agents/main/agent/auth-profiles.json',
      'Removed <state>/agents/main/agent/auth.json',
    ])
    expect(existsSync(authJson)).toBe(false)
    expect(existsSync(oauthJson)).toBe(true)
    const store = readJson(join(agentDir, 'auth-profiles.json'))
    expect(Object.keys(store['profiles'] as object).sort()).toEqual([
      'anthropic:default',
      'openai:default',
    ])
    expect(ids(fix.json)).toEqual(['legacy.oauth_json_present'])

    const again = await doctorJson(['--fix'])
    expect(again.json.fixed).toEqual([])
    // The oauth.json is the user's to delete; everything else is in the store.
    expect(sandbox.leaks([key])).toEqual([])
  })

  it('warns about a leftover auth.json next to an existing store without touching it', async () => {
    sandbox.writeStore(buildAuthProfileStore({ profiles: {} }))
    writeFileSync(join(sandbox.agentDir(), 'auth.json'), '{}', { mode: 0o600 })
    const { json } = await doctorJson(['--fix'])
    expect(json.findings.find((finding) => finding.area === 'legacy')).toMatchObject({
      id: 'legacy.auth_json_leftover',
      severity: 'warning',
      fix: 'Check that its profiles are listed by `claw models auth list`, then delete it.',
    })
    expect(json.fixed).toEqual([])
    expect(existsSync(join(sandbox.agentDir(), 'auth.json'))).toBe(true)
  })
})

describe('claw doctor: tokens and re-auth', () => {
  it('reports expired and expiring tokens and profiles needing re-auth (exit 1)', async () => {
    const now = Date.now()
    const secrets = [canarySecret(), canarySecret(), canarySecret()]
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai:old': tokenCredential('openai', secrets[0], { expires: now - HOUR }),
          'openai:soon': tokenCredential('openai', secrets[1], { expires: now + 3 * HOUR }),
          'anthropic:pat': tokenCredential('anthropic', secrets[2]),
          'openai-codex:me': oauthCredential('openai-codex', now + 30 * 24 * HOUR, {
            status: 'needs_reauth',
          }),
        },
      }),
    )
    const { result, json } = await doctorJson()
    expect(result.code).toBe(1)
    expect(json.findings.filter((finding) => finding.area === 'tokens')).toEqual([
      {
        id: 'tokens.expired',
        area: 'tokens',
        severity: 'error',
        message: 'openai:old: expired — static tokens cannot be refreshed.',
        fix: 'Re-auth: run `claw models auth paste-token --provider openai --profile-id openai:old`.',
        agentId: 'main',
        profileId: 'openai:old',
        file: '<state>/agents/main/agent/auth-profiles.json',
      },
      {
        id: 'tokens.expiring',
        area: 'tokens',
        severity: 'warning',
        message: 'openai:soon: expiring (3h) — static tokens cannot be refreshed.',
        fix: 'Re-auth: run `claw models auth paste-token --provider openai --profile-id openai:soon`.',
        agentId: 'main',
        profileId: 'openai:soon',
        file: '<state>/agents/main/agent/auth-profiles.json',
      },
      {
        id: 'tokens.needs_reauth',
        area: 'tokens',
        severity: 'error',
        message: 'openai-codex:me: needs re-auth (the provider rejected its refresh token).',
        fix: 'Re-auth via `claw models auth login --provider openai-codex`.',
        agentId: 'main',
        profileId: 'openai-codex:me',
        file: '<state>/agents/main/agent/auth-profiles.json',
      },
    ])
    expect(json.summary).toEqual({ errors: 2, warnings: 1, infos: 1 })
    // The same state for scripts, in one place (`claw models status --json` prints it too).
    expect(json.alerts).toEqual({
      warnAfterMs: 24 * HOUR,
      expiring: [
        {
          agentId: 'main',
          profileId: 'openai:soon',
          provider: 'openai',
          type: 'token',
          expiresAt: now + 3 * HOUR,
          remainingMs: expect.any(Number) as number,
          refreshable: false,
        },
      ],
      reauthRequired: [
        { agentId: 'main', profileId: 'openai:old', provider: 'openai', reason: 'token_expired' },
        {
          agentId: 'main',
          profileId: 'openai-codex:me',
          provider: 'openai-codex',
          reason: 'refresh_rejected',
        },
      ],
      disabled: [],
    })
    expect(sandbox.leaks(secrets)).toEqual([])
  })

  it('refreshes an expired OAuth token with --fix --yes at the auth.oauth token endpoint, and skips it without --yes', async () => {
    // A real token server on loopback (single-use, rotating refresh tokens), reached only through
    // config `auth.oauth.<provider>.tokenEndpoint`: no default endpoint, no network.
    const tokens = await startTokenServer({ defaultStep: { kind: 'ok', expiresIn: 48 * 3600 } })
    try {
      const now = Date.now()
      const old = oauthCredential('qwen-portal', now - HOUR)
      const orphan = oauthCredential('acme', now - HOUR)
      await tokens.seed(old.refresh)
      sandbox.writeConfig({
        auth: { oauth: { 'qwen-portal': { tokenEndpoint: tokens.tokenEndpoint } } },
      })
      const storePath = sandbox.writeStore(
        buildAuthProfileStore({ profiles: { 'qwen-portal:me': old, 'acme:x': orphan } }),
      )

      const skipped = await sandbox.run(['doctor', '--fix'])
      expect(skipped.code).toBe(1)
      expect(skipped.stdout).toContain(
        'Changes\n  No changes.\n  Skipped: Refresh expiring OAuth tokens now? (static tokens need re-auth) (answer yes, or pass --yes)\n',
      )
      expect(readJson(storePath)['profiles']).toEqual({ 'qwen-portal:me': old, 'acme:x': orphan })
      expect((await tokens.stats()).calls).toBe(0)

      const { result, json } = await doctorJson(['--fix', '--yes'])
      expect(result.code).toBe(1)
      expect(json.fixed).toEqual(['Refreshed the OAuth token of qwen-portal:me (expires in 2d)'])
      expect(json.findings.filter((finding) => finding.area === 'tokens')).toEqual([
        {
          id: 'tokens.expired',
          area: 'tokens',
          severity: 'error',
          message: 'acme:x: expired.',
          fix: 'claw doctor --fix --yes refreshes it; or re-auth via `claw models auth login --provider acme`.',
          agentId: 'main',
          profileId: 'acme:x',
          file: '<state>/agents/main/agent/auth-profiles.json',
          repair: 'confirm',
        },
        {
          id: 'fix.failed',
          area: 'tokens',
          severity: 'warning',
          message:
            'Could not repair "acme:x: expired.": No OAuth refresh is available for provider acme.',
          agentId: 'main',
          profileId: 'acme:x',
          file: '<state>/agents/main/agent/auth-profiles.json',
        },
      ])

      // Exactly one refresh reached the configured endpoint, presenting the stored refresh token.
      const stats = await tokens.stats()
      expect(stats.calls).toBe(1)
      expect(stats.callsPerToken).toEqual({ [old.refresh]: 1 })
      expect(stats.rotations).toBe(1)
      expect(new URLSearchParams(stats.bodies[0]).get('grant_type')).toBe('refresh_token')
      // The server rotated the refresh token: the store holds the new pair, and its refresh token
      // is the one the server still accepts (the old one is spent).
      const [, newAccess, newRefresh] = stats.issued
      expect(stats.issued).toEqual([old.refresh, newAccess, newRefresh])
      expect(stats.active).toEqual([newRefresh])
      const profiles = readJson(storePath)['profiles'] as Record<string, Record<string, unknown>>
      expect(profiles['qwen-portal:me']).toMatchObject({
        type: 'oauth',
        provider: 'qwen-portal',
        access: newAccess,
        refresh: newRefresh,
      })
      const expires = profiles['qwen-portal:me']?.['expires'] as number
      expect(expires).toBeGreaterThanOrEqual(now + 48 * HOUR)
      expect(expires).toBeLessThan(Date.now() + 48 * HOUR + 1_000)
      // A failed refresh never blanks the credential.
      expect(profiles['acme:x']).toEqual(orphan)
      expect(
        sandbox.leaks([
          newAccess!,
          newRefresh!,
          old.access,
          old.refresh,
          orphan.access,
          orphan.refresh,
        ]),
      ).toEqual([])
    } finally {
      await tokens.close()
    }
  })
})

describe('claw doctor: cooldowns', () => {
  it("prints OpenClaw's cooldown and disabled lines", async () => {
    const now = Date.now()
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai:a': apiKeyCredential('openai'),
          'openai:b': apiKeyCredential('openai'),
          'openai:c': apiKeyCredential('openai'),
        },
        usageStats: {
          'openai:a': {
            cooldownUntil: now + 5 * 60_000,
            cooldownReason: 'rate_limit',
            errorCount: 1,
          },
          'openai:b': { disabledUntil: now + 5 * HOUR, disabledReason: 'billing', errorCount: 1 },
          'openai:c': { cooldownUntil: now - 60_000, errorCount: 1 },
        },
      }),
    )
    const result = await sandbox.run(['doctor'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      [
        'Cooldowns',
        '  [info] openai:a: cooldown (5m) — Wait for cooldown or switch provider.',
        '      fix: claw models auth clear-cooldown openai:a makes it usable again now.',
        '  [warn] openai:b: disabled:billing (5h) — Top up credits (provider billing) or switch provider.',
        '      fix: claw models auth clear-cooldown openai:b makes it usable again now.',
        '',
      ].join('\n'),
    )
  })
})

describe('claw doctor: orphans', () => {
  it('removes orphan order entries from the store and the config, dropping emptied lists', async () => {
    const configPath = sandbox.writeConfig({
      auth: { order: { openai: ['openai:gone'], anthropic: ['anthropic:a', 'anthropic:gone'] } },
    })
    const storePath = sandbox.writeStore(
      buildAuthProfileStore({
        profiles: { 'anthropic:a': apiKeyCredential('anthropic') },
        order: { anthropic: ['anthropic:a', 'anthropic:old'], openai: ['openai:none'] },
      }),
    )
    const before = hashStateDir()
    const { result, json } = await doctorJson()
    expect(result.code).toBe(0)
    expect(json.findings.map((finding) => finding.message)).toEqual([
      'order.anthropic in <state>/agents/main/agent/auth-profiles.json lists anthropic:old, which has no profile.',
      "order.openai in <state>/agents/main/agent/auth-profiles.json lists openai:none, which has no profile. No profile it lists exists, so claw ignores the list and uses the provider's other profiles.",
      "auth.order.openai in <state>/claw.json lists openai:gone, which has no profile. No profile it lists exists, so claw ignores the list and uses the provider's other profiles.",
      'auth.order.anthropic in <state>/claw.json lists anthropic:gone, which has no profile.',
    ])
    expect(hashStateDir()).toBe(before)

    const fix = await doctorJson(['--fix'])
    expect(fix.result.code).toBe(0)
    expect(fix.json.fixed).toEqual([
      'Removed orphan anthropic:old from order.anthropic in <state>/agents/main/agent/auth-profiles.json',
      'Removed orphan openai:none from order.openai in <state>/agents/main/agent/auth-profiles.json',
      'Removed orphan openai:gone from auth.order.openai in <state>/claw.json',
      'Removed orphan anthropic:gone from auth.order.anthropic in <state>/claw.json',
    ])
    expect(readJson(storePath)['order']).toEqual({ anthropic: ['anthropic:a'] })
    expect(readJson(configPath)).toEqual({ auth: { order: { anthropic: ['anthropic:a'] } } })
    expect(existsSync(`${configPath}.bak`)).toBe(true)
    expect(ids(fix.json)).toEqual([])

    const again = await doctorJson(['--fix'])
    expect(again.json.fixed).toEqual([])
  })

  it('sweeps orphan temp files of a store under its lock', async () => {
    sandbox.writeStore(buildAuthProfileStore({ profiles: {} }))
    const temp = join(sandbox.agentDir(), '.auth-profiles.json.4242.abcdef.tmp')
    writeFileSync(temp, '{"version":1,"prof', { mode: 0o600 })
    const { json } = await doctorJson()
    expect(json.findings.find((finding) => finding.area === 'orphans')).toMatchObject({
      id: 'orphans.temp_file',
      severity: 'warning',
      message:
        '1 orphan temp file(s) from an interrupted write in <state>/agents/main/agent: .auth-profiles.json.4242.abcdef.tmp.',
    })
    expect(existsSync(temp)).toBe(true)
    const fix = await doctorJson(['--fix'])
    expect(fix.json.fixed).toEqual([
      'Removed orphan temp file <state>/agents/main/agent/.auth-profiles.json.4242.abcdef.tmp',
    ])
    expect(existsSync(temp)).toBe(false)
  })
})

describe('claw doctor: plaintext secrets in generated files', () => {
  it('names the file and JSON path (never the value) and --fix puts the env var name back', async () => {
    const key = canarySecret()
    sandbox.writeStore(
      buildAuthProfileStore({ profiles: { 'openai:a': apiKeyCredential('openai', key) } }),
    )
    const modelsJson = join(sandbox.agentDir(), 'models.json')
    const headerSecret = `sk-${'h'.repeat(8)}${'0123456789'.repeat(3)}`
    writeFileSync(
      modelsJson,
      JSON.stringify(
        {
          providers: {
            openai: { baseUrl: 'https://api.openai.com/v1', apiKey: key, models: [] },
            custom: {
              baseUrl: 'http://localhost:8080/v1',
              apiKey: 'CUSTOM_API_KEY',
              headers: { Authorization: `Bearer ${headerSecret}` },
              models: [{ id: 'a-very-long-model-identifier-name-2025-01-01', name: 'x' }],
            },
          },
        },
        null,
        2,
      ),
      { mode: 0o600 },
    )
    const before = hashStateDir()
    const { result, json } = await doctorJson()
    expect(result.code).toBe(1)
    expect(json.findings.filter((finding) => finding.area === 'plaintext')).toEqual([
      {
        id: 'plaintext.secret',
        area: 'plaintext',
        severity: 'error',
        message:
          '<state>/agents/main/agent/models.json holds a literal secret at providers.custom.headers.Authorization; generated files must name an env var instead.',
        agentId: 'main',
        file: '<state>/agents/main/agent/models.json',
        fix: 'Remove the value (or put an env var name there) and keep the secret in an auth profile.',
      },
      {
        id: 'plaintext.secret',
        area: 'plaintext',
        severity: 'error',
        message:
          '<state>/agents/main/agent/models.json holds a literal secret at providers.openai.apiKey; generated files must name an env var instead.',
        agentId: 'main',
        file: '<state>/agents/main/agent/models.json',
        fix: 'claw doctor --fix replaces it with the env var name OPENAI_API_KEY.',
        repair: 'safe',
      },
    ])
    expect(result.stdout).not.toContain(headerSecret)
    expect(hashStateDir()).toBe(before)

    const fix = await doctorJson(['--fix'])
    expect(fix.result.code).toBe(1)
    expect(fix.json.fixed).toEqual([
      'Replaced the literal key at providers.openai.apiKey in <state>/agents/main/agent/models.json with OPENAI_API_KEY',
    ])
    const providers = readJson(modelsJson)['providers'] as Record<string, Record<string, unknown>>
    expect(providers['openai']?.['apiKey']).toBe('OPENAI_API_KEY')
    expect(mode(modelsJson)).toBe(0o600)
    expect(ids(fix.json)).toEqual(['plaintext.secret'])
    // Every output, and every file but the store, is free of the stored key.
    expect(sandbox.leaks([key])).toEqual([])
    expect(sandbox.outputs.join('\n')).not.toContain(headerSecret)
  })
})

describe('claw doctor: config profiles', () => {
  it('aligns a mismatched config mode with --fix and reports profiles missing from every store', async () => {
    const configPath = sandbox.writeConfig({
      auth: {
        profiles: {
          'openai:a': { provider: 'openai', mode: 'oauth' },
          'anthropic:ghost': { provider: 'anthropic', mode: 'token' },
          'bedrock:aws': { provider: 'amazon-bedrock', mode: 'aws-sdk' },
        },
      },
    })
    sandbox.writeStore(
      buildAuthProfileStore({ profiles: { 'openai:a': apiKeyCredential('openai') } }),
    )
    const { result, json } = await doctorJson()
    expect(result.code).toBe(0)
    expect(json.findings.filter((finding) => finding.area === 'config-profiles')).toEqual([
      {
        id: 'config.mode_mismatch',
        area: 'config-profiles',
        severity: 'warning',
        message:
          'auth.profiles["openai:a"].mode is "oauth", but the stored credential is api_key; the profile cannot be used.',
        fix: 'claw doctor --fix sets the mode to "api_key".',
        profileId: 'openai:a',
        file: '<state>/claw.json',
        repair: 'safe',
      },
      {
        id: 'config.profile_missing',
        area: 'config-profiles',
        severity: 'warning',
        message:
          'auth.profiles["anthropic:ghost"] is configured, but no credential store has that profile.',
        fix: 'Add it (`claw models auth login --provider anthropic` or `claw models auth paste-api-key --provider anthropic --profile-id anthropic:ghost`) or remove it from the config.',
        profileId: 'anthropic:ghost',
        file: '<state>/claw.json',
      },
    ])
    const fix = await doctorJson(['--fix'])
    expect(fix.json.fixed).toEqual([
      'Set auth.profiles["openai:a"].mode to "api_key" (was "oauth") in <state>/claw.json',
    ])
    expect(readJson(configPath)).toMatchObject({
      auth: { profiles: { 'openai:a': { provider: 'openai', mode: 'api_key' } } },
    })
    expect(ids(fix.json)).toEqual(['config.profile_missing'])
  })
})

describe('claw doctor: deprecated CLI profiles', () => {
  function writeDeprecated(): { configPath: string; storePath: string } {
    const configPath = sandbox.writeConfig({
      auth: {
        profiles: { 'anthropic:claude-cli': { provider: 'anthropic', mode: 'oauth' } },
        order: { anthropic: ['anthropic:claude-cli'] },
      },
    })
    const storePath = sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'anthropic:claude-cli': oauthCredential('anthropic', Date.now() + 30 * 24 * HOUR),
          'anthropic:manual': tokenCredential('anthropic'),
        },
        order: { anthropic: ['anthropic:claude-cli', 'anthropic:manual'] },
        lastGood: { anthropic: 'anthropic:claude-cli' },
      }),
    )
    return { configPath, storePath }
  }

  it('offers removal, skips it without --yes off a terminal, and removes it everywhere with --yes', async () => {
    const { configPath, storePath } = writeDeprecated()
    const { json } = await doctorJson()
    expect(json.findings.filter((finding) => finding.area === 'deprecated')).toEqual([
      {
        id: 'deprecated.cli_profile',
        area: 'deprecated',
        severity: 'warning',
        message:
          'anthropic:claude-cli is deprecated: Claude Code credentials are no longer synced; run `claude setup-token`, then `claw models auth setup-token`.',
        profileId: 'anthropic:claude-cli',
        fix: 'claw doctor --fix --yes removes it from the credential store and the config.',
        repair: 'confirm',
      },
    ])
    const before = hashStateDir()
    const declined = await sandbox.run(['doctor', '--fix', '--non-interactive'])
    expect(declined.code).toBe(0)
    expect(declined.stdout).toContain(
      '  Skipped: Remove deprecated CLI auth profiles now? (answer yes, or pass --yes)',
    )
    expect(hashStateDir()).toBe(before)

    const fix = await doctorJson(['--yes'])
    expect(fix.result.code).toBe(0)
    expect(fix.json.fixed).toEqual([
      'Removed profile anthropic:claude-cli from <state>/agents/main/agent/auth-profiles.json',
      'Removed anthropic:claude-cli from auth.profiles["anthropic:claude-cli"] in <state>/claw.json',
      'Removed anthropic:claude-cli from auth.order.anthropic in <state>/claw.json',
    ])
    const store = readJson(storePath)
    expect(Object.keys(store['profiles'] as object)).toEqual(['anthropic:manual'])
    expect(store['order']).toEqual({ anthropic: ['anthropic:manual'] })
    expect(store['lastGood']).toEqual({})
    expect(readJson(configPath)).toEqual({ auth: { profiles: {} } })
  })

  it('asks on a terminal and removes the profile when the answer is yes, with ✓/!/✗ markers', async () => {
    const { storePath } = writeDeprecated()
    const result = await runClawOnTty(['doctor', '--fix'], sandbox.baseEnv(), [
      { waitFor: 'Remove deprecated CLI auth profiles now? [y/N]', input: 'y\r' },
    ])
    expect(result.code).toBe(0)
    expect(result.output).toContain('Removed profile anthropic:claude-cli from')
    expect(result.output).toMatch(/✓/)
    expect(Object.keys(readJson(storePath)['profiles'] as object)).toEqual(['anthropic:manual'])
  })

  it('keeps the profile when the answer at the terminal is no', async () => {
    const { storePath } = writeDeprecated()
    const before = readFileSync(storePath, 'utf8')
    const result = await runClawOnTty(['doctor', '--fix'], sandbox.baseEnv(), [
      { waitFor: '[y/N]', input: 'n\r' },
    ])
    expect(result.code).toBe(0)
    expect(result.output).toContain('Skipped: Remove deprecated CLI auth profiles now?')
    expect(readFileSync(storePath, 'utf8')).toBe(before)
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
    const { result, json } = await doctorJson()
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
    const { json } = await doctorJson()
    expect(ids(json)).toEqual(['store.ignored_entry', 'orphans.store_order'])
  })
})
