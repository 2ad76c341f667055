// Google Gemini CLI (Cloud Code Assist): Google sign-in (OIDC discovery) with the Gemini CLI's
// installed-app client, then the Cloud Code Assist project lookup (and onboarding when needed).
import { AuthProfilesError } from '../../errors.js'
import { runAuthorizationCodeFlow } from '../login-flows.js'
import {
  createClientConfiguration,
  loadOpenIdClient,
  refreshWithTokenEndpoint,
  type OAuthClientSettings,
} from '../openid.js'
import type { OAuthEndpoints, OAuthProviderAdapter, OAuthRuntime } from '../types.js'
import {
  emailFromIdToken,
  applyOverrides,
  plausibleEmail,
  tokenSetFromLogin,
  type AuthorizationCodeOAuthOverrides,
} from './common.js'
import { AUTHORIZATION_CODE_OPTIONS, checkAdapterOptions } from './options.js'

/** The provider id of Gemini CLI profiles. @public */
export const GOOGLE_GEMINI_CLI_PROVIDER_ID = 'google-gemini-cli'
/** The Gemini CLI's installed-app client id. @public */
export const GOOGLE_GEMINI_CLI_CLIENT_ID =
  '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com'
/**
 * The environment variable holding the Gemini CLI client's (public, installed-app) secret. claw
 * does not ship it: set it, or pass `clientSecret` to the factory.
 *
 * @public
 */
export const GOOGLE_GEMINI_CLI_CLIENT_SECRET_ENV = 'CLAW_GEMINI_CLI_CLIENT_SECRET'
/** The scopes requested at login. @public */
export const GOOGLE_GEMINI_CLI_SCOPES: readonly string[] = Object.freeze([
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/userinfo.profile',
])
/** The registered redirect URI. @public */
export const GOOGLE_GEMINI_CLI_REDIRECT_URI = 'http://localhost:8085/oauth2callback'
/** Default endpoints: Google's issuer (discovery) and the v1 userinfo endpoint. @public */
export const GOOGLE_GEMINI_CLI_ENDPOINTS: OAuthEndpoints = Object.freeze({
  issuer: 'https://accounts.google.com',
  userinfoEndpoint: 'https://www.googleapis.com/oauth2/v1/userinfo?alt=json',
})
/** The Cloud Code Assist API. @public */
export const CLOUD_CODE_ASSIST_BASE_URL = 'https://cloudcode-pa.googleapis.com'
/** Environment variables naming a Google Cloud project to use (first set wins). @public */
export const GOOGLE_CLOUD_PROJECT_ENV: readonly string[] = Object.freeze([
  'GOOGLE_CLOUD_PROJECT',
  'GOOGLE_CLOUD_PROJECT_ID',
])

const LABEL = 'Google Gemini CLI'
const DEFAULT_POLL_INTERVAL_MS = 5_000
const DEFAULT_MAX_POLL_ATTEMPTS = 24
const CLIENT_METADATA = Object.freeze({
  ideType: 'IDE_UNSPECIFIED',
  platform: 'PLATFORM_UNSPECIFIED',
  pluginType: 'GEMINI',
})

/** @public */
export interface GoogleGeminiCliOAuthOverrides extends AuthorizationCodeOAuthOverrides {
  /** The Cloud Code Assist base URL; default {@link CLOUD_CODE_ASSIST_BASE_URL}. */
  readonly codeAssistBaseUrl?: string
  /** Wait between onboarding checks; default 5 s. */
  readonly onboardingPollIntervalMs?: number
  /** Onboarding checks before giving up; default 24 (2 minutes at the default interval). */
  readonly onboardingMaxPolls?: number
}

/** @public */
export interface DiscoverGeminiProjectOptions {
  readonly accessToken: string
  readonly runtime: OAuthRuntime
  /** Default {@link CLOUD_CODE_ASSIST_BASE_URL}. */
  readonly baseUrl?: string
  /** Wait between onboarding checks; default 5 s. */
  readonly pollIntervalMs?: number
  /** Onboarding checks before giving up; default 24. */
  readonly maxPolls?: number
  readonly onProgress?: ((message: string) => void) | undefined
}

