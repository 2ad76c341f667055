// The OAuth 2.0 device authorization grant (RFC 8628) on top of openid-client: initiation (with
// optional PKCE), showing the code, and polling until the person has entered it, the code expires,
// or the caller aborts. A fetch wrapper adapts GitHub's non-standard polling responses.
import type * as OpenIdClient from 'openid-client'
import { AuthProfilesError } from '../errors.js'
import type { FetchFunction } from './http.js'
import { createClientConfiguration, loadOpenIdClient, type OAuthClientSettings } from './openid.js'
import type { DeviceCodeInfo, OAuthLoginCallbacks, OAuthRuntime } from './types.js'

/** The smallest polling interval honoured, in seconds (a server sending `0` would hammer itself). */
const MIN_INTERVAL_SECONDS = 1
/** RFC 8628 §3.2: the default polling interval. */
const DEFAULT_INTERVAL_SECONDS = 5

/** Options of {@link runDeviceFlow}. @public */
export interface RunDeviceFlowOptions {
  /** Client id and endpoints; `endpoints.deviceAuthorizationEndpoint` and `tokenEndpoint` are used. */
  readonly settings: OAuthClientSettings
  /** Sent space-separated as `scope` at initiation (omitted when empty). */
  readonly scopes: readonly string[]
  /** Extra form parameters for the device authorization request. */
  readonly extraParams?: Readonly<Record<string, string>>
  /**
   * Send a PKCE `code_challenge` (S256) at initiation and the `code_verifier` with every poll
   * (Qwen's device flow requires it).
   */
  readonly pkce?: boolean
  /** `onDeviceCode` shows the code; `onProgress` gets status lines (never secrets). */
  readonly callbacks: {
    readonly onDeviceCode: NonNullable<OAuthLoginCallbacks['onDeviceCode']>
    readonly onProgress?: OAuthLoginCallbacks['onProgress']
  }
  /** Network, clock and abort signal. Aborting stops polling at once (`ERR_ABORTED`). */
  readonly runtime: OAuthRuntime
  /**
   * Adapt GitHub's token endpoint, which answers pending polls with HTTP 200 and an `error` body
   * (rewritten to HTTP 400, as RFC 8628 specifies) and may omit `token_type` (`bearer` is added).
   */
  readonly githubCompat?: boolean
  /**
   * Give up earlier than the code's own lifetime (`expires_in`), in ms. By default polling stops
   * when the code expires.
   */
  readonly timeoutMs?: number | undefined
  /** Names the provider in messages, e.g. `GitHub Copilot`; default `OAuth`. */
  readonly label?: string
}

/** The token response of a completed device flow. @public */
export interface DeviceFlowResult {
  /** The token endpoint's JSON (validated by openid-client: `access_token` and `token_type` exist). */
  readonly tokens: OpenIdClient.TokenEndpointResponse
  /** Epoch ms when the tokens were received (per `runtime.now`). */
  readonly issuedAt: number
}

/** What the polling fetch wrapper saw, for messages. */
interface PollObservations {
  slowDowns: number
}

function isJsonContentType(headers: Headers): boolean {
  return /\bjson\b/i.test(headers.get('content-type') ?? '')
}

function rebuild(body: string, status: number, statusText: string, source: Headers): Response {
  const headers = new Headers(source)
  // The body may have been decoded and rewritten: its original length and encoding no longer hold.
  headers.delete('content-length')
  headers.delete('content-encoding')
  return new Response(body, { status, statusText, headers })
}

/**
 * Wraps `fetch` for device polling: counts `slow_down` answers and, with `githubCompat`, turns an
 * HTTP 200 whose JSON body has an `error` member into an HTTP 400 with the same body and adds
 * `token_type: bearer` to a token response that lacks one. Bodies are never logged or kept.
 */
function createDeviceFetch(
  inner: FetchFunction,
  githubCompat: boolean,
  observations: PollObservations,
): FetchFunction {
  return async (input, init) => {
    const response = await inner(input, init)
    if (
      !isJsonContentType(response.headers) ||
      response.status === 204 ||
      response.status === 304
    ) {
      return response
    }
    const text = await response.text()
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return rebuild(text, response.status, response.statusText, response.headers)
    }
    const body =
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : undefined
    const error = body && typeof body['error'] === 'string' ? body['error'] : undefined
    if (error === 'slow_down') observations.slowDowns += 1
    if (githubCompat && body) {
      if (response.status === 200 && error !== undefined && error !== '') {
        return rebuild(text, 400, 'Bad Request', response.headers)
      }
      if (
        response.status === 200 &&
        typeof body['access_token'] === 'string' &&
        (typeof body['token_type'] !== 'string' || body['token_type'] === '')
      ) {
        return rebuild(
          JSON.stringify({ ...body, token_type: 'bearer' }),
          200,
          response.statusText,
          response.headers,
        )
      }
    }
    return rebuild(text, response.status, response.statusText, response.headers)
  }
}

