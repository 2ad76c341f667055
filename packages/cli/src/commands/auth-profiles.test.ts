// `claw models auth list | logout | clear-cooldown` as real child processes against temp state
// dirs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  oauthCredential,
  tokenCredential,
} from '@claw/auth-profiles/testing'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'
import { type Doc, configFile, normalize, storeFile } from '../../test/helpers/json-files.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-auth-')
})
afterEach(() => sandbox.dispose())

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe('models auth list', () => {
  it('lists profiles with masked labels, expiry and cooldown state (golden JSON)', async () => {
    const now = Date.now()
    const key = canarySecret()
    const token = canarySecret('tok-')
    const oauth = oauthCredential('openai-codex', now + 10 * DAY, { email: 'me@example.com' })
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai:default': apiKeyCredential('openai', key),
          'anthropic:manual': tokenCredential('anthropic', token, { expires: now - HOUR }),
          'openai-codex:me@example.com': oauth,
        },
        usageStats: {
          'openai:default': {
            cooldownUntil: now + 30 * 60_000,
            cooldownReason: 'rate_limit',
            errorCount: 1,
          },
        },
      }),
    )
    sandbox.writeConfig({
      auth: { profiles: { 'openai:default': { provider: 'openai', mode: 'api_key' } } },
    })
    const result = await sandbox.run(['models', 'auth', 'list', '--json'])
    expect(result.code).toBe(0)
    const json = normalize(sandbox, parseJsonOutput<Doc>(result))
    // Times depend on the clock of the run: check them, then pin them for the golden object.
    const profiles = json['profiles'] as unknown as Record<string, unknown>[]
    for (const profile of profiles) {
      if (profile['remainingMs'] !== null) profile['remainingMs'] = '<remaining>'
      const unusable = profile['unusable'] as Record<string, unknown> | null
      if (unusable) unusable['remainingMs'] = '<remaining>'
    }
    expect(json).toEqual({
      schemaVersion: 1,
      agentId: 'main',
      agentDir: '<root>/state/agents/main/agent',
      authStorePath: '<root>/state/agents/main/agent/auth-profiles.json',
      profiles: [
        {
          profileId: 'anthropic:manual',
          provider: 'anthropic',
          type: 'token',
          credential: `token:…${token.slice(-4)}`,
          email: null,
          status: 'expired',
          expiresAt: now - HOUR,
          remainingMs: '<remaining>',
          needsReauth: false,
          unusable: null,
          configMode: null,
        },
        {
          profileId: 'openai:default',
          provider: 'openai',
          type: 'api_key',
          credential: `sk-…${key.slice(-4)}`,
          email: null,
          status: 'static',
          expiresAt: null,
          remainingMs: null,
          needsReauth: false,
          unusable: {
            kind: 'cooldown',
            reason: 'rate_limit',
            model: null,
            until: now + 30 * 60_000,
            remainingMs: '<remaining>',
          },
          configMode: 'api_key',
        },
        {
          profileId: 'openai-codex:me@example.com',
          provider: 'openai-codex',
          type: 'oauth',
          credential: 'OAuth',
          email: 'me@example.com',
          status: 'ok',
          expiresAt: now + 10 * DAY,
          remainingMs: '<remaining>',
          needsReauth: false,
          unusable: null,
          configMode: null,
        },
      ],
      ignored: [],
    })

    const human = await sandbox.run(['models', 'auth', 'list'])
    expect(human.stdout).toContain('- anthropic:manual (anthropic/token) | token:…')
    expect(human.stdout).toMatch(
      /openai:default \(openai\/api_key\) \| sk-…\w{4} \| no expiry \| cooldown (29|30)m/,
    )
    expect(human.stdout).toContain('OAuth [me@example.com] | expires in 10d | ok')
    const plain = await sandbox.run(['models', 'auth', 'list', '--plain'])
    expect(plain.stdout).toBe('anthropic:manual\nopenai:default\nopenai-codex:me@example.com\n')
    const both = await sandbox.run(['models', 'auth', 'list', '--json', '--plain'])
    expect(both).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Choose either --json or --plain, not both.\n',
    })
    expect(sandbox.leaks([key, token, oauth.access, oauth.refresh])).toEqual([])
  })

  it('escapes control characters in ids and says when there are no profiles', async () => {
    const empty = await sandbox.run(['models', 'auth', 'list'])
    expect(empty.stdout).toContain('No auth profiles in ')
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai-codex:x': oauthCredential('openai-codex', Date.now() + DAY, {
            email: 'evil\u001b[2J@example.com',
          }),
        },
      }),
    )
    const result = await sandbox.run(['models', 'auth', 'list'])
    expect(result.stdout).not.toContain('\u001b')
    expect(result.stdout).toContain('OAuth [evil\\u{1b}[2J@example.com]')
  })

  it('exits 78 naming the file when the store is corrupt', async () => {
    const path = sandbox.writeStore('')
    const result = await sandbox.run(['models', 'auth', 'list', '--json'])
    expect(result.code).toBe(78)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(path)
  })
})

