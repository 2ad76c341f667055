import { describe, expect, it } from 'vitest'
import { parseAuthProfilesConfig } from '../config.js'
import { catchAuthError } from '../../test/helpers/errors.js'
import { createOAuthProvidersFromConfig } from './config-providers.js'
import { defaultOAuthProviders } from './providers.js'

describe('createOAuthProvidersFromConfig', () => {
  it('returns the default registry when nothing is configured', () => {
    const result = createOAuthProvidersFromConfig({ config: {} })
    expect(result.providers).toBe(defaultOAuthProviders())
    expect(result).toMatchObject({ allowInsecureRequests: false, configured: [] })
  })

  it('overrides a built-in adapter field by field, leaving the default registry alone', () => {
    const result = createOAuthProvidersFromConfig({
      config: {
        auth: {
          oauth: {
            'OpenAI-Codex': {
              tokenEndpoint: 'http://127.0.0.1:9999/oauth/token',
              clientId: 'corp-client',
            },
          },
        },
      },
    })
    const adapter = result.providers.get('openai-codex')
    expect(adapter?.endpoints).toEqual({
      issuer: 'https://auth.openai.com',
      authorizationEndpoint: 'https://auth.openai.com/oauth/authorize',
      tokenEndpoint: 'http://127.0.0.1:9999/oauth/token',
    })
    expect(adapter?.clientId).toBe('corp-client')
    expect(result).toMatchObject({ allowInsecureRequests: true, configured: ['openai-codex'] })
    expect(defaultOAuthProviders().get('openai-codex')?.clientId).not.toBe('corp-client')
    expect(result.providers.get('anthropic')).toBe(defaultOAuthProviders().get('anthropic'))
  })

  it('keeps the GitHub device endpoints of an enterprise host unless replaced', () => {
    const { providers } = createOAuthProvidersFromConfig({
      config: { auth: { oauth: { 'github-copilot': { githubHost: 'github.example.com' } } } },
    })
    expect(providers.get('github-copilot')?.endpoints).toEqual({
      deviceAuthorizationEndpoint: 'https://github.example.com/login/device/code',
      tokenEndpoint: 'https://github.example.com/login/oauth/access_token',
    })
  })

  it('declares a generic OIDC provider, and names what is missing', async () => {
    const { providers } = createOAuthProvidersFromConfig({
      config: {
        auth: {
          oauth: {
            'my-gateway': {
              issuer: 'https://login.example.com',
              clientId: 'claw',
              redirectUri: 'http://127.0.0.1:8765/callback',
            },
          },
        },
      },
    })
    expect(providers.get('my-gateway')).toMatchObject({
      id: 'my-gateway',
      flow: 'authorization_code',
      clientId: 'claw',
      scopes: ['openid', 'email', 'offline_access'],
    })
    const error = await catchAuthError(() =>
      Promise.resolve().then(() =>
        createOAuthProvidersFromConfig({
          config: { auth: { oauth: { 'my-gateway': { issuer: 'https://login.example.com' } } } },
        }),
      ),
    )
    expect(error.code).toBe('ERR_INVALID_CONFIG')
    expect(error.message).toBe('Invalid config: auth.oauth["my-gateway"].clientId is required.')
  })

  it('rejects plain http endpoints on other hosts', async () => {
    expect(() =>
      createOAuthProvidersFromConfig({
        config: { auth: { oauth: { anthropic: { tokenEndpoint: 'http://proxy.corp/token' } } } },
      }),
    ).toThrow(
      'Invalid config: auth.oauth.anthropic.tokenEndpoint must be https (plain http only on a loopback host).',
    )
    await expect(
      parseAuthProfilesConfig({
        auth: { oauth: { anthropic: { tokenEndpoint: 'http://proxy.corp/token', extra: 1 } } },
      }),
    ).rejects.toThrow(/auth\.oauth\.anthropic\.tokenEndpoint: must be https/)
  })
})
