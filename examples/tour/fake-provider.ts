// A local stand-in for a model provider, on 127.0.0.1: an OpenAI-compatible chat endpoint that
// answers per API key, and an OAuth token endpoint that refreshes access tokens. Everything stays
// in memory; the keys are made-up examples.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type KeyBehaviour = 'ok' | 'rate_limited' | 'out_of_credit'

export interface FakeProvider {
  readonly baseUrl: string
  /** How each API key / access token is answered; change it while the demo runs. */
  readonly keys: Map<string, KeyBehaviour>
  /** Refresh grants received so far. */
  refreshes: number
  close(): Promise<void>
}

function reply(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(body))
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of request) body += String(chunk)
  return body
}

export async function startFakeProvider(): Promise<FakeProvider> {
  const keys = new Map<string, KeyBehaviour>()
  let issued = 0
  const provider: FakeProvider = {
    baseUrl: '',
    keys,
    refreshes: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      if (request.url === '/oauth/token') {
        const form = new URLSearchParams(body)
        if (form.get('grant_type') !== 'refresh_token' || !form.get('refresh_token')) {
          return reply(response, 400, { error: 'invalid_grant' })
        }
        provider.refreshes += 1
        issued += 1
        const access = `demo-oauth-access-${issued}-${Date.now().toString(36)}`
        keys.set(access, 'ok')
        return reply(response, 200, {
          access_token: access,
          refresh_token: `demo-oauth-refresh-${issued}`,
          token_type: 'Bearer',
          expires_in: 3600,
        })
      }
      const key = request.headers.authorization?.replace(/^Bearer /, '') ?? ''
      const model = (JSON.parse(body || '{}') as { model?: string }).model ?? 'unknown'
      switch (keys.get(key)) {
        case 'ok':
          return reply(response, 200, {
            model,
            choices: [{ message: { role: 'assistant', content: `Hello from ${model}!` } }],
          })
        case 'rate_limited':
          return reply(
            response,
            429,
            { error: { message: 'Rate limit reached for requests', code: 'rate_limit_exceeded' } },
            { 'retry-after': '45' },
          )
        case 'out_of_credit':
          return reply(response, 402, {
            error: { message: 'You exceeded your current quota', code: 'insufficient_quota' },
          })
        default:
          return reply(response, 401, {
            error: { message: 'Incorrect API key provided', code: 'invalid_api_key' },
          })
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(provider, { baseUrl: `http://127.0.0.1:${port}` })
}
