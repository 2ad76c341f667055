import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { catchAuthError } from '../../../test/helpers/errors.js'
import {
  EXTERNAL_CLI_CACHE_TTL_MS,
  EXTERNAL_CLI_SOURCES,
  importExternalCredentials,
  MAX_EXTERNAL_CREDENTIALS_BYTES,
  readExternalCredentials,
  resolveExternalCliPath,
  type ExternalCliSourceId,
  type ExternalCredentialsCache,
} from './index.js'
import { createMemoryAuthStore } from '../../store/memory-store.js'
import { loadAuthProfileStore, updateAuthProfileStore } from '../../store/store.js'
import {
  apiKeyCredential,
  canarySecret,
  createFakeClock,
  oauthCredential,
  tokenCredential,
} from '../../testing/index.js'
import type { AuthProfileCredential, AuthProfileStore } from '../../types.js'

const HOUR = 60 * 60 * 1000
const T0 = Date.UTC(2026, 0, 10)

let root: string
let home: string
let agentDir: string
let storePath: string
let cache: ExternalCredentialsCache

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'claw-external-'))
  home = join(root, 'home')
  mkdirSync(home, { recursive: true })
  agentDir = join(root, 'claw', 'agents', 'main', 'agent')
  storePath = join(agentDir, 'auth-profiles.json')
  cache = new Map()
})

afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

function writeJson(path: string, value: unknown): string {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2), {
    mode: 0o600,
  })
  return path
}

function writeStore(profiles: Record<string, AuthProfileCredential>, extra = {}): void {
  writeJson(storePath, { version: 1, profiles, ...extra })
}

function readStore(): AuthProfileStore {
  return JSON.parse(readFileSync(storePath, 'utf8')) as AuthProfileStore
}

function base64url(value: string): string {
  return Buffer.from(value).toString('base64url')
}

/** An unsigned JWT whose payload encodes with both `-` and `_` (base64url-only characters). */
function craftJwt(claims: Record<string, unknown>): string {
  for (let i = 0; i < 500; i += 1) {
    const payload = base64url(JSON.stringify({ ...claims, pad: `${'?'.repeat(i)}>~\u00ff` }))
    if (payload.includes('-') && payload.includes('_')) {
      return `${base64url('{"alg":"none","typ":"JWT"}')}.${payload}.sig`
    }
  }
  throw new Error('could not craft a JWT with - and _')
}

const claudePath = (): string => join(home, '.claude', '.credentials.json')
const codexPath = (): string => join(home, '.codex', 'auth.json')
const qwenPath = (): string => join(home, '.qwen', 'oauth_creds.json')
const copilotPath = (): string => join(home, '.copilot', 'credentials.json')

function read(source: ExternalCliSourceId, extra: Record<string, unknown> = {}) {
  return readExternalCredentials({ source, homeDir: home, env: {}, cache, ...extra })
}

function importFrom(source: ExternalCliSourceId, extra: Record<string, unknown> = {}) {
  return importExternalCredentials({ source, agentDir, homeDir: home, env: {}, cache, ...extra })
}

