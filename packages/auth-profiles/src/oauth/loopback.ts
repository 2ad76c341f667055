// The browser half of an authorization-code login: a one-shot HTTP server on the loopback
// interface that receives the redirect, and the "paste the redirect URL" fallback raced against
// it. Both produce a callback URL rebuilt from the *registered* redirect URI, so the
// `redirect_uri` sent to the token endpoint always equals the one in the authorization request.
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { AuthProfilesError } from '../errors.js'

/** How long a browser login may take by default: 5 minutes. @public */
export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60_000

/** @public */
export interface LoopbackCallbackOptions {
  /**
   * The registered redirect URI, e.g. `http://localhost:1455/auth/callback`. The server binds the
   * loopback address matching its host on its port (`127.0.0.1` → `127.0.0.1`, `[::1]` → `::1`,
   * `localhost` → `127.0.0.1` and, when available, `::1`) and serves only its path. A non-loopback
   * or non-http URI starts no server.
   */
  readonly redirectUri: string
  /** The `state` sent in the authorization request; a callback with another state fails the login. */
  readonly expectedState: string
  /** Aborting rejects `result` with `ERR_ABORTED` and closes the server. */
  readonly signal?: AbortSignal | undefined
  /** Reject `result` with `ERR_OAUTH` after this long; default {@link DEFAULT_LOGIN_TIMEOUT_MS}. */
  readonly timeoutMs?: number | undefined
}

/** A started (or, when the port was unavailable, not started) loopback callback. @public */
export interface LoopbackCallback {
  /** Whether the server is listening; `false` means the redirect has to be pasted. */
  readonly listening: boolean
  /** Why the server is not listening (e.g. `port 1455 is in use`), for a progress line. */
  readonly reason?: string
  /**
   * The callback URL (the registered redirect URI plus the received query). Rejects with
   * `ERR_OAUTH` on a state mismatch or timeout and `ERR_ABORTED` on abort or {@link close}. When
   * not listening it never resolves but still honours the timeout and the signal.
   */
  readonly result: Promise<URL>
  /** Stops waiting and closes the server (idempotent); resolves once the port is released. */
  close(): Promise<void>
}

const SUCCESS_PAGE = page(
  'Login complete',
  'Login complete, you can close this tab and return to the terminal.',
)
const ERROR_PAGE = page(
  'Login failed',
  'The login did not complete. Return to the terminal for details and try again.',
)
const NOT_FOUND_PAGE = page('Not found', 'Nothing is served here.')
const DONE_PAGE = page('Login finished', 'This login has already finished; you can close this tab.')

function page(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family: system-ui, sans-serif; margin: 3rem"><h1>${title}</h1><p>${message}</p></body></html>`
}

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    // The page's URL carries the authorization code: never leak it through a Referer.
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'x-content-type-options': 'nosniff',
    connection: 'close',
  })
  response.end(body)
}

/** The parsed registered redirect URI; `ERR_INVALID_ARGUMENT` when it is not an absolute URL. */
/** @internal */
export function parseRedirectUri(redirectUri: string): URL {
  try {
    const url = new URL(redirectUri)
    url.hash = ''
    return url
  } catch {
    throw new AuthProfilesError('ERR_INVALID_ARGUMENT', 'The redirect URI is not an absolute URL.')
  }
}

/**
 * The addresses to bind for a redirect URI (the first is required, the others best effort), or
 * `undefined` when it is not an http loopback URI. `localhost` may resolve to `::1` first in a
 * browser, so it also gets an IPv6 listener when the system has one.
 */
function loopbackHosts(url: URL): readonly string[] | undefined {
  if (url.protocol !== 'http:') return undefined
  if (url.hostname === 'localhost') return ['127.0.0.1', '::1']
  if (url.hostname === '127.0.0.1') return ['127.0.0.1']
  if (url.hostname === '[::1]') return ['::1']
  return undefined
}

/** The registered redirect URI with the given query (and no fragment). */
/** @internal */
export function withQuery(registered: URL, params: URLSearchParams): URL {
  const url = new URL(registered.href)
  url.search = params.toString()
  url.hash = ''
  return url
}

/** @internal */
export function stateMismatchError(): AuthProfilesError {
  return new AuthProfilesError(
    'ERR_OAUTH',
    'OAuth login failed: state mismatch (the redirect does not belong to this login attempt).',
  )
}

function abortedError(reason: string): AuthProfilesError {
  return new AuthProfilesError('ERR_ABORTED', `The OAuth login was ${reason}.`)
}

function timeoutError(timeoutMs: number): AuthProfilesError {
  return new AuthProfilesError(
    'ERR_OAUTH',
    `OAuth login timed out after ${Math.round(timeoutMs / 1000)} s without a redirect from the browser.`,
  )
}

