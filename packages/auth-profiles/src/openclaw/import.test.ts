// importOpenClawState: the fixtures' expected result in claw's stores, with the one deliberate
// difference (ChatGPT OAuth profiles move to claw's `openai-codex` provider), re-imports that
// change nothing, and a claw store whose newer values are kept and reported.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { findCanaries, findCanariesInFiles } from '../testing/index.js'
import {
  copyOpenClawFixture,
  hashTree,
  openClawExpected,
  openClawSecrets,
  type ExpectedStore,
  type OpenClawFixtureName,
} from '../../../../test-support/openclaw-fixtures.ts'
import { loadAuthProfileStore, upsertAuthProfile } from '../store/store.js'
import type { AuthProfileStore } from '../types.js'
import { mapOpenClawConfig } from './config.js'
import { importOpenClawState } from './import.js'
import { nodeSqliteAvailable, type SqliteReaderName } from './sqlite-snapshot.js'

const disposers: (() => void)[] = []
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose()
})

function setup(name: OpenClawFixtureName): { source: string; claw: string } {
  const copy = copyOpenClawFixture(name)
  const claw = mkdtempSync(join(tmpdir(), 'claw-openclaw-target-'))
  disposers.push(copy.dispose, () => rmSync(claw, { recursive: true, force: true }))
  return { source: copy.dir, claw }
}

const agentDir = (claw: string, agentId: string) => join(claw, 'agents', agentId, 'agent')
const target = (claw: string) => (agentId: string) => ({ agentDir: agentDir(claw, agentId) })

function storeFile(claw: string, agentId: string): AuthProfileStore {
  return JSON.parse(
    readFileSync(join(agentDir(claw, agentId), 'auth-profiles.json'), 'utf8'),
  ) as AuthProfileStore
}

/** The expected store with every profile at generation 1 (claw's compare-and-swap counter). */
function withGeneration(store: ExpectedStore): ExpectedStore {
  return {
    ...store,
    profiles: Object.fromEntries(
      Object.entries(store.profiles).map(([id, profile]) => [id, { ...profile, generation: 1 }]),
    ),
  }
}

const readers: readonly SqliteReaderName[] = nodeSqliteAvailable()
  ? ['node:sqlite', 'sql.js']
  : ['sql.js']