/** An OAuth error code safe to show: short, and only code characters. */
function safeCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(value) ? value : undefined
}

/** The first `AuthProfilesError` in an error's cause chain (our bounded fetch throws those). */
function findOwnError(error: unknown): AuthProfilesError | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    if (AuthProfilesError.isInstance(current)) return current
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

class StopPolling extends Error {
  constructor(readonly why: 'aborted' | 'deadline') {
    super(why)
  }
}

/**
 * Converts whatever openid-client or the network threw into an `AuthProfilesError`. The original
 * is never attached as `cause`: openid-client errors carry response bodies, which can hold tokens
 * or the device code.
 */
function toLoginError(
  error: unknown,
  context: { label: string; phase: 'initiation' | 'polling'; client: typeof OpenIdClient },
): AuthProfilesError {
  const { label, phase, client } = context
  const own = findOwnError(error)
  if (own) {
    if (own.code === 'ERR_ABORTED') return own
    return new AuthProfilesError('ERR_OAUTH', `${label} login failed: ${own.message}`, {
      retryable: own.retryable,
    })
  }
  if (error instanceof client.ResponseBodyError) {
    const code = safeCode(error.error) ?? 'unknown_error'
    if (phase === 'polling' && code === 'expired_token') {
      return new AuthProfilesError(
        'ERR_OAUTH',
        `${label} login failed: the code expired before it was entered. Run the login again.`,
      )
    }
    if (phase === 'polling' && code === 'access_denied') {
      return new AuthProfilesError(
        'ERR_OAUTH',
        `${label} login failed: the authorization was denied (access_denied).`,
      )
    }
    const where = phase === 'initiation' ? 'device authorization endpoint' : 'token endpoint'
    return new AuthProfilesError(
      'ERR_OAUTH',
      `${label} login failed: the ${where} returned ${code} (HTTP ${error.status}).`,
      { retryable: error.status === 429 || error.status >= 500 },
    )
  }
  if (error instanceof client.ClientError) {
    const code = safeCode(error.code) ?? 'OAUTH_ERROR'
    return new AuthProfilesError(
      'ERR_OAUTH',
      `${label} login failed: unexpected response during device ${phase} (${code}).`,
      { retryable: code === 'OAUTH_TIMEOUT' || code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' },
    )
  }
  return new AuthProfilesError(
    'ERR_OAUTH',
    `${label} login failed: the device ${phase} request failed.`,
    {
      retryable: true,
    },
  )
}

function abortedError(label: string, signal: AbortSignal | undefined): AuthProfilesError {
  return new AuthProfilesError('ERR_ABORTED', `The ${label} login was cancelled.`, {
    ...(signal?.reason === undefined ? {} : { cause: signal.reason }),
  })
}

/** Rejects with `StopPolling` as soon as `signal` aborts; never settles otherwise. */
function whenStopped(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    const stop = (): void => {
      const reason: unknown = signal.reason
      reject(reason instanceof StopPolling ? reason : new StopPolling('aborted'))
    }
    if (signal.aborted) stop()
    else signal.addEventListener('abort', stop, { once: true })
  })
}

function checkVerificationUri(value: string, runtime: OAuthRuntime, label: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new AuthProfilesError(
      'ERR_OAUTH',
      `${label} login failed: the verification URI is not a URL.`,
    )
  }
  if (url.protocol !== 'https:' && !(runtime.allowInsecureRequests && url.protocol === 'http:')) {
    throw new AuthProfilesError(
      'ERR_OAUTH',
      `${label} login failed: the verification URI is not an https URL.`,
    )
  }
  return value
}

/**
 * Runs the device authorization grant (RFC 8628) with openid-client's
 * `initiateDeviceAuthorization` and `pollDeviceAuthorizationGrant`:
 *
 * 1. requests a device code (`scope`, `extraParams`, and with `pkce` a S256 `code_challenge`);
 * 2. calls `callbacks.onDeviceCode` with the verification URI (and `verificationUriComplete` when
 *    the server sent one), the user code and its expiry;
 * 3. polls the token endpoint, first after `interval` seconds (default 5), honouring
 *    `authorization_pending`, `slow_down` (the interval grows by 5 s) and `Retry-After`, and with
 *    `pkce` sending the `code_verifier` on every poll;
 * 4. stops when the code expires (`expires_in`, or `timeoutMs` if earlier).
 *
 * Aborting `runtime.signal` rejects at once, also in the middle of a wait.
 *
 * @throws {AuthProfilesError} `ERR_OAUTH` when the code expired (`expired_token` or the deadline),
 *   the person denied access (`access_denied`), or the server answered with another error or a
 *   malformed response (messages carry OAuth error codes, never bodies or tokens);
 *   `ERR_ABORTED` when `runtime.signal` aborted.
 * @public
 */