function listen(
  server: Server,
  port: number,
  host: string,
): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening)
      resolve(error)
    }
    const onListening = (): void => {
      server.off('error', onError)
      resolve(undefined)
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen({ port, host, exclusive: true })
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeIdleConnections()
  })
}

function bindFailureReason(error: NodeJS.ErrnoException, port: number): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${port} is in use`
    case 'EACCES':
    case 'EPERM':
      return `port ${port} cannot be opened (permission denied)`
    default:
      return `the loopback server could not start (${error.code ?? 'unknown error'})`
  }
}

/**
 * Starts the loopback server that receives the authorization redirect. It answers requests to the
 * redirect URI's path with a small static page (never echoing parameters), checks `state`, and
 * resolves `result` with the callback URL rebuilt from the registered redirect URI plus the
 * received query. Event-driven: one timer (unref'd) and the abort signal; the server is closed
 * however the wait ends.
 *
 * When the port cannot be bound (`EADDRINUSE`, `EACCES`, …) or the redirect URI is not an http
 * loopback URI, it resolves with `listening: false` instead of throwing: fall back to pasting.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ARGUMENT` for an invalid redirect URI or timeout,
 *   `ERR_ABORTED` when the signal is already aborted.
 * @public
 */
export async function startLoopbackCallback(
  options: LoopbackCallbackOptions,
): Promise<LoopbackCallback> {
  const registered = parseRedirectUri(options.redirectUri)
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      'The login timeout must be a positive number of ms.',
    )
  }
  const { signal, expectedState } = options
  if (signal?.aborted) throw abortedError('aborted')

  let resolveResult!: (url: URL) => void
  let rejectResult!: (error: AuthProfilesError) => void
  const result = new Promise<URL>((resolve, reject) => {
    resolveResult = resolve
    rejectResult = reject
  })
  // Callers that never await `result` (the paste won) must not see an unhandled rejection.
  result.catch(() => undefined)

  const servers: Server[] = []
  let closed: Promise<void> | undefined
  let settled = false
  const shutdown = (): Promise<void> => {
    closed ??= Promise.all(servers.map(closeServer)).then(() => undefined)
    return closed
  }
  /** Settles `result` once; `hard` also drops open connections (no response of ours pending). */
  const finish = (outcome: { url: URL } | { error: AuthProfilesError }, hard = false): void => {
    if (settled) return
    settled = true
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
    if ('url' in outcome) resolveResult(outcome.url)
    else rejectResult(outcome.error)
    void shutdown()
    if (hard) for (const server of servers) server.closeAllConnections()
  }
  const onAbort = (): void => finish({ error: abortedError('aborted') }, true)
  const timer = setTimeout(() => finish({ error: timeoutError(timeoutMs) }, true), timeoutMs)
  timer.unref()
  signal?.addEventListener('abort', onAbort, { once: true })

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const received = new URL(request.url ?? '/', 'http://127.0.0.1')
    if (request.method !== 'GET' || received.pathname !== registered.pathname) {
      send(response, 404, NOT_FOUND_PAGE)
      return
    }
    if (settled) {
      send(response, 410, DONE_PAGE)
      return
    }
    const params = received.searchParams
    const code = params.get('code')
    const error = params.get('error')
    if (!code && !error) {
      // Not an authorization response (a reload, a probe): keep waiting.
      send(response, 400, ERROR_PAGE)
      return
    }
    if (params.get('state') !== expectedState) {
      send(response, 400, ERROR_PAGE)
      finish({ error: stateMismatchError() })
      return
    }
    send(response, error ? 400 : 200, error ? ERROR_PAGE : SUCCESS_PAGE)
    finish({ url: withQuery(registered, params) })
  }

  const hosts = loopbackHosts(registered)
  // node:http is loaded on first use: importing this package should not pay for a server.
  const { createServer } = await import('node:http')
  let reason: string | undefined
  if (hosts === undefined) {
    reason = 'the redirect URI is not an http loopback address'
  } else {
    const port = registered.port === '' ? 80 : Number(registered.port)
    for (const [index, host] of hosts.entries()) {
      const candidate = createServer(handle)
      candidate.requestTimeout = 15_000
      candidate.headersTimeout = 10_000
      const failure = await listen(candidate, port, host)
      if (failure) {
        // Only the first address is required (e.g. no IPv6 on this system is fine).
        if (index === 0) {
          reason = bindFailureReason(failure, port)
          break
        }
        continue
      }
      // A stalled browser connection must not hold the port for long once we are done.
      candidate.on('connection', (socket) => socket.setTimeout(15_000, () => socket.destroy()))
      servers.push(candidate)
    }
    if (settled) {
      // Aborted while binding: `shutdown` may already have run without these servers.
      await Promise.all(servers.map(closeServer))
    }
  }

  return {
    listening: servers.length > 0 && !settled,
    ...(reason === undefined ? {} : { reason }),
    result,
    close() {
      finish({ error: abortedError('cancelled') }, true)
      return shutdown()
    },
  }
}
