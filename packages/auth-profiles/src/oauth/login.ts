// Interactive login, setup-token storage and logout: the adapters do the provider work; these
// functions build the runtime, store the result as a profile and never expose a secret.
import { AuthProfilesError } from '../errors.js'
import { checkProfileId, describeId } from '../ids.js'
import { resolveClock, resolveEnv, resolveFetch, type Clock, type Env } from '../runtime.js'
import { removeAuthProfile, resolveAuthStoreBackend, upsertAuthProfile } from '../store/store.js'
import type { AuthStoreOptions } from '../store/store.js'
import type { OAuthCredential } from '../types.js'
import { validateAnthropicSetupToken } from './adapters/anthropic.js'
import { createBoundedFetch, DEFAULT_OAUTH_TIMEOUT_MS, type FetchFunction } from './http.js'
import { defaultOAuthProviders } from './providers.js'
import type { OAuthProviderRegistry } from './registry.js'
import type { OAuthLoginCallbacks, OAuthProviderAdapter, OAuthRuntime } from './types.js'

/** Options shared by the functions that make OAuth requests outside a refresh. @public */
export interface OAuthRequestOptions {
  /** `fetch` for every request (default `globalThis.fetch`); wrapped with a timeout and size cap. */
  readonly fetch?: FetchFunction
  readonly now?: Clock
  readonly env?: Env
  readonly signal?: AbortSignal
  /** Per-request timeout; default 30 s. */
  readonly requestTimeoutMs?: number
  /** Adapters to use; the package's default registry when omitted. */
  readonly providers?: OAuthProviderRegistry
  /** Plain-http endpoints (loopback test servers only). */
  readonly allowInsecureRequests?: boolean
}

/** @public */
export type LoginWithOAuthOptions = AuthStoreOptions &
  OAuthLoginCallbacks &
  OAuthRequestOptions & {
    /** The provider id, e.g. `openai-codex` (normalised by the registry). */
    readonly provider: string
    /** Default: `<provider>:<email>` when the login yields an email, else `<provider>:default`. */
    readonly profileId?: string
    /** Time allowed for the person to finish the login; default 5 minutes. */
    readonly timeoutMs?: number
  }

/** What a login stored (no secrets). @public */
export interface LoginWithOAuthResult {
  readonly profileId: string
  readonly provider: string
  readonly email?: string
  readonly accountId?: string
  readonly projectId?: string
  readonly enterpriseUrl?: string
  /** Epoch ms when the stored access token expires. */
  readonly expiresAt: number
}

function buildRuntime(options: OAuthRequestOptions): OAuthRuntime {
  return {
    fetch: createBoundedFetch(resolveFetch(options), {
      timeoutMs: options.requestTimeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS,
      ...(options.signal ? { signal: options.signal } : {}),
    }),
    now: resolveClock(options),
    env: resolveEnv(options),
    signal: options.signal,
    allowInsecureRequests: options.allowInsecureRequests === true,
  }
}

/** Only the store-locating options (the file backend must not see callbacks or tokens). */
function storeOptions(options: AuthStoreOptions): AuthStoreOptions {
  if ('store' in options) return { store: options.store }
  if ('backend' in options) return { backend: options.backend }
  const picked: Record<string, unknown> = {}
  for (const key of [
    'agentDir',
    'mainAgentDir',
    'legacyOAuthPath',
    'followSymlinks',
    'allowForeignOwner',
    'maxBytes',
    'lock',
    'env',
    'onDiagnostic',
  ] as const) {
    if (options[key] !== undefined) picked[key] = options[key]
  }
  return picked as AuthStoreOptions
}

function adapterFor(registry: OAuthProviderRegistry, provider: string): OAuthProviderAdapter {
  const adapter = registry.get(provider)
  if (adapter) return adapter
  const known = registry
    .list()
    .map((entry) => entry.id)
    .sort()
  throw new AuthProfilesError(
    'ERR_OAUTH',
    `No OAuth login is available for provider ${JSON.stringify(provider)}. Known OAuth providers: ${known.length > 0 ? known.join(', ') : '(none)'}.`,
    { provider },
  )
}

function defaultProfileId(provider: string, email: string | undefined): string {
  if (email !== undefined) {
    const candidate = `${provider}:${email}`
    if (checkProfileId(candidate) === undefined) return candidate
  }
  return `${provider}:default`
}

/**
 * Runs a provider's interactive OAuth login and stores the result as an `oauth` profile:
 * `{ type: 'oauth', provider, access, refresh, expires, email?, accountId?, projectId?,
 * enterpriseUrl?, clientId? }`. The profile id defaults to `<provider>:<email>` when the login
 * yields an email, else `<provider>:default`; an existing profile with that id is replaced.
 *
 * The callbacks are how the person is reached: `onAuthUrl` (browser logins; `listening: false`
 * means the redirect has to be pasted), `promptForRedirect` (raced with the loopback callback),
 * `onDeviceCode` (device logins) and `onProgress` (status lines, never secrets).
 *
 * @returns what was stored, without tokens.
 * @throws {AuthProfilesError} `ERR_OAUTH` (unknown provider — the message lists the known ones —,
 *   a failed or declined login, no refresh token issued), `ERR_ABORTED`, `ERR_INVALID_ID`, store
 *   errors.
 * @example
 * ```ts
 * const { profileId } = await loginWithOAuth({
 *   provider: 'openai-codex',
 *   agentDir: resolveAgentDir('main'),
 *   onAuthUrl: ({ url, instructions }) => console.log(instructions, url),
 *   promptForRedirect: ({ message }) => rl.question(message),
 * })
 * ```
 * @public
 */
