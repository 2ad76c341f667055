import { describe, expect, it } from 'vitest'
import { buildCredentialAlerts } from './credential-alerts.js'
import { findCanaries } from '../testing/canary-scan.js'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  oauthCredential,
  tokenCredential,
} from '../testing/index.js'

const NOW = Date.UTC(2026, 0, 1)
const HOUR = 3_600_000

describe('buildCredentialAlerts', () => {
  it('lists expiring credentials, re-auth needs and disabled profiles, sorted, without secrets', () => {
    const store = buildAuthProfileStore({
      profiles: {
        'openai:key': apiKeyCredential('openai'),
        'anthropic:soon': oauthCredential('anthropic', NOW + 2 * HOUR),
        'anthropic:later': oauthCredential('anthropic', NOW + 48 * HOUR),
        'anthropic:dead': oauthCredential('anthropic', NOW + 48 * HOUR, { status: 'needs_reauth' }),
        'anthropic:setup': tokenCredential('anthropic', undefined, { expires: NOW + 3 * HOUR }),
        'zai:old': tokenCredential('zai', undefined, { expires: NOW - HOUR }),
        // An expired OAuth token is refreshed on use: not an alert by itself.
        'google-gemini-cli:me': oauthCredential('google-gemini-cli', NOW - HOUR),
        'openai:billing': apiKeyCredential('openai'),
        'openai:over': apiKeyCredential('openai'),
        'openai:cool': apiKeyCredential('openai'),
      },
      usageStats: {
        'openai:billing': { disabledUntil: NOW + 5 * HOUR, disabledReason: 'billing' },
        'openai:over': { disabledUntil: NOW - 1, disabledReason: 'billing' },
        'openai:cool': { cooldownUntil: NOW + HOUR, cooldownReason: 'rate_limit' },
      },
    })
    const alerts = buildCredentialAlerts({ store, now: () => NOW })
    expect(alerts).toEqual({
      now: NOW,
      warnAfterMs: 24 * HOUR,
      expiring: [
        {
          profileId: 'anthropic:setup',
          provider: 'anthropic',
          type: 'token',
          expiresAt: NOW + 3 * HOUR,
          remainingMs: 3 * HOUR,
          refreshable: false,
        },
        {
          profileId: 'anthropic:soon',
          provider: 'anthropic',
          type: 'oauth',
          expiresAt: NOW + 2 * HOUR,
          remainingMs: 2 * HOUR,
          refreshable: true,
        },
      ],
      reauthRequired: [
        { profileId: 'anthropic:dead', provider: 'anthropic', reason: 'refresh_rejected' },
        { profileId: 'zai:old', provider: 'zai', reason: 'token_expired' },
      ],
      disabled: [
        {
          profileId: 'openai:billing',
          provider: 'openai',
          reason: 'billing',
          until: NOW + 5 * HOUR,
          remainingMs: 5 * HOUR,
        },
      ],
    })
    const secrets = Object.values(store.profiles).flatMap((credential) =>
      credential.type === 'api_key'
        ? [credential.key ?? '']
        : credential.type === 'token'
          ? [credential.token ?? '']
          : [credential.access, credential.refresh],
    )
    expect(findCanaries(alerts, secrets)).toEqual([])
  })

  it('takes the warning window as an option', () => {
    const store = buildAuthProfileStore({
      profiles: { 'anthropic:soon': oauthCredential('anthropic', NOW + 2 * HOUR) },
    })
    expect(buildCredentialAlerts({ store, now: () => NOW, warnAfterMs: HOUR }).expiring).toEqual([])
    expect(() => buildCredentialAlerts({ store, warnAfterMs: -1 })).toThrow(/warnAfterMs/)
  })
})
