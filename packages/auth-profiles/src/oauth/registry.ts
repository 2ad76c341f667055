import { normalizeProviderId } from '@claw/model-catalog'
import type { OAuthProviderAdapter } from './types.js'

/** A set of OAuth adapters by provider id. @public */
export interface OAuthProviderRegistry {
  register(adapter: OAuthProviderAdapter): void
  unregister(provider: string): boolean
  get(provider: string): OAuthProviderAdapter | undefined
  list(): readonly OAuthProviderAdapter[]
}

/**
 * A registry of OAuth adapters. The package keeps one default registry per process (the built-in
 * adapters plus whatever `registerOAuthProvider` adds), used when a function's `providers` option
 * (`loginWithOAuth`, `logoutOAuthProfile`, `oauth.providers` of the refresh settings) is omitted;
 * create your own and pass it to isolate tests or tenants.
 *
 * @public
 */
export function createOAuthProviderRegistry(
  adapters: readonly OAuthProviderAdapter[] = [],
): OAuthProviderRegistry {
  const byId = new Map<string, OAuthProviderAdapter>()
  const registry: OAuthProviderRegistry = {
    register(adapter) {
      byId.set(normalizeProviderId(adapter.id), adapter)
    },
    unregister(provider) {
      return byId.delete(normalizeProviderId(provider))
    },
    get(provider) {
      return byId.get(normalizeProviderId(provider))
    },
    list() {
      return [...byId.values()]
    },
  }
  for (const adapter of adapters) registry.register(adapter)
  return registry
}
