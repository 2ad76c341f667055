// `claw models auth token`: the resolved credential on stdout for another program, an expired
// OAuth token refreshed first, refused on a terminal without --show, and written nowhere else.
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  oauthCredential,
} from '@claw/auth-profiles/testing'
import { startTokenServer } from '../../../auth-profiles/test/fixtures/token-server.ts'
import { ClawSandbox } from '../../test/helpers/claw.ts'
import { runClawOnTty } from '../../test/helpers/tty.ts'

const HOUR = 3_600_000
const TOKEN = ['models', 'auth', 'token']

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-auth-token-')
})
afterEach(() => sandbox.dispose())

function twoKeys(): { first: string; second: string } {
  const first = canarySecret('sk-')
  const second = canarySecret('sk-')
  sandbox.writeStore(
    buildAuthProfileStore({
      profiles: {
        'openai:default': apiKeyCredential('openai', first),
        'openai:work': apiKeyCredential('openai', second),
      },
      order: { openai: ['openai:work', 'openai:default'] },
    }),
  )
  return { first, second }
}

describe('piped', () => {
  it('prints only the secret: the provider’s current credential, or exactly the profile’s', async () => {
    const { first, second } = twoKeys()
    const byProvider = await sandbox.run([...TOKEN, '--provider', 'openai'])
    expect(byProvider).toEqual({ code: 0, stdout: `${second}\n`, stderr: '' })
    const byProfile = await sandbox.run([...TOKEN, '--profile', 'openai:default'])
    expect(byProfile).toEqual({ code: 0, stdout: `${first}\n`, stderr: '' })
    // The secret is in the store and on stdout, nowhere else under the state dir or home.
    sandbox.outputs.length = 0
    expect(sandbox.leaks([first, second])).toEqual([])
  })

  it('falls back to the provider’s env var like every other command', async () => {
    const key = canarySecret('sk-ant-api03-')
    const result = await sandbox.run([...TOKEN, '--provider', 'anthropic'], {
      env: { ANTHROPIC_API_KEY: key },
    })
    expect(result).toEqual({ code: 0, stdout: `${key}\n`, stderr: '' })
  })

  it('refreshes an expired OAuth token first and prints the new one', async () => {
    const tokens = await startTokenServer({ defaultStep: { kind: 'ok', expiresIn: 48 * 3600 } })
    try {
      const old = oauthCredential('qwen-portal', Date.now() - HOUR)
      await tokens.seed(old.refresh)
      sandbox.writeConfig({
        auth: { oauth: { 'qwen-portal': { tokenEndpoint: tokens.tokenEndpoint } } },
      })
      const storePath = sandbox.writeStore(
        buildAuthProfileStore({ profiles: { 'qwen-portal:me': old } }),
      )
      const result = await sandbox.run([...TOKEN, '--profile', 'qwen-portal:me'])
      expect(result.code).toBe(0)
      expect(result.stderr).toBe('')
      const stats = await tokens.stats()
      expect(stats.rotations).toBe(1)
      const fresh = result.stdout.trim()
      expect(fresh).not.toBe(old.access)
      expect(stats.issued).toContain(fresh)
      const stored = JSON.parse(readFileSync(storePath, 'utf8')) as {
        profiles: Record<string, { access: string }>
      }
      expect(stored.profiles['qwen-portal:me']?.access).toBe(fresh)
      sandbox.outputs.length = 0
      expect(sandbox.leaks([fresh, old.access, old.refresh, ...stats.issued])).toEqual([])
    } finally {
      await tokens.close()
    }
  })

  it('says what is wrong: no flag, unknown profile, mismatched provider, nothing to print', async () => {
    twoKeys()
    expect(await sandbox.run(TOKEN)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Pass --profile <id> or --provider <id>.\n',
    })
    expect(await sandbox.run([...TOKEN, '--profile', 'openai:nope'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'No auth profile openai:nope. See `claw models auth list` for the stored ones.\n',
    })
    expect(
      await sandbox.run([...TOKEN, '--profile', 'openai:work', '--provider', 'anthropic']),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Auth profile openai:work belongs to openai, not anthropic.\n',
    })
    const none = await sandbox.run([...TOKEN, '--provider', 'groq'])
    expect(none.code).toBe(1)
    expect(none.stdout).toBe('')
    expect(none.stderr).toMatch(/groq/)
  })
})

describe('on a terminal', () => {
  it('refuses without --show and prints with it', async () => {
    const { second } = twoKeys()
    const refused = await runClawOnTty([...TOKEN, '--provider', 'openai'], sandbox.baseEnv())
    expect(refused.code).toBe(1)
    expect(refused.output).toContain(
      'Refusing to print a credential to the terminal (it would stay in the scrollback). Pipe it into the program that needs it, or pass --show.',
    )
    expect(refused.output).not.toContain(second)
    const shown = await runClawOnTty(
      [...TOKEN, '--provider', 'openai', '--show'],
      sandbox.baseEnv(),
    )
    expect(shown.code).toBe(0)
    expect(shown.output.trim()).toBe(second)
  })
})
