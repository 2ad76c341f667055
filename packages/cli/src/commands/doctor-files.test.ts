// `claw doctor` on the files it repairs, as a real child process against crafted state dirs:
// legacy auth.json/oauth.json, orphan order entries and temp files, plaintext secrets in generated
// files; "nothing changes without --fix", idempotent repairs and a canary scan of every output.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiKeyCredential, buildAuthProfileStore, canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox } from '../../test/helpers/claw.ts'
import { doctorJson, hashStateDir, ids, mode, readJson } from '../../test/helpers/doctor.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-doctor-')
})
afterEach(() => sandbox.dispose())

const HOUR = 3_600_000

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

    const before = hashStateDir(sandbox)
    const { result, json } = await doctorJson(sandbox)
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
    expect(hashStateDir(sandbox)).toBe(before)

    const fix = await doctorJson(sandbox, ['--fix'])
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

    const again = await doctorJson(sandbox, ['--fix'])
    expect(again.json.fixed).toEqual([])
    // The oauth.json is the user's to delete; everything else is in the store.
    expect(sandbox.leaks([key])).toEqual([])
  })

  it('warns about a leftover auth.json next to an existing store without touching it', async () => {
    sandbox.writeStore(buildAuthProfileStore({ profiles: {} }))
    writeFileSync(join(sandbox.agentDir(), 'auth.json'), '{}', { mode: 0o600 })
    const { json } = await doctorJson(sandbox, ['--fix'])
    expect(json.findings.find((finding) => finding.area === 'legacy')).toMatchObject({
      id: 'legacy.auth_json_leftover',
      severity: 'warning',
      fix: 'Check that its profiles are listed by `claw models auth list`, then delete it.',
    })
    expect(json.fixed).toEqual([])
    expect(existsSync(join(sandbox.agentDir(), 'auth.json'))).toBe(true)
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
    const before = hashStateDir(sandbox)
    const { result, json } = await doctorJson(sandbox)
    expect(result.code).toBe(0)
    expect(json.findings.map((finding) => finding.message)).toEqual([
      'order.anthropic in <state>/agents/main/agent/auth-profiles.json lists anthropic:old, which has no profile.',
      "order.openai in <state>/agents/main/agent/auth-profiles.json lists openai:none, which has no profile. No profile it lists exists, so claw ignores the list and uses the provider's other profiles.",
      "auth.order.openai in <state>/claw.json lists openai:gone, which has no profile. No profile it lists exists, so claw ignores the list and uses the provider's other profiles.",
      'auth.order.anthropic in <state>/claw.json lists anthropic:gone, which has no profile.',
    ])
    expect(hashStateDir(sandbox)).toBe(before)

    const fix = await doctorJson(sandbox, ['--fix'])
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

    const again = await doctorJson(sandbox, ['--fix'])
    expect(again.json.fixed).toEqual([])
  })

  it('sweeps orphan temp files of a store under its lock', async () => {
    sandbox.writeStore(buildAuthProfileStore({ profiles: {} }))
    const temp = join(sandbox.agentDir(), '.auth-profiles.json.4242.abcdef.tmp')
    writeFileSync(temp, '{"version":1,"prof', { mode: 0o600 })
    const { json } = await doctorJson(sandbox)
    expect(json.findings.find((finding) => finding.area === 'orphans')).toMatchObject({
      id: 'orphans.temp_file',
      severity: 'warning',
      message:
        '1 orphan temp file(s) from an interrupted write in <state>/agents/main/agent: .auth-profiles.json.4242.abcdef.tmp.',
    })
    expect(existsSync(temp)).toBe(true)
    const fix = await doctorJson(sandbox, ['--fix'])
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
    const before = hashStateDir(sandbox)
    const { result, json } = await doctorJson(sandbox)
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
    expect(hashStateDir(sandbox)).toBe(before)

    const fix = await doctorJson(sandbox, ['--fix'])
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
