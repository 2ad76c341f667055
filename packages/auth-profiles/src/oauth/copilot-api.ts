// What talking to GitHub and its Copilot API needs before any token is involved: the host names
// and the editor headers Copilot expects. Small on purpose: the package root re-exports the headers
// (request code sends them), which must not load the login or the token exchange.
import { AuthProfilesError } from '../errors.js'

/** The provider id of GitHub Copilot profiles. @public */
export const GITHUB_COPILOT_PROVIDER_ID = 'github-copilot'
/** The default GitHub host. @public */
export const GITHUB_DEFAULT_DOMAIN = 'github.com'
/** The Copilot API base URL when neither the token nor an enterprise domain names one. @public */
export const COPILOT_DEFAULT_BASE_URL = 'https://api.individual.githubcopilot.com'

/**
 * The editor headers the Copilot token exchange (and the Copilot API) expects.
 *
 * @public
 */
export const COPILOT_EDITOR_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'User-Agent': 'GitHubCopilotChat/0.35.0',
  'Editor-Version': 'vscode/1.107.0',
  'Editor-Plugin-Version': 'copilot-chat/0.35.0',
  'Copilot-Integration-Id': 'vscode-chat',
})

/**
 * A GitHub host name from what a person typed: blank means `github.com`; a URL or a host with a
 * path (`https://github.example.com/`) becomes its lowercased host name.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ARGUMENT` when no host name can be read.
 * @public
 */
export function normalizeGitHubDomain(domain?: string): string {
  const trimmed = (domain ?? '').trim()
  if (trimmed === '') return GITHUB_DEFAULT_DOMAIN
  let hostname = ''
  try {
    hostname = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`)
      .hostname
  } catch {
    hostname = ''
  }
  hostname = hostname.toLowerCase().replace(/\.$/, '')
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(hostname)) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      'The GitHub Enterprise domain is not a valid host name (expected e.g. github.example.com).',
      { provider: GITHUB_COPILOT_PROVIDER_ID },
    )
  }
  return hostname
}
