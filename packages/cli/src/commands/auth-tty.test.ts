// Interactive flows on a real pseudo-terminal: hidden secret prompts never echo the secret, and
// the onboard wizard's happy path.
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

  it('onboard runs the wizard: provider, hidden key, default model', async () => {
    const key = canarySecret('sk-ant-api03-')
    const result = await runClawOnTty(['onboard'], sandbox.baseEnv(), [
      { waitFor: 'Choice [1]: ', input: '1\r' },
      { waitFor: 'Paste the API key for anthropic (hidden): ', input: `${key}\r` },
      { waitFor: 'Default model [anthropic/claude-opus-4-5]: ', input: '\r' },
    ])
    sandbox.outputs.push(result.output)
    expect(result.code).toBe(0)
    expect(result.output).toContain('1) Anthropic API key')
    expect(result.output).toContain('Auth profile: anthropic:default (anthropic/api_key)')
    expect(result.output).toContain('Default model: anthropic/claude-opus-4-5')
    expect(sandbox.leaks([key])).toEqual([])
    const config = readJson(join(sandbox.stateDir, 'claw.json'))
    expect(config).toEqual({
      auth: { profiles: { 'anthropic:default': { provider: 'anthropic', mode: 'api_key' } } },
      agents: {
        defaults: {
          model: { primary: 'anthropic/claude-opus-4-5' },
          models: { 'anthropic/claude-opus-4-5': {} },
        },
      },
    })
    const store = readJson(join(sandbox.agentDir(), 'auth-profiles.json'))
    expect(store['profiles']?.['anthropic:default']).toMatchObject({ type: 'api_key', key })
  })

  it('onboard can skip credentials in the wizard', async () => {
    const result = await runClawOnTty(['onboard'], sandbox.baseEnv(), [
      { waitFor: 'Choice [1]: ', input: '9\r' },
    ])
    sandbox.outputs.push(result.output)
    expect(result.code).toBe(0)
    expect(result.output).toContain('Next: `claw models status`')
  })
})
