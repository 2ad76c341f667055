// The fake model provider of @claw/failover/testing for one test file: started before its tests,
// reset (behaviours and recorded requests forgotten) before each test, closed after them.
import { startProviderServer, type ProviderServer } from '@claw/failover/testing'
import { afterAll, beforeAll, beforeEach } from 'vitest'

/**
 * Registers the hooks and returns the server (usable from the first test on). Call it at the top
 * of a file, or inside a `describe` so the hooks follow its skip condition.
 */
export function useProviderServer(): ProviderServer {
  let server: ProviderServer | undefined
  beforeAll(async () => {
    server = await startProviderServer()
  })
  afterAll(async () => {
    await server?.close()
  })
  beforeEach(() => {
    server?.reset()
  })
  const current = (): ProviderServer => {
    if (server === undefined) throw new Error('the provider server starts in beforeAll')
    return server
  }
  return {
    get url() {
      return current().url
    },
    get endpoint() {
      return current().endpoint
    },
    setBehaviour: (key, behaviour, options) => current().setBehaviour(key, behaviour, options),
    reset: () => current().reset(),
    stats: () => current().stats(),
    close: () => current().close(),
  }
}
