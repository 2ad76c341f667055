// `claw doctor` on credentials, as a real child process against crafted state dirs: expired,
// expiring and re-auth tokens (and refreshing them with --fix), cooldowns, config profiles and the
// deprecated CLI profiles it offers to remove; a canary scan of every output.
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  oauthCredential,
  tokenCredential,
} from '@claw/auth-profiles/testing'
import { startTokenServer } from '../../../auth-profiles/test/fixtures/token-server.ts'
import { ClawSandbox } from '../../test/helpers/claw.ts'
import { doctorJson, hashStateDir, ids, readJson } from '../../test/helpers/doctor.ts'
import { runClawOnTty } from '../../test/helpers/tty.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-doctor-')
})
afterEach(() => sandbox.dispose())

const HOUR = 3_600_000

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
    const { result, json } = await doctorJson(sandbox)
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

      const { result, json } = await doctorJson(sandbox, ['--fix', '--yes'])
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
    const { result, json } = await doctorJson(sandbox)
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
    const fix = await doctorJson(sandbox, ['--fix'])
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
    const { json } = await doctorJson(sandbox)
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
    const before = hashStateDir(sandbox)
    const declined = await sandbox.run(['doctor', '--fix', '--non-interactive'])
    expect(declined.code).toBe(0)
    expect(declined.stdout).toContain(
      '  Skipped: Remove deprecated CLI auth profiles now? (answer yes, or pass --yes)',
    )
    expect(hashStateDir(sandbox)).toBe(before)

    const fix = await doctorJson(sandbox, ['--yes'])
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
