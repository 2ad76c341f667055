import { existsSync, mkdirSync, symlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { catchAuthError } from '../../../test/helpers/errors.js'
import {
  HOUR,
  T0,
  sha256,
  writeJson,
  readStore,
  claudePath,
  read,
  importFrom,
  useExternalCliDirs,
} from '../../../test/helpers/external-cli.js'
import { canarySecret } from '../../testing/index.js'

const dirs = useExternalCliDirs()

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
    const configDir = join(dirs.root, 'claude-config')
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
    expect(existsSync(dirs.storePath)).toBe(false)
  })

  it('follows a symlinked credentials file', async () => {
    const access = canarySecret()
    const real = writeJson(join(dirs.root, 'dotfiles', 'creds.json'), {
      claudeAiOauth: { accessToken: access, expiresAt: T0 },
    })
    mkdirSync(dirname(claudePath()), { recursive: true })
    symlinkSync(real, claudePath())
    expect((await read('claude-cli'))?.profiles['anthropic:claude-cli']).toMatchObject({
      token: access,
    })
  })
})
