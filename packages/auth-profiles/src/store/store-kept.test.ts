// Entries a store holds that claw cannot use (an unknown credential type, an id claw refuses,
// malformed routing entries) are left out of the loaded store, reported, and written back
// unchanged by every write of every backend.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { agentDir, root, storePath, useTempAgentDir } from '../../test/helpers/agent-dir.js'
import { catchAuthError } from '../../test/helpers/errors.js'
import { createFileAuthStore } from './file-store.js'
import { createMemoryAuthStore } from './memory-store.js'
import { resolveAuthProfileOrder } from '../selection/order.js'
import {
  loadAuthProfileStore,
  removeAuthProfile,
  resolveAuthStoreBackend,
  updateAuthProfileStore,
  upsertAuthProfile,
} from './store.js'
import { findCanaries } from '../testing/canary-scan.js'
import { apiKeyCredential, canarySecret } from '../testing/index.js'
import type { AuthProfileStore } from '../types.js'

useTempAgentDir('claw-kept-')

function writeStoreText(dir: string, text: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const path = join(dir, 'auth-profiles.json')
  writeFileSync(path, text, { mode: 0o600 })
  return path
}

const secrets = {
  sso: canarySecret('aws-sso-canary-'),
  type: canarySecret('sk-type-canary-'),
  badId: canarySecret('sk-badid-canary-'),
  noProvider: canarySecret('sk-noprov-canary-'),
  future: canarySecret('sk-future-canary-'),
  good: canarySecret('sk-good-canary-'),
}

// Written by hand on purpose: odd spacing, number spellings JSON.parse would change, integer-like
// keys that a JS object would reorder, and a \u escape, all inside entries claw must keep as is.
const ssoEntry = `{ "type":"aws_sso",  "provider": "aws", "2": "b", "1": "a",
        "accountId": 12345678901234567890, "ratio": 1.50, "secret": "${secrets.sso}", "note": "caf\\u00e9" }`
const futureSection = `{"kind": "x", "token": "${secrets.future}"}`
const keptText = `{
  "version": 1,
  "profiles": {
    "aws:sso": ${ssoEntry},
    "ok:a": { "type": "api_key", "provider": "ok", "key": "${secrets.good}" },
    "weird:type": { "type": "${secrets.type}", "provider": "weird" },
    "openrouter:team/a": { "type": "api_key", "provider": "openrouter", "key": "${secrets.badId}" },
    "openai:": { "type": "api_key", "provider": "openai", "key": "${secrets.badId}" },
    ":x": { "type": "api_key", "provider": "openai", "key": "${secrets.badId}" },
    "${'l'.repeat(201)}": { "type": "api_key", "provider": "openai", "key": "${secrets.badId}" },
    "ctl:\\u0007": { "type": "api_key", "provider": "openai", "key": "${secrets.badId}" },
    "noprovider:a": { "type": "api_key", "key": "${secrets.noProvider}" },
    "notanobject:a": "${secrets.noProvider}"
  },
  "order": { "ok": [ "ok:a",  " ", 7 ], "bad": "ok:a" },
  "lastGood": { "ok": "ok:a", "bad": 42 },
  "usageStats": {
    "ok:a": { "lastUsed": 5, "cooldownUntil": "soon", "errorCount": 1.5,
      "failureCounts": { "auth": 1, "mystery": 2 } },
    "aws:sso": [1,  2]
  },
  "extensions": ${futureSection}
}
`

const keptSnippets = [
  `"aws:sso": ${ssoEntry}`,
  `"weird:type": { "type": "${secrets.type}", "provider": "weird" }`,
  `"openrouter:team/a": { "type": "api_key", "provider": "openrouter", "key": "${secrets.badId}" }`,
  `"openai:": { "type": "api_key", "provider": "openai", "key": "${secrets.badId}" }`,
  `":x": { "type": "api_key", "provider": "openai", "key": "${secrets.badId}" }`,
  `"ctl:\\u0007": { "type": "api_key", "provider": "openai", "key": "${secrets.badId}" }`,
  `"noprovider:a": { "type": "api_key", "key": "${secrets.noProvider}" }`,
  `"notanobject:a": "${secrets.noProvider}"`,
  `"ok": [ "ok:a",  " ", 7 ]`,
  `"bad": "ok:a"`,
  `"bad": 42`,
  `"cooldownUntil": "soon"`,
  `"errorCount": 1.5`,
  `"mystery": 2`,
  `"aws:sso": [1,  2]`,
  `"extensions": ${futureSection}`,
]

/** The written store, parsed (only to inspect it). */
interface Written {
  profiles: Record<string, { key?: string }>
  order?: unknown
  usageStats: Record<string, { lastUsed?: number }>
}
const parsed = (text: string): Written => JSON.parse(text) as Written

function expectKept(text: string): void {
  for (const snippet of keptSnippets) expect(text).toContain(snippet)
}

