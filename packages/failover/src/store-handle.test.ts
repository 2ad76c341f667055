import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openAuthStore, upsertAuthProfile } from '@claw/auth-profiles'
import { apiKeyCredential } from '@claw/auth-profiles/testing'
import { describe, expect, it } from 'vitest'
import { config, httpError, setup } from '../test/helpers/run-setup.js'
import { planFailover } from './plan.js'
import { runWithFailover } from './run.js'

describe('the store a run records through', () => {
  it('refuses a loaded store object, which would have kept the cooldowns in memory only', async () => {
    const { backend } = setup()
    const loaded = await backend.load()
    let calls = 0
    const error = await runWithFailover({
      config,
      store: loaded,
      env: {},
      run: () => {
        calls += 1
        return Promise.resolve('ok')
      },
    }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    expect((error as Error).message).toContain('runWithFailover needs the store handle')
    expect((error as Error).message).toContain('openAuthStore({ agentDir })')
    expect(calls).toBe(0)
  })

  it('records a failure in the store file through openAuthStore before it returns', async () => {
    const root = mkdtempSync(join(tmpdir(), 'claw-run-handle-'))
    try {
      const agentDir = join(root, 'agents', 'main', 'agent')
      const store = openAuthStore({ agentDir })
      for (const id of ['openai:a', 'openai:b']) {
        await upsertAuthProfile({ store, profileId: id, credential: apiKeyCredential('openai') })
      }
      const outcome = await runWithFailover({
        store,
        provider: 'openai',
        model: 'gpt-5.2',
        fallbacksOverride: [],
        env: {},
        run: ({ profileId }) =>
          profileId === 'openai:a'
            ? Promise.reject(httpError(429, 'rate limited', { 'retry-after': '600' }))
            : Promise.resolve('ok'),
      })
      expect(outcome.profileId).toBe('openai:b')
      const onDisk = JSON.parse(readFileSync(join(agentDir, 'auth-profiles.json'), 'utf8')) as {
        usageStats: Record<string, { modelCooldowns?: Record<string, { until: number }> }>
      }
      const until = onDisk.usageStats['openai:a']?.modelCooldowns?.['gpt-5.2']?.until ?? 0
      expect(until - Date.now()).toBeGreaterThan(590_000)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('plans from loaded store data (a plan records nothing)', async () => {
    const { backend } = setup()
    const plan = await planFailover({ config, store: await backend.load(), env: {} })
    expect(plan.chosen?.profileId).toBe('anthropic:a')
  })
})