function envProject(runtime: OAuthRuntime): string | undefined {
  for (const name of GOOGLE_CLOUD_PROJECT_ENV) {
    const value = runtime.env[name]?.trim()
    if (value) return value
  }
  return undefined
}

function projectIdOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim()
  if (typeof value === 'object' && value !== null) {
    const id = (value as Record<string, unknown>)['id']
    if (typeof id === 'string' && id.trim() !== '') return id.trim()
  }
  return undefined
}

function needsProjectError(detail: string): AuthProfilesError {
  return new AuthProfilesError(
    'ERR_OAUTH',
    `${LABEL} login needs a Google Cloud project: ${detail} Set GOOGLE_CLOUD_PROJECT (or GOOGLE_CLOUD_PROJECT_ID) and log in again.`,
    { provider: GOOGLE_GEMINI_CLI_PROVIDER_ID },
  )
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AuthProfilesError('ERR_ABORTED', `The ${LABEL} login was aborted.`))
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(new AuthProfilesError('ERR_ABORTED', `The ${LABEL} login was aborted.`))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    // Not unref'd: between two polls nothing else may keep the process alive mid-login.
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

interface CodeAssistResponse {
  readonly ok: boolean
  readonly status: number
  readonly body: Record<string, unknown>
  readonly text: string
}

async function codeAssistCall(
  options: DiscoverGeminiProjectOptions,
  path: string,
  body?: unknown,
): Promise<CodeAssistResponse> {
  const base = (options.baseUrl ?? CLOUD_CODE_ASSIST_BASE_URL).replace(/\/+$/, '')
  const url = `${base}/${path}`
  let response: Response
  try {
    response = await options.runtime.fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${options.accessToken}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  } catch (error) {
    const { toLoginError } = await import('../authorization-code.js')
    throw toLoginError(error, LABEL, url)
  }
  const text = await response.text()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  return {
    ok: response.ok,
    status: response.status,
    body: typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {},
    text,
  }
}

function callFailed(what: string, status: number): AuthProfilesError {
  return new AuthProfilesError(
    'ERR_OAUTH',
    `${LABEL} login failed: Cloud Code Assist ${what} answered HTTP ${status}.`,
    { provider: GOOGLE_GEMINI_CLI_PROVIDER_ID, retryable: status === 429 || status >= 500 },
  )
}

/**
 * The Cloud Code Assist project of a Google account (what Gemini CLI requests are billed to):
 *
 * 1. `POST {base}/v1internal:loadCodeAssist` (with `GOOGLE_CLOUD_PROJECT`/`GOOGLE_CLOUD_PROJECT_ID`
 *    from `runtime.env` when set). With a `currentTier`, the answer's `cloudaicompanionProject`,
 *    else the env project. A VPC Service Controls denial (`SECURITY_POLICY_VIOLATED`) counts as the
 *    standard tier, which needs the env project.
 * 2. Without a tier, onboarding: `POST {base}/v1internal:onboardUser` with the default allowed
 *    tier (non-free tiers need the env project), then `GET {base}/v1internal/{operation}` every
 *    `pollIntervalMs` until done, at most `maxPolls` times, stopping early on abort.
 *
 * @throws {AuthProfilesError} `ERR_OAUTH` (no project, a failed call, onboarding not finished),
 *   `ERR_ABORTED`.
 * @public
 */
