// `claw models list`: configured rows with their tags, --all, --provider, --local, the three
// output modes. Real child processes against temp state dirs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiKeyCredential, buildAuthProfileStore, canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox()
})
afterEach(() => sandbox.dispose())

const config = {
  agents: {
    defaults: {
      model: { primary: 'fast', fallbacks: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4o'] },
      imageModel: { primary: 'openai/gpt-4o', fallbacks: ['openai/gpt-nonexistent'] },
      models: {
        'openai/gpt-4o': { alias: 'fast' },
        'local/llama3': {},
      },
    },
  },
  models: {
    providers: {
      local: {
        baseUrl: 'http://localhost:11434/v1',
        models: [{ id: 'llama3', name: 'Llama 3', contextWindow: 900, input: ['text'] }],
      },
    },
  },
}

describe('claw models list', () => {
  it('--json lists configured models with merged tags, auth and missing entries', async () => {
    sandbox.writeConfig(config)
    const key = canarySecret('sk-proj-')
    sandbox.writeStore(
      buildAuthProfileStore({ profiles: { 'openai:a': apiKeyCredential('openai', key) } }),
    )
    const result = await sandbox.run(['models', 'list', '--json'])
    expect(result.code).toBe(0)
    expect(parseJsonOutput(result)).toEqual({
      schemaVersion: 1,
      count: 4,
      models: [
        {
          key: 'openai/gpt-4o',
          name: 'GPT-4o',
          input: 'text+image',
          contextWindow: 128000,
          local: false,
          available: true,
          tags: ['default', 'fallback#2', 'image', 'configured', 'alias:fast'],
          missing: false,
        },
        {
          key: 'anthropic/claude-sonnet-4-5',
          name: 'Claude Sonnet 4.5',
          input: 'text+image',
          contextWindow: 200000,
          local: false,
          available: false,
          tags: ['fallback#1'],
          missing: false,
        },
        {
          key: 'openai/gpt-nonexistent',
          name: 'openai/gpt-nonexistent',
          input: '-',
          contextWindow: null,
          local: null,
          available: null,
          tags: ['img-fallback#1', 'missing'],
          missing: true,
        },
        {
          key: 'local/llama3',
          name: 'Llama 3',
          input: 'text',
          contextWindow: 900,
          local: true,
          available: false,
          tags: ['configured'],
          missing: false,
        },
      ],
    })
    expect(sandbox.leaks([key])).toEqual([])
  })

  it('prints the fixed-width table, and an env key counts as auth', async () => {
    sandbox.writeConfig(config)
    const result = await sandbox.run(['models', 'list'], {
      env: { ANTHROPIC_API_KEY: canarySecret('sk-ant-api03-') },
    })
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n')).toEqual([
      'Model                                      Input      Ctx      Local Auth  Tags',
      'openai/gpt-4o                              text+image 125k     no    no    default,fallback#2,image,configured,alias:fast',
      'anthropic/claude-sonnet-4-5                text+image 195k     no    yes   fallback#1',
      'openai/gpt-nonexistent                     -          -        -     -     img-fallback#1,missing',
      'local/llama3                               text       900      yes   no    configured',
      '',
    ])
  })

  it('--plain prints one key per line; --provider and --local filter', async () => {
    sandbox.writeConfig(config)
    expect((await sandbox.run(['models', 'list', '--plain'])).stdout).toBe(
      'openai/gpt-4o\nanthropic/claude-sonnet-4-5\nopenai/gpt-nonexistent\nlocal/llama3\n',
    )
    expect((await sandbox.run(['models', 'list', '--plain', '--provider', 'OpenAI'])).stdout).toBe(
      'openai/gpt-4o\nopenai/gpt-nonexistent\n',
    )
    expect((await sandbox.run(['models', 'list', '--plain', '--local'])).stdout).toBe(
      'local/llama3\n',
    )
  })

  it('--provider is normalised like a model ref (z.ai → zai)', async () => {
    sandbox.writeConfig({ agents: { defaults: { model: 'zai/glm-4.7' } } })
    const result = await sandbox.run(['models', 'list', '--plain', '--provider', 'Z.AI'])
    expect(result.stdout).toBe('zai/glm-4.7\n')
  })

  it('--all lists the catalog sorted by provider and id, keeping configured tags', async () => {
    sandbox.writeConfig(config)
    const result = await sandbox.run(['models', 'list', '--all', '--provider', 'openai', '--json'])
    const json = parseJsonOutput<{ count: number; models: { key: string; tags: string[] }[] }>(
      result,
    )
    expect(json.count).toBe(json.models.length)
    expect(json.count).toBeGreaterThan(5)
    const keys = json.models.map((model) => model.key)
    expect(keys.every((key) => key.startsWith('openai/'))).toBe(true)
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)))
    expect(json.models.find((model) => model.key === 'openai/gpt-4o')?.tags).toEqual([
      'default',
      'fallback#2',
      'image',
      'configured',
      'alias:fast',
    ])
    // --all does not add configured models the catalog lacks.
    expect(keys).not.toContain('openai/gpt-nonexistent')
  })

  it('says "No models found." when nothing matches', async () => {
    sandbox.writeConfig(config)
    const result = await sandbox.run(['models', 'list', '--provider', 'nobody'])
    expect(result).toEqual({ code: 0, stdout: 'No models found.\n', stderr: '' })
    const json = await sandbox.run(['models', 'list', '--provider', 'nobody', '--json'])
    expect(parseJsonOutput(json)).toEqual({ schemaVersion: 1, count: 0, models: [] })
  })

  it('rejects --json with --plain, and a corrupt store is exit 78', async () => {
    const both = await sandbox.run(['models', 'list', '--json', '--plain'])
    expect(both).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Choose either --json or --plain, not both.\n',
    })
    const path = sandbox.writeStore('not json')
    const corrupt = await sandbox.run(['models', 'list'])
    expect(corrupt.code).toBe(78)
    expect(corrupt.stderr).toContain(path)
  })
})
