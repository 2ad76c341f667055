// A tiny scripted HTTP server on 127.0.0.1 for OAuth tests (device flows, token endpoints, the
// Copilot token exchange), plus helpers for driving openid-client's setTimeout-based polling with
// vitest fake timers while real sockets do the IO.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { vi } from 'vitest'
import { createBoundedFetch } from '../../src/oauth/http.js'
import type { OAuthRuntime } from '../../src/oauth/types.js'

/** One request the server received. */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /** The body parsed as a form (empty for other bodies). */
  readonly form: URLSearchParams
}

/** What a route answers. `json` is sent as `application/json`; `delayMs` holds the answer back. */
export interface ScriptedResponse {
  readonly status?: number
  readonly json?: unknown
  readonly text?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Never answer (the client must abort). */
  readonly hang?: boolean
}

export type Route = (request: RecordedRequest, hit: number) => ScriptedResponse

export interface FakeServer {
  readonly url: string
  readonly requests: RecordedRequest[]
  /** Requests received on a path so far. */
  hits(path: string): number
  /** Responses fully sent on a path so far. */
  answered(path: string): number
  close(): Promise<void>
}

/** Starts a server whose routes are keyed by path (`/login/device/code`). Unknown paths get 404. */
export async function startFakeServer(
  routes: Readonly<Record<string, Route>>,
): Promise<FakeServer> {
  const requests: RecordedRequest[] = []
  const answeredCounts = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
      const body = Buffer.concat(chunks).toString('utf8')
      const isForm = (req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body,
        form: new URLSearchParams(isForm ? body : ''),
      }
      requests.push(recorded)
      const route = routes[path]
      const hit = requests.filter((request) => request.path === path).length
      const answer: ScriptedResponse = route ? route(recorded, hit) : { status: 404, json: {} }
      if (answer.hang) return
      const payload = answer.json !== undefined ? JSON.stringify(answer.json) : (answer.text ?? '')
      res.writeHead(answer.status ?? 200, {
        'content-type': answer.json !== undefined ? 'application/json' : 'text/plain',
        ...answer.headers,
      })
      res.end(payload, () => answeredCounts.set(path, (answeredCounts.get(path) ?? 0) + 1))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hits: (path) => requests.filter((request) => request.path === path).length,
    answered: (path) => answeredCounts.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

let inFlightFetches = 0

/** Global fetch that counts requests in flight (so `settle` can wait for real IO). */
async function countingFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  inFlightFetches += 1
  try {
    return await fetch(input, init)
  } finally {
    inFlightFetches -= 1
  }
}

/** An `OAuthRuntime` for loopback test servers: global fetch, bounded, with the signal applied. */
export function testRuntime(
  options: { now?: () => number; signal?: AbortSignal } = {},
): OAuthRuntime {
  return {
    fetch: createBoundedFetch(countingFetch, {
      ...(options.signal ? { signal: options.signal } : {}),
    }),
    now: options.now ?? (() => Date.now()),
    env: {},
    signal: options.signal,
    allowInsecureRequests: true,
  }
}

/**
 * Lets real IO and its promise chains run: waits until no test fetch is in flight, then a few
 * event-loop turns (setImmediate is not faked).
 */
export async function settle(turns = 10): Promise<void> {
  await immediateTurns(turns)
  await until(() => inFlightFetches === 0)
  await immediateTurns(turns)
}

async function immediateTurns(turns: number): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) {
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
}

/** Waits (in real time, up to `limitMs`) until `condition` holds. */
export async function until(condition: () => boolean, limitMs = 2_000): Promise<void> {
  const start = performance.now()
  while (!condition()) {
    if (performance.now() - start > limitMs) throw new Error('condition not met in time')
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
}

/**
 * Advances fake time in `stepMs` steps, letting IO settle between steps, until `promise` settles
 * or `maxMs` of fake time have passed. Returns the outcome without throwing.
 */
export async function drive<T>(
  promise: Promise<T>,
  options: { stepMs?: number; maxMs?: number } = {},
): Promise<{ value?: T; error?: unknown; settled: boolean }> {
  let outcome: { value?: T; error?: unknown; settled: boolean } = { settled: false }
  promise.then(
    (value) => (outcome = { value, settled: true }),
    (error: unknown) => (outcome = { error, settled: true }),
  )
  const stepMs = options.stepMs ?? 500
  const maxMs = options.maxMs ?? 120_000
  // Start the clock only once the flow has scheduled a timer (its first wait or deadline), so a
  // slow first import or request cannot let fake time run out before anything waits on it.
  await until(() => outcome.settled || vi.getTimerCount() > 0, 10_000)
  await settle()
  for (let elapsed = 0; elapsed <= maxMs && !outcome.settled; elapsed += stepMs) {
    await vi.advanceTimersByTimeAsync(stepMs)
    await settle()
  }
  return outcome
}