describe('EXTERNAL_CLI_SOURCES and paths', () => {
  it('lists every source as frozen data', () => {
    expect(EXTERNAL_CLI_SOURCES.map((source) => source.id)).toEqual([
      'claude-cli',
      'codex-cli',
      'qwen-cli',
      'copilot',
      'clawdbot',
    ])
    expect(Object.isFrozen(EXTERNAL_CLI_SOURCES)).toBe(true)
    expect(EXTERNAL_CLI_SOURCES.every((source) => Object.isFrozen(source))).toBe(true)
    expect(EXTERNAL_CLI_SOURCES.find((source) => source.id === 'codex-cli')).toMatchObject({
      profileId: 'openai-codex:codex-cli',
      provider: 'openai-codex',
    })
    expect(EXTERNAL_CLI_SOURCES.find((source) => source.id === 'clawdbot')?.profileId).toBeNull()
  })

  it('resolves default paths from homeDir and env', () => {
    expect(resolveExternalCliPath({ source: 'claude-cli', homeDir: home, env: {} })).toBe(
      claudePath(),
    )
    expect(
      resolveExternalCliPath({
        source: 'claude-cli',
        homeDir: home,
        env: { CLAUDE_CONFIG_DIR: ' ~/cc ' },
      }),
    ).toBe(join(home, 'cc', '.credentials.json'))
    expect(resolveExternalCliPath({ source: 'codex-cli', homeDir: home, env: {} })).toBe(
      codexPath(),
    )
    expect(
      resolveExternalCliPath({ source: 'codex-cli', homeDir: home, env: { CODEX_HOME: '/x/cx' } }),
    ).toBe('/x/cx/auth.json')
    expect(resolveExternalCliPath({ source: 'qwen-cli', homeDir: home, env: {} })).toBe(qwenPath())
    expect(resolveExternalCliPath({ source: 'copilot', homeDir: home, env: {} })).toBe(
      copilotPath(),
    )
    expect(resolveExternalCliPath({ source: 'clawdbot', homeDir: home, env: {} })).toBe(
      join(home, '.clawdbot'),
    )
    expect(
      resolveExternalCliPath({
        source: 'clawdbot',
        homeDir: home,
        env: { OPENCLAW_STATE_DIR: '/o', CLAWDBOT_STATE_DIR: '/c' },
      }),
    ).toBe('/o')
  })

  it('rejects an unknown source', async () => {
    const error = await catchAuthError(() => read('nope' as ExternalCliSourceId))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.message).toContain('claude-cli')
  })

  it('returns undefined when the file is absent', async () => {
    for (const source of ['claude-cli', 'codex-cli', 'qwen-cli', 'copilot', 'clawdbot'] as const) {
      expect(await read(source)).toBeUndefined()
    }
  })
})

describe('claude-cli', () => {
  it('imports an OAuth login (refresh token present) and never writes the source', async () => {
    const access = canarySecret()
    const refresh = canarySecret()
    const expiresAt = T0 + 8 * HOUR
    writeJson(claudePath(), {
      claudeAiOauth: {
        accessToken: access,
        refreshToken: refresh,
        expiresAt,
        scopes: ['user:inference'],
        subscriptionType: 'max',
      },
    })
    const before = sha256(claudePath())
    const found = await read('claude-cli')
    expect(found).toEqual({
      source: 'claude-cli',
      path: claudePath(),
      profiles: {
        'anthropic:claude-cli': {
          type: 'oauth',
          provider: 'anthropic',
          access,
          refresh,
          expires: expiresAt,
        },
      },
    })
    const result = await importFrom('claude-cli')
    expect(result).toMatchObject({ imported: ['anthropic:claude-cli'], skipped: [], written: true })
    expect(readStore().profiles['anthropic:claude-cli']).toEqual({
      type: 'oauth',
      provider: 'anthropic',
      access,
      refresh,
      expires: expiresAt,
      generation: 1,
    })
    expect(sha256(claudePath())).toBe(before)
  })

  it('imports a token profile when there is no refresh token', async () => {
    const access = canarySecret()
    writeJson(claudePath(), {
      claudeAiOauth: { accessToken: access, refreshToken: null, expiresAt: T0 },
    })
    const found = await read('claude-cli')
    expect(found?.profiles['anthropic:claude-cli']).toEqual({
      type: 'token',
      provider: 'anthropic',
      token: access,
      expires: T0,
    })
  })

  it('honours CLAUDE_CONFIG_DIR and an explicit path', async () => {
    const access = canarySecret()
    const configDir = join(root, 'claude-config')
    writeJson(join(configDir, '.credentials.json'), {
      claudeAiOauth: { accessToken: access, expiresAt: T0 },
    })
    const viaEnv = await read('claude-cli', { env: { CLAUDE_CONFIG_DIR: configDir } })
    expect(viaEnv?.path).toBe(join(configDir, '.credentials.json'))
    const viaPath = await read('claude-cli', { path: join(configDir, '.credentials.json') })
    expect(viaPath?.profiles['anthropic:claude-cli']).toMatchObject({ token: access })
  })

  it('requires accessToken and a positive expiresAt, naming the JSON path only', async () => {
    const refresh = canarySecret()
    writeJson(claudePath(), { claudeAiOauth: { refreshToken: refresh, expiresAt: -5 } })
    const error = await catchAuthError(() => read('claude-cli'))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.path).toBe(claudePath())
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'claudeAiOauth.accessToken',
      'claudeAiOauth.expiresAt',
    ])
    expect(error.message).toContain(claudePath())
    expect(inspect(error, { depth: 10 })).not.toContain(refresh)
  })

  it('treats a file without claudeAiOauth, or a blank file, as holding no login', async () => {
    writeJson(claudePath(), { mcpOAuth: { server: { accessToken: canarySecret() } } })
    expect((await read('claude-cli'))?.profiles).toEqual({})
    const error = await catchAuthError(() => importFrom('claude-cli'))
    expect(error.code).toBe('ERR_NO_CREDENTIALS')
    writeJson(claudePath(), '  \n')
    expect((await read('claude-cli', { cache: false }))?.profiles).toEqual({})
    expect(existsSync(storePath)).toBe(false)
  })

  it('follows a symlinked credentials file', async () => {
    const access = canarySecret()
    const real = writeJson(join(root, 'dotfiles', 'creds.json'), {
      claudeAiOauth: { accessToken: access, expiresAt: T0 },
    })
    mkdirSync(dirname(claudePath()), { recursive: true })
    symlinkSync(real, claudePath())
    expect((await read('claude-cli'))?.profiles['anthropic:claude-cli']).toMatchObject({
      token: access,
    })
  })
})

