import { AuthProfilesError } from './errors.js'

/** The default agent id. @public */
export const DEFAULT_AGENT_ID = 'main'

/**
 * Sort order of agent ids: the default agent (`main`) first, then by id.
 *
 * @example
 * ```ts
 * ;['work', 'main', 'alpha'].sort(compareAgentIds) // ['main', 'alpha', 'work']
 * ```
 * @public
 */
export function compareAgentIds(a: string, b: string): number {
  if (a === b) return 0
  if (a === DEFAULT_AGENT_ID) return -1
  if (b === DEFAULT_AGENT_ID) return 1
  return a < b ? -1 : 1
}

const agentIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/
const windowsReserved = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i

const forbiddenCharacters =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
const MAX_PROFILE_ID_LENGTH = 200

function describe(raw: unknown): string {
  if (typeof raw !== 'string') return `(${typeof raw})`
  const shown = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw
  return JSON.stringify(shown).replace(
    /[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/**
 * Why an agent id is invalid, or `undefined` when it is valid. Agent ids become directory names,
 * so only `[A-Za-z0-9_-]` is allowed (starting with a letter or digit, at most 64 characters, not
 * a Windows device name): no `.`/`..`, separators, `%`, control characters or NUL.
 *
 * @public
 */
export function checkAgentId(agentId: unknown): string | undefined {
  if (typeof agentId !== 'string' || agentId === '') return 'must be a non-empty string'
  if (!agentIdPattern.test(agentId)) {
    return 'may only contain letters, digits, "_" and "-", start with a letter or digit, and be at most 64 characters'
  }
  if (windowsReserved.test(agentId)) return 'is a reserved device name'
  return undefined
}

/**
 * Throws unless `agentId` is a valid agent id (see {@link checkAgentId}). Called before any file
 * system access.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ID`.
 * @public
 */
export function assertAgentId(agentId: unknown): asserts agentId is string {
  const problem = checkAgentId(agentId)
  if (problem) {
    throw new AuthProfilesError(
      'ERR_INVALID_ID',
      `Invalid agent id ${describe(agentId)}: ${problem}.`,
    )
  }
}

/**
 * Why a profile id is invalid, or `undefined`. Profile ids (`<provider>:<name>`, e.g.
 * `anthropic:me@example.com`) are map keys and appear in lock names and terminal output: they
 * must be NFC-normalised, at most 200 characters, without control or bidi-override characters,
 * path separators or `..`, and neither part of `<provider>:<name>` may be empty (`openai:` and
 * `:x` are refused).
 *
 * @public
 */
export function checkProfileId(profileId: unknown): string | undefined {
  if (typeof profileId !== 'string' || profileId.trim() === '') return 'must be a non-empty string'
  if (profileId !== profileId.trim()) return 'must not start or end with whitespace'
  if (profileId.length > MAX_PROFILE_ID_LENGTH)
    return `must be at most ${MAX_PROFILE_ID_LENGTH} characters`
  if (forbiddenCharacters.test(profileId))
    return 'must not contain control or bidi-override characters'
  if (profileId.includes('/') || profileId.includes('\\')) return 'must not contain path separators'
  if (profileId.includes('..')) return 'must not contain ".."'
  if (profileId.startsWith(':') || profileId.endsWith(':'))
    return 'must be <provider>:<name> with neither part empty'
  if (profileId.normalize('NFC') !== profileId) return 'must be NFC-normalised'
  if (profileId === '__proto__' || profileId === 'prototype' || profileId === 'constructor') {
    return 'is a reserved name'
  }
  return undefined
}

/**
 * Throws unless `profileId` is a valid profile id (see {@link checkProfileId}).
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ID`.
 * @public
 */
export function assertProfileId(profileId: unknown): asserts profileId is string {
  const problem = checkProfileId(profileId)
  if (problem) {
    throw new AuthProfilesError(
      'ERR_INVALID_ID',
      `Invalid profile id ${describe(profileId)}: ${problem}.`,
    )
  }
}

/** Escapes an id for a one-line message (control and bidi characters shown as `\uXXXX`). @internal */
export function describeId(raw: unknown): string {
  return describe(raw)
}
