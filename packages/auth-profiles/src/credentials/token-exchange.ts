/**
 * Whether a provider's stored token is exchanged for a short-lived API token on every use (GitHub
 * Copilot: the GitHub token buys a Copilot token that lasts about 30 minutes). Such a profile is
 * renewed by the exchange, so a stored token without an expiry is healthy, not merely static.
 *
 * @internal
 */
export function isTokenExchangeProvider(provider: string): boolean {
  return provider === 'github-copilot'
}
