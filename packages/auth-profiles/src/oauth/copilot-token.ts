// The exchange of a stored GitHub token for the short-lived Copilot API token: a derived
// credential cached in memory (or a caller's cache) and never stored. Loaded when a Copilot
// profile's key is resolved.
import { AuthProfilesError } from '../errors.js'
import {
  COPILOT_DEFAULT_BASE_URL,
  COPILOT_EDITOR_HEADERS,
  GITHUB_COPILOT_PROVIDER_ID,
  GITHUB_DEFAULT_DOMAIN,
  normalizeGitHubDomain,
} from './copilot-api.js'
import { createMemoryTokenCache, type DerivedTokenCache } from './token-cache.js'
import type { OAuthRuntime } from './types.js'

/** Derived Copilot tokens are dropped from the cache this long before they expire. */
const COPILOT_TOKEN_SKEW_MS = 5 * 60 * 1000
const LOGIN_COMMAND = 'claw models auth login-github-copilot'

/** A Copilot API token derived from a GitHub token. Contains a secret: never log or store it. @public */
export interface CopilotToken {
  readonly token: string
  /** Epoch ms when the Copilot token expires (`expires_at` × 1000). */
  readonly expiresAt: number
  /** The Copilot API base URL for this token, e.g. `https://api.individual.githubcopilot.com`. */
  readonly baseUrl: string
}

/** What the Copilot token exchange needs from the runtime (an `OAuthRuntime` fits). @public */
export type CopilotExchangeRuntime = Pick<OAuthRuntime, 'fetch' | 'now' | 'signal'>

/** Options of {@link exchangeCopilotToken}. @public */
export interface ExchangeCopilotTokenOptions {
  /** The stored GitHub OAuth token (the profile's `access`). */
  readonly githubToken: string
  /** The GitHub host (the profile's `enterpriseUrl`); default `github.com`. */
  readonly domain?: string | undefined
  readonly runtime: CopilotExchangeRuntime
  /**
   * Where derived tokens are cached, keyed by a SHA-256 digest (never the GitHub token). Entries
   * expire 5 minutes before the Copilot token does. Without a cache every call exchanges.
   */
  readonly cache?: DerivedTokenCache<CopilotToken> | undefined
  /**
   * Replace `https://api.{domain}/copilot_internal/v2/token` (a proxy or a test server). Must be
   * https; plain http is accepted only for a loopback host.
   */
  readonly tokenUrl?: string | undefined
}

/**
 * The Copilot API base URL for a Copilot token: its `proxy-ep=proxy.X` field gives `https://api.X`;
 * otherwise `https://copilot-api.{domain}` for GitHub Enterprise, else
 * `https://api.individual.githubcopilot.com`.
 *
 * @internal
 */
export function copilotBaseUrlFor(copilotToken: string, domain: string): string {
  const match = /(?:^|;)\s*proxy-ep=([^;]*)/.exec(copilotToken)
  if (match?.[1] !== undefined) {
    let host = match[1]
      .trim()
      .toLowerCase()
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '')
    // The last field is followed by `:<signature>`; keep a `:port` only.
    if (!/^[a-z0-9.-]+(:\d{1,5})?$/.test(host)) host = host.split(':')[0] ?? ''
    host = host.replace(/^proxy\./, 'api.')
    if (/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/.test(host)) return `https://${host}`
  }
  return domain === GITHUB_DEFAULT_DOMAIN
    ? COPILOT_DEFAULT_BASE_URL
    : `https://copilot-api.${domain}`
}

async function cacheKeyFor(url: string, githubToken: string): Promise<string> {
  // node:crypto loads on the first Copilot token exchange, not with the package.
  const { createHash } = await import('node:crypto')
  const digest = createHash('sha256').update(`${url}\n${githubToken}`).digest('hex')
  return `github-copilot:sha256:${digest}`
}

function endpointLabel(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return '(invalid URL)'
  }
}

