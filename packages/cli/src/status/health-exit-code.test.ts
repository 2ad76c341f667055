import {
  buildAuthHealthSummary,
  type AuthHealthSummary,
  type AuthProfileCredential,
  type AuthProfileStore,
} from '@claw/auth-profiles'
import { describe, expect, it } from 'vitest'
import { authHealthExitCode } from './health-exit-code.js'

const NOW = 1_800_000_000_000
const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR
const clock = (): number => NOW

function storeOf(profiles: Record<string, AuthProfileCredential>): AuthProfileStore {
  return { version: 1, profiles }
}

function oauth(provider: string, expires: number, extra: Partial<AuthProfileCredential> = {}) {
  return {
    type: 'oauth',
    provider,
    access: 'a',
    refresh: 'r',
    expires,
    ...extra,
  } as AuthProfileCredential
}

function token(provider: string, expires?: number): AuthProfileCredential {
  return expires === undefined
    ? { type: 'token', provider, token: 't' }
    : { type: 'token', provider, token: 't', expires }
}

function apiKey(provider: string): AuthProfileCredential {
  return { type: 'api_key', provider, key: 'k' }
}

describe('authHealthExitCode', () => {
  function summaryOf(profiles: Record<string, AuthProfileCredential>): AuthHealthSummary {
    return buildAuthHealthSummary({ store: storeOf(profiles), now: clock })
  }

  it('is 0 when everything is fine', () => {
    expect(authHealthExitCode(summaryOf({}))).toBe(0)
    expect(
      authHealthExitCode(
        summaryOf({ 'a:o': oauth('anthropic', NOW + 2 * DAY), 'o:k': apiKey('openai') }),
      ),
    ).toBe(0)
  })

  it('ignores static api keys and tokens', () => {
    expect(
      authHealthExitCode(summaryOf({ 'o:k': apiKey('openai'), 'g:t': token('github-copilot') })),
    ).toBe(0)
  })

  it('is 1 for an expired oauth profile', () => {
    expect(authHealthExitCode(summaryOf({ 'a:o': oauth('anthropic', NOW - 1) }))).toBe(1)
  })

  it('is 1 for an oauth profile with a missing expiry', () => {
    expect(authHealthExitCode(summaryOf({ 'a:o': oauth('anthropic', 0) }))).toBe(1)
  })

  it('is 1 for an expired token', () => {
    expect(authHealthExitCode(summaryOf({ 'a:t': token('anthropic', NOW) }))).toBe(1)
  })

  it('is 1 for a profile that needs re-auth', () => {
    expect(
      authHealthExitCode(
        summaryOf({ 'c:o': oauth('openai-codex', NOW + 5 * DAY, { status: 'needs_reauth' }) }),
      ),
    ).toBe(1)
  })

  it('prefers 1 over 2', () => {
    expect(
      authHealthExitCode(
        summaryOf({ 'a:o': oauth('anthropic', NOW + HOUR), 'b:o': oauth('openai-codex', NOW - 1) }),
      ),
    ).toBe(1)
  })

  it('is 2 for an expiring oauth profile or token', () => {
    expect(authHealthExitCode(summaryOf({ 'a:o': oauth('anthropic', NOW + HOUR) }))).toBe(2)
    expect(authHealthExitCode(summaryOf({ 'a:t': token('anthropic', NOW + 1) }))).toBe(2)
  })

  it('is 1 when an in-use provider has no auth at all', () => {
    const summary = summaryOf({ 'a:o': oauth('anthropic', NOW + 2 * DAY) })
    expect(authHealthExitCode(summary, { providersInUse: ['anthropic', 'openai'] })).toBe(1)
    expect(
      authHealthExitCode(summary, {
        providersInUse: ['anthropic', 'openai'],
        hasAuth: () => false,
      }),
    ).toBe(1)
  })

  it('accepts in-use providers with stored profiles, or auth elsewhere', () => {
    const summary = summaryOf({ 'a:o': oauth('anthropic', NOW + 2 * DAY) })
    const asked: string[] = []
    const hasAuth = (provider: string): boolean => {
      asked.push(provider)
      return provider === 'zai'
    }
    expect(authHealthExitCode(summary, { providersInUse: ['Anthropic', 'Z.AI'], hasAuth })).toBe(0)
    expect(asked).toEqual(['zai'])
  })

  it('is 1 for a missing in-use provider even when another profile is expiring', () => {
    const summary = summaryOf({ 'a:o': oauth('anthropic', NOW + HOUR) })
    expect(authHealthExitCode(summary, { providersInUse: ['openai'] })).toBe(1)
    expect(authHealthExitCode(summary, { providersInUse: ['openai'], hasAuth: () => true })).toBe(2)
  })

  it('counts a provider with only static profiles as having auth', () => {
    const summary = summaryOf({ 'o:k': apiKey('openai') })
    expect(authHealthExitCode(summary, { providersInUse: ['openai'] })).toBe(0)
  })
})
