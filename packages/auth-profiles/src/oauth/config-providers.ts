// OAuth adapters configured in `auth.oauth.<provider>`: endpoint and client overrides for the
// built-in adapters (enterprise proxies, self-hosted gateways, local test servers), and generic
// OpenID Connect providers declared by issuer.
import { formatConfigPath, normalizeProviderId } from '@claw/model-catalog'
import { AuthProfilesError } from '../errors.js'
import { createAnthropicOAuthAdapter } from './adapters/anthropic.js'
import { createChutesOAuthAdapter } from './adapters/chutes.js'
import type { AuthorizationCodeOAuthOverrides } from './adapters/common.js'
import { createGitHubCopilotOAuthAdapter } from './adapters/github-copilot.js'
import { createGoogleGeminiCliOAuthAdapter } from './adapters/google-gemini-cli.js'
import { createOidcOAuthAdapter } from './adapters/oidc.js'
import { createOpenAICodexOAuthAdapter } from './adapters/openai-codex.js'
import { OAUTH_ENDPOINT_NAMES } from './adapters/options.js'
import { createQwenPortalOAuthAdapter } from './adapters/qwen-portal.js'
import { checkOAuthEndpointUrl } from './endpoint-url.js'
import { defaultOAuthProviders } from './providers.js'
import { createOAuthProviderRegistry, type OAuthProviderRegistry } from './registry.js'
import type { OAuthEndpoints, OAuthProviderAdapter } from './types.js'

/**
 * One `auth.oauth.<provider>` entry. Every field is optional for a built-in provider (only what is
 * given replaces the adapter's default); a provider without a built-in adapter is a generic OpenID
 * Connect provider and needs `issuer` (or `authorizationEndpoint` + `tokenEndpoint`), `clientId`
 * and `redirectUri`. Endpoint URLs must be https; plain http is accepted for loopback hosts only.
 *
 * @public
 */
export interface OAuthProviderConfig {
  /** OIDC issuer (discovery at `<issuer>/.well-known/openid-configuration`). */
  readonly issuer?: string | undefined
  readonly authorizationEndpoint?: string | undefined
  readonly tokenEndpoint?: string | undefined
  readonly deviceAuthorizationEndpoint?: string | undefined
  readonly revocationEndpoint?: string | undefined
  readonly userinfoEndpoint?: string | undefined
  readonly clientId?: string | undefined
  /** For installed-app clients that have a (public) secret. */
  readonly clientSecret?: string | undefined
  /** The registered loopback redirect URI (authorization-code providers). */
  readonly redirectUri?: string | undefined
  readonly scopes?: readonly string[] | undefined
  /** Generic OIDC providers: the name shown in messages (default: the provider id). */
  readonly displayName?: string | undefined
  /** `github-copilot` only: a GitHub Enterprise host (default `github.com`). */
  readonly githubHost?: string | undefined
}

/** The config slice read by {@link createOAuthProvidersFromConfig}. @public */
export interface OAuthProvidersConfig {
  readonly auth?:
    { readonly oauth?: Readonly<Record<string, OAuthProviderConfig>> | undefined } | undefined
}

/** The result of {@link createOAuthProvidersFromConfig}. @public */
export interface ConfiguredOAuthProviders {
  /** The built-in adapters, with the configured ones replaced or added. */
  readonly providers: OAuthProviderRegistry
  /**
   * True when a configured endpoint is plain http on a loopback host: pass it as
   * `allowInsecureRequests` to `loginWithOAuth` / the refresh settings.
   */
  readonly allowInsecureRequests: boolean
  /** Normalised ids of the providers that came from config. */
  readonly configured: readonly string[]
}

function invalid(provider: string, field: string, problem: string): AuthProfilesError {
  return new AuthProfilesError(
    'ERR_INVALID_CONFIG',
    `Invalid config: ${formatConfigPath(['auth', 'oauth', provider, ...(field ? [field] : [])])} ${problem}.`,
  )
}

function endpointsOf(provider: string, entry: OAuthProviderConfig): Partial<OAuthEndpoints> {
  const endpoints: Record<string, string> = {}
  for (const field of OAUTH_ENDPOINT_NAMES) {
    const value = entry[field]
    if (value === undefined) continue
    const problem = checkOAuthEndpointUrl(value)
    if (problem) throw invalid(provider, field, problem)
    endpoints[field] = value
  }
  return endpoints
}

function authorizationCodeOverrides(
  entry: OAuthProviderConfig,
  endpoints: Partial<OAuthEndpoints>,
): AuthorizationCodeOAuthOverrides {
  return {
    endpoints,
    ...(entry.clientId === undefined ? {} : { clientId: entry.clientId }),
    ...(entry.clientSecret === undefined ? {} : { clientSecret: entry.clientSecret }),
    ...(entry.redirectUri === undefined ? {} : { redirectUri: entry.redirectUri }),
    ...(entry.scopes === undefined ? {} : { scopes: entry.scopes }),
  }
}

type Factory = (
  entry: OAuthProviderConfig,
  endpoints: Partial<OAuthEndpoints>,
) => OAuthProviderAdapter

