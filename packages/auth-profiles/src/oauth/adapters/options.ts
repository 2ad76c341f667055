// Option checks shared by the adapter factories: an option the factory does not know is an error,
// not silently ignored, so an override meant for a test or proxy endpoint (`tokenEndpoint` at the
// top level instead of `endpoints.tokenEndpoint`) can never send a refresh to production.
import { AuthProfilesError } from '../../errors.js'

/** The endpoint names an `endpoints` object (and an `auth.oauth.<provider>` entry) may hold. @internal */
export const OAUTH_ENDPOINT_NAMES = [
  'issuer',
  'authorizationEndpoint',
  'tokenEndpoint',
  'deviceAuthorizationEndpoint',
  'revocationEndpoint',
  'userinfoEndpoint',
] as const

/** The overrides every authorization-code factory accepts. @internal */
export const AUTHORIZATION_CODE_OPTIONS = [
  'endpoints',
  'clientId',
  'clientSecret',
  'redirectUri',
  'scopes',
] as const

function quoted(keys: readonly string[]): string {
  return keys
    .map((key) => JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key))
    .join(', ')
}

/**
 * Throws unless every key of `options` (and of `options.endpoints`) is one `factory` knows.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ARGUMENT` naming the factory, the unknown keys and the
 *   known ones (never a value).
 * @internal
 */
export function checkAdapterOptions(
  factory: string,
  options: unknown,
  known: readonly string[],
): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new AuthProfilesError('ERR_INVALID_ARGUMENT', `${factory}: options must be an object.`)
  }
  const problems: string[] = []
  const unknown = Object.keys(options).filter((key) => !known.includes(key))
  if (unknown.length > 0) {
    const misplaced = unknown.filter((key) =>
      (OAUTH_ENDPOINT_NAMES as readonly string[]).includes(key),
    )
    problems.push(
      `unknown option${unknown.length === 1 ? '' : 's'} ${quoted(unknown)}${
        misplaced.length > 0 && known.includes('endpoints')
          ? ` (endpoints go under \`endpoints\`, e.g. endpoints.${misplaced[0]})`
          : ''
      }; known: ${known.join(', ')}`,
    )
  }
  const endpoints = (options as { endpoints?: unknown }).endpoints
  if (endpoints !== undefined && known.includes('endpoints')) {
    if (typeof endpoints !== 'object' || endpoints === null || Array.isArray(endpoints)) {
      problems.push('endpoints must be an object')
    } else {
      const names = Object.keys(endpoints).filter(
        (key) => !(OAUTH_ENDPOINT_NAMES as readonly string[]).includes(key),
      )
      if (names.length > 0) {
        problems.push(
          `unknown endpoint${names.length === 1 ? '' : 's'} ${quoted(names)}; known: ${OAUTH_ENDPOINT_NAMES.join(', ')}`,
        )
      }
    }
  }
  if (problems.length > 0) {
    throw new AuthProfilesError('ERR_INVALID_ARGUMENT', `${factory}: ${problems.join('; ')}.`)
  }
}
