import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AuthProfilesError } from '../errors.js'
import { assertAgentId, assertProfileId, checkAgentId, checkProfileId } from '../ids.js'
import {
  inferMainAgentDir,
  resolveAgentDir,
  resolveAuthStorePath,
  resolveLegacyOAuthPath,
  resolveStateDir,
} from './paths.js'
import { upsertAuthProfile } from './store.js'
import { apiKeyCredential } from '../testing/index.js'

describe('resolveStateDir', () => {
  it('uses CLAW_STATE_DIR (trimmed, ~ expanded, absolute) or ~/.claw', () => {
    expect(resolveStateDir({ env: {}, homeDir: '/home/me' })).toBe('/home/me/.claw')
    expect(resolveStateDir({ env: { CLAW_STATE_DIR: ' ~/.clawdbot ' }, homeDir: '/home/me' })).toBe(
      '/home/me/.clawdbot',
    )
    expect(resolveStateDir({ env: { CLAW_STATE_DIR: '/srv/claw/' }, homeDir: '/home/me' })).toBe(
      '/srv/claw',
    )
    expect(resolveStateDir({ env: { CLAW_STATE_DIR: '   ' }, homeDir: '/home/me' })).toBe(
      '/home/me/.claw',
    )
  })

  it('rejects a NUL byte', () => {
    expect(() =>
      resolveStateDir({ env: { CLAW_STATE_DIR: '/tmp/\u0000x' }, homeDir: '/h' }),
    ).toThrow(AuthProfilesError)
  })
})

describe('resolveAgentDir', () => {
  it('lays agents out under the state dir, main by default', () => {
    expect(resolveAgentDir(undefined, { stateDir: '/s' })).toBe('/s/agents/main/agent')
    expect(resolveAgentDir('work', { stateDir: '/s' })).toBe('/s/agents/work/agent')
    expect(resolveAgentDir('work', { env: { CLAW_STATE_DIR: '/x' }, homeDir: '/h' })).toBe(
      '/x/agents/work/agent',
    )
  })

  it('honours agents.list[].agentDir', () => {
    const config = { agents: { list: [{ id: 'work', agentDir: '~/work-agent' }] } }
    expect(resolveAgentDir('work', { stateDir: '/s', homeDir: '/home/me', config })).toBe(
      '/home/me/work-agent',
    )
  })

  it('infers the main agent dir of a sub-agent', () => {
    expect(inferMainAgentDir('/s/agents/work/agent')).toBe('/s/agents/main/agent')
    expect(inferMainAgentDir('/s/agents/main/agent')).toBeUndefined()
    expect(inferMainAgentDir('/somewhere/else')).toBeUndefined()
  })

  it('names the legacy files', () => {
    expect(resolveLegacyOAuthPath({ stateDir: '/s', env: {} })).toBe('/s/credentials/oauth.json')
    expect(resolveLegacyOAuthPath({ stateDir: '/s', env: { CLAW_OAUTH_DIR: '/o' } })).toBe(
      '/o/oauth.json',
    )
    expect(resolveAuthStorePath('/s/agents/main/agent')).toBe(
      '/s/agents/main/agent/auth-profiles.json',
    )
    expect(() => resolveAuthStorePath('relative')).toThrow('absolute')
  })
})

describe('agent id validation', () => {
  it.each(['main', 'work', 'Work_2', 'a-b', 'x'.repeat(64)])('accepts %j', (agentId) => {
    expect(checkAgentId(agentId)).toBeUndefined()
  })

  it.each([
    '../../etc',
    '..',
    '.',
    'a/b',
    'a\\b',
    '%2e%2e',
    '/abs',
    'nul\u0000byte',
    'x'.repeat(300),
    'CON',
    'lpt1',
    'trailing.',
    'trailing ',
    '',
    '-leading',
    'emoji😀',
  ])('rejects %j before touching the file system', (agentId) => {
    expect(checkAgentId(agentId)).toBeDefined()
    expect(() => resolveAgentDir(agentId, { stateDir: '/s' })).toThrow(AuthProfilesError)
  })

  it('says what is wrong without echoing control characters', () => {
    try {
      assertAgentId('bad\u001b[31m')
    } catch (error) {
      expect((error as AuthProfilesError).code).toBe('ERR_INVALID_ID')
      expect((error as Error).message).not.toContain('\u001b')
      return
    }
    throw new Error('expected an error')
  })
})

describe('profile id validation', () => {
  it.each(['anthropic:default', 'anthropic:me@example.com', 'openai-codex:work', 'custom:José'])(
    'accepts %j',
    (profileId) => {
      expect(checkProfileId(profileId)).toBeUndefined()
    },
  )

  it.each([
    '',
    '  ',
    ' anthropic:x',
    'anthropic:x\n',
    'a\u0000b',
    'evil\u202eid',
    'a/b',
    'a\\b',
    'a..b',
    'x'.repeat(201),
    'custom:Jose\u0301',
    '__proto__',
    'openai:',
    ':x',
    ':',
  ])('rejects %j', (profileId) => {
    expect(checkProfileId(profileId)).toBeDefined()
    expect(() => assertProfileId(profileId)).toThrow(AuthProfilesError)
  })
})

describe('traversal attempts never reach the file system', () => {
  let root: string | undefined
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true })
  })

  it('leaves a sentinel outside the state dir untouched', async () => {
    root = mkdtempSync(join(tmpdir(), 'claw-traversal-'))
    const stateDir = join(root, 'state')
    const sentinel = join(root, 'sentinel')
    writeFileSync(sentinel, 'untouched')
    for (const agentId of ['../../sentinel', '..', 'a/../../sentinel']) {
      await expect(async () =>
        upsertAuthProfile({
          agentDir: resolveAgentDir(agentId, { stateDir }),
          profileId: 'a:b',
          credential: apiKeyCredential('a'),
        }),
      ).rejects.toThrow('Invalid agent id')
    }
    expect(readdirSync(root)).toEqual(['sentinel'])
  })
})
