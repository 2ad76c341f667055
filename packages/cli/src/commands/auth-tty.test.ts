// Interactive flows on a real pseudo-terminal: hidden secret prompts never echo the secret (the
// onboard wizard's are in onboard-tty.test.ts).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox } from '../../test/helpers/claw.ts'
import { runClawOnTty } from '../../test/helpers/tty.ts'

/** A parsed JSON document, indexable in assertions. */
type Doc = { [key: string]: Doc }

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-auth-tty-')
})
afterEach(() => sandbox.dispose())

function readJson(path: string): Doc {
  return JSON.parse(readFileSync(path, 'utf8')) as Doc
}

describe('on a terminal', () => {
  it('paste-api-key reads the key at a hidden prompt and never echoes it', async () => {
    const key = canarySecret()
    const result = await runClawOnTty(
      ['models', 'auth', 'paste-api-key', '--provider', 'openai'],
      sandbox.baseEnv(),
      [{ waitFor: 'Paste the API key for openai (hidden): ', input: `${key}\r` }],
    )
    sandbox.outputs.push(result.output)
    expect(result.code).toBe(0)
    expect(result.output).toContain('Auth profile: openai:default (openai/api_key)')
    expect(sandbox.leaks([key])).toEqual([])
    const store = readJson(join(sandbox.agentDir(), 'auth-profiles.json'))
    expect(store['profiles']?.['openai:default']).toMatchObject({ type: 'api_key', key })
  })
})
