// The config-writing model commands: `models set|set-image`, `models aliases …`,
// `models fallbacks …` and `models image-fallbacks …`, run as real child processes.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import JSON5 from 'json5'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'

let sandbox: ClawSandbox
let configPath: string
beforeEach(() => {
  sandbox = new ClawSandbox()
  configPath = join(sandbox.stateDir, 'claw.json')
})
afterEach(() => sandbox.dispose())

const readConfig = (path = configPath): unknown => JSON5.parse(readFileSync(path, 'utf8'))
const mode = (path: string): number => statSync(path).mode & 0o777
const updated = (path = configPath) => `Updated ${path}`
// zai/glm-4.7 is newer than the built-in catalog: written, with a warning.
const GLM_47_WARNING =
  'Warning: zai has no model "glm-4.7" in the catalog (did you mean glm-4.5?); saved anyway (--strict refuses). `claw models scan` lists what a provider serves.\n'

describe('claw models set / set-image', () => {
  it('sets the primary from a string-form model, normalising the provider', async () => {
    sandbox.writeConfig({ agents: { defaults: { model: 'openai/gpt-5.2' } } })
    const result = await sandbox.run(['models', 'set', 'Z.AI/glm-4.7'])
    expect(result).toEqual({
      code: 0,
      stdout: `${updated()}\nDefault model: zai/glm-4.7\n`,
      stderr: GLM_47_WARNING,
    })
    expect(readConfig()).toEqual({
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
    expect(result.stdout).toBe(`${updated()}\nDefault model: zai/glm-4.7\n`)
    expect(readConfig()).toEqual({
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
    expect(result.stdout).toBe(`${updated()}\nDefault model: anthropic/claude-opus-4-5\n`)
    expect(readConfig()).toEqual({
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
      stdout: `${updated()}\nImage model: zai/glm-4.7\n`,
      stderr: GLM_47_WARNING,
    })
    expect(readConfig()).toEqual({
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
      stdout: `${updated()}\nAlias opus -> anthropic/claude-opus-4-5\n`,
      stderr: '',
    })
    const second = await sandbox.run(['models', 'aliases', 'add', ' glm ', 'z.ai/glm-4.7'])
    expect(second.stdout).toBe(`${updated()}\nAlias glm -> zai/glm-4.7\n`)
    // Re-pointing the same model's alias replaces it.
    const third = await sandbox.run(['models', 'aliases', 'add', 'big', 'OPUS'])
    expect(third.stdout).toBe(`${updated()}\nAlias big -> anthropic/claude-opus-4-5\n`)

    expect(readConfig()).toEqual({
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
      stdout: `${updated()}\n`,
      stderr: '',
    })
    expect(await sandbox.run(['models', 'aliases', 'remove', 'GPT'])).toEqual({
      code: 0,
      stdout: `${updated()}\nNo aliases configured.\n`,
      stderr: '',
    })
    expect(readConfig()).toEqual({
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

describe('claw models fallbacks', () => {
  it('adds canonical keys, keeps the primary (also from the string form) and is idempotent', async () => {
    sandbox.writeConfig({
      agents: {
        defaults: { model: 'openai/gpt-5.2', models: { 'openai/gpt-5.2': { alias: 'gpt' } } },
      },
    })
    expect(await sandbox.run(['models', 'fallbacks', 'add', 'z-ai/glm-4.7'])).toEqual({
      code: 0,
      stdout: `${updated()}\nFallbacks: zai/glm-4.7\n`,
      stderr: GLM_47_WARNING,
    })
    const added = await sandbox.run(['models', 'fallbacks', 'add', 'anthropic/opus-4.5'])
    expect(added.stdout).toBe(`${updated()}\nFallbacks: zai/glm-4.7, anthropic/claude-opus-4-5\n`)
    const before = readFileSync(configPath, 'utf8')
    // Already present (under another spelling): nothing is written.
    expect(await sandbox.run(['models', 'fallbacks', 'add', 'Z.AI/glm-4.7'])).toEqual({
      code: 0,
      stdout: 'Fallbacks: zai/glm-4.7, anthropic/claude-opus-4-5\n',
      stderr: '',
    })
    expect(readFileSync(configPath, 'utf8')).toBe(before)
    expect(readConfig()).toEqual({
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
      stdout: `${updated()}\nFallbacks: anthropic/claude-opus-4-5\n`,
      stderr: '',
    })
    expect(await sandbox.run(['models', 'fallbacks', 'remove', 'glm'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Fallback not found: zai/glm-4.7\n',
    })
    expect(await sandbox.run(['models', 'fallbacks', 'clear'])).toEqual({
      code: 0,
      stdout: `${updated()}\nFallback list cleared.\n`,
      stderr: '',
    })
    expect(readConfig()).toEqual({
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
      stdout: `${updated()}\nImage fallbacks: google/gemini-3-pro-preview\n`,
      stderr: '',
    })
    expect(await sandbox.run(['models', 'image-fallbacks', 'remove', 'zai/glm-4.7'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Image fallback not found: zai/glm-4.7\n',
    })
    expect(readConfig()).toEqual({
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
      stdout: `${updated()}\nImage fallback list cleared.\n`,
      stderr: '',
    })
    expect(readConfig()).toMatchObject({
      agents: { defaults: { imageModel: { primary: 'openai/gpt-4o', fallbacks: [] } } },
    })
  })
})

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
    const config = readConfig() as {
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
    expect(readConfig()).toEqual({
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
