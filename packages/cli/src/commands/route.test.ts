// `claw route`: the dry-run failover plan, simulated failures on a copy of the store, and the
// errors for bad input. Real child processes against temp state dirs.
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiKeyCredential, buildAuthProfileStore, canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox()
})
afterEach(() => sandbox.dispose())

const MIN = 60_000

function setup(usageStats: Record<string, unknown> = {}) {
  const keys = [canarySecret('sk-proj-'), canarySecret('sk-proj-'), canarySecret('sk-ant-api03-')]
  sandbox.writeConfig({
    agents: {
      defaults: {
        model: { primary: 'openai/gpt-4o', fallbacks: ['anthropic/claude-sonnet-4-5'] },
        models: { 'openai/gpt-4o': { alias: 'fast' }, 'anthropic/claude-sonnet-4-5': {} },
      },
    },
    auth: { order: { openai: ['openai:a', 'openai:b'] } },
  })
  const storePath = sandbox.writeStore(
    buildAuthProfileStore({
      profiles: {
        'openai:a': apiKeyCredential('openai', keys[0]),
        'openai:b': apiKeyCredential('openai', keys[1]),
        'anthropic:main': apiKeyCredential('anthropic', keys[2]),
      },
      usageStats: usageStats as never,
    }),
  )
  return { keys, storePath }
}

/** `--simulate openai:a=<a> --simulate openai:b=<b>` */
const simulate = (a: string, b: string) => [
  '--simulate',
  `openai:a=${a}`,
  '--simulate',
  `openai:b=${b}`,
]

