import {
  createOAuthProvidersFromConfig,
  type ClawConfig,
  type OAuthRefreshSettings,
} from '@claw/auth-profiles'

/**
 * The OAuth refresh settings of a long-lived caller (`createFailoverFetch`, `@claw/ai-sdk`):
 * `oauth`, with the adapters of `config.auth.oauth` (the token endpoints of a proxy or a test
 * server) unless `oauth.providers` is given. Resolve it once, not per call: it builds the adapters.
 *
 * @public
 */
export function resolveOAuthSettings(options: {
  readonly config?: ClawConfig | undefined
  readonly oauth?: OAuthRefreshSettings | undefined
}): OAuthRefreshSettings | undefined {
  const { config, oauth } = options
  if (oauth?.providers !== undefined || config?.auth?.oauth === undefined) return oauth
  return { ...oauth, ...createOAuthProvidersFromConfig({ config }) }
}
