import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { catchAuthError } from '../../../test/helpers/errors.js'
import {
  HOUR,
  T0,
  sha256,
  writeJson,
  readStore,
  qwenPath,
  read,
  importFrom,
  useExternalCliDirs,
} from '../../../test/helpers/external-cli.js'
import { canarySecret } from '../../testing/index.js'

useExternalCliDirs()

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
