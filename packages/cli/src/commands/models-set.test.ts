// `claw models set | set-image`, run as real child processes: the primary written (aliases
// resolved, providers normalised), the fallbacks kept, bad refs refused.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ClawSandbox } from '../../test/helpers/claw.ts'
import { GLM_47_WARNING, readConfig, updated } from '../../test/helpers/config-edits.ts'

let sandbox: ClawSandbox
let configPath: string
beforeEach(() => {
  sandbox = new ClawSandbox()
  configPath = join(sandbox.stateDir, 'claw.json')
})
afterEach(() => sandbox.dispose())

const mode = (path: string): number => statSync(path).mode & 0o777

describe('claw models set / set-image', () => {
  it('sets the primary from a string-form model, normalising the provider', async () => {
    sandbox.writeConfig({ agents: { defaults: { model: 'openai/gpt-5.2' } } })
    const result = await sandbox.run(['models', 'set', 'Z.AI/glm-4.7'])
    expect(result).toEqual({
      code: 0,
      stdout: `${updated(configPath)}\nDefault model: zai/glm-4.7\n`,
      stderr: GLM_47_WARNING,
    })
    expect(readConfig(configPath)).toEqual({
      agents: { defaults: { model: { primary: 'zai/glm-4.7' }, models: { 'zai/glm-4.7': {} } } },
    })
  })

  it('keeps the fallbacks, resolves aliases and reuses a non-canonical models entry', async () => {
    sandbox.writeConfig({
      agents: {
        defaults: {
          model: { primary: 'openai/gpt-5.2', fallbacks: ['anthropic/claude-opus-4-5'] },
          models: { 'Z.AI/glm-4.7': { alias: 'glm' } },
        },
      },
    })
    const result = await sandbox.run(['models', 'set', 'GLM'])
    expect(result.stdout).toBe(`${updated(configPath)}\nDefault model: zai/glm-4.7\n`)
    expect(readConfig(configPath)).toEqual({
      agents: {
        defaults: {
          model: { primary: 'zai/glm-4.7', fallbacks: ['anthropic/claude-opus-4-5'] },
          models: { 'Z.AI/glm-4.7': { alias: 'glm' } },
        },
      },
    })
  })

  it('creates the config file (0600, no .bak) when there is none', async () => {
    const result = await sandbox.run(['models', 'set', 'anthropic/opus-4.5'])
    expect(result.stdout).toBe(`${updated(configPath)}\nDefault model: anthropic/claude-opus-4-5\n`)
    expect(readConfig(configPath)).toEqual({
      agents: {
        defaults: {
          model: { primary: 'anthropic/claude-opus-4-5' },
          models: { 'anthropic/claude-opus-4-5': {} },
        },
      },
    })
    expect(mode(configPath)).toBe(0o600)
    expect(existsSync(`${configPath}.bak`)).toBe(false)
  })

  it('set-image sets imageModel.primary and keeps its fallbacks and the default model', async () => {
    sandbox.writeConfig({
      agents: {
        defaults: {
          model: 'openai/gpt-5.2',
          imageModel: { primary: 'openai/gpt-4o', fallbacks: ['google/gemini-3-pro-preview'] },
        },
      },
    })
    const result = await sandbox.run(['models', 'set-image', 'z-ai/glm-4.7'])
    expect(result).toEqual({
      code: 0,
      stdout: `${updated(configPath)}\nImage model: zai/glm-4.7\n`,
      stderr: GLM_47_WARNING,
    })
    expect(readConfig(configPath)).toEqual({
      agents: {
        defaults: {
          model: 'openai/gpt-5.2',
          imageModel: { primary: 'zai/glm-4.7', fallbacks: ['google/gemini-3-pro-preview'] },
          models: { 'zai/glm-4.7': {} },
        },
      },
    })
  })

  it('rejects an invalid model reference without touching the config', async () => {
    const original = JSON.stringify({ agents: { defaults: { model: 'openai/gpt-5.2' } } })
    sandbox.writeConfig(original)
    for (const [command, raw] of [
      ['set', 'anthropic/'],
      ['set-image', '/gpt-5.2'],
      ['set', '   '],
    ] as const) {
      const result = await sandbox.run(['models', command, raw])
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `Invalid model reference: ${raw}\n`,
      })
    }
    expect(readFileSync(configPath, 'utf8')).toBe(original)
    expect(existsSync(`${configPath}.bak`)).toBe(false)
  })

  it('requires the model argument', async () => {
    const result = await sandbox.run(['models', 'set'])
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'Missing argument <model>.\n' })
  })
})