describe('codex-cli', () => {
  it('takes the expiry and account id from the access token JWT', async () => {
    const exp = Math.floor(T0 / 1000) + 3600 * 10
    const access = craftJwt({
      exp,
      'https://api.openai.com/auth': { chatgpt_account_id: 'acct-from-jwt' },
    })
    expect(access.split('.')[1]).toMatch(/-/)
    expect(access.split('.')[1]).toMatch(/_/)
    const refresh = canarySecret()
    writeJson(codexPath(), {
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: { id_token: 'x', access_token: access, refresh_token: refresh },
      last_refresh: '2026-01-09T10:00:00.123456Z',
    })
    const before = sha256(codexPath())
    const found = await read('codex-cli')
    expect(found?.profiles).toEqual({
      'openai-codex:codex-cli': {
        type: 'oauth',
        provider: 'openai-codex',
        access,
        refresh,
        expires: exp * 1000,
        accountId: 'acct-from-jwt',
      },
    })
    const result = await importFrom('codex-cli')
    expect(result.imported).toEqual(['openai-codex:codex-cli'])
    expect(readStore().profiles['openai-codex:codex-cli']).toMatchObject({
      expires: exp * 1000,
      generation: 1,
    })
    expect(sha256(codexPath())).toBe(before)
  })

  it('prefers tokens.account_id over the JWT claim', async () => {
    const access = craftJwt({
      exp: 2_000_000_000,
      'https://api.openai.com/auth': { chatgpt_account_id: 'claim' },
    })
    writeJson(codexPath(), {
      tokens: { access_token: access, refresh_token: canarySecret(), account_id: 'field' },
    })
    expect((await read('codex-cli'))?.profiles['openai-codex:codex-cli']).toMatchObject({
      accountId: 'field',
      expires: 2_000_000_000_000,
    })
  })

  it('falls back to last_refresh + 1h when the access token is not a JWT', async () => {
    writeJson(codexPath(), {
      tokens: { access_token: canarySecret(), refresh_token: canarySecret(), account_id: null },
      last_refresh: '2026-01-09T10:00:00+02:00',
    })
    const credential = (await read('codex-cli'))?.profiles['openai-codex:codex-cli']
    expect(credential).toMatchObject({ expires: Date.parse('2026-01-09T08:00:00Z') + HOUR })
    expect(credential).not.toHaveProperty('accountId')
  })

  it('falls back to the file mtime + 1h without JWT exp or last_refresh', async () => {
    const access = craftJwt({ sub: 'no-exp' })
    writeJson(codexPath(), { tokens: { access_token: access, refresh_token: canarySecret() } })
    const mtime = new Date(T0 - 5 * HOUR)
    utimesSync(codexPath(), mtime, mtime)
    expect((await read('codex-cli'))?.profiles['openai-codex:codex-cli']).toMatchObject({
      expires: T0 - 5 * HOUR + HOUR,
    })
  })

  it('rejects a malformed last_refresh and missing tokens by JSON path', async () => {
    const access = canarySecret()
    writeJson(codexPath(), { tokens: { access_token: access }, last_refresh: 'yesterday' })
    const error = await catchAuthError(() => read('codex-cli'))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'last_refresh',
      'tokens.refresh_token',
    ])
    expect(inspect(error, { depth: 10 })).not.toContain(access)
    expect(inspect(error, { depth: 10 })).not.toContain('yesterday')
  })

  it('treats an API-key-only auth.json (tokens: null) as holding no login', async () => {
    writeJson(codexPath(), { OPENAI_API_KEY: canarySecret(), tokens: null })
    expect((await read('codex-cli'))?.profiles).toEqual({})
  })

  it('honours CODEX_HOME', async () => {
    const codexHome = join(root, 'codex-home')
    writeJson(join(codexHome, 'auth.json'), {
      tokens: { access_token: canarySecret(), refresh_token: canarySecret() },
      last_refresh: '2026-01-09T10:00:00Z',
    })
    expect((await read('codex-cli', { env: { CODEX_HOME: codexHome } }))?.path).toBe(
      join(codexHome, 'auth.json'),
    )
  })
})