describe('entries claw cannot use', () => {
  it('survive every kind of write unchanged, in their place', async () => {
    writeStoreText(agentDir, keptText)
    await upsertAuthProfile({
      agentDir,
      profileId: 'mistral:default',
      credential: apiKeyCredential('mistral', 'sk-mistral-new'),
    })
    let text = readFileSync(storePath, 'utf8')
    expectKept(text)
    expect(text.indexOf('"aws:sso"')).toBeLessThan(text.indexOf('"ok:a"'))
    expect(parsed(text).profiles['mistral:default']?.key).toBe('sk-mistral-new')

    await updateAuthProfileStore({ agentDir }, (store) => {
      store.usageStats = {
        ...store.usageStats,
        'ok:a': { ...store.usageStats?.['ok:a'], lastUsed: 99 },
      }
      store.lastGood = { ok: 'ok:a', mistral: 'mistral:default' }
    })
    await removeAuthProfile({ agentDir, profileId: 'mistral:default' })
    text = readFileSync(storePath, 'utf8')
    expectKept(text.replace('"lastUsed": 99', '"lastUsed": 5'))
    expect(parsed(text).usageStats['ok:a']?.lastUsed).toBe(99)
    expect(parsed(text).profiles['mistral:default']).toBeUndefined()
  })

  it('are never used for routing', async () => {
    writeStoreText(agentDir, keptText)
    const store = await loadAuthProfileStore({ agentDir })
    expect(Object.keys(store.profiles)).toEqual(['ok:a'])
    expect(store.order).toEqual({ ok: ['ok:a'] })
    expect(store.lastGood).toEqual({ ok: 'ok:a' })
    expect(store.usageStats).toEqual({ 'ok:a': { lastUsed: 5, failureCounts: { auth: 1 } } })
    expect(resolveAuthProfileOrder({ store, provider: 'aws' })).toEqual([])
    expect(resolveAuthProfileOrder({ store, provider: 'openai' })).toEqual([])
  })

  it('are reported with the reason, never with a secret', async () => {
    writeStoreText(agentDir, keptText)
    const backend = createFileAuthStore({ agentDir })
    await backend.load()
    const diagnostics = backend.diagnostics()
    const lines = diagnostics.map((diagnostic) => `${diagnostic.code} ${diagnostic.path}`)
    expect(lines).toEqual(
      expect.arrayContaining([
        'ignored_profile profiles["aws:sso"]',
        'ignored_profile profiles["weird:type"]',
        'ignored_profile profiles["openrouter:team/a"]',
        'ignored_profile profiles["openai:"]',
        'ignored_profile profiles[":x"]',
        'ignored_profile profiles["ctl:\\u0007"]',
        'ignored_profile profiles["noprovider:a"]',
        'ignored_profile profiles["notanobject:a"]',
        'ignored_entry order.bad',
        'ignored_entry lastGood.bad',
        'ignored_field usageStats["ok:a"].cooldownUntil',
        'ignored_field usageStats["ok:a"].errorCount',
        'ignored_field usageStats["ok:a"].failureCounts.mystery',
        'ignored_entry usageStats["aws:sso"]',
        'ignored_field extensions',
      ]),
    )
    const sso = diagnostics.find((diagnostic) => diagnostic.path === 'profiles["aws:sso"]')
    expect(sso?.message).toMatch(/unknown credential type "aws_sso".*kept unchanged/)
    expect(sso?.profileId).toBe('aws:sso')
    const weird = diagnostics.find((diagnostic) => diagnostic.path === 'profiles["weird:type"]')
    expect(weird?.message).toMatch(/^unknown credential type \(/)
    const all = `${inspect(diagnostics, { depth: 5 })}${JSON.stringify(diagnostics)}`
    expect(findCanaries(all, Object.values(secrets), 'diagnostics')).toEqual([])
  })

  it('are reported to every new backend, not only the first reader of a file version', async () => {
    writeStoreText(agentDir, keptText)
    await loadAuthProfileStore({ agentDir })
    const seen: string[] = []
    await loadAuthProfileStore({ agentDir, onDiagnostic: (d) => seen.push(d.path) })
    expect(seen).toContain('profiles["aws:sso"]')
  })

  it('a write to the same key replaces a kept entry', async () => {
    writeStoreText(agentDir, keptText)
    await upsertAuthProfile({
      agentDir,
      profileId: 'aws:sso',
      credential: apiKeyCredential('aws', 'sk-aws-replacement'),
    })
    const text = readFileSync(storePath, 'utf8')
    expect(text).not.toContain(secrets.sso)
    expect(parsed(text).profiles['aws:sso']?.key).toBe('sk-aws-replacement')
    await updateAuthProfileStore({ agentDir }, (store) => {
      store.order = { ...store.order, ok: ['ok:a', 'aws:sso'], bad: ['ok:a'] }
    })
    expect(parsed(readFileSync(storePath, 'utf8')).order).toEqual({
      ok: ['ok:a', 'aws:sso'],
      bad: ['ok:a'],
    })
  })

  it('a kept section survives when claw drops its own entries of that section', async () => {
    writeStoreText(
      agentDir,
      JSON.stringify({
        version: 1,
        profiles: { 'ok:a': apiKeyCredential('ok', 'k') },
        order: { ok: ['ok:a'], bad: 'ok:a' },
      }),
    )
    await removeAuthProfile({ agentDir, profileId: 'ok:a' })
    expect(parsed(readFileSync(storePath, 'utf8')).order).toEqual({ bad: 'ok:a' })
  })

  it('a file written by claw is rewritten exactly as before when nothing kept changes', async () => {
    writeStoreText(agentDir, keptText)
    await upsertAuthProfile({ agentDir, profileId: 'x:y', credential: apiKeyCredential('x', 'k') })
    const once = readFileSync(storePath, 'utf8')
    await removeAuthProfile({ agentDir, profileId: 'x:y' })
    await upsertAuthProfile({ agentDir, profileId: 'x:y', credential: apiKeyCredential('x', 'k') })
    expect(readFileSync(storePath, 'utf8')).toBe(once)
  })

  it("in a sub-agent's own file hide the main agent's profile of the same id", async () => {
    const subDir = join(root, 'agents', 'work', 'agent')
    writeStoreText(
      agentDir,
      JSON.stringify({
        version: 1,
        profiles: {
          'aws:sso': apiKeyCredential('aws', 'sk-main-aws'),
          'main:odd': { type: 'mystery', provider: 'main' },
        },
      }),
    )
    writeStoreText(
      subDir,
      JSON.stringify({ version: 1, profiles: { 'aws:sso': { type: 'aws_sso', provider: 'aws' } } }),
    )
    const backend = createFileAuthStore({ agentDir: subDir })
    const view = await backend.load()
    expect(view.profiles['aws:sso']).toBeUndefined()
    expect(backend.diagnostics().map((d) => `${d.file} ${d.path}`)).toEqual(
      expect.arrayContaining([
        `${join(subDir, 'auth-profiles.json')} profiles["aws:sso"]`,
        `${storePath} profiles["main:odd"]`,
      ]),
    )
    await upsertAuthProfile({
      agentDir: subDir,
      profileId: 'sub:a',
      credential: apiKeyCredential('sub', 'k'),
    })
    expect(
      parsed(readFileSync(join(subDir, 'auth-profiles.json'), 'utf8')).profiles['aws:sso'],
    ).toEqual({
      type: 'aws_sso',
      provider: 'aws',
    })
  })

  it('in a memory store are set aside and reported, never routed', async () => {
    const initial = {
      version: 1,
      profiles: {
        'ok:a': apiKeyCredential('ok', 'k'),
        'aws:sso': { type: 'aws_sso', provider: 'aws', secret: secrets.sso },
        'openai:': apiKeyCredential('openai', secrets.badId),
      },
    } as unknown as AuthProfileStore
    const backend = createMemoryAuthStore(initial)
    expect(Object.keys((await backend.load()).profiles)).toEqual(['ok:a'])
    await backend.update((store) => void (store.lastGood = { ok: 'ok:a' }))
    expect(Object.keys((await backend.load()).profiles)).toEqual(['ok:a'])
    expect(backend.diagnostics().map((d) => d.path)).toEqual([
      'profiles["aws:sso"]',
      'profiles["openai:"]',
    ])
    expect(
      findCanaries(JSON.stringify(backend.diagnostics()), Object.values(secrets), 'memory'),
    ).toEqual([])
  })
})

describe('keys written twice', () => {
  it('make the store invalid, naming the path, and nothing is written', async () => {
    const text = `{"version":1,"profiles":{"a:b":{"type":"api_key","provider":"a","key":"k1"},"a:b":{"type":"api_key","provider":"a","key":"k2"}},"usageStats":{"a:b":{"lastUsed":1,"lastUsed":2}}}`
    writeStoreText(agentDir, text)
    const error = await catchAuthError(() => loadAuthProfileStore({ agentDir }))
    expect(error.code).toBe('ERR_STORE_INVALID')
    expect(error.message).toContain(storePath)
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'profiles["a:b"]',
      'usageStats["a:b"].lastUsed',
    ])
    expect(error.message).not.toContain('k1')
    await catchAuthError(() =>
      updateAuthProfileStore({ agentDir }, (store) => void (store.lastGood = {})),
    )
    expect(readFileSync(storePath, 'utf8')).toBe(text)
  })
})

describe('backends resolved from a target', () => {
  it('report what the file holds through resolveAuthStoreBackend', async () => {
    writeStoreText(agentDir, keptText)
    const backend = resolveAuthStoreBackend({ agentDir })
    await backend.load()
    expect(backend.diagnostics().some((d) => d.code === 'ignored_profile')).toBe(true)
  })
})