describe('claw route', () => {
  it('--json: the first usable credential of the requested model is chosen', async () => {
    const { keys } = setup()
    const result = await sandbox.run(['route', 'fast', '--json'])
    expect(result.code).toBe(0)
    expect(parseJsonOutput(result)).toEqual({
      schemaVersion: 1,
      model: {
        input: 'fast',
        provider: 'openai',
        model: 'gpt-4o',
        key: 'openai/gpt-4o',
        alias: 'fast',
      },
      simulated: [],
      chosen: {
        provider: 'openai',
        model: 'gpt-4o',
        profileId: 'openai:a',
        credential: 'profile:openai:a',
      },
      trace: [
        {
          provider: 'openai',
          model: 'gpt-4o',
          profileId: 'openai:a',
          credential: 'profile:openai:a',
          outcome: 'chosen',
          attempt: 1,
          detail: 'would be used',
        },
      ],
      summary: { models: 1, credentials: 1, skipped: 0, failed: 0, skippedBy: {} },
    })
    expect(sandbox.leaks(keys)).toEqual([])
  })

  it('skips cooling-down and disabled profiles, says why, and falls back to the next model', async () => {
    const until = Date.now() + 10 * MIN
    const disabledUntil = Date.now() + 30 * MIN
    const { keys } = setup({
      'openai:a': { cooldownUntil: until, cooldownReason: 'overloaded', errorCount: 2 },
      'openai:b': { disabledUntil, disabledReason: 'billing' },
    })
    const result = await sandbox.run(['route', 'openai/gpt-4o', '--json'])
    const json = parseJsonOutput<{ trace: unknown[]; chosen: unknown }>(result)
    expect(json.trace).toEqual([
      {
        provider: 'openai',
        model: 'gpt-4o',
        profileId: 'openai:a',
        credential: 'profile:openai:a',
        outcome: 'skipped',
        reason: 'cooldown',
        detail: `cooling down until ${new Date(until).toISOString()} (overloaded)`,
        until,
        cooldownReason: 'overloaded',
        cooldownKind: 'cooldown',
      },
      expect.objectContaining({
        profileId: 'openai:b',
        outcome: 'skipped',
        detail: `disabled until ${new Date(disabledUntil).toISOString()} (billing)`,
        until: disabledUntil,
        cooldownReason: 'billing',
        cooldownKind: 'disabled',
      }),
      expect.objectContaining({ profileId: 'anthropic:main', outcome: 'chosen' }),
    ])
    expect(json.chosen).toMatchObject({ profileId: 'anthropic:main' })
    expect(sandbox.leaks(keys)).toEqual([])
  })

  it('says when the chosen credential would be the probe after its window ended', async () => {
    const ended = Date.now() - MIN
    const { keys } = setup({
      'openai:a': { cooldownUntil: ended, cooldownReason: 'overloaded', errorCount: 2 },
    })
    const json = parseJsonOutput<{ trace: Record<string, unknown>[] }>(
      await sandbox.run(['route', 'openai/gpt-4o', '--json']),
    )
    expect(json.trace).toEqual([
      expect.objectContaining({
        profileId: 'openai:a',
        outcome: 'chosen',
        probe: true,
        detail: `would probe it: its cooldown ended at ${new Date(ended).toISOString()} (overloaded); other runs keep to the remaining credentials until it succeeds`,
      }),
    ])
    const human = await sandbox.run(['route', 'openai/gpt-4o'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(
      'Would use openai/gpt-4o with profile openai:a, as the probe after its window ended.',
    )
    expect(sandbox.leaks(keys)).toEqual([])
  })

  it('--simulate applies failures to a copy: the plan moves on, the store file does not change', async () => {
    const { keys, storePath } = setup()
    const before = readFileSync(storePath, 'utf8')
    const result = await sandbox.run([
      'route',
      'fast',
      '--simulate',
      'openai:a=rate_limit',
      '--simulate',
      'openai:b=billing',
      '--json',
    ])
    expect(result.code).toBe(0)
    const json = parseJsonOutput<{
      simulated: { profileId: string; reason: string; until: number }[]
      trace: {
        profileId?: string
        model: string
        outcome: string
        reason?: string
        cooldownReason?: string
      }[]
      chosen: unknown
    }>(result)
    expect(json.simulated.map(({ profileId, reason }) => ({ profileId, reason }))).toEqual([
      { profileId: 'openai:a', reason: 'rate_limit' },
      { profileId: 'openai:b', reason: 'billing' },
    ])
    expect(
      json.trace.map(({ profileId, model, outcome, reason, cooldownReason }) => ({
        profileId,
        model,
        outcome,
        reason,
        cooldownReason,
      })),
    ).toEqual([
      {
        profileId: 'openai:a',
        model: 'gpt-4o',
        outcome: 'skipped',
        reason: 'cooldown',
        cooldownReason: 'rate_limit',
      },
      {
        profileId: 'openai:b',
        model: 'gpt-4o',
        outcome: 'skipped',
        reason: 'cooldown',
        cooldownReason: 'billing',
      },
      {
        profileId: 'anthropic:main',
        model: 'claude-sonnet-4-5',
        outcome: 'chosen',
        reason: undefined,
        cooldownReason: undefined,
      },
    ])
    expect(json.chosen).toEqual({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      profileId: 'anthropic:main',
      credential: 'profile:anthropic:main',
    })
    expect(readFileSync(storePath, 'utf8')).toBe(before)
    expect(sandbox.leaks(keys)).toEqual([])
  })

  it('prints a readable table and the decision', async () => {
    setup()
    const result = await sandbox.run(['route', 'fast', ...simulate('rate_limit', 'timeout')])
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines[0]).toBe('Route for openai/gpt-4o (alias fast)')
    expect(lines[1]).toBe('Simulated: openai:a failed with rate_limit → unusable for 1m')
    expect(lines[2]).toBe('Simulated: openai:b failed with timeout → unusable for 1m')
    expect(lines[4]).toMatch(/^Candidate\s+Credential\s+Outcome\s+Why$/)
    expect(lines[5]).toMatch(
      /^openai\/gpt-4o\s+profile:openai:a\s+skipped\s+cooling down for 1m \(rate_limit\), until \d{4}-/,
    )
    expect(lines[6]).toMatch(
      /^openai\/gpt-4o\s+profile:openai:b\s+skipped\s+cooling down for 1m \(timeout\), until \d{4}-/,
    )
    expect(lines[7]).toMatch(
      /^anthropic\/claude-sonnet-4-5\s+profile:anthropic:main\s+chosen\s+would be used$/,
    )
    expect(lines.at(-2)).toBe('Would use anthropic/claude-sonnet-4-5 with profile anthropic:main.')
  })

  it('says "disabled" for a billing window and "cooling down" for a rate limit', async () => {
    setup()
    const result = await sandbox.run(['route', 'fast', ...simulate('rate_limit', 'billing')])
    const lines = result.stdout.split('\n')
    expect(lines[2]).toBe('Simulated: openai:b failed with billing → unusable for 5h')
    expect(lines[5]).toMatch(/skipped\s+cooling down for 1m \(rate_limit\), until \d{4}-/)
    expect(lines[6]).toMatch(
      /^openai\/gpt-4o\s+profile:openai:b\s+skipped\s+disabled for 5h \(billing\), until \d{4}-/,
    )
    const json = parseJsonOutput<{ trace: { profileId?: string; cooldownKind?: string }[] }>(
      await sandbox.run(['route', 'fast', ...simulate('rate_limit', 'billing'), '--json']),
    )
    expect(json.trace.find((entry) => entry.profileId === 'openai:b')).toMatchObject({
      reason: 'cooldown',
      cooldownReason: 'billing',
      cooldownKind: 'disabled',
    })
  })

  it('--profile pins a profile; nothing usable is exit 1 with the reason', async () => {
    const until = Date.now() + 30 * MIN
    setup({ 'anthropic:main': { disabledUntil: until, disabledReason: 'billing' } })
    const pinned = await sandbox.run(['route', 'openai/gpt-4o', '--profile', 'openai:b', '--json'])
    expect(parseJsonOutput<{ chosen: unknown; profile: string }>(pinned)).toMatchObject({
      profile: 'openai:b',
      chosen: { profileId: 'openai:b' },
    })
    const none = await sandbox.run([
      'route',
      'openai/gpt-4o',
      '--simulate',
      'openai:a=auth',
      '--simulate',
      'openai:b=auth',
    ])
    expect(none.code).toBe(1)
    // Nothing was called: every credential of every model was skipped, and it says how many.
    expect(none.stdout).toMatch(
      /\nNothing usable now: all 3 credentials of 2 models were skipped \(3 cooling down or disabled\)\.\n/,
    )
    expect(none.stdout).toMatch(/\nSoonest retry in 1m\.\n$/)
  })

  it('--simulate: the summary counts every skipped credential, also one without a key', async () => {
    setup()
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai:a': apiKeyCredential('openai', canarySecret('sk-proj-')),
          'openai:b': apiKeyCredential('openai', canarySecret('sk-proj-')),
        },
      }),
    )
    const text = await sandbox.run(['route', 'fast', ...simulate('rate_limit', 'billing')])
    expect(text.code).toBe(1)
    expect(text.stdout).toContain(
      '\nNothing usable now: all 3 credentials of 2 models were skipped (2 cooling down or disabled, 1 without a usable key).\n',
    )
    const json = parseJsonOutput<{ summary: unknown }>(
      await sandbox.run(['route', 'fast', ...simulate('rate_limit', 'billing'), '--json']),
    )
    expect(json.summary).toEqual({
      models: 2,
      credentials: 3,
      skipped: 3,
      failed: 0,
      skippedBy: { cooldown: 2, unavailable: 1 },
    })
  })

  it('defaults to the configured primary when no model is given', async () => {
    setup()
    const result = await sandbox.run(['route', '--json'])
    expect(parseJsonOutput<{ model: { key: string } }>(result).model.key).toBe('openai/gpt-4o')
  })
})

