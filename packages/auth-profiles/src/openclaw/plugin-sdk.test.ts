// The OpenClaw plugin-sdk helpers, called the way OpenClaw plugin code calls them, on a claw state
// dir imported from the OpenClaw fixture.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { copyOpenClawFixture } from '../../../../test-support/openclaw-fixtures.ts'
import type { AuthProfileStore } from '../types.js'
import {
  buildModelAliasIndex,
  ensureAuthProfileStore,
  importOpenClawState,
  isProfileInCooldown,
  markAuthProfileFailure,
  markAuthProfileGood,
  markAuthProfileUsed,
  resolveApiKeyForProfile,
  resolveAuthProfileOrder,
  resolveEnvApiKey,
  resolveModelRefFromString,
  type OpenClawConfig,
} from './index.js'

let source: { dir: string; dispose: () => void }
let claw: string
let cfg: OpenClawConfig
const mainDir = () => join(claw, 'agents', 'main', 'agent')
const workDir = () => join(claw, 'agents', 'work', 'agent')
const readFile = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'auth-profiles.json'), 'utf8')) as AuthProfileStore

beforeEach(async () => {
  source = copyOpenClawFixture('fresh')
  claw = mkdtempSync(join(tmpdir(), 'claw-openclaw-sdk-'))
  await importOpenClawState({
    stateDir: source.dir,
    target: (agentId) => ({ agentDir: join(claw, 'agents', agentId, 'agent') }),
  })
  cfg = JSON.parse(readFileSync(join(source.dir, 'openclaw.json'), 'utf8')) as OpenClawConfig
})
afterEach(() => {
  source.dispose()
  rmSync(claw, { recursive: true, force: true })
})

describe('ensureAuthProfileStore(agentDir)', () => {
  it("a sub-agent sees main's profiles underneath, as in OpenClaw", async () => {
    const store = await ensureAuthProfileStore(workDir(), { env: { CLAW_STATE_DIR: claw } })
    expect(Object.keys(store.profiles).sort()).toEqual([
      'anthropic:manual',
      'anthropic:work',
      'openai-codex:codex-canary@example.invalid',
      'openai:personal',
      'openai:work',
    ])
  })

  it('returns the caller its own mutable copy: editing it writes nothing', async () => {
    const store = await ensureAuthProfileStore(mainDir())
    const onDisk = readFile(mainDir())
    delete store.profiles['openai:work']
    store.order = {}
    expect(readFile(mainDir())).toStrictEqual(onDisk)
    const again = await ensureAuthProfileStore(mainDir())
    expect(again.profiles['openai:work']).toBeDefined()
    expect(again.order?.['openai']).toEqual(['openai:work', 'openai:personal'])
  })
})

describe('resolveAuthProfileOrder({ cfg, store, provider, preferredProfile })', () => {
  it('explicit order, a profile in cooldown last, the preferred profile first', async () => {
    const store = await ensureAuthProfileStore(mainDir())
    store.usageStats = {
      ...store.usageStats,
      'openai:work': { cooldownUntil: Date.now() + 3_600_000, errorCount: 1 },
    }
    expect(resolveAuthProfileOrder({ cfg, store, provider: 'openai' })).toEqual([
      'openai:personal',
      'openai:work',
    ])
    // Config auth.order for anthropic names anthropic:work, which main does not have.
    expect(resolveAuthProfileOrder({ cfg, store, provider: 'anthropic' })).toEqual([
      'anthropic:manual',
    ])
    store.usageStats = {}
    expect(
      resolveAuthProfileOrder({
        cfg,
        store,
        provider: 'openai',
        preferredProfile: 'openai:personal',
      }),
    ).toEqual(['openai:personal', 'openai:work'])
  })
})

describe('resolveApiKeyForProfile({ cfg, store, profileId, agentDir })', () => {
  it('returns { apiKey, provider } and null for a profile the config contradicts', async () => {
    const store = await ensureAuthProfileStore(mainDir())
    const resolved = await resolveApiKeyForProfile({
      cfg,
      store,
      profileId: 'openai:work',
      agentDir: mainDir(),
    })
    expect(resolved).toStrictEqual({
      apiKey: 'sk-claw-canary-openai-work-WWWWWWWW0001',
      provider: 'openai',
    })
    const contradicting = {
      ...cfg,
      auth: { profiles: { 'openai:work': { provider: 'openai', mode: 'oauth' as const } } },
    }
    expect(
      await resolveApiKeyForProfile({ cfg: contradicting, store, profileId: 'openai:work' }),
    ).toBeNull()
    expect(await resolveApiKeyForProfile({ cfg, store, profileId: 'nope:nope' })).toBeNull()
  })
})

