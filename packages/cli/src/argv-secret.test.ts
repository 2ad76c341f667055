// A key typed where an id, provider, model or duration belongs is never printed back: every
// command of the real `claw`, every message path (unknown provider, bad duration, unknown import
// source, unknown model / alias / agent / profile, unknown command or option), with keys that
// have no known prefix (`plain-…`, AWS `AKIA…`, bare hex) as well as a prefixed one.
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { canarySecret, findCanaries } from '@claw/auth-profiles/testing'
import { argvSecrets, looksLikeSecret } from './argv-secret.ts'
import { ClawSandbox } from '../test/helpers/claw.ts'

const AWS_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** The key shapes, by name: each makes a fresh canary. */
const SHAPES: Record<string, () => string> = {
  plain: () => canarySecret('plain-'),
  aws: () => `AKIA${[...randomBytes(16)].map((byte) => AWS_ALPHABET[byte % 32]).join('')}`,
  hex: () => randomBytes(20).toString('hex'),
  prefixed: () => canarySecret('sk-proj-'),
}

/** Each command line, with `K` standing for the key. */
const COMMANDS: readonly (readonly string[])[] = [
  ['models', 'auth', 'paste-api-key', '--provider', 'K'],
  ['models', 'auth', 'paste-api-key', '--provider=K'],
  ['models', 'auth', 'paste-token', '--provider', 'openai', '--expires-in', 'K'],
  ['models', 'auth', 'paste-api-key', '--provider', 'openai', '--profile-id', 'K'],
  ['import', '--from', 'K'],
  ['models', 'auth', 'login', '--provider', 'K'],
  ['route', 'K'],
  ['route', 'openai/gpt-4o', '--profile', 'K'],
  ['route', 'openai/gpt-4o', '--simulate', 'K=auth'],
  ['route', 'K/gpt-4o'],
  ['models', 'set', 'K'],
  ['models', 'set', 'openai/K'],
  ['models', 'set-image', 'K'],
  ['models', 'aliases', 'add', 'K', 'openai/gpt-4o'],
  ['models', 'aliases', 'add', 'fast', 'K'],
  ['models', 'aliases', 'remove', 'K'],
  ['models', 'fallbacks', 'add', 'K'],
  ['models', 'fallbacks', 'remove', 'K'],
  ['agents', 'add', 'K'],
  ['agents', 'remove', 'K'],
  ['models', 'auth', 'logout', 'K'],
  ['models', 'auth', 'clear-cooldown', 'K'],
  ['models', 'auth', 'order', 'set', '--provider', 'K', 'openai:default'],
  ['models', 'auth', 'order', 'set', '--provider', 'openai', 'K'],
  ['models', 'auth', 'order', 'get', '--provider', 'K'],
  ['models', 'status', '--agent', 'K'],
  ['models', 'list', '--provider', 'K'],
  ['onboard', '--token', 'K'],
  ['onboard', '--auth-choice', 'K'],
  ['K'],
  ['models', 'K'],
  ['doctor', '--K'],
  ['models', 'status', '--debug', '--agent', '../K'],
]

const sandboxes: ClawSandbox[] = []
afterAll(() => {
  for (const sandbox of sandboxes) sandbox.dispose()
})

describe('arguments that look like credentials', () => {
  const cases = COMMANDS.flatMap((command) =>
    Object.keys(SHAPES).map((shape) => [command.join(' '), shape, command] as const),
  )

  it.concurrent.each(cases)(
    'claw %s (%s key): no output repeats it',
    async (_name, shape, command) => {
      const key = SHAPES[shape]!()
      const sandbox = new ClawSandbox('claw-argv-')
      sandboxes.push(sandbox)
      sandbox.writeConfig({})
      const args = command.map((part) => part.replace('K', key))
      const result = await sandbox.run(args, { stdin: '' })
      const output = `${result.stdout}\n${result.stderr}`
      expect(findCanaries(output, [key], args.join(' '))).toEqual([])
    },
  )

  it('recognises key shapes without a known prefix, and leaves ids alone', () => {
    for (const shape of Object.values(SHAPES)) expect(looksLikeSecret(shape())).toBe(true)
    for (const id of [
      'openai/gpt-4o-2024-08-06',
      'anthropic/claude-3-7-sonnet-20250219-thinking',
      'meta-llama/Llama-3.3-70B-Instruct-Turbo',
      'anthropic.claude-3-5-sonnet-20241022-v2:0',
      'openai:default',
      '365d',
      '/tmp/claw-cli-AbC123/state',
      'claude-cli',
    ]) {
      expect({ id, secret: looksLikeSecret(id) }).toEqual({ id, secret: false })
    }
    const key = canarySecret('plain-')
    expect(argvSecrets(['route', `openai/${key}`, '--simulate', `${key}=auth`])).toEqual([
      `openai/${key}`,
      key,
    ])
    expect(argvSecrets([`--provider=${key}`, '--agent', 'main'])).toEqual([key])
    // A key typed as a flag, letters only after its prefix (no digit to call it key material).
    expect(argvSecrets(['doctor', '--AKIAABCDEFGHIJKLMNOP'])).toEqual(['AKIAABCDEFGHIJKLMNOP'])
  })
})