describe('qwen-cli', () => {
  it('imports the OAuth credentials', async () => {
    const access = canarySecret()
    const refresh = canarySecret()
    writeJson(qwenPath(), {
      access_token: access,
      refresh_token: refresh,
      expiry_date: T0 + HOUR,
      token_type: 'Bearer',
      resource_url: 'portal.qwen.ai',
    })
    const before = sha256(qwenPath())
    const result = await importFrom('qwen-cli')
    expect(result.imported).toEqual(['qwen-portal:qwen-cli'])
    expect(readStore().profiles['qwen-portal:qwen-cli']).toEqual({
      type: 'oauth',
      provider: 'qwen-portal',
      access,
      refresh,
      expires: T0 + HOUR,
      generation: 1,
    })
    expect(sha256(qwenPath())).toBe(before)
  })

  it('names the missing field by JSON path, never a value', async () => {
    const access = canarySecret()
    writeJson(qwenPath(), { access_token: access, expiry_date: T0 })
    const error = await catchAuthError(() => read('qwen-cli'))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.issues).toEqual([
      { path: 'refresh_token', message: 'is required (a non-empty string)' },
    ])
    expect(error.message).toContain(qwenPath())
    expect(error.message).toContain('refresh_token')
    expect(inspect(error, { depth: 10 })).not.toContain(access)
  })

  it('rejects a wrong-typed expiry_date', async () => {
    writeJson(qwenPath(), {
      access_token: canarySecret(),
      refresh_token: canarySecret(),
      expiry_date: '1767225600000',
    })
    const error = await catchAuthError(() => read('qwen-cli'))
    expect(error.issues[0]?.path).toBe('expiry_date')
    expect(error.issues[0]?.message).toContain('found a string')
  })
})

