import { createOAuthProviderRegistry, type OAuthProviderRegistry } from './registry.js'
import type { OAuthProviderAdapter } from './types.js'

/** Factories of the built-in adapters, in registration order (filled in by the adapter modules). */
const builtInFactories: (() => OAuthProviderAdapter)[] = []

let defaultRegistry: OAuthProviderRegistry | undefined

/** The package's default registry, with the built-in adapters registered on first use. @internal */
export function defaultOAuthProviders(): OAuthProviderRegistry {
  defaultRegistry ??= createOAuthProviderRegistry(builtInFactories.map((factory) => factory()))
  return defaultRegistry
}

/**
 * Registers (or replaces) an OAuth adapter in the default registry, e.g. a built-in adapter
 * created with endpoint overrides, or one for your own gateway.
 *
 * @public
 */
export function registerOAuthProvider(adapter: OAuthProviderAdapter): void {
  defaultOAuthProviders().register(adapter)
}

/** The adapter for a provider in the default registry (ids are normalised). @public */
export function getOAuthProvider(provider: string): OAuthProviderAdapter | undefined {
  return defaultOAuthProviders().get(provider)
}

/** Every adapter in the default registry. @public */
export function listOAuthProviders(): readonly OAuthProviderAdapter[] {
  return defaultOAuthProviders().list()
}
