// How a credential goes on an HTTP request to a provider: which header carries the secret and
// which headers must go with it. Shared by createFailoverFetch (it rewrites the SDK's request) and
// @claw/ai-sdk (it configures the AI SDK provider), so both present a credential the same way.
import {
  codexAccountIdFromAccessToken,
  COPILOT_EDITOR_HEADERS,
  type ClawConfig,
  type CredentialMode,
} from '@claw/auth-profiles'
import { findProviderConfig, getProvider, normalizeProviderId } from '@claw/model-catalog'

/** The header that carries the secret (`authorization` is sent as `Bearer <secret>`). @public */
export type CredentialHeader = 'authorization' | 'x-api-key' | 'x-goog-api-key'

/** @public */
export interface CredentialPresentation {
  /** The provider's API kind (`anthropic-messages`, `openai-responses`, …), `undefined` when unknown. */
  readonly api: string | undefined
  readonly header: CredentialHeader
  /** Headers sent with the credential; none of them holds a secret. */
  readonly headers: Readonly<Record<string, string>>
}

/** @public */
export interface PresentCredentialOptions {
  readonly provider: string
  readonly mode: CredentialMode
  /** The secret; only read to find the ChatGPT account id of an OpenAI Codex access token. */
  readonly apiKey: string | undefined
  /** `models.providers.<id>.api` and string `headers` apply. */
  readonly config?: ClawConfig | undefined
}

/** The Messages API version claw speaks. @public */
export const ANTHROPIC_VERSION = '2023-06-01'
/** The beta flag Anthropic requires with OAuth (subscription) access tokens. @public */
export const ANTHROPIC_OAUTH_BETA = 'oauth-2025-04-20'

/** The static string headers of `models.providers.<id>.headers`, else the registry's. */
function staticHeaders(provider: string, config: ClawConfig | undefined): Record<string, string> {
  const configured = findProviderConfig(config, provider)?.entry.headers
  const headers: Record<string, string> = { ...getProvider(provider)?.headers }
  // Secret-ref-valued headers are resolved by whoever sends them; only literal strings apply here.
  for (const [name, value] of Object.entries(configured ?? {}))
    if (typeof value === 'string') headers[name] = value
  return headers
}

/**
 * How to send a credential to a provider, by its API kind (`models.providers.<id>.api`, else the
 * registry's):
 *
 * - `anthropic-messages`: an API key in `x-api-key`; a token or OAuth access token as
 *   `Authorization: Bearer` with `anthropic-beta: oauth-2025-04-20`; always `anthropic-version`;
 * - `google-generative-ai`: `x-goog-api-key`;
 * - `github-copilot`: `Authorization: Bearer` with the editor headers Copilot expects;
 * - `openai-codex-responses`: `Authorization: Bearer` with the ChatGPT account id from the access
 *   token (`chatgpt-account-id`) and `OpenAI-Beta: responses=experimental`;
 * - anything else: `Authorization: Bearer`.
 *
 * Static headers from the registry and from `models.providers.<id>.headers` are added first.
 *
 * @public
 */
export async function presentCredential(
  options: PresentCredentialOptions,
): Promise<CredentialPresentation> {
  const provider = normalizeProviderId(options.provider)
  const api = findProviderConfig(options.config, provider)?.entry.api ?? getProvider(provider)?.api
  const headers = staticHeaders(provider, options.config)
  switch (api) {
    case 'anthropic-messages':
      headers['anthropic-version'] = ANTHROPIC_VERSION
      if (options.mode === 'api-key') return { api, header: 'x-api-key', headers }
      headers['anthropic-beta'] = ANTHROPIC_OAUTH_BETA
      return { api, header: 'authorization', headers }
    case 'google-generative-ai':
      return { api, header: 'x-goog-api-key', headers }
    case 'github-copilot':
      return { api, header: 'authorization', headers: { ...headers, ...COPILOT_EDITOR_HEADERS } }
    case 'openai-codex-responses': {
      const accountId = options.apiKey
        ? await codexAccountIdFromAccessToken(options.apiKey)
        : undefined
      if (accountId !== undefined) headers['chatgpt-account-id'] = accountId
      headers['OpenAI-Beta'] = 'responses=experimental'
      return { api, header: 'authorization', headers }
    }
    default:
      return { api, header: 'authorization', headers }
  }
}