describe.each(readers)('importOpenClawState (%s)', (reader) => {
  it('fresh: every agent store as the fixture expects, the Codex OAuth profile under openai-codex', async () => {
    const { source, claw } = setup('fresh')
    const expected = openClawExpected('fresh')
    const before = hashTree(source)
    const result = await importOpenClawState({ stateDir: source, target: target(claw), reader })

    const codexOld = 'openai:codex-canary@example.invalid'
    const codexNew = 'openai-codex:codex-canary@example.invalid'
    expect(result.renamed).toEqual({ [codexOld]: codexNew })
    expect(result.appVersion).toBe('2026.9.6')
    const main = storeFile(claw, 'main')
    const want = withGeneration(expected.agents['main']!.store)
    const { [codexOld]: codex, ...others } = want.profiles
    expect(main.profiles).toStrictEqual({
      ...others,
      [codexNew]: { ...codex, provider: 'openai-codex' },
    })
    // The stored order keeps its sequence per provider; the OAuth profile gets its own provider.
    expect(main.order).toStrictEqual({
      openai: ['openai:work', 'openai:personal'],
      'openai-codex': [codexNew],
    })
    expect(main.lastGood).toBeUndefined()
    expect(main.usageStats).toStrictEqual(expected.agents['main']!.store.usageStats)
    expect(storeFile(claw, 'work')).toStrictEqual(withGeneration(expected.agents['work']!.store))

    expect(result.agents.map((agent) => [agent.agentId, agent.imported.length])).toEqual([
      ['main', 4],
      ['work', 1],
    ])
    expect(result.agents[0]!.usageImported).toEqual(['openai:work', 'openai:personal'])
    expect(result.agents[0]!.orderImported).toEqual(['openai', 'openai-codex'])
    expect(hashTree(source)).toBe(before)
    const secrets = openClawSecrets(expected)
    expect(findCanaries(JSON.stringify(result), secrets, 'result')).toEqual([])
    // Secrets reach claw's stores and nowhere else in claw's dir.
    expect(findCanariesInFiles(claw, secrets)).toEqual([])
  })

  it('migrated from Clawdbot: the Codex profile gets its pre-migration id back', async () => {
    const { source, claw } = setup('migrated-from-clawdbot')
    const expected = openClawExpected('migrated-from-clawdbot')
    const result = await importOpenClawState({ stateDir: source, target: target(claw), reader })
    expect(result.renamed).toEqual({ 'openai:chatgpt-default': 'openai-codex:default' })
    const main = storeFile(claw, 'main')
    const want = withGeneration(expected.agents['main']!.store)
    const { ['openai:chatgpt-default']: codex, ...others } = want.profiles
    expect(main.profiles).toStrictEqual({
      ...others,
      'openai-codex:default': { ...codex, provider: 'openai-codex' },
    })
    expect(main.order).toStrictEqual({ anthropic: ['anthropic:work', 'anthropic:default'] })
    expect(main.lastGood).toStrictEqual({
      anthropic: 'anthropic:default',
      'openai-codex': 'openai-codex:default',
    })
    const usage = expected.agents['main']!.store.usageStats!
    expect(main.usageStats).toStrictEqual({
      'anthropic:work': usage['anthropic:work'],
      'anthropic:default': usage['anthropic:default'],
      'openai-codex:default': usage['openai:chatgpt-default'],
    })
    expect(main.usageStats?.['anthropic:work']?.cooldownUntil).toBe(1796595135350)
  })

  it('a second import changes nothing and says so', async () => {
    const { source, claw } = setup('fresh')
    await importOpenClawState({ stateDir: source, target: target(claw), reader })
    const after = hashTree(claw)
    const again = await importOpenClawState({ stateDir: source, target: target(claw), reader })
    expect(hashTree(claw)).toBe(after)
    for (const agent of again.agents) {
      expect(agent.written).toBe(false)
      expect(agent.imported).toEqual([])
      expect(agent.usageImported).toEqual([])
      expect(agent.conflicts).toEqual([])
      expect(new Set(agent.skipped.map((skip) => skip.reason))).toEqual(new Set(['identical']))
    }
  })

  it('a dry run reports the decisions and writes nothing', async () => {
    const { source, claw } = setup('fresh')
    const result = await importOpenClawState({
      stateDir: source,
      target: target(claw),
      reader,
      dryRun: true,
    })
    expect(result.dryRun).toBe(true)
    expect(result.agents[0]!.imported).toHaveLength(4)
    expect(result.agents.every((agent) => !agent.written)).toBe(true)
    expect(readdirSync(claw)).toEqual([])
  })

  it("never overwrites claw's newer or own values; it reports them", async () => {
    const { source, claw } = setup('fresh')
    const main = agentDir(claw, 'main')
    await upsertAuthProfile({
      agentDir: main,
      profileId: 'openai:work',
      credential: { type: 'api_key', provider: 'openai', key: 'sk-claw-canary-rotated-KKKK0009' },
    })
    await upsertAuthProfile({
      agentDir: main,
      profileId: 'openai-codex:codex-canary@example.invalid',
      credential: {
        type: 'oauth',
        provider: 'openai-codex',
        access: 'claw-canary-newer-access-AAAA0001',
        refresh: 'claw-canary-newer-refresh-RRRR0001',
        expires: 1993456000000,
      },
    })
    await upsertAuthProfile({
      agentDir: main,
      profileId: 'openai:personal',
      credential: {
        type: 'api_key',
        provider: 'openai',
        key: 'sk-claw-canary-openai-personal-PPPPPPPP0002',
      },
    })
    const { updateAuthProfileStore } = await import('../store/store.js')
    await updateAuthProfileStore({ agentDir: main }, (store) => {
      store.order = { openai: ['openai:personal', 'openai:work'] }
      store.usageStats = { 'openai:personal': { lastUsed: 1796599999999 } }
    })
    const before = storeFile(claw, 'main')
    const result = await importOpenClawState({ stateDir: source, target: target(claw), reader })
    const agent = result.agents[0]!
    expect(Object.fromEntries(agent.skipped.map((skip) => [skip.profileId, skip.reason]))).toEqual({
      'openai:work': 'api_key',
      'openai:personal': 'identical',
      'openai-codex:codex-canary@example.invalid': 'fresher',
    })
    expect(agent.imported).toEqual(['anthropic:manual'])
    expect(agent.conflicts.map((conflict) => conflict.message)).toEqual([
      "order for openai: claw has [openai:personal, openai:work], OpenClaw has [openai:work, openai:personal]; claw's is kept (set it with claw models auth order set)",
    ])
    const after = storeFile(claw, 'main')
    expect(after.profiles['openai:work']).toStrictEqual(before.profiles['openai:work'])
    expect(after.profiles['openai-codex:codex-canary@example.invalid']).toStrictEqual(
      before.profiles['openai-codex:codex-canary@example.invalid'],
    )
    // claw's own usage entry wins over OpenClaw's for the same credential.
    expect(after.usageStats?.['openai:personal']).toStrictEqual({ lastUsed: 1796599999999 })
    expect(after.order).toStrictEqual({
      openai: ['openai:personal', 'openai:work'],
      'openai-codex': ['openai-codex:codex-canary@example.invalid'],
    })
  })

  it('one agent only', async () => {
    const { source, claw } = setup('fresh')
    const result = await importOpenClawState({
      stateDir: source,
      target: target(claw),
      reader,
      agentId: 'work',
    })
    expect(result.agents.map((agent) => agent.agentId)).toEqual(['work'])
    expect(() => storeFile(claw, 'main')).toThrow()
    expect(
      Object.keys(
        (await loadAuthProfileStore({ agentDir: agentDir(claw, 'work'), mainAgentDir: null }))
          .profiles,
      ),
    ).toEqual(['anthropic:work'])
  })
})

