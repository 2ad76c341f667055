// The documented quick-start path persists: a cooldown recorded through the store handle is in the
// file when the call returns, and a second process (running the built package) honours it.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { markAuthProfileFailure, openAuthStore, upsertAuthProfile } from '@claw/auth-profiles'
import { apiKeyCredential } from '@claw/auth-profiles/testing'

const distUrl = new URL('../dist/index.js', import.meta.url).href

let root: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'claw-handle-process-'))
})

afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

/** What another process sees: the profile's cooldown deadline and the order it would use. */
function inOtherProcess(agentDir: string): { cooldownUntil?: number; order: string[] } {
  const script = `
    const sdk = await import(${JSON.stringify(distUrl)})
    const store = sdk.openAuthStore({ agentDir: ${JSON.stringify(agentDir)} })
    const loaded = await store.load()
    const order = sdk.resolveAuthProfileOrder({ store: loaded, provider: 'openai' })
    console.log(JSON.stringify({ cooldownUntil: loaded.usageStats?.['openai:a']?.cooldownUntil, order }))
  `
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: root },
  })
  return JSON.parse(output) as { cooldownUntil?: number; order: string[] }
}

it('a 600 s cooldown recorded through the quick-start handle reaches a second process', async () => {
  const agentDir = join(root, 'agents', 'main', 'agent')
  const store = openAuthStore({ agentDir })
  for (const id of ['openai:a', 'openai:b']) {
    await upsertAuthProfile({ store, profileId: id, credential: apiKeyCredential('openai') })
  }
  const before = Date.now()
  await markAuthProfileFailure({
    store,
    profileId: 'openai:a',
    reason: 'overloaded',
    retryAfterMs: 600_000,
  })
  const seen = inOtherProcess(agentDir)
  expect(seen.cooldownUntil).toBeGreaterThanOrEqual(before + 600_000)
  expect(seen.cooldownUntil).toBeLessThanOrEqual(Date.now() + 600_000)
  // The other process skips the cooling profile: it goes last.
  expect(seen.order).toEqual(['openai:b', 'openai:a'])
})
