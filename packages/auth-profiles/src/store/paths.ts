import { realpathSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import type { CatalogConfig } from '@claw/model-catalog'
import { AuthProfilesError } from '../errors.js'
import { assertAgentId, DEFAULT_AGENT_ID } from '../ids.js'
import { resolveEnv, resolveHomeDir, type Env } from '../runtime.js'
import { AUTH_PROFILE_FILENAME } from '../types.js'

/** @public */
export interface ResolveStateDirOptions {
  readonly env?: Env
  readonly homeDir?: string
}

function expandHome(path: string, homeDir: string): string {
  if (path === '~') return homeDir
  if (path.startsWith('~/')) return join(homeDir, path.slice(2))
  return path
}

function assertPath(path: string, label: string): void {
  if (path.includes('\u0000')) {
    throw new AuthProfilesError('ERR_INVALID_ARGUMENT', `${label} contains a NUL byte.`)
  }
}

/**
 * The state directory: `CLAW_STATE_DIR` (trimmed, `~` expanded, made absolute) or `~/.claw`.
 * Point `CLAW_STATE_DIR` at an existing `~/.clawdbot` to use a Clawdbot installation as is.
 *
 * @public
 */
export function resolveStateDir(options: ResolveStateDirOptions = {}): string {
  const homeDir = resolveHomeDir(options)
  const override = resolveEnv(options)['CLAW_STATE_DIR']?.trim()
  if (override) {
    assertPath(override, 'CLAW_STATE_DIR')
    return resolve(expandHome(override, homeDir))
  }
  return join(homeDir, '.claw')
}

/** @public */
export interface ResolveAgentDirOptions extends ResolveStateDirOptions {
  /** Defaults to {@link resolveStateDir}. */
  readonly stateDir?: string
  /** `agents.list[].agentDir` overrides the default location. */
  readonly config?: CatalogConfig | undefined
}

/**
 * The directory of an agent's files: `agents.list[<id>].agentDir` when configured (`~`
 * expanded), else `<stateDir>/agents/<id>/agent`. The id is validated before anything else.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ID` for an invalid agent id.
 * @public
 */
export function resolveAgentDir(
  agentId: string = DEFAULT_AGENT_ID,
  options: ResolveAgentDirOptions = {},
): string {
  assertAgentId(agentId)
  const configured = options.config?.agents?.list
    ?.find((entry) => entry.id.trim() === agentId)
    ?.agentDir?.trim()
  if (configured) {
    assertPath(configured, `agents.list[${agentId}].agentDir`)
    return resolve(expandHome(configured, resolveHomeDir(options)))
  }
  const stateDir = options.stateDir ?? resolveStateDir(options)
  return join(stateDir, 'agents', agentId, 'agent')
}

/** `path` with symbolic links resolved as far as it exists (the rest appended as written). */
function realpathOfExisting(path: string): string {
  let missing = ''
  for (let current = path; ; current = dirname(current)) {
    try {
      const real = realpathSync(current)
      return missing === '' ? real : join(real, missing)
    } catch {
      if (dirname(current) === current) return path
      missing =
        missing === ''
          ? relative(dirname(current), current)
          : join(relative(dirname(current), current), missing)
    }
  }
}

/**
 * Why the agent dir claw lays out itself (`<stateDir>/agents/<id>/agent`) cannot be used, or
 * `undefined` when it can: through a symbolic link it resolves outside the state dir, so writes
 * would land somewhere nobody chose. A dir configured with `agents.list[].agentDir` is a choice
 * and is never refused; a state dir that is itself a link is fine.
 *
 * @public
 */
export function checkAgentDirLocation(
  agentId: string = DEFAULT_AGENT_ID,
  options: ResolveAgentDirOptions = {},
): string | undefined {
  const configured = options.config?.agents?.list
    ?.find((entry) => entry.id.trim() === agentId)
    ?.agentDir?.trim()
  if (configured) return undefined
  const stateDir = options.stateDir ?? resolveStateDir(options)
  const agentDir = resolveAgentDir(agentId, { ...options, stateDir })
  const realState = realpathOfExisting(stateDir)
  const realAgent = realpathOfExisting(agentDir)
  const inside = relative(realState, realAgent)
  if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) return undefined
  return `the agent dir ${agentDir} resolves to ${realAgent}, outside the state dir ${stateDir} (a symbolic link?); claw does not write there. Set agents.list[].agentDir to ${realAgent} in the config if that is where this agent's files belong`
}

/**
 * The main agent's directory when `agentDir` follows the `<stateDir>/agents/<id>/agent` layout for
 * another agent, else `undefined`. Sub-agents read the main agent's profiles through it.
 *
 * @internal
 */
export function inferMainAgentDir(agentDir: string): string | undefined {
  const match = /^(.*)[/\\]agents[/\\]([^/\\]+)[/\\]agent[/\\]?$/.exec(agentDir)
  if (!match?.[1] || match[2] === DEFAULT_AGENT_ID) return undefined
  return join(match[1], 'agents', DEFAULT_AGENT_ID, 'agent')
}

/** `<agentDir>/auth-profiles.json`, after checking that `agentDir` is absolute. @public */
export function resolveAuthStorePath(agentDir: string): string {
  if (typeof agentDir !== 'string' || !isAbsolute(agentDir)) {
    throw new AuthProfilesError('ERR_INVALID_ARGUMENT', 'agentDir must be an absolute path.')
  }
  assertPath(agentDir, 'agentDir')
  return join(agentDir, AUTH_PROFILE_FILENAME)
}

/** The legacy OAuth import file: `$CLAW_OAUTH_DIR/oauth.json` or `<stateDir>/credentials/oauth.json`. @public */
export function resolveLegacyOAuthPath(options: ResolveAgentDirOptions = {}): string {
  const override = resolveEnv(options)['CLAW_OAUTH_DIR']?.trim()
  if (override) {
    assertPath(override, 'CLAW_OAUTH_DIR')
    return join(resolve(expandHome(override, resolveHomeDir(options))), 'oauth.json')
  }
  return join(options.stateDir ?? resolveStateDir(options), 'credentials', 'oauth.json')
}
