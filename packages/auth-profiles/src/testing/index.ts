// Helpers for unit-testing code that uses @claw/auth-profiles: a memory store, a controllable
// clock, credential builders, canary secrets and the scanner that finds them where they must not
// be. Import from `@claw/auth-profiles/testing`.
import { randomBytes } from 'node:crypto'
import type {
  ApiKeyCredential,
  AuthProfileCredential,
  AuthProfileStore,
  OAuthCredential,
  ProfileUsageStats,
  TokenCredential,
} from '../types.js'

export { createMemoryAuthStore } from '../store/memory-store.js'
export type { MemoryAuthStore } from '../store/memory-store.js'
export { findCanaries, findCanariesInFiles } from './canary-scan.js'
export type { FindCanariesInFilesOptions } from './canary-scan.js'

/** A clock you move by hand. @public */
export interface FakeClock {
  /** Pass as the `now` option. */
  readonly now: () => number
  /** Moves time forward by `ms`. */
  advance(ms: number): number
  /** Jumps to an absolute epoch-ms time. */
  set(epochMs: number): number
}

/**
 * A clock that only moves when told to. Defaults to 2026-01-01T00:00:00Z so tests do not depend on
 * the real date.
 *
 * @example
 * ```ts
 * const clock = createFakeClock()
 * await markAuthProfileFailure({ store, profileId, reason: 'rate_limit', now: clock.now })
 * clock.advance(60_000)
 * ```
 * @public
 */
export function createFakeClock(start: number = Date.UTC(2026, 0, 1)): FakeClock {
  let current = start
  return {
    now: () => current,
    advance(ms) {
      current += ms
      return current
    },
    set(epochMs) {
      current = epochMs
      return current
    },
  }
}

/**
 * A unique fake secret that is easy to search for in output (`sk-claw-canary-<32 hex>`). Assert
 * it never appears in logs, errors or files other than the credential store.
 *
 * @public
 */
export function canarySecret(prefix = 'sk-claw-canary-'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`
}

/** An `api_key` credential. @public */
export function apiKeyCredential(
  provider: string,
  key: string = canarySecret(),
  extra: Partial<Omit<ApiKeyCredential, 'type' | 'provider'>> = {},
): ApiKeyCredential {
  return { type: 'api_key', provider, key, ...extra }
}

/** A `token` credential (optionally expiring). @public */
export function tokenCredential(
  provider: string,
  token: string = canarySecret(),
  extra: Partial<Omit<TokenCredential, 'type' | 'provider'>> = {},
): TokenCredential {
  return { type: 'token', provider, token, ...extra }
}

/** An `oauth` credential expiring at `expires` (epoch ms). @public */
export function oauthCredential(
  provider: string,
  expires: number,
  extra: Partial<Omit<OAuthCredential, 'type' | 'provider' | 'expires'>> = {},
): OAuthCredential {
  return {
    type: 'oauth',
    provider,
    access: canarySecret('access-canary-'),
    refresh: canarySecret('refresh-canary-'),
    expires,
    ...extra,
  }
}

/** @public */
export interface BuildAuthProfileStoreInput {
  readonly profiles: Readonly<Record<string, AuthProfileCredential>>
  readonly order?: Readonly<Record<string, readonly string[]>>
  readonly lastGood?: Readonly<Record<string, string>>
  readonly usageStats?: Readonly<Record<string, ProfileUsageStats>>
}

/**
 * A store from plain parts (deep-copied, so tests can reuse their inputs).
 *
 * @public
 */
export function buildAuthProfileStore(input: BuildAuthProfileStoreInput): AuthProfileStore {
  const store: AuthProfileStore = { version: 1, profiles: structuredClone({ ...input.profiles }) }
  if (input.order)
    store.order = structuredClone(
      Object.fromEntries(Object.entries(input.order).map(([k, v]) => [k, [...v]])),
    )
  if (input.lastGood) store.lastGood = { ...input.lastGood }
  if (input.usageStats) store.usageStats = structuredClone({ ...input.usageStats })
  return store
}
