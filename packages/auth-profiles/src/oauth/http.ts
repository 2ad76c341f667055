import { AuthProfilesError } from '../errors.js'

/** A `fetch`-compatible function (the global one, undici's, or a test double). @public */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

/** Limits applied to every OAuth request. @public */
export interface HttpLimits {
  /** Per-request timeout; default 30 000 ms. */
  readonly timeoutMs?: number
  /** Largest response body accepted; default 1 MiB. */
  readonly maxResponseBytes?: number
  readonly signal?: AbortSignal | undefined
}

/** @internal */
export const DEFAULT_OAUTH_TIMEOUT_MS = 30_000
/** @internal */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024

function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined)
  return present.length === 1 && present[0] ? present[0] : AbortSignal.any(present)
}

async function readBounded(response: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined)
    throw tooLarge(url, maxBytes)
  }
  if (!response.body) return new Uint8Array()
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw tooLarge(url, maxBytes)
    }
    chunks.push(value)
  }
  const body = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}

function origin(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return '(invalid URL)'
  }
}

function tooLarge(url: string, maxBytes: number): AuthProfilesError {
  return new AuthProfilesError(
    'ERR_REFRESH_FAILED',
    `The response from ${origin(url)} is larger than ${maxBytes} bytes; it was not read.`,
    {
      retryable: true,
    },
  )
}

/**
 * Wraps `fetch` so every request has a timeout (combined with the caller's signal) and a bounded
 * response body. The body is buffered up to the limit and handed back as a new `Response`, so
 * openid-client and adapters can read it normally. Errors name the endpoint (origin and path,
 * never the query string) and never a request or response body.
 *
 * @internal
 */
export function createBoundedFetch(
  fetchImpl: FetchFunction,
  limits: HttpLimits = {},
): FetchFunction {
  const timeoutMs = limits.timeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS
  const maxBytes = limits.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
  return async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = anySignal([init.signal ?? undefined, limits.signal, timeout])
    let response: Response
    try {
      response = await fetchImpl(input, { ...init, signal })
    } catch (error) {
      if (limits.signal?.aborted) {
        throw new AuthProfilesError('ERR_ABORTED', `The request to ${origin(url)} was aborted.`, {
          cause: limits.signal.reason,
        })
      }
      if (timeout.aborted) {
        throw new AuthProfilesError(
          'ERR_REFRESH_FAILED',
          `The request to ${origin(url)} timed out after ${timeoutMs} ms.`,
          {
            retryable: true,
          },
        )
      }
      const code = (error as { cause?: { code?: string } } | undefined)?.cause?.code
      throw new AuthProfilesError(
        'ERR_REFRESH_FAILED',
        `The request to ${origin(url)} failed (${code ?? 'network error'}).`,
        {
          retryable: true,
        },
      )
    }
    let body: Uint8Array
    try {
      body = await readBounded(response, maxBytes, url)
    } catch (error) {
      if (AuthProfilesError.isInstance(error)) throw error
      throw new AuthProfilesError(
        'ERR_REFRESH_FAILED',
        `Reading the response from ${origin(url)} failed (${timeout.aborted ? `timed out after ${timeoutMs} ms` : 'connection lost'}).`,
        {
          retryable: true,
        },
      )
    }
    return new Response(response.status === 204 || response.status === 304 ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
  }
}
