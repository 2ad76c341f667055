import { COPILOT_EDITOR_HEADERS, type ClawConfig } from '@claw/auth-profiles'
import { describe, expect, it } from 'vitest'
import { presentCredential } from './request-auth.js'

/** An unsigned JWT with this payload (the Codex account id is read without a signature check). */
function jwt(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.signature`
}

describe('presentCredential', () => {
  it('Anthropic: an API key in x-api-key; a token or OAuth token as Bearer with the OAuth beta', async () => {
    expect(
      await presentCredential({ provider: 'anthropic', mode: 'api-key', apiKey: 'k' }),
    ).toEqual({
      api: 'anthropic-messages',
      header: 'x-api-key',
      headers: { 'anthropic-version': '2023-06-01' },
    })
    for (const mode of ['token', 'oauth'] as const) {
      expect(await presentCredential({ provider: 'anthropic', mode, apiKey: 'k' })).toEqual({
        api: 'anthropic-messages',
        header: 'authorization',
        headers: { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'oauth-2025-04-20' },
      })
    }
  })

  it('Google: x-goog-api-key; OpenAI and unknown providers: Bearer', async () => {
    expect(await presentCredential({ provider: 'google', mode: 'api-key', apiKey: 'k' })).toEqual({
      api: 'google-generative-ai',
      header: 'x-goog-api-key',
      headers: {},
    })
    expect(await presentCredential({ provider: 'openai', mode: 'api-key', apiKey: 'k' })).toEqual({
      api: 'openai-responses',
      header: 'authorization',
      headers: {},
    })
    expect(await presentCredential({ provider: 'acme', mode: 'api-key', apiKey: 'k' })).toEqual({
      api: undefined,
      header: 'authorization',
      headers: {},
    })
  })

  it('GitHub Copilot: Bearer with the editor headers; OpenAI Codex: Bearer with the ChatGPT account', async () => {
    expect(
      await presentCredential({ provider: 'github-copilot', mode: 'token', apiKey: 'tid=1' }),
    ).toEqual({ api: 'github-copilot', header: 'authorization', headers: COPILOT_EDITOR_HEADERS })
    const token = jwt({ 'https://api.openai.com/auth': { chatgpt_account_id: 'acct-123' } })
    expect(
      await presentCredential({ provider: 'openai-codex', mode: 'oauth', apiKey: token }),
    ).toEqual({
      api: 'openai-codex-responses',
      header: 'authorization',
      headers: { 'chatgpt-account-id': 'acct-123', 'OpenAI-Beta': 'responses=experimental' },
    })
  })

  it('config: models.providers.<id>.api decides, and its literal headers go along (registry ones too)', async () => {
    const config: ClawConfig = {
      models: {
        providers: {
          proxy: {
            baseUrl: 'https://llm.example/anthropic',
            api: 'anthropic-messages',
            headers: {
              'x-team': 'search',
              'x-token': { source: 'env', provider: 'default', id: 'PROXY_TOKEN' },
            },
          },
        },
      },
    }
    expect(
      await presentCredential({ provider: 'proxy', mode: 'api-key', apiKey: 'k', config }),
    ).toEqual({
      api: 'anthropic-messages',
      header: 'x-api-key',
      headers: { 'x-team': 'search', 'anthropic-version': '2023-06-01' },
    })
    expect(
      (await presentCredential({ provider: 'kimi-code', mode: 'api-key', apiKey: 'k' })).headers,
    ).toEqual({ 'User-Agent': 'KimiCLI/0.77' })
  })
})
