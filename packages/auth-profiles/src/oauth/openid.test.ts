// Discovery documents are cached where the caller says: its own map, or the process default.
import { expect, it } from 'vitest'
import { createClientConfiguration, type OidcDiscoveryCache } from './openid.js'
import type { OAuthRuntime } from './types.js'

function discoveryRuntime(issuer: string): { runtime: OAuthRuntime; requests: string[] } {
  const requests: string[] = []
  const runtime: OAuthRuntime = {
    fetch: (input) => {
      requests.push(String(input instanceof Request ? input.url : input))
      return Promise.resolve(
        Response.json({ issuer, token_endpoint: `${issuer}/token` }, { status: 200 }),
      )
    },
    now: () => Date.now(),
    env: {},
    allowInsecureRequests: false,
  }
  return { runtime, requests }
}

it('keeps discovered metadata in the cache the caller passes, one request per issuer', async () => {
  const issuer = 'https://login.discovery-cache.example'
  const { runtime, requests } = discoveryRuntime(issuer)
  const cache: OidcDiscoveryCache = new Map()
  const settings = { endpoints: { issuer }, clientId: 'claw', discoveryCache: cache }
  const first = await createClientConfiguration(settings, runtime)
  expect(first.serverMetadata().token_endpoint).toBe(`${issuer}/token`)
  expect([...cache.keys()]).toEqual([issuer])
  await createClientConfiguration(settings, runtime)
  expect(requests).toHaveLength(1)

  // Another cache is another scope: it discovers for itself.
  await createClientConfiguration({ ...settings, discoveryCache: new Map() }, runtime)
  expect(requests).toHaveLength(2)
})