/** The exchange URL, which must be https (plain http only to a loopback host, for tests). */
function checkedTokenUrl(value: string): string {
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  const loopback =
    url !== undefined && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname)
  if (url === undefined || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      'GitHub Copilot: the token exchange URL must be an https URL.',
      { provider: GITHUB_COPILOT_PROVIDER_ID },
    )
  }
  return url.href
}

const inFlight = new WeakMap<object, Map<string, Promise<CopilotToken>>>()

async function cachedValue(
  cache: DerivedTokenCache<CopilotToken>,
  key: string,
  now: number,
): Promise<CopilotToken | undefined> {
  let value: CopilotToken | undefined
  try {
    value = await cache.get(key)
  } catch {
    return undefined
  }
  // Checked against the runtime clock too: a cache may run on another clock (or never expire).
  return value !== undefined && value.expiresAt - COPILOT_TOKEN_SKEW_MS > now ? value : undefined
}

async function requestCopilotToken(
  url: string,
  githubToken: string,
  domain: string,
  runtime: CopilotExchangeRuntime,
): Promise<CopilotToken> {
  const where = endpointLabel(url)
  let response: Response
  try {
    response = await runtime.fetch(url, {
      method: 'GET',
      headers: {
        ...COPILOT_EDITOR_HEADERS,
        Accept: 'application/json',
        Authorization: `Bearer ${githubToken}`,
      },
      ...(runtime.signal ? { signal: runtime.signal } : {}),
    })
  } catch (error) {
    if (AuthProfilesError.isInstance(error)) throw error
    if (runtime.signal?.aborted) {
      throw new AuthProfilesError('ERR_ABORTED', `The request to ${where} was aborted.`, {
        provider: GITHUB_COPILOT_PROVIDER_ID,
      })
    }
    throw new AuthProfilesError('ERR_REFRESH_FAILED', `The request to ${where} failed.`, {
      provider: GITHUB_COPILOT_PROVIDER_ID,
      retryable: true,
    })
  }
  const status = response.status
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined)
    if (status === 401) {
      throw new AuthProfilesError(
        'ERR_OAUTH',
        `GitHub Copilot: the GitHub token was rejected (HTTP 401); log in again with \`${LOGIN_COMMAND}\`.`,
        { provider: GITHUB_COPILOT_PROVIDER_ID },
      )
    }
    if (status === 403) {
      throw new AuthProfilesError(
        'ERR_OAUTH',
        `GitHub Copilot: GitHub refused a Copilot token (HTTP 403); check that the account has Copilot access, or log in again with \`${LOGIN_COMMAND}\`.`,
        { provider: GITHUB_COPILOT_PROVIDER_ID },
      )
    }
    if (status === 429 || status >= 500) {
      throw new AuthProfilesError(
        'ERR_REFRESH_FAILED',
        `GitHub Copilot: the token exchange at ${where} failed (HTTP ${status}); try again shortly.`,
        { provider: GITHUB_COPILOT_PROVIDER_ID, retryable: true },
      )
    }
    throw new AuthProfilesError(
      'ERR_OAUTH',
      `GitHub Copilot: the token exchange at ${where} failed (HTTP ${status}).`,
      { provider: GITHUB_COPILOT_PROVIDER_ID },
    )
  }
  let body: unknown
  try {
    body = await response.json()
  } catch {
    body = undefined
  }
  const record =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined
  const token = record?.['token']
  const expiresAtSeconds = record?.['expires_at']
  if (
    typeof token !== 'string' ||
    token.trim() === '' ||
    typeof expiresAtSeconds !== 'number' ||
    !Number.isFinite(expiresAtSeconds) ||
    expiresAtSeconds <= 0
  ) {
    throw new AuthProfilesError(
      'ERR_REFRESH_FAILED',
      `GitHub Copilot: the token exchange at ${where} returned an unexpected response (no token or expires_at).`,
      { provider: GITHUB_COPILOT_PROVIDER_ID, retryable: true },
    )
  }
  return {
    token: token.trim(),
    expiresAt: expiresAtSeconds * 1000,
    baseUrl: copilotBaseUrlFor(token, domain),
  }
}

