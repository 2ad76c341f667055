import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { catchAuthError } from '../../../test/helpers/errors.js'
import {
  claudePath,
  codexPath,
  qwenPath,
  copilotPath,
  read,
  useExternalCliDirs,
} from '../../../test/helpers/external-cli.js'
import { EXTERNAL_CLI_SOURCES, resolveExternalCliPath, type ExternalCliSourceId } from './index.js'

const dirs = useExternalCliDirs()

describe('EXTERNAL_CLI_SOURCES and paths', () => {
  it('lists every source as frozen data', () => {
    expect(EXTERNAL_CLI_SOURCES.map((source) => source.id)).toEqual([
      'claude-cli',
      'codex-cli',
      'qwen-cli',
      'copilot',
      'clawdbot',
    ])
    expect(Object.isFrozen(EXTERNAL_CLI_SOURCES)).toBe(true)
    expect(EXTERNAL_CLI_SOURCES.every((source) => Object.isFrozen(source))).toBe(true)
    expect(EXTERNAL_CLI_SOURCES.find((source) => source.id === 'codex-cli')).toMatchObject({
      profileId: 'openai-codex:codex-cli',
      provider: 'openai-codex',
    })
    expect(EXTERNAL_CLI_SOURCES.find((source) => source.id === 'clawdbot')?.profileId).toBeNull()
  })

  it('resolves default paths from homeDir and env', () => {
    expect(resolveExternalCliPath({ source: 'claude-cli', homeDir: dirs.home, env: {} })).toBe(
      claudePath(),
    )
    expect(
      resolveExternalCliPath({
        source: 'claude-cli',
        homeDir: dirs.home,
        env: { CLAUDE_CONFIG_DIR: ' ~/cc ' },
      }),
    ).toBe(join(dirs.home, 'cc', '.credentials.json'))
    expect(resolveExternalCliPath({ source: 'codex-cli', homeDir: dirs.home, env: {} })).toBe(
      codexPath(),
    )
    expect(
      resolveExternalCliPath({
        source: 'codex-cli',
        homeDir: dirs.home,
        env: { CODEX_HOME: '/x/cx' },
      }),
    ).toBe('/x/cx/auth.json')
    expect(resolveExternalCliPath({ source: 'qwen-cli', homeDir: dirs.home, env: {} })).toBe(
      qwenPath(),
    )
    expect(resolveExternalCliPath({ source: 'copilot', homeDir: dirs.home, env: {} })).toBe(
      copilotPath(),
    )
    expect(resolveExternalCliPath({ source: 'clawdbot', homeDir: dirs.home, env: {} })).toBe(
      join(dirs.home, '.clawdbot'),
    )
    expect(
      resolveExternalCliPath({
        source: 'clawdbot',
        homeDir: dirs.home,
        env: { OPENCLAW_STATE_DIR: '/o', CLAWDBOT_STATE_DIR: '/c' },
      }),
    ).toBe('/o')
  })

  it('rejects an unknown source', async () => {
    const error = await catchAuthError(() => read('nope' as ExternalCliSourceId))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.message).toContain('claude-cli')
  })

  it('returns undefined when the file is absent', async () => {
    for (const source of ['claude-cli', 'codex-cli', 'qwen-cli', 'copilot', 'clawdbot'] as const) {
      expect(await read(source)).toBeUndefined()
    }
  })
})