describe('models auth logout', () => {
  it('removes the profile from the store and from config auth.profiles / auth.order', async () => {
    const key = canarySecret()
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai:default': apiKeyCredential('openai', key),
          'openai:backup': apiKeyCredential('openai'),
        },
        order: { openai: ['openai:default', 'openai:backup'] },
      }),
    )
    sandbox.writeConfig({
      auth: {
        profiles: { 'openai:default': { provider: 'openai', mode: 'api_key' } },
        order: { openai: ['openai:default'] },
      },
    })
    const result = await sandbox.run(['models', 'auth', 'logout', 'openai:default', '--json'])
    expect(parseJsonOutput(result)).toEqual({
      schemaVersion: 1,
      profileId: 'openai:default',
      removed: true,
      revoked: false,
      configUpdated: true,
    })
    expect(Object.keys(storeFile(sandbox).profiles ?? {})).toEqual(['openai:backup'])
    expect(storeFile(sandbox).order).toEqual({ openai: ['openai:backup'] })
    expect(configFile(sandbox)).toEqual({ auth: { profiles: {} } })
    expect(sandbox.leaks([key])).toEqual([])

    const again = await sandbox.run(['models', 'auth', 'logout', 'openai:default'])
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: `Auth profile "openai:default" not found in ${sandbox.agentDir()}.\n`,
    })
  })
})

describe('models auth clear-cooldown', () => {
  it('clears a cooldown, keeps a billing disable unless --all', async () => {
    const now = Date.now()
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: { 'openai:default': apiKeyCredential('openai') },
        usageStats: {
          'openai:default': {
            cooldownUntil: now + HOUR,
            cooldownReason: 'rate_limit',
            disabledUntil: now + 5 * HOUR,
            disabledReason: 'billing',
            errorCount: 3,
            lastUsed: 1,
          },
        },
      }),
    )
    const first = await sandbox.run(['models', 'auth', 'clear-cooldown', 'openai:default'])
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(
      /^Cleared cooldown for openai:default\.\nStill disabled:billing 5h \(use --all to clear a disabled state\)\.\n$/,
    )
    expect(storeFile(sandbox).usageStats?.['openai:default']).toEqual({
      disabledUntil: now + 5 * HOUR,
      disabledReason: 'billing',
      errorCount: 0,
      lastUsed: 1,
    })
    const all = await sandbox.run([
      'models',
      'auth',
      'clear-cooldown',
      'openai:default',
      '--all',
      '--json',
    ])
    expect(parseJsonOutput(all)).toEqual({
      schemaVersion: 1,
      profileId: 'openai:default',
      cleared: true,
      state: null,
    })
    expect(storeFile(sandbox).usageStats?.['openai:default']).toEqual({
      errorCount: 0,
      lastUsed: 1,
    })
    const missing = await sandbox.run(['models', 'auth', 'clear-cooldown', 'nope:x'])
    expect(missing.stderr).toBe(`Auth profile "nope:x" not found in ${sandbox.agentDir()}.\n`)
  })
})
