// The "Testing your integration" example from the package README, kept runnable.
import { expect, it } from 'vitest'
import { markAuthProfileFailure, resolveApiKeyForProvider } from '../index.js'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  createFakeClock,
  createMemoryAuthStore,
} from './index.js'

it('rotates to the next key after a rate limit, with no disk and no network', async () => {
  const clock = createFakeClock()
  const store = createMemoryAuthStore(
    buildAuthProfileStore({
      profiles: { 'openai:a': apiKeyCredential('openai'), 'openai:b': apiKeyCredential('openai') },
    }),
  )
  const result = await markAuthProfileFailure({
    store,
    profileId: 'openai:a',
    reason: 'rate_limit',
    now: clock.now,
  })
  expect(result).toEqual({ changed: true, persisted: true })
  const next = await resolveApiKeyForProvider({
    provider: 'openai',
    store,
    env: {},
    now: clock.now,
  })
  expect(next.profileId).toBe('openai:b')
  clock.advance(61_000)
  const again = await resolveApiKeyForProvider({
    provider: 'openai',
    store,
    env: {},
    now: clock.now,
  })
  expect(again.profileId).toBe('openai:a')
})