describe('mapOpenClawConfig', () => {
  it('fresh: model, fallbacks, aliases, auth order and agents as in the fixture', () => {
    const expected = openClawExpected('fresh')
    const raw = JSON.parse(
      readFileSync(join(copyFixtureDir('fresh'), expected.configFile), 'utf8'),
    ) as unknown
    const { config } = mapOpenClawConfig(raw, {
      renamed: {
        'openai:codex-canary@example.invalid': 'openai-codex:codex-canary@example.invalid',
      },
    })
    expect(config).toStrictEqual({
      agents: {
        defaults: {
          model: expected.config.model,
          models: expected.config.models,
        },
        list: expected.config.agentIds.map((id) => ({ id })),
      },
      auth: { profiles: expected.config.authProfiles, order: expected.config.authOrder },
    })
  })

  it('migrated: the Codex-runtime model is openai-codex in claw, the renamed profile follows', () => {
    const expected = openClawExpected('migrated-from-clawdbot')
    const raw = JSON.parse(
      readFileSync(join(copyFixtureDir('migrated-from-clawdbot'), expected.configFile), 'utf8'),
    ) as unknown
    const { config, notes } = mapOpenClawConfig(raw, {
      renamed: { 'openai:chatgpt-default': 'openai-codex:default' },
    })
    const { ['openai:chatgpt-default']: codex, ...profiles } = expected.config.authProfiles
    expect(config).toStrictEqual({
      agents: {
        defaults: {
          model: {
            primary: 'anthropic/claude-opus-4-7',
            fallbacks: ['openai-codex/gpt-5.5', 'anthropic/claude-sonnet-4-6'],
          },
          models: {
            'anthropic/claude-opus-4-7': { alias: 'opus' },
            'anthropic/claude-sonnet-4-6': { alias: 'sonnet' },
            'openai-codex/gpt-5.5': { alias: 'codex' },
          },
        },
      },
      auth: {
        profiles: { ...profiles, 'openai-codex:default': { ...codex, provider: 'openai-codex' } },
      },
    })
    expect(notes.join('\n')).toContain('openai/gpt-5.5')
  })
})

function copyFixtureDir(name: OpenClawFixtureName): string {
  const copy = copyOpenClawFixture(name)
  disposers.push(copy.dispose)
  return copy.dir
}
