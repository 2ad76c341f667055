// A tiny recording HTTP server on 127.0.0.1:0 for OAuth tests: token endpoints, discovery
// documents, fake Google APIs. Each request is recorded (method, path, query, headers, body) and
// answered by the test's handler.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach } from 'vitest'

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /** The body as form fields (for `application/x-www-form-urlencoded`). */
  readonly form: URLSearchParams
  /** The body as JSON, when it parses. */
  readonly json: Record<string, unknown> | undefined
}

export interface Reply {
  readonly status?: number
  readonly json?: unknown
  readonly text?: string
  readonly headers?: Record<string, string>
}

export type Handler = (request: RecordedRequest, baseUrl: string) => Reply | Promise<Reply>

export interface TestServer {
  readonly url: string
  readonly requests: RecordedRequest[]
  close(): Promise<void>
}

export async function startTestServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = []
  let baseUrl = ''
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const url = new URL(request.url ?? '/', baseUrl)
      let json: Record<string, unknown> | undefined
      try {
        json = JSON.parse(body) as Record<string, unknown>
      } catch {
        json = undefined
      }
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body,
        form: new URLSearchParams(body),
        json,
      }
      requests.push(recorded)
      Promise.resolve(handler(recorded, baseUrl))
        .then((reply) => {
          const text = reply.json === undefined ? (reply.text ?? '') : JSON.stringify(reply.json)
          response.writeHead(reply.status ?? 200, {
            'content-type':
              reply.json === undefined ? 'text/plain; charset=utf-8' : 'application/json',
            ...reply.headers,
          })
          response.end(text)
        })
        .catch(() => {
          response.writeHead(500)
          response.end()
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: baseUrl,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** A token endpoint reply. */
/**
 * `server(handler)` for one test file: starts a test server and closes every server it started
 * after each test. Call it once at the top level of the file.
 */
export function useTestServers(): (handler: Handler) => Promise<TestServer> {
  const open: TestServer[] = []
  afterEach(async () => {
    while (open.length > 0) await open.pop()?.close()
  })
  return async (handler) => {
    const started = await startTestServer(handler)
    open.push(started)
    return started
  }
}

export function tokenReply(fields: Record<string, unknown>): Reply {
  return { json: { token_type: 'Bearer', expires_in: 3600, ...fields } }
}
