// How the config-writing model commands handle the config file itself: concurrent writers, ${VAR}
// references, 0600 and the .bak, clawdbot.json, invalid and unreadable configs. Real child
// processes.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import JSON5 from 'json5'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox } from '../../test/helpers/claw.ts'
import { readConfig, updated } from '../../test/helpers/config-edits.ts'

let sandbox: ClawSandbox
let configPath: string
beforeEach(() => {
  sandbox = new ClawSandbox()
  configPath = join(sandbox.stateDir, 'claw.json')
})
afterEach(() => sandbox.dispose())

const mode = (path: string): number => statSync(path).mode & 0o777

describe('config file handling', () => {
  it('loses no edit when 8 claw processes change the config at once (file lock)', async () => {
    sandbox.writeConfig({ agents: { defaults: { model: 'openai/gpt-5.2' } } })
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        sandbox.run(['models', 'aliases', 'add', `model-${index}`, `openai/model-${index}`], {
          timeoutMs: 60_000,
        }),
      ),
    )
    expect(results.map((result) => result.code)).toEqual(Array.from({ length: 8 }, () => 0))
    const config = readConfig(configPath) as {
      agents: { defaults: { models: Record<string, { alias?: string }> } }
    }
    expect(
      Object.entries(config.agents.defaults.models)
        .map(([key, entry]) => `${entry.alias} -> ${key}`)
        .sort(),
    ).toEqual(Array.from({ length: 8 }, (_, index) => `model-${index} -> openai/model-${index}`))
    expect(existsSync(`${configPath}.lock`)).toBe(false)
    expect(JSON5.parse(readFileSync(`${configPath}.bak`, 'utf8'))).toBeTypeOf('object')
  })

  it('keeps ${VAR} references (never their values), writes 0600 and keeps a .bak', async () => {
    const secret = canarySecret()
    const original = [
      '// claw config with comments',
      '{',
      '  agents: { defaults: { model: "openai/gpt-5.2" } }, // the default',
      '  models: { providers: { openai: { apiKey: "${OPENAI_KEY}" } } },',
      '}',
      '',
    ].join('\n')
    sandbox.writeConfig(original)
    const env = { OPENAI_KEY: secret }
    const set = await sandbox.run(['models', 'fallbacks', 'add', 'zai/glm-4.7'], { env })
    expect(set.code).toBe(0)
    expect(readFileSync(`${configPath}.bak`, 'utf8')).toBe(original)
    const first = readFileSync(configPath, 'utf8')
    const alias = await sandbox.run(['models', 'aliases', 'add', 'glm', 'zai/glm-4.7'], { env })
    expect(alias.code).toBe(0)
    expect(readFileSync(`${configPath}.bak`, 'utf8')).toBe(first)

    const text = readFileSync(configPath, 'utf8')
    expect(text).toContain('"apiKey": "${OPENAI_KEY}"')
    expect(readConfig(configPath)).toEqual({
      agents: {
        defaults: {
          model: { primary: 'openai/gpt-5.2', fallbacks: ['zai/glm-4.7'] },
          models: { 'zai/glm-4.7': { alias: 'glm' } },
        },
      },
      models: { providers: { openai: { apiKey: '${OPENAI_KEY}' } } },
    })
    expect(mode(configPath)).toBe(0o600)
    expect(mode(`${configPath}.bak`)).toBe(0o600)
    expect(sandbox.leaks([secret])).toEqual([])
  })

  it('edits an existing clawdbot.json in place', async () => {
    const legacy = sandbox.writeConfig(
      { agents: { defaults: { model: 'openai/gpt-5.2' } } },
      'clawdbot.json',
    )
    const result = await sandbox.run(['models', 'set', 'zai/glm-4.7'])
    expect(result.stdout).toBe(`${updated(legacy)}\nDefault model: zai/glm-4.7\n`)
    expect(existsSync(configPath)).toBe(false)
    expect(readConfig(legacy)).toMatchObject({
      agents: { defaults: { model: { primary: 'zai/glm-4.7' } } },
    })
  })

  it('refuses an invalid config with exit 78, naming the file and path', async () => {
    const original = '{ agents: { defaults: { model: { primary: 5 } } } }'
    sandbox.writeConfig(original)
    for (const args of [
      ['models', 'set', 'openai/gpt-5.2'],
      ['models', 'aliases', 'add', 'gpt', 'openai/gpt-5.2'],
      ['models', 'fallbacks', 'list'],
      ['models', 'image-fallbacks', 'clear'],
    ]) {
      expect(await sandbox.run(args)).toEqual({
        code: 78,
        stdout: '',
        stderr: `Invalid config at ${configPath}\n- agents.defaults.model: Invalid input\n`,
      })
    }
    expect(readFileSync(configPath, 'utf8')).toBe(original)
    expect(existsSync(`${configPath}.bak`)).toBe(false)
  })

  it('refuses an unparsable config and an unset ${VAR} with exit 78', async () => {
    sandbox.writeConfig('{ agents: {\n')
    const syntax = await sandbox.run(['models', 'fallbacks', 'clear'])
    expect(syntax.code).toBe(78)
    expect(syntax.stderr).toMatch(new RegExp(`^Invalid config at ${configPath}:\\d+:\\d+: JSON5`))

    sandbox.writeConfig('{ models: { providers: { openai: { apiKey: "${MISSING_KEY}" } } } }')
    expect(await sandbox.run(['models', 'set', 'openai/gpt-5.2'])).toEqual({
      code: 78,
      stdout: '',
      stderr: `Environment variable MISSING_KEY is not set (referenced at models.providers.openai.apiKey in ${configPath})\n`,
    })
  })

  it('reports a config path that is not a readable file with exit 78', async () => {
    const result = await sandbox.run(['models', 'fallbacks', 'list'], {
      env: { CLAW_CONFIG_PATH: sandbox.home },
    })
    expect(result).toEqual({
      code: 78,
      stdout: '',
      stderr: `Config file ${sandbox.home} is not a regular file (found a directory); claw will not read it.\n`,
    })
  })
})
