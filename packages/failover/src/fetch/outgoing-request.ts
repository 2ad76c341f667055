// The request an SDK hands to a failover fetch, kept so it can be sent again with another
// credential: its URL, method, headers and body (when it can be replayed), the model it names,
// and the same request with a chosen credential in place of the SDK's.
import type { CredentialPresentation } from '../request-auth.js'
import type { FailoverCallContext } from '../run.js'

/** A request as the SDK made it, ready to be sent again. */
export interface OutgoingRequest {
  readonly url: string
  readonly method: string
  /** The caller's headers (the Request's, then `init`'s). */
  readonly headers: Headers
  /** `undefined` also for a non-replayable body sent through `request`. */
  readonly body: RequestInit['body'] | undefined
  readonly replayable: boolean
  /** The caller's Request when its body is a stream that can be sent once. */
  readonly request: Request | undefined
  readonly init: RequestInit | undefined
  readonly signal: AbortSignal | undefined
}

/** Bodies fetch can send twice: strings, bytes, blobs, form data and URL parameters. */
function isReplayable(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof Blob ||
    body instanceof URLSearchParams ||
    body instanceof FormData
  )
}

export function describeRequest(
  input: string | URL | Request,
  init: RequestInit | undefined,
): OutgoingRequest {
  if (!(input instanceof Request)) {
    const body = init?.body ?? undefined
    return {
      url: input instanceof URL ? input.href : input,
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body,
      replayable: isReplayable(body),
      request: undefined,
      init,
      signal: init?.signal ?? undefined,
    }
  }
  const headers = new Headers(input.headers)
  if (init?.headers !== undefined)
    for (const [name, value] of new Headers(init.headers)) headers.set(name, value)
  const body = init?.body ?? undefined
  const streamed = body === undefined && input.body != null
  return {
    url: input.url,
    method: init?.method ?? input.method,
    headers,
    body,
    replayable: !streamed && isReplayable(body),
    request: streamed ? input : undefined,
    init,
    signal: init?.signal ?? input.signal,
  }
}

/** A `"model": "<id>"` member (the first one; SDKs send the model at the top level). */
const MODEL_MEMBER = /"model"\s*:\s*"((?:[^"\\]|\\.)*)"/
/** Gemini names the model in the path: `…/models/<model>:generateContent`. */
const MODEL_IN_PATH = /\/models\/([^/:?#]+):/

/** The model a request names: its JSON body's `model`, or Gemini's `…/models/<model>:…` path. */
export function requestModel(request: OutgoingRequest): string | undefined {
  if (typeof request.body === 'string') {
    const member = MODEL_MEMBER.exec(request.body)?.[1]
    if (member !== undefined) {
      try {
        const model = JSON.parse(`"${member}"`) as string
        if (model.trim() !== '') return model
      } catch {
        // An invalid escape: not a model id.
      }
    }
  }
  const inPath = MODEL_IN_PATH.exec(request.url)?.[1]
  return inPath === undefined ? undefined : decodeURIComponent(inPath)
}

/** Headers an SDK may have set from its own (placeholder) key. */
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key']

function joinHeaderValues(existing: string | null, value: string): string {
  if (!existing) return value
  const values = existing.split(',').map((item) => item.trim())
  return values.includes(value) ? existing : `${existing},${value}`
}

/** The request's URL and headers with the chosen credential in place of the SDK's. */
export function withCredential(
  request: OutgoingRequest,
  context: FailoverCallContext,
  presented: CredentialPresentation,
): { url: string; headers: Headers } {
  const headers = new Headers(request.headers)
  for (const name of CREDENTIAL_HEADERS) headers.delete(name)
  for (const [name, value] of Object.entries(presented.headers)) {
    // `anthropic-beta` lists flags: the OAuth flag joins the SDK's own.
    headers.set(
      name,
      name.toLowerCase() === 'anthropic-beta' ? joinHeaderValues(headers.get(name), value) : value,
    )
  }
  if (context.apiKey !== undefined) {
    headers.set(
      presented.header,
      presented.header === 'authorization' ? `Bearer ${context.apiKey}` : context.apiKey,
    )
  }
  const copilotHost = presented.api === 'github-copilot' ? context.baseUrl : undefined
  if (presented.api !== 'google-generative-ai' && copilotHost === undefined)
    return { url: request.url, headers }
  const url = new URL(request.url)
  // Google also takes `?key=`: the SDK's placeholder must not go along.
  url.searchParams.delete('key')
  // GitHub Copilot: the credential decides the host (individual, business or enterprise).
  if (copilotHost !== undefined) {
    const host = new URL(copilotHost)
    url.protocol = host.protocol
    url.host = host.host
  }
  return { url: url.href, headers }
}
