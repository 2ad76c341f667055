// `claw models auth order get | set | clear` as real child processes against temp state dirs.
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiKeyCredential, buildAuthProfileStore } from '@claw/auth-profiles/testing'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'
import { normalize, storeFile } from '../../test/helpers/json-files.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-auth-')
})
afterEach(() => sandbox.dispose())

describe('models auth order', () => {
  beforeEach(() => {
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'anthropic:a': apiKeyCredential('anthropic'),
          'anthropic:b': apiKeyCredential('anthropic'),
          'openai:default': apiKeyCredential('openai'),
        },
      }),
    )
  })

  it('get / set / clear as in OpenClaw (JSON shape, plain lines, messages)', async () => {
    const none = await sandbox.run([
      'models',
      'auth',
      'order',
      'get',
      '--provider',
      'anthropic',
      '--json',
    ])
    expect(normalize(sandbox, parseJsonOutput(none))).toEqual({
      schemaVersion: 1,
      agentId: 'main',
      agentDir: '<root>/state/agents/main/agent',
      provider: 'anthropic',
      authStorePath: '<root>/state/agents/main/agent/auth-profiles.json',
      order: null,
    })
    const set = await sandbox.run([
      'models',
      'auth',
      'order',
      'set',
      '--provider',
      'Anthropic',
      ' anthropic:b',
      'anthropic:a',
      'anthropic:b',
    ])
    expect(set.code).toBe(0)
    expect(storeFile(sandbox).order).toEqual({ anthropic: ['anthropic:b', 'anthropic:a'] })
    const get = await sandbox.run(['models', 'auth', 'order', 'get', '--provider', 'anthropic'])
    expect(get.stdout).toBe(
      [
        'Agent: main',
        'Provider: anthropic',
        `Auth file: ${join(sandbox.agentDir(), 'auth-profiles.json')}`,
        'Order override: anthropic:b, anthropic:a',
        '',
      ].join('\n'),
    )
    const clear = await sandbox.run(['models', 'auth', 'order', 'clear', '--provider', 'anthropic'])
    expect(clear).toEqual({ code: 0, stdout: 'Cleared per-agent order override.\n', stderr: '' })
    expect(storeFile(sandbox)).not.toHaveProperty('order')
  })

  it('rejects missing ids, unknown profiles and profiles of another provider', async () => {
    const base = ['models', 'auth', 'order', 'set', '--provider', 'anthropic']
    expect((await sandbox.run(base)).stderr).toBe(
      'Missing profile ids. Provide one or more profile ids.\n',
    )
    expect((await sandbox.run([...base, 'anthropic:zzz'])).stderr).toBe(
      `Auth profile "anthropic:zzz" not found in ${sandbox.agentDir()}.\n`,
    )
    const other = await sandbox.run([...base, 'anthropic:a', 'openai:default'])
    expect(other).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Auth profile "openai:default" is for openai, not anthropic.\n',
    })
    expect(storeFile(sandbox)).not.toHaveProperty('order')
    expect((await sandbox.run(['models', 'auth', 'order', 'get'])).stderr).toBe(
      'Missing --provider <id>.\n',
    )
  })
})
