import { utimesSync } from 'node:fs'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { catchAuthError } from '../../../test/helpers/errors.js'
import {
  HOUR,
  T0,
  sha256,
  writeJson,
  readStore,
  craftJwt,
  codexPath,
  read,
  importFrom,
  useExternalCliDirs,
} from '../../../test/helpers/external-cli.js'
import { canarySecret } from '../../testing/index.js'

const dirs = useExternalCliDirs()

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
    const codexHome = join(dirs.root, 'codex-home')
    writeJson(join(codexHome, 'auth.json'), {
      tokens: { access_token: canarySecret(), refresh_token: canarySecret() },
      last_refresh: '2026-01-09T10:00:00Z',
    })
    expect((await read('codex-cli', { env: { CODEX_HOME: codexHome } }))?.path).toBe(
      join(codexHome, 'auth.json'),
    )
  })
})
