// The credential store the `claw models status` tests report on.
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  oauthCredential,
} from '@claw/auth-profiles/testing'

const MIN = 60_000
const HOUR = 60 * MIN

/** A store with two OpenAI keys (one cooling down), an Anthropic OAuth login and a billing-disabled Groq key. */
export function richStore(now: number) {
  const keys = {
    openaiA: canarySecret('sk-proj-'),
    openaiB: canarySecret('sk-proj-'),
    groq: canarySecret('gsk_'),
  }
  const anthropic = oauthCredential('anthropic', now + 72 * HOUR, { email: 'me@example.com' })
  const store = buildAuthProfileStore({
    profiles: {
      'openai:a': apiKeyCredential('openai', keys.openaiA),
      'openai:b': apiKeyCredential('openai', keys.openaiB),
      'anthropic:me': anthropic,
      'groq:main': apiKeyCredential('groq', keys.groq),
    },
    usageStats: {
      'openai:a': {
        cooldownUntil: now + 5 * MIN + 20_000,
        cooldownReason: 'rate_limit',
        errorCount: 1,
      },
      'groq:main': { disabledUntil: now + 5 * HOUR + 5 * MIN, disabledReason: 'billing' },
    },
  })
  return { store, secrets: [...Object.values(keys), anthropic.access, anthropic.refresh] }
}

/** How status shows an OpenAI project key: its prefix and last four characters. */
export const mask = (key: string) => `sk-proj-…${key.slice(-4)}`
