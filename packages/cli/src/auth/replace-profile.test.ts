// Pasting a secret into a profile id that already holds one: a terminal asks before replacing it,
// a script is told afterwards what was replaced.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox } from '../../test/helpers/claw.ts'
import { runClawOnTty } from '../../test/helpers/tty.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-replace-')
})
afterEach(() => sandbox.dispose())

const PASTE = ['models', 'auth', 'paste-api-key', '--provider', 'openai']

function storedKey(profileId = 'openai:default'): unknown {
  const path = join(sandbox.agentDir(), 'auth-profiles.json')
  const store = JSON.parse(readFileSync(path, 'utf8')) as {
    profiles: Record<string, { key?: string }>
  }
  return store.profiles[profileId]?.key
}

async function pasteFirst(): Promise<string> {
  const first = canarySecret('sk-')
  expect((await sandbox.run(PASTE, { stdin: first })).code).toBe(0)
  return first
}

describe('piped (no terminal)', () => {
  it('replaces the key and says so on stderr, with the old key masked', async () => {
    const first = await pasteFirst()
    const second = canarySecret('sk-')
    const result = await sandbox.run(PASTE, { stdin: second })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Auth profile: openai:default (openai/api_key)')
    expect(result.stderr).toBe(
      `Replaced an api_key credential (openai, sk-…${first.slice(-4)}) in auth profile openai:default.\n`,
    )
    expect(storedKey()).toBe(second)
    expect(sandbox.leaks([first, second])).toEqual([])
  })

  it('says so when the same key is pasted again', async () => {
    const first = await pasteFirst()
    const result = await sandbox.run(PASTE, { stdin: first })
    expect(result.code).toBe(0)
    expect(result.stderr).toBe(
      'Auth profile openai:default already held this key; stored it again.\n',
    )
  })

  it('prints nothing extra for a new profile id', async () => {
    await pasteFirst()
    const result = await sandbox.run([...PASTE, '--profile-id', 'openai:work'], {
      stdin: canarySecret('sk-'),
    })
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
  })

  it('paste-token replaces a key under the same id and says which kind it was', async () => {
    const first = await pasteFirst()
    const token = canarySecret('tok-')
    const result = await sandbox.run(
      ['models', 'auth', 'paste-token', '--provider', 'openai', '--profile-id', 'openai:default'],
      { stdin: token },
    )
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(
      `Replaced an api_key credential (openai, sk-…${first.slice(-4)}) in auth profile openai:default.`,
    )
    expect(sandbox.leaks([first, token])).toEqual([])
  })
})

describe('on a terminal', () => {
  it('asks before reading the new key, and keeps the profile when the answer is no', async () => {
    const first = await pasteFirst()
    const result = await runClawOnTty(PASTE, sandbox.baseEnv(), [
      { waitFor: 'Replace it? [y/N] ', input: 'n\r' },
    ])
    sandbox.outputs.push(result.output)
    expect(result.code).toBe(1)
    expect(result.output).toContain(
      `Auth profile openai:default already holds an api_key credential (openai, sk-…${first.slice(-4)}). Replace it? [y/N] `,
    )
    expect(result.output).toContain('Kept auth profile openai:default; nothing changed.')
    expect(result.output).not.toContain('Paste the API key')
    expect(storedKey()).toBe(first)
    expect(sandbox.leaks([first])).toEqual([])
  })

  it('replaces the key after a yes, at the hidden prompt', async () => {
    const first = await pasteFirst()
    const second = canarySecret('sk-')
    const result = await runClawOnTty(PASTE, sandbox.baseEnv(), [
      { waitFor: 'Replace it? [y/N] ', input: 'y\r' },
      { waitFor: 'Paste the API key for openai (hidden): ', input: `${second}\r` },
    ])
    sandbox.outputs.push(result.output)
    expect(result.code).toBe(0)
    expect(result.output).toContain('Replaced an api_key credential')
    expect(storedKey()).toBe(second)
    expect(sandbox.leaks([first, second])).toEqual([])
  })

  it('--yes replaces without asking', async () => {
    await pasteFirst()
    const second = canarySecret('sk-')
    const result = await runClawOnTty([...PASTE, '--yes'], sandbox.baseEnv(), [
      { waitFor: 'Paste the API key for openai (hidden): ', input: `${second}\r` },
    ])
    sandbox.outputs.push(result.output)
    expect(result.code).toBe(0)
    expect(result.output).not.toContain('Replace it?')
    expect(storedKey()).toBe(second)
  })
})