describe('copilot', () => {
  const variants: [string, (token: string) => unknown][] = [
    ['token', (token) => ({ token })],
    ['oauth_token', (token) => ({ oauth_token: token })],
    ['github_token', (token) => ({ github_token: token })],
    [
      'a host map (github.com picked first)',
      (token) => ({
        'ghe.example.com': { oauth_token: canarySecret() },
        'github.com': { oauth_token: token, user: 'me' },
      }),
    ],
    [
      'a hosts array',
      (token) => [
        { host: 'ghe.example.com', oauth_token: canarySecret() },
        { host: 'https://GitHub.com/', oauth_token: token },
      ],
    ],
    [
      'a nested hosts map',
      (token) => ({ hosts: { 'github.com': { oauth_token: token } }, version: 2 }),
    ],
    [
      'a hosts array without github.com (first host)',
      (token) => ({ hosts: [{ hostname: 'ghe.example.com', oauth_token: token }] }),
    ],
  ]

  it.each(variants)('reads a GitHub token from %s', async (_name, build) => {
    const token = canarySecret()
    writeJson(copilotPath(), build(token))
    const before = sha256(copilotPath())
    const found = await read('copilot', { env: { GH_TOKEN: canarySecret() } })
    expect(found).toEqual({
      source: 'copilot',
      path: copilotPath(),
      profiles: {
        'github-copilot:github': { type: 'token', provider: 'github-copilot', token },
      },
    })
    expect(sha256(copilotPath())).toBe(before)
  })

  it('falls back to COPILOT_GITHUB_TOKEN → GH_TOKEN → GITHUB_TOKEN', async () => {
    const copilot = canarySecret()
    const gh = canarySecret()
    const github = canarySecret()
    const token = async (env: Record<string, string>) =>
      (await read('copilot', { env }))?.profiles['github-copilot:github']
    expect(
      await token({ COPILOT_GITHUB_TOKEN: copilot, GH_TOKEN: gh, GITHUB_TOKEN: github }),
    ).toMatchObject({ token: copilot })
    expect(
      await token({ COPILOT_GITHUB_TOKEN: ' ', GH_TOKEN: gh, GITHUB_TOKEN: github }),
    ).toMatchObject({ token: gh })
    expect(await token({ GITHUB_TOKEN: github })).toMatchObject({ token: github })
    expect((await read('copilot', { env: { GH_TOKEN: gh } }))?.path).toBe('env:GH_TOKEN')
    // A file without a recognisable token falls back to the environment too.
    writeJson(copilotPath(), { unrelated: true })
    expect(await token({ GITHUB_TOKEN: github })).toMatchObject({ token: github })
    expect((await read('copilot'))?.profiles).toEqual({})
  })

  it('imports a never-expiring token profile', async () => {
    const token = canarySecret()
    const result = await importFrom('copilot', { env: { GITHUB_TOKEN: token } })
    expect(result).toMatchObject({
      path: 'env:GITHUB_TOKEN',
      imported: ['github-copilot:github'],
    })
    expect(readStore().profiles['github-copilot:github']).toEqual({
      type: 'token',
      provider: 'github-copilot',
      token,
      generation: 1,
    })
  })
})

describe('clawdbot', () => {
  function clawdbotStore(agentId: string, profiles: Record<string, unknown>): string {
    return writeJson(join(home, '.clawdbot', 'agents', agentId, 'agent', 'auth-profiles.json'), {
      version: 1,
      profiles,
      usageStats: { whatever: { lastUsed: 1 } },
    })
  }

  it('imports every profile of every agent under its own id', async () => {
    const mainKey = canarySecret()
    const workKey = canarySecret()
    const shared = oauthCredential('openai-codex', T0 + HOUR)
    const sharedNewer = oauthCredential('openai-codex', T0 + 2 * HOUR)
    const mainFile = clawdbotStore('main', {
      'anthropic:default': { type: 'api_key', provider: 'anthropic', key: mainKey },
      'openai-codex:default': { ...shared, generation: 7 },
    })
    const workFile = clawdbotStore('work', {
      'openai:work': { type: 'api_key', provider: 'openai', key: workKey },
      'openai-codex:default': sharedNewer,
    })
    const before = [sha256(mainFile), sha256(workFile)]
    const found = await read('clawdbot')
    expect(found?.path).toBe(join(home, '.clawdbot'))
    expect(Object.keys(found?.profiles ?? {}).sort()).toEqual([
      'anthropic:default',
      'openai-codex:default',
      'openai:work',
    ])
    expect(found?.profiles['openai-codex:default']).toEqual(sharedNewer)

    const result = await importFrom('clawdbot')
    expect(result.imported.sort()).toEqual([
      'anthropic:default',
      'openai-codex:default',
      'openai:work',
    ])
    const store = readStore()
    expect(store.profiles['anthropic:default']).toEqual({
      type: 'api_key',
      provider: 'anthropic',
      key: mainKey,
      generation: 1,
    })
    expect(store.profiles['openai:work']).toMatchObject({ key: workKey })
    expect(store.usageStats).toBeUndefined()
    expect([sha256(mainFile), sha256(workFile)]).toEqual(before)
    expect(
      existsSync(join(home, '.clawdbot', 'agents', 'main', 'agent', 'auth-profiles.json.lock')),
    ).toBe(false)
  })

  it('reads a single agent with agentId, and finds ~/.openclaw when ~/.clawdbot is absent', async () => {
    const key = canarySecret()
    writeJson(join(home, '.openclaw', 'agents', 'main', 'agent', 'auth-profiles.json'), {
      version: 1,
      profiles: { 'openai:default': apiKeyCredential('openai', key) },
    })
    writeJson(join(home, '.openclaw', 'agents', 'other', 'agent', 'auth-profiles.json'), {
      version: 1,
      profiles: { 'openai:other': apiKeyCredential('openai') },
    })
    const found = await read('clawdbot', { agentId: 'main' })
    expect(found?.path).toBe(join(home, '.openclaw'))
    expect(Object.keys(found?.profiles ?? {})).toEqual(['openai:default'])
    const error = await catchAuthError(() => read('clawdbot', { agentId: '../x' }))
    expect(error.code).toBe('ERR_INVALID_ID')
  })

  it('reports a corrupt agent store as ERR_INVALID_ARGUMENT without its contents', async () => {
    const secret = canarySecret()
    const file = writeJson(
      join(home, '.clawdbot', 'agents', 'main', 'agent', 'auth-profiles.json'),
      `{"version":1,"profiles":{"a:b":{"type":"api_key","key":"${secret}"`,
    )
    const error = await catchAuthError(() => read('clawdbot'))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.path).toBe(file)
    expect(inspect(error, { depth: 10 })).not.toContain(secret)
  })
})

