// Small pieces shared by the loopback HTTP servers the tests run (fake providers, token servers).
import type { IncomingMessage } from 'node:http'

/** Reads a request body as UTF-8; a body over `limit` characters destroys the request. */
export function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => {
      body += chunk
      if (body.length > limit) request.destroy(new Error('request body too large'))
    })
    request.on('end', () => resolve(body))
    request.on('error', reject)
  })
}
