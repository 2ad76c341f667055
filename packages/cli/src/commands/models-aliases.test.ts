// `claw models aliases list | add | remove`, run as real child processes.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'
import { readConfig, updated } from '../../test/helpers/config-edits.ts'

let sandbox: ClawSandbox
let configPath: string
beforeEach(() => {
  sandbox = new ClawSandbox()
  configPath = join(sandbox.stateDir, 'claw.json')
})
afterEach(() => sandbox.dispose())

describe('claw models aliases', () => {
  it('lists no aliases in every output mode', async () => {
    expect(await sandbox.run(['models', 'aliases', 'list'])).toEqual({
      code: 0,
      stdout: 'Aliases (0):\n- none\n',
      stderr: '',
    })
    expect(await sandbox.run(['models', 'aliases', 'list', '--plain'])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    })
    const json = await sandbox.run(['models', 'aliases', 'list', '--json'])
    expect(parseJsonOutput(json)).toEqual({ schemaVersion: 1, aliases: {} })
    expect(await sandbox.run(['models', 'aliases', 'list', '--json', '--plain'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Choose either --json or --plain, not both.\n',
    })
  })

  it('adds aliases (the model may be an alias) and lists them', async () => {
    sandbox.writeConfig({ agents: { defaults: { model: 'openai/gpt-5.2' } } })
    const first = await sandbox.run(['models', 'aliases', 'add', 'opus', 'anthropic/opus-4.5'])
    expect(first).toEqual({
      code: 0,
      stdout: `${updated(configPath)}\nAlias opus -> anthropic/claude-opus-4-5\n`,
      stderr: '',
    })
    const second = await sandbox.run(['models', 'aliases', 'add', ' glm ', 'z.ai/glm-4.7'])
    expect(second.stdout).toBe(`${updated(configPath)}\nAlias glm -> zai/glm-4.7\n`)
    // Re-pointing the same model's alias replaces it.
    const third = await sandbox.run(['models', 'aliases', 'add', 'big', 'OPUS'])
    expect(third.stdout).toBe(`${updated(configPath)}\nAlias big -> anthropic/claude-opus-4-5\n`)

    expect(readConfig(configPath)).toEqual({
      agents: {
        defaults: {
          model: 'openai/gpt-5.2',
          models: {
            'anthropic/claude-opus-4-5': { alias: 'big' },
            'zai/glm-4.7': { alias: 'glm' },
          },
        },
      },
    })
    expect(parseJsonOutput(await sandbox.run(['models', 'aliases', 'list', '--json']))).toEqual({
      schemaVersion: 1,
      aliases: { big: 'anthropic/claude-opus-4-5', glm: 'zai/glm-4.7' },
    })
    expect((await sandbox.run(['models', 'aliases', 'list', '--plain'])).stdout).toBe(
      'big anthropic/claude-opus-4-5\nglm zai/glm-4.7\n',
    )
    expect((await sandbox.run(['models', 'aliases', 'list'])).stdout).toBe(
      'Aliases (2):\n- big -> anthropic/claude-opus-4-5\n- glm -> zai/glm-4.7\n',
    )
  })

  it('validates aliases and refuses one that points elsewhere', async () => {
    sandbox.writeConfig({ agents: { defaults: { models: { 'zai/glm-4.7': { alias: 'glm' } } } } })
    const before = readFileSync(configPath, 'utf8')
    const cases: [string[], string][] = [
      [
        ['bad alias', 'openai/gpt-5.2'],
        'Alias must use letters, numbers, dots, underscores, colons, or dashes.',
      ],
      [
        ['a/b', 'openai/gpt-5.2'],
        'Alias must use letters, numbers, dots, underscores, colons, or dashes.',
      ],
      [['  ', 'openai/gpt-5.2'], 'Alias cannot be empty.'],
      [['GLM', 'openai/gpt-5.2'], 'Alias GLM already points to zai/glm-4.7.'],
      [['fast', 'openai/'], 'Invalid model reference: openai/'],
    ]
    for (const [args, message] of cases) {
      const result = await sandbox.run(['models', 'aliases', 'add', ...args])
      expect(result).toEqual({ code: 1, stdout: '', stderr: `${message}\n` })
    }
    expect(readFileSync(configPath, 'utf8')).toBe(before)
  })

  it('removes aliases and says when none remain', async () => {
    sandbox.writeConfig({
      agents: {
        defaults: {
          models: { 'zai/glm-4.7': { alias: 'glm' }, 'openai/gpt-5.2': { alias: 'gpt' } },
        },
      },
    })
    expect(await sandbox.run(['models', 'aliases', 'remove', 'nope'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Alias not found: nope\n',
    })
    expect(await sandbox.run(['models', 'aliases', 'remove', 'glm'])).toEqual({
      code: 0,
      stdout: `${updated(configPath)}\n`,
      stderr: '',
    })
    expect(await sandbox.run(['models', 'aliases', 'remove', 'GPT'])).toEqual({
      code: 0,
      stdout: `${updated(configPath)}\nNo aliases configured.\n`,
      stderr: '',
    })
    expect(readConfig(configPath)).toEqual({
      agents: { defaults: { models: { 'zai/glm-4.7': {}, 'openai/gpt-5.2': {} } } },
    })
  })

  it('escapes control characters in keys and aliases it prints', async () => {
    sandbox.writeConfig({
      agents: { defaults: { models: { 'openai/gpt\u001b[31m-red': { alias: 'red' } } } },
    })
    const result = await sandbox.run(['models', 'aliases', 'list'])
    expect(result.stdout).toBe('Aliases (1):\n- red -> openai/gpt\\u{1b}[31m-red\n')
    expect(result.stdout).not.toContain('\u001b')
  })
})
