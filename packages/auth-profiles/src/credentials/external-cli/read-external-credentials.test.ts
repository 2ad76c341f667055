import { execFileSync } from 'node:child_process'
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { catchAuthError } from '../../../test/helpers/errors.js'
import {
  HOUR,
  T0,
  writeJson,
  claudePath,
  codexPath,
  qwenPath,
  copilotPath,
  read,
  useExternalCliDirs,
} from '../../../test/helpers/external-cli.js'
import { EXTERNAL_CLI_CACHE_TTL_MS, MAX_EXTERNAL_CREDENTIALS_BYTES } from './index.js'
import { apiKeyCredential, canarySecret, createFakeClock } from '../../testing/index.js'

const dirs = useExternalCliDirs()

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
    expect(dirs.cache.size).toBe(1)
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
      join(dirs.home, '.clawdbot', 'agents', 'main', 'agent', 'auth-profiles.json'),
      {
        version: 1,
        profiles: { 'openai:a': apiKeyCredential('openai') },
      },
    )
    await read('clawdbot', { now: clock.now })
    expect(dirs.cache.size).toBe(1)
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
