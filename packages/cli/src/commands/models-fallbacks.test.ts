// `claw models fallbacks …` and `claw models image-fallbacks …`, run as real child processes.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'
import { GLM_47_WARNING, readConfig, updated } from '../../test/helpers/config-edits.ts'

let sandbox: ClawSandbox
let configPath: string
beforeEach(() => {
  sandbox = new ClawSandbox()
  configPath = join(sandbox.stateDir, 'claw.json')
})
afterEach(() => sandbox.dispose())

describe('claw models fallbacks', () => {
  it('adds canonical keys, keeps the primary (also from the string form) and is idempotent', async () => {
    sandbox.writeConfig({
      agents: {
        defaults: { model: 'openai/gpt-5.2', models: { 'openai/gpt-5.2': { alias: 'gpt' } } },
      },
    })
    expect(await sandbox.run(['models', 'fallbacks', 'add', 'z-ai/glm-4.7'])).toEqual({
      code: 0,
      stdout: `${updated(configPath)}\nFallbacks: zai/glm-4.7\n`,
      stderr: GLM_47_WARNING,
    })
    const added = await sandbox.run(['models', 'fallbacks', 'add', 'anthropic/opus-4.5'])
    expect(added.stdout).toBe(
      `${updated(configPath)}\nFallbacks: zai/glm-4.7, anthropic/claude-opus-4-5\n`,
    )
    const before = readFileSync(configPath, 'utf8')
    // Already present (under another spelling): nothing is written.
    expect(await sandbox.run(['models', 'fallbacks', 'add', 'Z.AI/glm-4.7'])).toEqual({
      code: 0,
      stdout: 'Fallbacks: zai/glm-4.7, anthropic/claude-opus-4-5\n',
      stderr: '',
    })
    expect(readFileSync(configPath, 'utf8')).toBe(before)
    expect(readConfig(configPath)).toEqual({
      agents: {
        defaults: {
          model: {
            primary: 'openai/gpt-5.2',
            fallbacks: ['zai/glm-4.7', 'anthropic/claude-opus-4-5'],
          },
          models: {
            'openai/gpt-5.2': { alias: 'gpt' },
            'zai/glm-4.7': {},
            'anthropic/claude-opus-4-5': {},
          },
        },
      },
    })
  })

  it('lists fallbacks as written in every output mode', async () => {
    sandbox.writeConfig({
      agents: {
        defaults: { model: { primary: 'openai/gpt-5.2', fallbacks: ['Z.AI/glm-4.7', 'opus'] } },
      },
    })
    expect((await sandbox.run(['models', 'fallbacks', 'list'])).stdout).toBe(
      'Fallbacks (2):\n- Z.AI/glm-4.7\n- opus\n',
    )
    expect((await sandbox.run(['models', 'fallbacks', 'list', '--plain'])).stdout).toBe(
      'Z.AI/glm-4.7\nopus\n',
    )
    expect(parseJsonOutput(await sandbox.run(['models', 'fallbacks', 'list', '--json']))).toEqual({
      schemaVersion: 1,
      fallbacks: ['Z.AI/glm-4.7', 'opus'],
    })
    expect((await sandbox.run(['models', 'image-fallbacks', 'list'])).stdout).toBe(
      'Image fallbacks (0):\n- none\n',
    )
    expect(
      parseJsonOutput(await sandbox.run(['models', 'image-fallbacks', 'list', '--json'])),
    ).toEqual({ schemaVersion: 1, fallbacks: [] })
  })

  it('removes every entry that resolves to the model, by alias too', async () => {
    sandbox.writeConfig({
      agents: {
        defaults: {
          model: {
            primary: 'openai/gpt-5.2',
            fallbacks: ['Z.AI/glm-4.7', 'anthropic/claude-opus-4-5', 'zai/glm-4.7'],
          },
          models: { 'zai/glm-4.7': { alias: 'glm' } },
        },
      },
    })
    expect(await sandbox.run(['models', 'fallbacks', 'remove', 'glm'])).toEqual({
      code: 0,
      stdout: `${updated(configPath)}\nFallbacks: anthropic/claude-opus-4-5\n`,
      stderr: '',
    })
    expect(await sandbox.run(['models', 'fallbacks', 'remove', 'glm'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Fallback not found: zai/glm-4.7\n',
    })
    expect(await sandbox.run(['models', 'fallbacks', 'clear'])).toEqual({
      code: 0,
      stdout: `${updated(configPath)}\nFallback list cleared.\n`,
      stderr: '',
    })
    expect(readConfig(configPath)).toEqual({
      agents: {
        defaults: {
          model: { primary: 'openai/gpt-5.2', fallbacks: [] },
          models: { 'zai/glm-4.7': { alias: 'glm' } },
        },
      },
    })
  })

  it('image-fallbacks edit agents.defaults.imageModel only', async () => {
    sandbox.writeConfig({
      agents: {
        defaults: {
          model: { primary: 'openai/gpt-5.2', fallbacks: ['zai/glm-4.7'] },
          imageModel: 'openai/gpt-4o',
        },
      },
    })
    expect(await sandbox.run(['models', 'image-fallbacks', 'add', 'google/gemini-3-pro'])).toEqual({
      code: 0,
      stdout: `${updated(configPath)}\nImage fallbacks: google/gemini-3-pro-preview\n`,
      stderr: '',
    })
    expect(await sandbox.run(['models', 'image-fallbacks', 'remove', 'zai/glm-4.7'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Image fallback not found: zai/glm-4.7\n',
    })
    expect(readConfig(configPath)).toEqual({
      agents: {
        defaults: {
          model: { primary: 'openai/gpt-5.2', fallbacks: ['zai/glm-4.7'] },
          imageModel: { primary: 'openai/gpt-4o', fallbacks: ['google/gemini-3-pro-preview'] },
          models: { 'google/gemini-3-pro-preview': {} },
        },
      },
    })
    expect(await sandbox.run(['models', 'image-fallbacks', 'clear'])).toEqual({
      code: 0,
      stdout: `${updated(configPath)}\nImage fallback list cleared.\n`,
      stderr: '',
    })
    expect(readConfig(configPath)).toMatchObject({
      agents: { defaults: { imageModel: { primary: 'openai/gpt-4o', fallbacks: [] } } },
    })
  })
})