describe('import rules', () => {
  function writeClaude(claudeAiOauth: Record<string, unknown>): void {
    writeJson(claudePath(), { claudeAiOauth })
  }

  it('never overwrites an api_key profile', async () => {
    const key = canarySecret()
    writeStore({ 'anthropic:claude-cli': apiKeyCredential('anthropic', key) })
    writeClaude({ accessToken: canarySecret(), refreshToken: canarySecret(), expiresAt: T0 })
    const before = sha256(storePath)
    const result = await importFrom('claude-cli')
    expect(result).toMatchObject({
      imported: [],
      skipped: [{ profileId: 'anthropic:claude-cli', reason: 'api_key' }],
      written: false,
    })
    expect(sha256(storePath)).toBe(before)
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
    const before = sha256(storePath)
    const result = await importFrom('qwen-cli')
    expect(result.skipped.map((skip) => skip.reason)).toEqual(['fresher'])
    expect(sha256(storePath)).toBe(before)
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
    const before = sha256(storePath)
    const again = await importFrom('qwen-cli', { cache: false })
    expect(again).toMatchObject({
      imported: [],
      skipped: [{ profileId: 'qwen-portal:qwen-cli', reason: 'identical' }],
      written: false,
    })
    expect(sha256(storePath)).toBe(before)
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
    const before = sha256(storePath)
    const result = await importFrom('claude-cli', { dryRun: true })
    expect(result).toMatchObject({ imported: ['anthropic:claude-cli'], written: false })
    expect(sha256(storePath)).toBe(before)
    expect(existsSync(`${storePath}.lock`)).toBe(false)
    // And into a missing store: nothing is created.
    rmSync(join(root, 'claw'), { recursive: true })
    expect((await importFrom('claude-cli', { dryRun: true })).imported).toHaveLength(1)
    expect(existsSync(join(root, 'claw'))).toBe(false)
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
    expect(existsSync(storePath)).toBe(false)
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
      homeDir: home,
      env: {},
      cache,
    })
    expect(result.imported).toEqual(['qwen-portal:qwen-cli'])
    expect(backend.snapshot().profiles['qwen-portal:qwen-cli']).toMatchObject({ generation: 1 })
  })

  it('raises generation so an in-flight refresh of the old credential loses its CAS', async () => {
    writeStore({ 'qwen-portal:qwen-cli': oauthCredential('qwen-portal', T0, { generation: 1 }) })
    const seen = (await loadAuthProfileStore({ agentDir })).profiles['qwen-portal:qwen-cli']
    writeJson(qwenPath(), {
      access_token: canarySecret(),
      refresh_token: canarySecret(),
      expiry_date: T0 + HOUR,
    })
    await importFrom('qwen-cli')
    // A refresher that read generation 1 compares it under the lock and finds it changed.
    const { result: swapped } = await updateAuthProfileStore({ agentDir }, (store) => {
      const current = store.profiles['qwen-portal:qwen-cli']
      return current?.generation === seen?.generation
    })
    expect(swapped).toBe(false)
  })
})

