// The onboard wizard on a real pseudo-terminal: arrow-key lists, typing to filter, a typed model
// ref checked before it is accepted, and Esc / Ctrl-C leaving nothing written.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox } from '../../test/helpers/claw.ts'
import { KEYS, runClawOnTty } from '../../test/helpers/tty.ts'

/** A parsed JSON document, indexable in assertions. */
type Doc = { [key: string]: Doc }

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-onboard-tty-')
})
afterEach(() => sandbox.dispose())

function readJson(path: string): Doc {
  return JSON.parse(readFileSync(path, 'utf8')) as Doc
}

const SET_UP = '? What do you want to set up?'

it('runs the wizard: provider, hidden key, default model (Enter takes the first of each list)', async () => {
  const key = canarySecret('sk-ant-api03-')
  const result = await runClawOnTty(['onboard'], sandbox.baseEnv(), [
    { waitFor: SET_UP, input: KEYS.enter },
    { waitFor: 'Paste the API key for anthropic (hidden): ', input: `${key}\r` },
    { waitFor: '? Default model', input: KEYS.enter },
  ])
  sandbox.outputs.push(result.output)
  expect(result.code).toBe(0)
  expect(result.output).toContain('> Anthropic API key')
  expect(result.output).toContain(`${SET_UP} Anthropic API key`)
  expect(result.output).toContain('anthropic/claude-opus-4-5  (recommended)')
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

it('moves with the arrow keys, and checks a typed model ref before taking it', async () => {
  const key = canarySecret('sk-')
  const result = await runClawOnTty(['onboard'], sandbox.baseEnv(), [
    // Down twice: OpenAI API key.
    { waitFor: SET_UP, input: `${KEYS.down}${KEYS.down}${KEYS.enter}` },
    { waitFor: 'Paste the API key for openai (hidden): ', input: `${key}\r` },
    // Up from the first entry wraps to the last: type a ref.
    { waitFor: '? Default model', input: `${KEYS.up}${KEYS.enter}` },
    { waitFor: '? Model (provider/model or alias)', input: `opneai/gpt-5.2${KEYS.enter}` },
    {
      waitFor: 'Unknown provider "opneai" in opneai/gpt-5.2. Did you mean openai?',
      input: `${KEYS.clearLine}gpt-5.2${KEYS.enter}`,
    },
  ])
  sandbox.outputs.push(result.output)
  expect(result.code).toBe(0)
  expect(result.output).toContain(`${SET_UP} OpenAI API key`)
  expect(result.output).toContain('Note: "gpt-5.2" resolved to openai/gpt-5.2')
  expect(result.output).toContain('Default model: openai/gpt-5.2')
  expect(sandbox.leaks([key])).toEqual([])
  const config = readJson(join(sandbox.stateDir, 'claw.json'))
  expect(config['agents']?.['defaults']?.['model']).toEqual({ primary: 'openai/gpt-5.2' })
})

it('finds another provider by typing part of its id', async () => {
  const key = canarySecret('gsk_')
  const result = await runClawOnTty(['onboard'], sandbox.baseEnv(), [
    // Up twice from the top: "Another provider's API key" (the last but one).
    { waitFor: SET_UP, input: `${KEYS.up}${KEYS.up}${KEYS.enter}` },
    { waitFor: '? Provider', input: 'gro' },
    { waitFor: '> groq', input: KEYS.enter },
    { waitFor: 'Paste the API key for groq (hidden): ', input: `${key}\r` },
    { waitFor: '? Default model', input: KEYS.enter },
  ])
  sandbox.outputs.push(result.output)
  expect(result.code).toBe(0)
  expect(result.output).toContain('Auth profile: groq:default (groq/api_key)')
  expect(result.output).toMatch(/Default model: groq\//)
  expect(sandbox.leaks([key])).toEqual([])
})

it('Esc cancels with exit 1 and writes nothing; a filter that matches nothing says so', async () => {
  const result = await runClawOnTty(['onboard'], sandbox.baseEnv(), [
    { waitFor: SET_UP, input: `zzz${KEYS.enter}` },
    { waitFor: 'No choice matches "zzz".', input: KEYS.escape },
  ])
  expect(result.code).toBe(1)
  expect(result.output).toContain(`${SET_UP} (cancelled)`)
  expect(result.output).toContain('Cancelled.')
  expect(existsSync(join(sandbox.stateDir, 'claw.json'))).toBe(false)
  expect(existsSync(join(sandbox.agentDir(), 'auth-profiles.json'))).toBe(false)
})

it('Ctrl-C in a later list cancels before anything is written', async () => {
  const result = await runClawOnTty(['onboard'], sandbox.baseEnv(), [
    { waitFor: SET_UP, input: `${KEYS.up}${KEYS.up}${KEYS.enter}` },
    { waitFor: '? Provider', input: KEYS.ctrlC },
  ])
  expect(result.code).toBe(1)
  expect(result.output).toContain('Cancelled.')
  expect(existsSync(join(sandbox.stateDir, 'claw.json'))).toBe(false)
})

it('can skip credentials', async () => {
  const result = await runClawOnTty(['onboard'], sandbox.baseEnv(), [
    { waitFor: SET_UP, input: `${KEYS.up}${KEYS.enter}` },
  ])
  expect(result.code).toBe(0)
  expect(result.output).toContain(`${SET_UP} Skip (set up credentials later)`)
  expect(result.output).toContain('Next: `claw models status`')
})
