import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { configCacheFile, createConfigValidationCache } from './config-cache.js'

let home: string
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'claw-config-cache-'))
})
afterEach(() => rmSync(home, { recursive: true, force: true }))

const document = { models: { providers: { openai: { apiKey: 'sk-cached-value-0000' } } } }

describe('the config validation cache', () => {
  it('knows a document it recorded, per path, version and content', async () => {
    const file = configCacheFile(home, {})
    const cache = createConfigValidationCache(file, '1.0.0', {})
    expect(await cache.has('/state/claw.json', document)).toBe(false)
    await cache.add('/state/claw.json', document)
    expect(await cache.has('/state/claw.json', document)).toBe(true)
    expect(await cache.has('/other/claw.json', document)).toBe(false)
    expect(await cache.has('/state/claw.json', { ...document, extra: 1 })).toBe(false)
    const nextVersion = createConfigValidationCache(file, '1.0.1', {})
    expect(await nextVersion.has('/state/claw.json', document)).toBe(false)
  })

  it('stores a SHA-256 digest per path, never a config value', async () => {
    const file = configCacheFile(home, {})
    await createConfigValidationCache(file, '1.0.0', {}).add('/state/claw.json', document)
    const text = readFileSync(file, 'utf8')
    expect(text).not.toContain('sk-cached-value')
    const entries = JSON.parse(text) as Record<string, string>
    expect(Object.keys(entries)).toEqual(['/state/claw.json'])
    expect(entries['/state/claw.json']).toMatch(/^[0-9a-f]{64}$/)
  })

  it('lives under $XDG_CACHE_HOME when it is absolute', () => {
    expect(configCacheFile('/home/me', { XDG_CACHE_HOME: '/xdg' })).toBe(
      '/xdg/claw/validated-config.json',
    )
    expect(configCacheFile('/home/me', { XDG_CACHE_HOME: 'relative' })).toBe(
      '/home/me/.cache/claw/validated-config.json',
    )
  })
})