export async function loginWithOAuth(
  options: LoginWithOAuthOptions,
): Promise<LoginWithOAuthResult> {
  const registry = options.providers ?? defaultOAuthProviders()
  const adapter = adapterFor(registry, options.provider)
  if (options.profileId !== undefined) {
    const problem = checkProfileId(options.profileId)
    if (problem) {
      throw new AuthProfilesError(
        'ERR_INVALID_ID',
        `Invalid profile id ${describeId(options.profileId)}: ${problem}.`,
      )
    }
  }
  if (options.signal?.aborted) {
    throw new AuthProfilesError('ERR_ABORTED', `The ${adapter.displayName} login was aborted.`)
  }
  const runtime = buildRuntime(options)
  const tokens = await adapter.login({
    runtime,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.onAuthUrl ? { onAuthUrl: options.onAuthUrl } : {}),
    ...(options.onDeviceCode ? { onDeviceCode: options.onDeviceCode } : {}),
    ...(options.promptForRedirect ? { promptForRedirect: options.promptForRedirect } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  })
  if (!tokens.refresh) {
    throw new AuthProfilesError(
      'ERR_OAUTH',
      `The ${adapter.displayName} login returned no refresh token, so the credential could not be kept fresh; nothing was stored. Check that the requested scopes allow offline access.`,
      { provider: adapter.id },
    )
  }
  const profileId = options.profileId ?? defaultProfileId(adapter.id, tokens.email)
  const credential: OAuthCredential = {
    type: 'oauth',
    provider: adapter.id,
    access: tokens.access,
    refresh: tokens.refresh,
    expires: tokens.expires,
    ...(tokens.email === undefined ? {} : { email: tokens.email }),
    ...(tokens.accountId === undefined ? {} : { accountId: tokens.accountId }),
    ...(tokens.projectId === undefined ? {} : { projectId: tokens.projectId }),
    ...(tokens.enterpriseUrl === undefined ? {} : { enterpriseUrl: tokens.enterpriseUrl }),
    ...(tokens.clientId === undefined ? {} : { clientId: tokens.clientId }),
  }
  await upsertAuthProfile({ ...storeOptions(options), profileId, credential })
  options.onProgress?.(`Saved OAuth profile ${profileId}.`)
  return {
    profileId,
    provider: adapter.id,
    ...(tokens.email === undefined ? {} : { email: tokens.email }),
    ...(tokens.accountId === undefined ? {} : { accountId: tokens.accountId }),
    ...(tokens.projectId === undefined ? {} : { projectId: tokens.projectId }),
    ...(tokens.enterpriseUrl === undefined ? {} : { enterpriseUrl: tokens.enterpriseUrl }),
    expiresAt: tokens.expires,
  }
}

/** @public */
export type StoreSetupTokenOptions = AuthStoreOptions & {
  /** The token printed by `claude setup-token` (`sk-ant-oat01-…`). */
  readonly token: string
  /** Default `anthropic:manual`. */
  readonly profileId?: string
}

/**
 * Validates an Anthropic setup-token (see `validateAnthropicSetupToken`) and stores it as a static
 * `token` profile (`anthropic:manual` by default). Returns the profile id.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ARGUMENT` (the message says what is wrong, never the
 *   token), `ERR_INVALID_ID`, store errors.
 * @public
 */
export async function storeSetupToken(
  options: StoreSetupTokenOptions,
): Promise<{ readonly profileId: string }> {
  const problem = validateAnthropicSetupToken(options.token)
  if (problem)
    throw new AuthProfilesError('ERR_INVALID_ARGUMENT', problem, { provider: 'anthropic' })
  const profileId = options.profileId ?? 'anthropic:manual'
  await upsertAuthProfile({
    ...storeOptions(options),
    profileId,
    credential: { type: 'token', provider: 'anthropic', token: options.token.trim() },
  })
  return { profileId }
}

/** @public */
export type LogoutOAuthProfileOptions = AuthStoreOptions &
  OAuthRequestOptions & {
    readonly profileId: string
    /** Revoke the token at the provider first when its adapter can; default `true`. */
    readonly revoke?: boolean
  }

/** @public */
export interface LogoutOAuthProfileResult {
  /** The profile existed and was removed. */
  readonly removed: boolean
  /** The provider confirmed the revocation. */
  readonly revoked: boolean
}

/**
 * Logs out of a profile: revokes an OAuth credential at the provider when its adapter supports
 * revocation (a failed revocation — network, server error — only yields `revoked: false`), then
 * removes the profile and every reference to it from the store.
 *
 * @throws {AuthProfilesError} `ERR_ABORTED` (nothing removed), `ERR_INVALID_ID`, store errors.
 * @public
 */
export async function logoutOAuthProfile(
  options: LogoutOAuthProfileOptions,
): Promise<LogoutOAuthProfileResult> {
  const target = storeOptions(options)
  let revoked = false
  if (options.revoke !== false) {
    const store = await resolveAuthStoreBackend(target).load()
    const credential = store.profiles[options.profileId]
    if (credential?.type === 'oauth') {
      const adapter = (options.providers ?? defaultOAuthProviders()).get(credential.provider)
      if (adapter?.revoke) {
        try {
          revoked = await adapter.revoke(credential, buildRuntime(options))
        } catch {
          if (options.signal?.aborted) {
            throw new AuthProfilesError(
              'ERR_ABORTED',
              `Logging out of ${options.profileId} was aborted.`,
              {
                profileId: options.profileId,
              },
            )
          }
          revoked = false
        }
      }
    }
  }
  const removed = await removeAuthProfile({ ...target, profileId: options.profileId })
  return { removed, revoked }
}