describe('isProfileInCooldown(store, id, now?)', () => {
  it("follows the fixture's rate-limit window", async () => {
    const store = await ensureAuthProfileStore(mainDir())
    expect(isProfileInCooldown(store, 'openai:work', 1796594000000)).toBe(true)
    expect(isProfileInCooldown(store, 'openai:work', 1796595200000)).toBe(false)
    expect(isProfileInCooldown(store, 'openai:personal', 1796594000000)).toBe(false)
  })
})

describe('markAuthProfileFailure / markAuthProfileUsed / markAuthProfileGood', () => {
  it("update the caller's store object and, with agentDir, the store on disk", async () => {
    const store = await ensureAuthProfileStore(mainDir())
    await markAuthProfileFailure({
      store,
      profileId: 'openai:personal',
      reason: 'rate_limit',
      cfg,
      agentDir: mainDir(),
    })
    const stats = store.usageStats?.['openai:personal']
    expect(stats?.errorCount).toBe(1)
    expect(stats?.cooldownReason).toBe('rate_limit')
    expect(stats?.cooldownUntil).toBeGreaterThan(Date.now())
    expect(readFile(mainDir()).usageStats?.['openai:personal']).toStrictEqual(stats)

    await markAuthProfileUsed({ store, profileId: 'openai:personal', agentDir: mainDir() })
    expect(store.usageStats?.['openai:personal']?.cooldownUntil).toBeUndefined()
    await markAuthProfileGood({
      store,
      provider: 'openai',
      profileId: 'openai:personal',
      agentDir: mainDir(),
    })
    expect(readFile(mainDir()).lastGood).toEqual({ openai: 'openai:personal' })
  })

  it('OpenClaw-only reasons count under the claw reason they mean; no agentDir, no write', async () => {
    const store = await ensureAuthProfileStore(mainDir())
    const onDisk = readFile(mainDir())
    await markAuthProfileFailure({
      store,
      profileId: 'anthropic:manual',
      reason: 'session_expired',
    })
    expect(store.usageStats?.['anthropic:manual']?.failureCounts).toEqual({ auth: 1 })
    expect(readFile(mainDir())).toStrictEqual(onDisk)
  })
})

describe('resolveEnvApiKey(provider, env)', () => {
  it('the OAuth token variable first, trimmed, with its source', () => {
    expect(
      resolveEnvApiKey('anthropic', {
        ANTHROPIC_API_KEY: 'sk-ant-api03-claw-canary-env-KEY0001',
        ANTHROPIC_OAUTH_TOKEN: '  sk-ant-oat01-claw-canary-env-TOKEN0001 ',
      }),
    ).toStrictEqual({
      apiKey: 'sk-ant-oat01-claw-canary-env-TOKEN0001',
      source: 'env: ANTHROPIC_OAUTH_TOKEN',
    })
    expect(resolveEnvApiKey('openai', {})).toBeNull()
  })
})

describe('buildModelAliasIndex / resolveModelRefFromString', () => {
  it("resolve the fixture config's aliases", () => {
    const aliasIndex = buildModelAliasIndex({ cfg, defaultProvider: 'anthropic' })
    expect(aliasIndex.byAlias.get('opus')?.ref).toEqual({
      provider: 'anthropic',
      model: 'claude-opus-5',
    })
    expect(
      resolveModelRefFromString({ raw: 'Astra', defaultProvider: 'anthropic', aliasIndex }),
    ).toEqual({ ref: { provider: 'openai', model: 'gpt-6-astra' }, alias: 'astra' })
    expect(
      resolveModelRefFromString({
        raw: 'claude-sonnet-5',
        defaultProvider: 'anthropic',
        aliasIndex,
      }),
    ).toEqual({ ref: { provider: 'anthropic', model: 'claude-sonnet-5' } })
    expect(resolveModelRefFromString({ raw: '/', defaultProvider: 'anthropic' })).toBeNull()
  })
})
