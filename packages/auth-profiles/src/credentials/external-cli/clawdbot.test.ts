import { existsSync } from 'node:fs'
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
  read,
  importFrom,
  useExternalCliDirs,
} from '../../../test/helpers/external-cli.js'
import { apiKeyCredential, canarySecret, oauthCredential } from '../../testing/index.js'

const dirs = useExternalCliDirs()

describe('clawdbot', () => {
  function clawdbotStore(agentId: string, profiles: Record<string, unknown>): string {
    return writeJson(
      join(dirs.home, '.clawdbot', 'agents', agentId, 'agent', 'auth-profiles.json'),
      {
        version: 1,
        profiles,
        usageStats: { whatever: { lastUsed: 1 } },
      },
    )
  }

  it('imports every profile of every agent under its own id', async () => {
    const mainKey = canarySecret()
    const workKey = canarySecret()
    const shared = oauthCredential('openai-codex', T0 + HOUR)
    const sharedNewer = oauthCredential('openai-codex', T0 + 2 * HOUR)
    const mainFile = clawdbotStore('main', {
      'anthropic:default': { type: 'api_key', provider: 'anthropic', key: mainKey },
      'openai-codex:default': { ...shared, generation: 7 },
    })
    const workFile = clawdbotStore('work', {
      'openai:work': { type: 'api_key', provider: 'openai', key: workKey },
      'openai-codex:default': sharedNewer,
    })
    const before = [sha256(mainFile), sha256(workFile)]
    const found = await read('clawdbot')
    expect(found?.path).toBe(join(dirs.home, '.clawdbot'))
    expect(Object.keys(found?.profiles ?? {}).sort()).toEqual([
      'anthropic:default',
      'openai-codex:default',
      'openai:work',
    ])
    expect(found?.profiles['openai-codex:default']).toEqual(sharedNewer)

    const result = await importFrom('clawdbot')
    expect(result.imported.sort()).toEqual([
      'anthropic:default',
      'openai-codex:default',
      'openai:work',
    ])
    const store = readStore()
    expect(store.profiles['anthropic:default']).toEqual({
      type: 'api_key',
      provider: 'anthropic',
      key: mainKey,
      generation: 1,
    })
    expect(store.profiles['openai:work']).toMatchObject({ key: workKey })
    expect(store.usageStats).toBeUndefined()
    expect([sha256(mainFile), sha256(workFile)]).toEqual(before)
    expect(
      existsSync(
        join(dirs.home, '.clawdbot', 'agents', 'main', 'agent', 'auth-profiles.json.lock'),
      ),
    ).toBe(false)
  })

  it('reads a single agent with agentId, and finds ~/.openclaw when ~/.clawdbot is absent', async () => {
    const key = canarySecret()
    writeJson(join(dirs.home, '.openclaw', 'agents', 'main', 'agent', 'auth-profiles.json'), {
      version: 1,
      profiles: { 'openai:default': apiKeyCredential('openai', key) },
    })
    writeJson(join(dirs.home, '.openclaw', 'agents', 'other', 'agent', 'auth-profiles.json'), {
      version: 1,
      profiles: { 'openai:other': apiKeyCredential('openai') },
    })
    const found = await read('clawdbot', { agentId: 'main' })
    expect(found?.path).toBe(join(dirs.home, '.openclaw'))
    expect(Object.keys(found?.profiles ?? {})).toEqual(['openai:default'])
    const error = await catchAuthError(() => read('clawdbot', { agentId: '../x' }))
    expect(error.code).toBe('ERR_INVALID_ID')
  })

  it('reports a corrupt agent store as ERR_INVALID_ARGUMENT without its contents', async () => {
    const secret = canarySecret()
    const file = writeJson(
      join(dirs.home, '.clawdbot', 'agents', 'main', 'agent', 'auth-profiles.json'),
      `{"version":1,"profiles":{"a:b":{"type":"api_key","key":"${secret}"`,
    )
    const error = await catchAuthError(() => read('clawdbot'))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.path).toBe(file)
    expect(inspect(error, { depth: 10 })).not.toContain(secret)
  })
})
