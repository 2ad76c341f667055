// The OAuth adapters of a config (`auth.oauth.<provider>`: enterprise proxies, self-hosted
// gateways, local test servers), for everything in the CLI that logs in, logs out or refreshes an
// OAuth token. Build them once per command from the loaded config, so no code path falls back to
// the providers' default endpoints.
import {
  createOAuthProvidersFromConfig,
  type ClawConfig,
  type ConfiguredOAuthProviders,
  type OAuthRefreshSettings,
} from '@claw/auth-profiles'

/** The OAuth adapters for this config (config overrides applied), with a GitHub host override. */
export function configuredOAuthProviders(
  config: ClawConfig | undefined,
  githubHost?: string,
): ConfiguredOAuthProviders {
  if (githubHost === undefined) return createOAuthProvidersFromConfig({ config })
  const oauth = { ...config?.auth?.oauth }
  oauth['github-copilot'] = { ...oauth['github-copilot'], githubHost }
  return createOAuthProvidersFromConfig({ config: { auth: { ...config?.auth, oauth } } })
}

/**
 * The `oauth` refresh settings for `refreshOAuthCredential` / `resolveApiKeyFor*`: the configured
 * adapters, and plain-http token endpoints allowed when config points one at a loopback host.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_CONFIG` for an unusable `auth.oauth.<provider>` entry.
 */
export function oauthRefreshSettings(config: ClawConfig | undefined): OAuthRefreshSettings {
  const { providers, allowInsecureRequests } = configuredOAuthProviders(config)
  return { providers, allowInsecureRequests }
}