/**
 * Exchanges a GitHub OAuth token for a short-lived Copilot API token:
 * `GET https://api.{domain}/copilot_internal/v2/token` with `Authorization: Bearer <GitHub token>`
 * and the editor headers ({@link COPILOT_EDITOR_HEADERS}). The base URL comes from the token's
 * `proxy-ep` field (see {@link CopilotToken}). With a `cache`, a cached token with more than 5
 * minutes left is returned without a request and concurrent callers share one exchange.
 *
 * @throws {AuthProfilesError} `ERR_OAUTH` when GitHub rejects the token (401: log in again) or
 *   refuses Copilot access (403); `ERR_REFRESH_FAILED` (retryable) on 429/5xx, network trouble or a
 *   malformed response; `ERR_ABORTED`. Messages never contain either token.
 * @public
 */
export async function exchangeCopilotToken(
  options: ExchangeCopilotTokenOptions,
): Promise<CopilotToken> {
  const githubToken = options.githubToken.trim()
  if (githubToken === '') {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      'GitHub Copilot: the GitHub token is empty.',
      {
        provider: GITHUB_COPILOT_PROVIDER_ID,
      },
    )
  }
  const domain = normalizeGitHubDomain(options.domain)
  const url = checkedTokenUrl(options.tokenUrl ?? `https://api.${domain}/copilot_internal/v2/token`)
  const { cache, runtime } = options
  if (cache === undefined) return requestCopilotToken(url, githubToken, domain, runtime)

  const key = await cacheKeyFor(url, githubToken)
  const cached = await cachedValue(cache, key, runtime.now())
  if (cached) return cached
  let pending = inFlight.get(cache)
  if (pending === undefined) {
    pending = new Map()
    inFlight.set(cache, pending)
  }
  const shared = pending.get(key)
  if (shared) return shared
  const run = (async () => {
    const fresh = await requestCopilotToken(url, githubToken, domain, runtime)
    const ttlMs = fresh.expiresAt - COPILOT_TOKEN_SKEW_MS - runtime.now()
    if (ttlMs > 0) await cache.set(key, fresh, ttlMs).catch(() => undefined)
    return fresh
  })().finally(() => pending.delete(key))
  pending.set(key, run)
  return run
}

let defaultCache: DerivedTokenCache<CopilotToken> | undefined

/** Options of {@link resolveCopilotApiKey} (a process-wide memory cache when `cache` is omitted). @public */
export type ResolveCopilotApiKeyOptions = ExchangeCopilotTokenOptions

/** A Copilot API credential ready to send. Contains a secret. @public */
export interface CopilotApiKey {
  /** The Copilot API token (send as `Authorization: Bearer`). */
  readonly apiKey: string
  readonly baseUrl: string
  /** Epoch ms when the Copilot token expires. */
  readonly expiresAt: number
}

/**
 * The Copilot API key for a GitHub token: {@link exchangeCopilotToken} through `cache`, or a
 * process-wide in-memory cache when none is given, so repeated calls make one request per token
 * lifetime.
 *
 * @example
 * ```ts
 * const { apiKey, baseUrl } = await resolveCopilotApiKey({
 *   githubToken: profile.access,
 *   domain: profile.enterpriseUrl,
 *   runtime: { fetch, now: Date.now },
 * })
 * ```
 * @throws {AuthProfilesError} as {@link exchangeCopilotToken}.
 * @public
 */
export async function resolveCopilotApiKey(
  options: ResolveCopilotApiKeyOptions,
): Promise<CopilotApiKey> {
  const cache = options.cache ?? (defaultCache ??= createMemoryTokenCache<CopilotToken>())
  const { token, baseUrl, expiresAt } = await exchangeCopilotToken({ ...options, cache })
  return { apiKey: token, baseUrl, expiresAt }
}
