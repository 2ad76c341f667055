// GitHub Copilot's login: a GitHub device flow whose long-lived GitHub OAuth token is the stored
// credential. The short-lived Copilot API token derived from it is copilot-token.ts's.
import { AuthProfilesError } from '../../errors.js'
import {
  GITHUB_COPILOT_PROVIDER_ID,
  GITHUB_DEFAULT_DOMAIN,
  normalizeGitHubDomain,
} from '../copilot-api.js'
import { runDeviceFlow } from '../login-flows.js'
import type { OAuthEndpoints, OAuthProviderAdapter, OAuthTokenSet } from '../types.js'
import { checkAdapterOptions } from './options.js'

/** The OAuth client id of the VS Code Copilot app, used for the device flow. @public */
export const GITHUB_COPILOT_CLIENT_ID = 'Iv1.b507a08c87ecfe98'
/** The scopes requested at login. @public */
export const GITHUB_COPILOT_SCOPES: readonly string[] = Object.freeze(['read:user'])

/** GitHub tokens from this flow do not expire; the stored `expires` is issue time + 10 years. */
const GITHUB_TOKEN_LIFETIME_MS = 10 * 365 * 24 * 60 * 60 * 1000
const LABEL = 'GitHub Copilot'

/** Overrides for {@link createGitHubCopilotOAuthAdapter} (GitHub Enterprise, tests). @public */
export interface GitHubCopilotOAuthOverrides {
  /** A GitHub Enterprise host (or URL); default `github.com`. */
  readonly domain?: string
  readonly clientId?: string
  /** Replace the device authorization and token endpoints (e.g. a local test server). */
  readonly endpoints?: OAuthEndpoints
}

/**
 * The GitHub Copilot OAuth adapter: the device flow at `https://{domain}/login/device/code` and
 * `https://{domain}/login/oauth/access_token` (client `Iv1.b507a08c87ecfe98`, scope `read:user`),
 * with GitHub's HTTP-200 polling answers adapted.
 *
 * The stored credential is the long-lived GitHub OAuth token: login returns it as both `access`
 * and `refresh`, `expires` ten years after issue (these tokens do not expire), and `enterpriseUrl`
 * set to the domain unless it is github.com. There is no `refresh`: the short-lived Copilot API
 * token is derived at use with `resolveCopilotApiKey` and never stored.
 *
 * @public
 */
export function createGitHubCopilotOAuthAdapter(
  overrides: GitHubCopilotOAuthOverrides = {},
): OAuthProviderAdapter {
  checkAdapterOptions('createGitHubCopilotOAuthAdapter', overrides, [
    'domain',
    'clientId',
    'endpoints',
  ])
  const domain = normalizeGitHubDomain(overrides.domain)
  const clientId = overrides.clientId ?? GITHUB_COPILOT_CLIENT_ID
  const endpoints: OAuthEndpoints = {
    deviceAuthorizationEndpoint: `https://${domain}/login/device/code`,
    tokenEndpoint: `https://${domain}/login/oauth/access_token`,
    ...overrides.endpoints,
  }
  return {
    id: GITHUB_COPILOT_PROVIDER_ID,
    displayName: LABEL,
    flow: 'device_code',
    endpoints,
    clientId,
    scopes: GITHUB_COPILOT_SCOPES,
    async login(options): Promise<OAuthTokenSet> {
      const { onDeviceCode } = options
      if (onDeviceCode === undefined) {
        throw new AuthProfilesError(
          'ERR_INVALID_ARGUMENT',
          'The GitHub Copilot login is a device-code flow: pass onDeviceCode to show the code.',
          { provider: GITHUB_COPILOT_PROVIDER_ID },
        )
      }
      const { tokens, issuedAt } = await runDeviceFlow({
        settings: { endpoints, clientId },
        scopes: GITHUB_COPILOT_SCOPES,
        callbacks: {
          onDeviceCode,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        },
        runtime: options.runtime,
        githubCompat: true,
        timeoutMs: options.timeoutMs,
        label: LABEL,
      })
      const githubToken = tokens.access_token
      return {
        access: githubToken,
        refresh: githubToken,
        expires: issuedAt + GITHUB_TOKEN_LIFETIME_MS,
        ...(domain === GITHUB_DEFAULT_DOMAIN ? {} : { enterpriseUrl: domain }),
      }
    },
  }
}
