// Where each source's file is: the explicit path, an environment variable, else the tool's default.
import { stat } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { AuthProfilesError } from '../../errors.js'
import { resolveEnv, resolveHomeDir, type Env } from '../../runtime.js'
import type { ReadExternalCredentialsOptions, ResolveExternalCliPathOptions } from './types.js'
import { sourceInfo } from './external-cli-sources.js'

function expandPath(raw: string, homeDir: string, label: string): string {
  if (raw.includes('\u0000')) {
    throw new AuthProfilesError('ERR_INVALID_ARGUMENT', `${label} contains a NUL byte.`)
  }
  let path = raw
  if (path === '~') path = homeDir
  else if (path.startsWith('~/')) path = join(homeDir, path.slice(2))
  return isAbsolute(path) ? path : resolve(path)
}

function envDir(env: Env, name: string, homeDir: string): string | undefined {
  const value = env[name]?.trim()
  return value ? expandPath(value, homeDir, name) : undefined
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

const CLAWDBOT_STATE_DIR_ENV = ['OPENCLAW_STATE_DIR', 'MOLTBOT_STATE_DIR', 'CLAWDBOT_STATE_DIR']
const CLAWDBOT_STATE_DIR_NAMES = ['.clawdbot', '.moltbot', '.openclaw']

function clawdbotEnvDir(env: Env, homeDir: string): string | undefined {
  for (const name of CLAWDBOT_STATE_DIR_ENV) {
    const dir = envDir(env, name, homeDir)
    if (dir) return dir
  }
  return undefined
}

/** The explicit `path`, else the default location (for `clawdbot`: the first existing dir). */
export async function resolveSourcePath(options: ReadExternalCredentialsOptions): Promise<string> {
  const homeDir = resolveHomeDir(options)
  if (options.path !== undefined) {
    if (typeof options.path !== 'string' || options.path.trim() === '') {
      throw new AuthProfilesError('ERR_INVALID_ARGUMENT', 'path must be a non-empty string.')
    }
    return expandPath(options.path, homeDir, 'path')
  }
  if (options.source !== 'clawdbot' || clawdbotEnvDir(resolveEnv(options), homeDir)) {
    return resolveExternalCliPath(options)
  }
  for (const name of CLAWDBOT_STATE_DIR_NAMES) {
    const dir = join(homeDir, name)
    if (await exists(dir)) return dir
  }
  return resolveExternalCliPath(options)
}

/**
 * The default location of a source's file: `$CLAUDE_CONFIG_DIR/.credentials.json` or
 * `~/.claude/.credentials.json`, `$CODEX_HOME/auth.json` or `~/.codex/auth.json`,
 * `~/.qwen/oauth_creds.json`, `~/.copilot/credentials.json`; for `clawdbot` the state dir named by
 * `OPENCLAW_STATE_DIR` / `MOLTBOT_STATE_DIR` / `CLAWDBOT_STATE_DIR`, else `~/.clawdbot` (the
 * reader also tries `~/.moltbot` and `~/.openclaw` when that does not exist). Environment values
 * are trimmed, `~` is expanded and relative paths are made absolute.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ARGUMENT` for an unknown source or a NUL byte.
 * @public
 */
export function resolveExternalCliPath(options: ResolveExternalCliPathOptions): string {
  const source = sourceInfo(options.source).id
  const homeDir = resolveHomeDir(options)
  const env = resolveEnv(options)
  switch (source) {
    case 'claude-cli':
      return join(
        envDir(env, 'CLAUDE_CONFIG_DIR', homeDir) ?? join(homeDir, '.claude'),
        '.credentials.json',
      )
    case 'codex-cli':
      return join(envDir(env, 'CODEX_HOME', homeDir) ?? join(homeDir, '.codex'), 'auth.json')
    case 'qwen-cli':
      return join(homeDir, '.qwen', 'oauth_creds.json')
    case 'copilot':
      return join(homeDir, '.copilot', 'credentials.json')
    case 'clawdbot':
      return clawdbotEnvDir(env, homeDir) ?? join(homeDir, '.clawdbot')
  }
}