export async function discoverGeminiProject(
  options: DiscoverGeminiProjectOptions,
): Promise<string> {
  const fromEnv = envProject(options.runtime)
  const metadata = { ...CLIENT_METADATA, ...(fromEnv ? { duetProject: fromEnv } : {}) }
  const load = await codeAssistCall(options, 'v1internal:loadCodeAssist', {
    ...(fromEnv ? { cloudaicompanionProject: fromEnv } : {}),
    metadata,
  })
  let data = load.body
  if (!load.ok) {
    if (!load.text.includes('SECURITY_POLICY_VIOLATED'))
      throw callFailed('loadCodeAssist', load.status)
    data = { currentTier: { id: 'standard-tier' } }
  }

  if (data['currentTier'] !== undefined && data['currentTier'] !== null) {
    const project = projectIdOf(data['cloudaicompanionProject']) ?? fromEnv
    if (!project) throw needsProjectError('your account has no Cloud Code Assist project.')
    return project
  }

  const tiers = Array.isArray(data['allowedTiers']) ? (data['allowedTiers'] as unknown[]) : []
  const defaultTier = tiers.find(
    (tier): tier is Record<string, unknown> =>
      typeof tier === 'object' &&
      tier !== null &&
      (tier as Record<string, unknown>)['isDefault'] === true,
  )
  const tierId = typeof defaultTier?.['id'] === 'string' ? defaultTier['id'] : 'legacy-tier'
  const freeTier = tierId === 'free-tier'
  if (!freeTier && !fromEnv) {
    throw needsProjectError(`the account's default tier (${tierId.slice(0, 40)}) requires one.`)
  }
  options.onProgress?.('Setting up Gemini Code Assist for this account…')
  const onboard = await codeAssistCall(options, 'v1internal:onboardUser', {
    tierId,
    ...(freeTier ? {} : { cloudaicompanionProject: fromEnv }),
    metadata,
  })
  if (!onboard.ok) throw callFailed('onboardUser', onboard.status)
  let operation = onboard.body
  const maxPolls = Math.max(0, options.maxPolls ?? DEFAULT_MAX_POLL_ATTEMPTS)
  const interval = Math.max(0, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS)
  for (let poll = 0; operation['done'] !== true; poll++) {
    const name = operation['name']
    if (
      poll >= maxPolls ||
      typeof name !== 'string' ||
      !/^[A-Za-z0-9_][A-Za-z0-9/_.-]*$/.test(name) ||
      name.includes('..')
    ) {
      throw new AuthProfilesError(
        'ERR_OAUTH',
        `${LABEL} login failed: Cloud Code Assist onboarding did not finish${poll >= maxPolls ? ` after ${maxPolls} checks` : ''}. Try again in a few minutes.`,
        { provider: GOOGLE_GEMINI_CLI_PROVIDER_ID, retryable: true },
      )
    }
    await sleep(interval, options.runtime.signal)
    const next = await codeAssistCall(options, `v1internal/${name}`)
    if (!next.ok) throw callFailed('onboarding status', next.status)
    operation = next.body
  }
  const response = operation['response']
  const project =
    (typeof response === 'object' && response !== null
      ? projectIdOf((response as Record<string, unknown>)['cloudaicompanionProject'])
      : undefined) ?? fromEnv
  if (!project) throw needsProjectError('onboarding returned no project.')
  return project
}

async function fetchEmail(
  endpoint: string | undefined,
  accessToken: string,
  runtime: OAuthRuntime,
): Promise<string | undefined> {
  if (!endpoint) return undefined
  try {
    const response = await runtime.fetch(endpoint, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    })
    if (!response.ok) return undefined
    const body = (await response.json()) as Record<string, unknown> | null
    return plausibleEmail(body?.['email'])
  } catch {
    return undefined
  }
}

function missingSecretError(): AuthProfilesError {
  return new AuthProfilesError(
    'ERR_OAUTH',
    `${LABEL} OAuth needs the Gemini CLI client secret: set ${GOOGLE_GEMINI_CLI_CLIENT_SECRET_ENV} (or pass clientSecret to createGoogleGeminiCliOAuthAdapter).`,
    { provider: GOOGLE_GEMINI_CLI_PROVIDER_ID },
  )
}