const BUILT_IN: Readonly<Record<string, Factory>> = {
  'openai-codex': (entry, endpoints) =>
    createOpenAICodexOAuthAdapter(authorizationCodeOverrides(entry, endpoints)),
  anthropic: (entry, endpoints) =>
    createAnthropicOAuthAdapter(authorizationCodeOverrides(entry, endpoints)),
  'google-gemini-cli': (entry, endpoints) =>
    createGoogleGeminiCliOAuthAdapter(authorizationCodeOverrides(entry, endpoints)),
  chutes: (entry, endpoints) =>
    createChutesOAuthAdapter(authorizationCodeOverrides(entry, endpoints)),
  'github-copilot': (entry, endpoints) => {
    // The device and token endpoints derive from the host unless both are given.
    const base = createGitHubCopilotOAuthAdapter(
      entry.githubHost === undefined ? {} : { domain: entry.githubHost },
    ).endpoints
    return createGitHubCopilotOAuthAdapter({
      ...(entry.githubHost === undefined ? {} : { domain: entry.githubHost }),
      ...(entry.clientId === undefined ? {} : { clientId: entry.clientId }),
      endpoints: { ...base, ...endpoints },
    })
  },
  'qwen-portal': (entry, endpoints) =>
    createQwenPortalOAuthAdapter({
      ...(entry.clientId === undefined ? {} : { clientId: entry.clientId }),
      endpoints,
    }),
}

function genericOidc(
  provider: string,
  entry: OAuthProviderConfig,
  endpoints: Partial<OAuthEndpoints>,
): OAuthProviderAdapter {
  const issuer = entry.issuer ?? entry.authorizationEndpoint
  if (issuer === undefined || (entry.issuer === undefined && entry.tokenEndpoint === undefined)) {
    throw invalid(
      provider,
      '',
      'names a provider without a built-in OAuth login: set issuer (or authorizationEndpoint and tokenEndpoint), clientId and redirectUri',
    )
  }
  if (entry.clientId === undefined) throw invalid(provider, 'clientId', 'is required')
  if (entry.redirectUri === undefined) throw invalid(provider, 'redirectUri', 'is required')
  return createOidcOAuthAdapter({
    id: provider,
    issuer: entry.issuer ?? new URL(issuer).origin,
    clientId: entry.clientId,
    redirectUri: entry.redirectUri,
    scopes: entry.scopes ?? ['openid', 'email', 'offline_access'],
    ...(entry.clientSecret === undefined ? {} : { clientSecret: entry.clientSecret }),
    ...(entry.displayName === undefined ? {} : { displayName: entry.displayName }),
    ...(entry.issuer === undefined ? { endpoints } : { endpoints: omitIssuer(endpoints) }),
  })
}

function omitIssuer(endpoints: Partial<OAuthEndpoints>): Partial<OAuthEndpoints> {
  const { issuer: _issuer, ...rest } = endpoints
  return rest
}

/**
 * The OAuth adapters for a config: the package's built-in adapters, with every
 * `auth.oauth.<provider>` entry applied. For a built-in provider (`openai-codex`, `anthropic`,
 * `google-gemini-cli`, `chutes`, `github-copilot`, `qwen-portal`) the entry's endpoints, client id,
 * client secret, redirect URI and scopes replace the defaults field by field (`githubHost` selects a
 * GitHub Enterprise host); any other id declares a generic OpenID Connect provider. Use it for
 * enterprise proxies and self-hosted gateways, and to point a login at a local test server.
 *
 * Without an `auth.oauth` slice this returns the default registry unchanged.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_CONFIG` naming `auth.oauth.<provider>.<field>` for an
 *   endpoint that is not https (or loopback http), or a generic provider missing its issuer,
 *   client id or redirect URI.
 * @example
 * ```ts
 * const { providers, allowInsecureRequests } = createOAuthProvidersFromConfig({
 *   config: { auth: { oauth: { 'openai-codex': { tokenEndpoint: 'https://proxy.corp/oauth/token' } } } },
 * })
 * await loginWithOAuth({ provider: 'openai-codex', agentDir, providers, allowInsecureRequests })
 * ```
 * @public
 */
export function createOAuthProvidersFromConfig(options: {
  readonly config?: OAuthProvidersConfig | undefined
}): ConfiguredOAuthProviders {
  const entries = Object.entries(options.config?.auth?.oauth ?? {})
  if (entries.length === 0) {
    return { providers: defaultOAuthProviders(), allowInsecureRequests: false, configured: [] }
  }
  const registry = createOAuthProviderRegistry(defaultOAuthProviders().list())
  let allowInsecureRequests = false
  const configured: string[] = []
  for (const [rawId, entry] of entries) {
    const provider = normalizeProviderId(rawId)
    if (provider === '') throw invalid(rawId, '', 'needs a provider id')
    const endpoints = endpointsOf(provider, entry)
    if (Object.values(endpoints).some((url) => url.startsWith('http:'))) {
      allowInsecureRequests = true
    }
    for (const field of ['redirectUri'] as const) {
      const value = entry[field]
      if (value !== undefined && !/^https?:\/\//i.test(value)) {
        throw invalid(provider, field, 'must be an absolute http(s) URL')
      }
    }
    const factory = BUILT_IN[provider]
    registry.register(factory ? factory(entry, endpoints) : genericOidc(provider, entry, endpoints))
    configured.push(provider)
  }
  return { providers: registry, allowInsecureRequests, configured }
}
