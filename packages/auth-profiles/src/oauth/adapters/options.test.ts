// Adapter factories refuse options they do not know (an override in the wrong place would be
// ignored, sending a refresh meant for a test endpoint to production) and validate the required
// options of a generic OIDC adapter.
import { describe, expect, it } from 'vitest'
import { AuthProfilesError } from '../../errors.js'
import { createAnthropicOAuthAdapter } from './anthropic.js'
import { createChutesOAuthAdapter } from './chutes.js'
import { createGitHubCopilotOAuthAdapter } from './github-copilot.js'
import { createGoogleGeminiCliOAuthAdapter } from './google-gemini-cli.js'
import { createOidcOAuthAdapter, type OidcOAuthAdapterOptions } from './oidc.js'
import { createOpenAICodexOAuthAdapter } from './openai-codex.js'
import { createQwenPortalOAuthAdapter } from './qwen-portal.js'

function thrown(create: () => unknown): AuthProfilesError {
  try {
    create()
  } catch (error) {
    expect(AuthProfilesError.isInstance(error)).toBe(true)
    return error as AuthProfilesError
  }
  throw new Error('expected the factory to throw')
}

const factories: [string, (options: never) => unknown][] = [
  ['createOpenAICodexOAuthAdapter', createOpenAICodexOAuthAdapter],
  ['createAnthropicOAuthAdapter', createAnthropicOAuthAdapter],
  ['createGoogleGeminiCliOAuthAdapter', createGoogleGeminiCliOAuthAdapter],
  ['createChutesOAuthAdapter', createChutesOAuthAdapter],
  ['createGitHubCopilotOAuthAdapter', createGitHubCopilotOAuthAdapter],
  ['createQwenPortalOAuthAdapter', createQwenPortalOAuthAdapter],
]

describe('adapter factory options', () => {
  it.each(factories)('%s refuses an endpoint given at the top level', (name, create) => {
    const error = thrown(() => create({ tokenEndpoint: 'http://127.0.0.1:1/token' } as never))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.message).toContain(`${name}: unknown option "tokenEndpoint"`)
    expect(error.message).toContain('endpoints go under `endpoints`, e.g. endpoints.tokenEndpoint')
    expect(error.message).not.toContain('127.0.0.1')
  })

  it.each(factories)('%s refuses an unknown endpoint name', (name, create) => {
    const error = thrown(() => create({ endpoints: { tokenUrl: 'https://x.test' } } as never))
    expect(error.message).toContain(`${name}: unknown endpoint "tokenUrl"`)
  })

  it('accepts the overrides each factory documents', () => {
    expect(
      createOpenAICodexOAuthAdapter({
        originator: 'app',
        endpoints: { tokenEndpoint: 'https://t.test/token' },
      }).endpoints.tokenEndpoint,
    ).toBe('https://t.test/token')
    expect(() => createAnthropicOAuthAdapter({ tokenRequestEncoding: 'form' })).not.toThrow()
    expect(() => createGoogleGeminiCliOAuthAdapter({ onboardingMaxPolls: 1 })).not.toThrow()
    expect(() => createGitHubCopilotOAuthAdapter({ domain: 'ghe.example.com' })).not.toThrow()
  })
})

describe('createOidcOAuthAdapter', () => {
  const valid: OidcOAuthAdapterOptions = {
    id: 'my-gateway',
    issuer: 'https://login.example.com',
    clientId: 'claw',
    scopes: ['openid', 'offline_access'],
    redirectUri: 'http://127.0.0.1:8765/callback',
  }

  it('without scopes is a validation error, not a TypeError', () => {
    const { scopes: _scopes, ...rest } = valid
    const error = thrown(() => createOidcOAuthAdapter(rest as OidcOAuthAdapterOptions))
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.message).toBe(
      'createOidcOAuthAdapter: scopes must be a non-empty list of scope names (include offline_access to get a refresh token).',
    )
  })

  it('names every missing required option and unknown keys', () => {
    const error = thrown(() =>
      createOidcOAuthAdapter({
        scopes: ['openid'],
        tokenEndpoint: 'x',
      } as unknown as OidcOAuthAdapterOptions),
    )
    expect(error.message).toContain('unknown option "tokenEndpoint"')
    const missing = thrown(() =>
      createOidcOAuthAdapter({ scopes: ['openid'] } as unknown as OidcOAuthAdapterOptions),
    )
    expect(missing.message).toBe(
      'createOidcOAuthAdapter: id must be a non-empty string; issuer must be a non-empty string; clientId must be a non-empty string; redirectUri must be a non-empty string.',
    )
    expect(createOidcOAuthAdapter(valid).scopes).toEqual(['openid', 'offline_access'])
  })
})
