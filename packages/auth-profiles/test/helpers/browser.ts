// A fetch-based stand-in for a browser in OAuth login tests: follows redirects by hand with a
// cookie jar (oidc-provider keeps interaction state in cookies), and finding free loopback ports.
import { createServer } from 'node:net'

/** What the "browser" ended on. */
export interface BrowserResult {
  readonly status: number
  readonly url: string
  readonly body: string
  /** Every URL visited, in order. */
  readonly visited: readonly string[]
}

export interface BrowseOptions {
  readonly maxRedirects?: number
  /**
   * Stop before loading a URL for which this returns true (status 0), e.g. a redirect to a
   * loopback callback nobody serves: the result's `url` is then what the address bar shows.
   */
  readonly stopAt?: (url: string) => boolean
}

/** Follows `url` and its redirects like a browser would. */
export async function browse(url: string, options: BrowseOptions = {}): Promise<BrowserResult> {
  const maxRedirects = options.maxRedirects ?? 20
  const jar = new Map<string, string>()
  const visited: string[] = []
  let current = url
  for (let hop = 0; hop <= maxRedirects; hop++) {
    visited.push(current)
    if (options.stopAt?.(current)) return { status: 0, url: current, body: '', visited }
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(current, {
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
    })
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';')
      const separator = pair.indexOf('=')
      const name = pair.slice(0, separator).trim()
      const value = pair.slice(separator + 1).trim()
      const expired = /expires=thu, 01 jan 1970/i.test(header) || /max-age=0\b/i.test(header)
      if (value === '' || expired) jar.delete(name)
      else jar.set(name, value)
    }
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel()
      current = new URL(location, current).href
      continue
    }
    return { status: response.status, url: current, body: await response.text(), visited }
  }
  throw new Error(`too many redirects from ${url}`)
}

/** A port nothing listens on right now (bound and released on 127.0.0.1). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
