import {
  buildAuthHealthSummary,
  type AuthHealthSummary,
  type AuthProfileCredential,
} from '@claw/auth-profiles'
import { describe, expect, it } from 'vitest'
import { authHealthExitCode } from './health-exit-code.js'

const NOW = 1_800_000_000_000
const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR

/** The health of stored credentials (`id → credential`), as `models status` computes it. */
function summaryOf(profiles: Record<string, AuthProfileCredential>): AuthHealthSummary {
  return buildAuthHealthSummary({ store: { version: 1, profiles }, now: () => NOW })
}

const oauth = (provider: string, expires: number, status?: 'needs_reauth') =>
  ({
    type: 'oauth',
    provider,
    access: 'a',
    refresh: 'r',
    expires,
    ...(status === undefined ? {} : { status }),
  }) as AuthProfileCredential
const token = (provider: string, expires?: number): AuthProfileCredential =>
  expires === undefined
    ? { type: 'token', provider, token: 't' }
    : { type: 'token', provider, token: 't', expires }
const apiKey = (provider: string): AuthProfileCredential => ({
  type: 'api_key',
  provider,
  key: 'k',
})

describe('authHealthExitCode (models status --check)', () => {
  it('is 0 when everything is fine, and ignores static keys and tokens', () => {
    expect(authHealthExitCode(summaryOf({}))).toBe(0)
    expect(
      authHealthExitCode(
        summaryOf({ 'a:o': oauth('anthropic', NOW + 2 * DAY), 'o:k': apiKey('openai') }),
      ),
    ).toBe(0)
    expect(
      authHealthExitCode(summaryOf({ 'o:k': apiKey('openai'), 'g:t': token('github-copilot') })),
    ).toBe(0)
  })

  it.each([
    ['an expired oauth profile', oauth('anthropic', NOW - 1)],
    ['an oauth profile without an expiry', oauth('anthropic', 0)],
    ['an expired token', token('anthropic', NOW)],
    ['a profile that needs re-auth', oauth('openai-codex', NOW + 5 * DAY, 'needs_reauth')],
  ])('is 1 for %s', (_label, credential) => {
    expect(authHealthExitCode(summaryOf({ 'p:one': credential }))).toBe(1)
  })

  it('is 2 for an expiring oauth profile or token, and prefers 1 over 2', () => {
    expect(authHealthExitCode(summaryOf({ 'a:o': oauth('anthropic', NOW + HOUR) }))).toBe(2)
    expect(authHealthExitCode(summaryOf({ 'a:t': token('anthropic', NOW + 1) }))).toBe(2)
    const both = { 'a:o': oauth('anthropic', NOW + HOUR), 'b:o': oauth('openai-codex', NOW - 1) }
    expect(authHealthExitCode(summaryOf(both))).toBe(1)
  })

  it('is 1 when an in-use provider has no auth at all', () => {
    const summary = summaryOf({ 'a:o': oauth('anthropic', NOW + 2 * DAY) })
    const providersInUse = ['anthropic', 'openai']
    expect(authHealthExitCode(summary, { providersInUse })).toBe(1)
    expect(authHealthExitCode(summary, { providersInUse, hasAuth: () => false })).toBe(1)
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