describe('claw route: bad input', () => {
  it.each([
    [['route', 'nope'], 'Unknown model alias: nope. Use <provider>/<model> or one of: fast.'],
    [['route', 'openai/'], 'Invalid model reference: openai/'],
    [
      ['route', 'nosuch/model'],
      'Unknown provider: nosuch. Add it under models.providers in the config, or use a provider from `claw models list --all`.',
    ],
    [['route', 'fast', '--profile', 'openai:zzz'], 'Auth profile "openai:zzz" not found.'],
    [
      ['route', 'fast', '--profile', 'anthropic:main'],
      'Auth profile "anthropic:main" is for anthropic, not openai.',
    ],
    [['route', 'fast', '--simulate', 'openai:zzz=auth'], 'Auth profile "openai:zzz" not found.'],
    [
      ['route', 'fast', '--simulate', 'openai:a'],
      'Invalid --simulate value: openai:a. Expected <profileId>=<reason>.',
    ],
    [
      ['route', 'fast', '--simulate', 'openai:a=slow'],
      'Invalid reason "slow" in --simulate openai:a=slow. Valid reasons: auth, auth_permanent, format, rate_limit, overloaded, billing, timeout, model_not_found, server_error, unknown.',
    ],
  ])('%j', async (args, message) => {
    setup()
    const result = await sandbox.run(args)
    expect(result).toEqual({ code: 1, stdout: '', stderr: `${message}\n` })
  })

  it('a corrupt store is exit 78 naming the file', async () => {
    setup()
    const path = sandbox.writeStore('{"version":1,"profiles":{"x":')
    const result = await sandbox.run(['route', 'fast'])
    expect(result.code).toBe(78)
    expect(result.stderr).toContain(path)
  })
})
