import { createAnthropicOAuthAdapter } from './adapters/anthropic.js'
import { createChutesOAuthAdapter } from './adapters/chutes.js'
import { createGitHubCopilotOAuthAdapter } from './adapters/github-copilot.js'
import { createGoogleGeminiCliOAuthAdapter } from './adapters/google-gemini-cli.js'
import { createOpenAICodexOAuthAdapter } from './adapters/openai-codex.js'
import { createQwenPortalOAuthAdapter } from './adapters/qwen-portal.js'
import { createOAuthProviderRegistry, type OAuthProviderRegistry } from './registry.js'
import type { OAuthProviderAdapter } from './types.js'

/**
 * The built-in adapters, created when the default registry is first used. (The generic OIDC
 * adapter needs an issuer and a client, so it is registered by the application.)
 */
const builtInFactories: readonly (() => OAuthProviderAdapter)[] = [
  () => createOpenAICodexOAuthAdapter(),
  () => createAnthropicOAuthAdapter(),
  () => createGitHubCopilotOAuthAdapter(),
  () => createGoogleGeminiCliOAuthAdapter(),
  () => createQwenPortalOAuthAdapter(),
  () => createChutesOAuthAdapter(),
]

let defaultRegistry: OAuthProviderRegistry | undefined

/** The package's default registry, with the built-in adapters registered on first use. @internal */
export function defaultOAuthProviders(): OAuthProviderRegistry {
  defaultRegistry ??= createOAuthProviderRegistry(builtInFactories.map((factory) => factory()))
  return defaultRegistry
}

/**
 * Registers (or replaces) an OAuth adapter in the default registry, e.g. a built-in adapter
 * created with endpoint overrides, or one for your own gateway. The default registry is shared by
 * the whole process; to scope adapters to one tenant or test, pass a registry of your own
 * (`createOAuthProviderRegistry`) as `providers` instead.
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
