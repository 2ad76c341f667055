// The setup most runWithFailover tests share: two Anthropic profiles in an explicit order and an
// OpenAI one in a memory store, a fake clock with a sleep that advances it, and a config whose
// primary model falls back to OpenAI.
import type { ClawConfig } from '@claw/auth-profiles'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  createFakeClock,
  createMemoryAuthStore,
} from '@claw/auth-profiles/testing'

export const MIN = 60_000

export const config: ClawConfig = {
  agents: {
    defaults: {
      model: { primary: 'anthropic/claude-opus-4-5', fallbacks: ['openai/gpt-5.2'] },
    },
  },
}

export function setup() {
  const clock = createFakeClock()
  const store = buildAuthProfileStore({
    profiles: {
      'anthropic:a': apiKeyCredential('anthropic', 'key-a'),
      'anthropic:b': apiKeyCredential('anthropic', 'key-b'),
      'openai:x': apiKeyCredential('openai', 'key-x'),
    },
    order: { anthropic: ['anthropic:a', 'anthropic:b'] },
  })
  const backend = createMemoryAuthStore(store)
  // Virtual sleep: advances the fake clock instead of waiting.
  const sleep = (ms: number) => {
    clock.advance(ms)
    return Promise.resolve()
  }
  /** The options every run of these tests starts from. */
  const base = { config, store: backend, now: clock.now, sleep, env: {} }
  return { clock, backend, sleep, base }
}

export function httpError(status: number, message: string, headers: Record<string, string> = {}) {
  return Object.assign(new Error(message), { status, headers })
}