export async function runDeviceFlow(options: RunDeviceFlowOptions): Promise<DeviceFlowResult> {
  const { runtime, callbacks } = options
  const label = options.label ?? 'OAuth'
  const external = runtime.signal
  if (external?.aborted) throw abortedError(label, external)
  if (options.settings.endpoints.deviceAuthorizationEndpoint === undefined) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      `${label}: a device flow needs a device authorization endpoint.`,
    )
  }
  const client = await loadOpenIdClient()
  const observations: PollObservations = { slowDowns: 0 }
  const configuration = await createClientConfiguration(options.settings, {
    ...runtime,
    fetch: createDeviceFetch(runtime.fetch, options.githubCompat === true, observations),
  })

  const stopper = new AbortController()
  const onExternalAbort = (): void => stopper.abort(new StopPolling('aborted'))
  external?.addEventListener('abort', onExternalAbort, { once: true })
  const stopped = whenStopped(stopper.signal)
  stopped.catch(() => undefined)
  let deadline: ReturnType<typeof setTimeout> | undefined
  let phase: 'initiation' | 'callback' | 'polling' = 'initiation'
  try {
    const parameters: Record<string, string> = { ...options.extraParams }
    if (options.scopes.length > 0) parameters['scope'] = options.scopes.join(' ')
    let verifier: string | undefined
    if (options.pkce === true) {
      verifier = client.randomPKCECodeVerifier()
      parameters['code_challenge'] = await client.calculatePKCECodeChallenge(verifier)
      parameters['code_challenge_method'] = 'S256'
    }
    const initiation = client.initiateDeviceAuthorization(configuration, parameters)
    initiation.catch(() => undefined)
    const device = await Promise.race([initiation, stopped])
    const verificationUri = checkVerificationUri(device.verification_uri, runtime, label)
    const complete =
      typeof device.verification_uri_complete === 'string' && device.verification_uri_complete
        ? checkVerificationUri(device.verification_uri_complete, runtime, label)
        : undefined
    const lifetimeMs = Math.max(0, device.expires_in * 1000)
    const info: DeviceCodeInfo = {
      verificationUri,
      ...(complete === undefined ? {} : { verificationUriComplete: complete }),
      userCode: device.user_code,
      expiresAt: runtime.now() + lifetimeMs,
    }
    const deadlineMs =
      options.timeoutMs !== undefined && options.timeoutMs >= 0
        ? Math.min(lifetimeMs, options.timeoutMs)
        : lifetimeMs
    deadline = setTimeout(() => stopper.abort(new StopPolling('deadline')), deadlineMs)
    phase = 'callback'
    await Promise.race([Promise.resolve(callbacks.onDeviceCode(info)), stopped])
    callbacks.onProgress?.(`Waiting for the code to be entered at ${verificationUri} …`)

    phase = 'polling'
    const interval = Math.max(MIN_INTERVAL_SECONDS, device.interval ?? DEFAULT_INTERVAL_SECONDS)
    const polling = client.pollDeviceAuthorizationGrant(
      configuration,
      { ...device, interval },
      verifier === undefined ? undefined : { code_verifier: verifier },
      { signal: stopper.signal },
    )
    // openid-client notices an abort only between its (up to 5 s) wait steps; the race below
    // answers the caller at once and this keeps the late rejection from going unhandled.
    polling.catch(() => undefined)
    const tokens = await Promise.race([polling, stopped])
    return { tokens, issuedAt: runtime.now() }
  } catch (error) {
    if (external?.aborted) throw abortedError(label, external)
    const reason: unknown = stopper.signal.aborted ? stopper.signal.reason : undefined
    if (error instanceof StopPolling || reason instanceof StopPolling) {
      const drift =
        observations.slowDowns > 0
          ? ' The server asked to slow down; if this keeps happening, check that the system clock is correct (WSL and VMs drift).'
          : ''
      throw new AuthProfilesError(
        'ERR_OAUTH',
        `${label} login failed: the code expired before it was entered. Run the login again.${drift}`,
      )
    }
    // The caller's own onDeviceCode failed: its error is theirs to see unchanged.
    if (phase === 'callback') throw error
    throw toLoginError(error, { label, phase, client })
  } finally {
    if (deadline !== undefined) clearTimeout(deadline)
    external?.removeEventListener('abort', onExternalAbort)
    if (!stopper.signal.aborted) stopper.abort(new StopPolling('aborted'))
  }
}