/**
 * The Google Gemini CLI OAuth adapter: Google sign-in discovered from `https://accounts.google.com`
 * with the Gemini CLI client (its installed-app secret from `clientSecret` or the
 * `CLAW_GEMINI_CLI_CLIENT_SECRET` environment variable), scopes cloud-platform + userinfo,
 * `access_type=offline` and `prompt=consent` (so a refresh token is issued), redirect
 * `http://localhost:8085/oauth2callback`. After login: the email (best effort) and the Cloud Code
 * Assist project ({@link discoverGeminiProject}). Refresh keeps the old refresh token when Google
 * returns none; `revoke` uses Google's revocation endpoint.
 *
 * @public
 */
export function createGoogleGeminiCliOAuthAdapter(
  overrides: GoogleGeminiCliOAuthOverrides = {},
): OAuthProviderAdapter {
  checkAdapterOptions('createGoogleGeminiCliOAuthAdapter', overrides, [
    ...AUTHORIZATION_CODE_OPTIONS,
    'codeAssistBaseUrl',
    'onboardingPollIntervalMs',
    'onboardingMaxPolls',
  ])
  const { endpoints, clientId, scopes, redirectUri } = applyOverrides(
    {
      endpoints: GOOGLE_GEMINI_CLI_ENDPOINTS,
      clientId: GOOGLE_GEMINI_CLI_CLIENT_ID,
      scopes: GOOGLE_GEMINI_CLI_SCOPES,
      redirectUri: GOOGLE_GEMINI_CLI_REDIRECT_URI,
    },
    overrides,
  )
  const settingsFor = (runtime: OAuthRuntime): OAuthClientSettings => {
    const clientSecret =
      overrides.clientSecret ?? runtime.env[GOOGLE_GEMINI_CLI_CLIENT_SECRET_ENV]?.trim()
    if (!clientSecret) throw missingSecretError()
    return { endpoints, clientId, clientSecret }
  }
  return {
    id: GOOGLE_GEMINI_CLI_PROVIDER_ID,
    displayName: 'Google Gemini CLI (Cloud Code Assist)',
    flow: 'authorization_code',
    endpoints,
    clientId,
    scopes,
    redirectUri,
    async login(options) {
      const { runtime } = options
      const result = await runAuthorizationCodeFlow({
        settings: settingsFor(runtime),
        redirectUri,
        scopes,
        extraAuthorizationParams: { access_type: 'offline', prompt: 'consent' },
        callbacks: options,
        runtime,
        timeoutMs: options.timeoutMs,
        label: LABEL,
      })
      const tokens = tokenSetFromLogin(result)
      const email =
        emailFromIdToken(result) ??
        (await fetchEmail(
          endpoints.userinfoEndpoint ?? result.configuration.serverMetadata().userinfo_endpoint,
          tokens.access,
          runtime,
        ))
      options.onProgress?.('Looking up the Cloud Code Assist project…')
      const projectId = await discoverGeminiProject({
        accessToken: tokens.access,
        runtime,
        ...(overrides.codeAssistBaseUrl === undefined
          ? {}
          : { baseUrl: overrides.codeAssistBaseUrl }),
        ...(overrides.onboardingPollIntervalMs === undefined
          ? {}
          : { pollIntervalMs: overrides.onboardingPollIntervalMs }),
        ...(overrides.onboardingMaxPolls === undefined
          ? {}
          : { maxPolls: overrides.onboardingMaxPolls }),
        onProgress: options.onProgress,
      })
      return { ...tokens, ...(email === undefined ? {} : { email }), projectId }
    },
    async refresh(credential, runtime) {
      return refreshWithTokenEndpoint(settingsFor(runtime), credential, runtime)
    },
    async revoke(credential, runtime) {
      const client = await loadOpenIdClient()
      const configuration = await createClientConfiguration(settingsFor(runtime), runtime)
      if (!configuration.serverMetadata().revocation_endpoint) return false
      const token = credential.refresh || credential.access
      await client.tokenRevocation(configuration, token, {
        token_type_hint: credential.refresh ? 'refresh_token' : 'access_token',
      })
      return true
    },
  }
}