describe('reading safety', () => {
  it('caches a read for the TTL (keyed by size + mtime), then re-reads', async () => {
    const clock = createFakeClock(T0)
    const first = canarySecret()
    const second = canarySecret()
    expect(second.length).toBe(first.length)
    const mtime = new Date(T0 - HOUR)
    const write = (token: string) => {
      writeJson(copilotPath(), { token })
      utimesSync(copilotPath(), mtime, mtime)
    }
    const token = async () =>
      (await read('copilot', { now: clock.now }))?.profiles['github-copilot:github']
    write(first)
    expect(await token()).toMatchObject({ token: first })
    expect(cache.size).toBe(1)
    // Same size and mtime: a cache hit, the new content is not read.
    write(second)
    clock.advance(EXTERNAL_CLI_CACHE_TTL_MS - 1)
    expect(await token()).toMatchObject({ token: first })
    // Past the TTL the file is read again.
    clock.advance(1)
    expect(await token()).toMatchObject({ token: second })
    // A size change invalidates at once.
    writeJson(copilotPath(), { token: `${second}x` })
    expect(await token()).toMatchObject({ token: `${second}x` })
    // Mutating a returned result does not poison the cache.
    const found = await read('copilot', { now: clock.now })
    if (found) delete found.profiles['github-copilot:github']
    expect(await token()).toMatchObject({ token: `${second}x` })
  })

  it('caches a Clawdbot state dir by its store files', async () => {
    const clock = createFakeClock(T0)
    const file = writeJson(
      join(home, '.clawdbot', 'agents', 'main', 'agent', 'auth-profiles.json'),
      {
        version: 1,
        profiles: { 'openai:a': apiKeyCredential('openai') },
      },
    )
    await read('clawdbot', { now: clock.now })
    expect(cache.size).toBe(1)
    writeJson(file, { version: 1, profiles: { 'openai:b': apiKeyCredential('openai') } })
    const found = await read('clawdbot', { now: clock.now })
    expect(Object.keys(found?.profiles ?? {})).toEqual(['openai:b'])
  })

  it('rejects malformed JSON naming the path, without the contents', async () => {
    const secret = canarySecret()
    writeJson(claudePath(), `{"claudeAiOauth": {"accessToken": ${secret}}}`)
    const error = await catchAuthError(() => read('claude-cli'))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.path).toBe(claudePath())
    expect(error.message).toContain(claudePath())
    expect(error.issues[0]?.path).toBe('(root)')
    expect(error.issues[0]?.message).toMatch(/not valid JSON \(syntax error at/)
    const shown = inspect(error, { depth: 10 })
    expect(shown).not.toContain(secret)
    expect(shown).not.toContain('sk-claw-canary-')
  })

  it('rejects prototype-poisoning keys', async () => {
    writeJson(
      qwenPath(),
      `{"access_token":"a","refresh_token":"b","expiry_date":1,"__proto__":{"polluted":true}}`,
    )
    const error = await catchAuthError(() => read('qwen-cli'))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.issues[0]?.path).toBe('__proto__')
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('fails fast on a FIFO', async () => {
    mkdirSync(dirname(codexPath()), { recursive: true })
    execFileSync('mkfifo', [codexPath()])
    const started = performance.now()
    const error = await catchAuthError(() => read('codex-cli'))
    expect(performance.now() - started).toBeLessThan(1000)
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.message).toContain('FIFO')
  })

  it('refuses a directory and an oversized file', async () => {
    mkdirSync(qwenPath(), { recursive: true })
    expect((await catchAuthError(() => read('qwen-cli'))).message).toContain('directory')
    writeJson(claudePath(), `{"pad":"${'x'.repeat(MAX_EXTERNAL_CREDENTIALS_BYTES)}"}`)
    const error = await catchAuthError(() => read('claude-cli'))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.message).toContain('limit')
  })

  it('rejects invalid UTF-8', async () => {
    mkdirSync(dirname(qwenPath()), { recursive: true })
    writeFileSync(qwenPath(), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))
    const error = await catchAuthError(() => read('qwen-cli'))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.issues[0]?.message).toBe('not valid UTF-8 (byte offset 1)')
  })
})
