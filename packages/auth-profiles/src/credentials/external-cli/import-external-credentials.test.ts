import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { catchAuthError } from '../../../test/helpers/errors.js'
import {
  HOUR,
  T0,
  sha256,
  writeJson,
  writeStore,
  readStore,
  claudePath,
  codexPath,
  qwenPath,
  importFrom,
  useExternalCliDirs,
} from '../../../test/helpers/external-cli.js'
import { importExternalCredentials } from './index.js'
import { createMemoryAuthStore } from '../../store/memory-store.js'
import { loadAuthProfileStore, updateAuthProfileStore } from '../../store/store.js'
import {
  apiKeyCredential,
  canarySecret,
  oauthCredential,
  tokenCredential,
} from '../../testing/index.js'

const dirs = useExternalCliDirs()

describe('import rules', () => {
  function writeClaude(claudeAiOauth: Record<string, unknown>): void {
    writeJson(claudePath(), { claudeAiOauth })
  }

  it('never overwrites an api_key profile', async () => {
    const key = canarySecret()
    writeStore({ 'anthropic:claude-cli': apiKeyCredential('anthropic', key) })
    writeClaude({ accessToken: canarySecret(), refreshToken: canarySecret(), expiresAt: T0 })
    const before = sha256(dirs.storePath)
    const result = await importFrom('claude-cli')
    expect(result).toMatchObject({
      imported: [],
      skipped: [{ profileId: 'anthropic:claude-cli', reason: 'api_key' }],
      written: false,
    })
    expect(sha256(dirs.storePath)).toBe(before)
  })

  it('never overwrites a token profile backed by a tokenRef', async () => {
    writeStore({
      'anthropic:claude-cli': {
        type: 'token',
        provider: 'anthropic',
        tokenRef: { source: 'env', provider: 'default', id: 'CLAUDE_TOKEN' },
      },
    })
    writeClaude({ accessToken: canarySecret(), expiresAt: T0 })
    expect((await importFrom('claude-cli')).skipped[0]?.reason).toBe('secret_ref')
  })

  it('never downgrades oauth to token, even when the token expires later', async () => {
    const stored = oauthCredential('anthropic', T0)
    writeStore({ 'anthropic:claude-cli': stored })
    writeClaude({ accessToken: canarySecret(), expiresAt: T0 + 100 * HOUR })
    const result = await importFrom('claude-cli')
    expect(result.skipped).toEqual([
      {
        profileId: 'anthropic:claude-cli',
        reason: 'downgrade',
        message: expect.stringContaining('anthropic:claude-cli') as unknown,
      },
    ])
    expect(readStore().profiles['anthropic:claude-cli']).toEqual(stored)
  })

  it('upgrades token to oauth when the source gains a refresh token', async () => {
    writeStore({
      'anthropic:claude-cli': tokenCredential('anthropic', canarySecret(), {
        expires: T0 + 100 * HOUR,
        generation: 3,
      }),
    })
    const access = canarySecret()
    const refresh = canarySecret()
    writeClaude({ accessToken: access, refreshToken: refresh, expiresAt: T0 + HOUR })
    const result = await importFrom('claude-cli')
    expect(result.imported).toEqual(['anthropic:claude-cli'])
    expect(readStore().profiles['anthropic:claude-cli']).toEqual({
      type: 'oauth',
      provider: 'anthropic',
      access,
      refresh,
      expires: T0 + HOUR,
      generation: 4,
    })
  })

  it('keeps a fresher stored credential', async () => {
    const stored = oauthCredential('qwen-portal', T0 + 5 * HOUR, { generation: 2 })
    writeStore({ 'qwen-portal:qwen-cli': stored })
    writeJson(qwenPath(), {
      access_token: canarySecret(),
      refresh_token: canarySecret(),
      expiry_date: T0 + HOUR,
    })
    const before = sha256(dirs.storePath)
    const result = await importFrom('qwen-cli')
    expect(result.skipped.map((skip) => skip.reason)).toEqual(['fresher'])
    expect(sha256(dirs.storePath)).toBe(before)
  })

  it('replaces an older stored credential, raising generation and clearing its cooldown', async () => {
    writeStore(
      { 'qwen-portal:qwen-cli': oauthCredential('qwen-portal', T0, { generation: 4 }) },
      {
        usageStats: {
          'qwen-portal:qwen-cli': {
            lastUsed: 5,
            cooldownUntil: T0 + HOUR,
            errorCount: 3,
            failureCounts: { auth: 3 },
          },
        },
      },
    )
    const access = canarySecret()
    writeJson(qwenPath(), {
      access_token: access,
      refresh_token: canarySecret(),
      expiry_date: T0 + HOUR,
    })
    const result = await importFrom('qwen-cli')
    expect(result).toMatchObject({ imported: ['qwen-portal:qwen-cli'], written: true })
    const store = readStore()
    expect(store.profiles['qwen-portal:qwen-cli']).toMatchObject({ access, generation: 5 })
    expect(store.usageStats?.['qwen-portal:qwen-cli']).toEqual({ lastUsed: 5 })
  })

  it('replaces a stored credential marked needs_reauth even when it expires later', async () => {
    writeStore({
      'qwen-portal:qwen-cli': oauthCredential('qwen-portal', T0 + 9 * HOUR, {
        status: 'needs_reauth',
        generation: 1,
      }),
    })
    writeJson(qwenPath(), {
      access_token: canarySecret(),
      refresh_token: canarySecret(),
      expiry_date: T0 + HOUR,
    })
    await importFrom('qwen-cli')
    const stored = readStore().profiles['qwen-portal:qwen-cli']
    expect(stored).toMatchObject({ expires: T0 + HOUR, generation: 2 })
    expect(stored).not.toHaveProperty('status')
  })

  it('skips an identical credential without writing', async () => {
    const access = canarySecret()
    const refresh = canarySecret()
    writeJson(qwenPath(), { access_token: access, refresh_token: refresh, expiry_date: T0 })
    await importFrom('qwen-cli')
    const before = sha256(dirs.storePath)
    const again = await importFrom('qwen-cli', { cache: false })
    expect(again).toMatchObject({
      imported: [],
      skipped: [{ profileId: 'qwen-portal:qwen-cli', reason: 'identical' }],
      written: false,
    })
    expect(sha256(dirs.storePath)).toBe(before)
  })

  it('skips an id held by another provider', async () => {
    writeStore({ 'github-copilot:github': oauthCredential('github', T0) })
    const result = await importFrom('copilot', { env: { GH_TOKEN: canarySecret() } })
    expect(result.skipped).toHaveLength(1)
    expect(result.skipped[0]).toMatchObject({ reason: 'other_provider' })
    expect(result.skipped[0]?.message).toContain('"github"')
  })

  it('dryRun reports the decisions and writes nothing', async () => {
    writeStore({
      'anthropic:claude-cli': tokenCredential('anthropic', canarySecret(), { expires: T0 }),
    })
    writeClaude({ accessToken: canarySecret(), refreshToken: canarySecret(), expiresAt: T0 })
    const before = sha256(dirs.storePath)
    const result = await importFrom('claude-cli', { dryRun: true })
    expect(result).toMatchObject({ imported: ['anthropic:claude-cli'], written: false })
    expect(sha256(dirs.storePath)).toBe(before)
    expect(existsSync(`${dirs.storePath}.lock`)).toBe(false)
    // And into a missing store: nothing is created.
    rmSync(join(dirs.root, 'claw'), { recursive: true })
    expect((await importFrom('claude-cli', { dryRun: true })).imported).toHaveLength(1)
    expect(existsSync(join(dirs.root, 'claw'))).toBe(false)
  })

  it('applies profileIdPrefix to the name part and validates it', async () => {
    writeJson(qwenPath(), {
      access_token: canarySecret(),
      refresh_token: canarySecret(),
      expiry_date: T0,
    })
    expect((await importFrom('qwen-cli', { profileIdPrefix: 'work-' })).imported).toEqual([
      'qwen-portal:work-qwen-cli',
    ])
    const error = await catchAuthError(() => importFrom('qwen-cli', { profileIdPrefix: '../' }))
    expect(error.code).toBe('ERR_INVALID_ID')
  })

  it('fails with ERR_NO_CREDENTIALS when the source is absent', async () => {
    const error = await catchAuthError(() => importFrom('codex-cli'))
    expect(error.code).toBe('ERR_NO_CREDENTIALS')
    expect(error.message).toContain(codexPath())
    expect(existsSync(dirs.storePath)).toBe(false)
  })

  it('imports into a backend', async () => {
    const backend = createMemoryAuthStore()
    writeJson(qwenPath(), {
      access_token: canarySecret(),
      refresh_token: canarySecret(),
      expiry_date: T0,
    })
    const result = await importExternalCredentials({
      source: 'qwen-cli',
      backend,
      homeDir: dirs.home,
      env: {},
      cache: dirs.cache,
    })
    expect(result.imported).toEqual(['qwen-portal:qwen-cli'])
    expect(backend.snapshot().profiles['qwen-portal:qwen-cli']).toMatchObject({ generation: 1 })
  })

  it('raises generation so an in-flight refresh of the old credential loses its CAS', async () => {
    writeStore({ 'qwen-portal:qwen-cli': oauthCredential('qwen-portal', T0, { generation: 1 }) })
    const seen = (await loadAuthProfileStore({ agentDir: dirs.agentDir })).profiles[
      'qwen-portal:qwen-cli'
    ]
    writeJson(qwenPath(), {
      access_token: canarySecret(),
      refresh_token: canarySecret(),
      expiry_date: T0 + HOUR,
    })
    await importFrom('qwen-cli')
    // A refresher that read generation 1 compares it under the lock and finds it changed.
    const { result: swapped } = await updateAuthProfileStore(
      { agentDir: dirs.agentDir },
      (store) => {
        const current = store.profiles['qwen-portal:qwen-cli']
        return current?.generation === seen?.generation
      },
    )
    expect(swapped).toBe(false)
  })
})
