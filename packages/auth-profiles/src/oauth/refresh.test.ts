// Over 400 lines: every case drives the scriptable token server and file store set up once below.
// In-process tests of OAuth refresh coordination (one refresh per expiry, adoption of a
// concurrent refresh, rotation, throttling, re-auth) against the scriptable token server
// (test/fixtures/token-server.ts) and a real file store in a temp dir. The test adapter is the
// standard refresh grant (test/fixtures/token-endpoint-adapter.ts); the
// clock is injected, so expiry, clamping and the 30 s failure throttle are asserted exactly.
// Every error a test sees, and every file it leaves besides the stores, is scanned for the
// tokens the server issued.
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { findCanaries, findCanariesInFiles } from '../testing/canary-scan.js'
import { catchAuthError } from '../../test/helpers/errors.js'
import {
  startTokenServer,
  type ReuseErrorVariant,
  type TokenServer,
  type TokenStep,
} from '../../test/fixtures/token-server.js'
import { tokenEndpointAdapter } from '../../test/fixtures/token-endpoint-adapter.ts'
import { AuthProfilesError, ReauthRequiredError } from '../errors.js'
import { resolveApiKeyForProfile } from '../credentials/resolve-api-key.js'
import {
  loadAuthProfileStore,
  openAuthStore,
  updateAuthProfileStore,
  upsertAuthProfile,
} from '../store/store.js'
import { createFakeClock, type FakeClock } from '../testing/index.js'
import type { AuthProfileStore, OAuthCredential } from '../types.js'
import type { FetchFunction } from './http.js'
import {
  refreshOAuthCredential,
  REFRESH_FAILURE_THROTTLE_MS,
  type CredentialsUpdatedEvent,
  type RefreshOAuthCredentialOptions,
} from './refresh.js'
import type { OAuthRefreshEvent } from './refresh-events.js'
import { createOAuthProviderRegistry, type OAuthProviderRegistry } from './registry.js'

const PROVIDER = 'test-oauth'
const PROFILE = 'test-oauth:default'
const LOGIN_COMMAND = `claw models auth login --provider ${PROVIDER}`
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const CALL_TIMEOUT_MS = 500
/** Scaled-down lock settings that satisfy the invariants (retry window > staleMs + 2 s). */
const LOCK = {
  staleMs: 3_000,
  updateMs: 1_000,
  retries: 40,
  minRetryDelayMs: 20,
  maxRetryDelayMs: 300,
  retryFactor: 1.5,
} as const

let server: TokenServer
let root: string
let stateDir: string
let agentDir: string
let storePath: string
let clock: FakeClock
let providers: OAuthProviderRegistry
let updates: CredentialsUpdatedEvent[]
/** Errors seen by the test, scanned for canaries after it. */
let caught: unknown[]
/** Access tokens the test seeded (the server knows only the refresh tokens it issued). */
let seededSecrets: string[]

beforeAll(async () => {
  server = await startTokenServer()
})

afterAll(async () => {
  await server.close()
})

beforeEach(async () => {
  await server.reset()
  root = mkdtempSync(join(tmpdir(), 'claw-refresh-'))
  stateDir = join(root, 'state')
  agentDir = join(stateDir, 'agents', 'main', 'agent')
  storePath = join(agentDir, 'auth-profiles.json')
  clock = createFakeClock()
  updates = []
  caught = []
  seededSecrets = []
  providers = createOAuthProviderRegistry([tokenEndpointAdapter(server.tokenEndpoint)])
})

afterEach(async () => {
  const { issued, bodies } = await server.stats()
  const secrets = [...issued, ...seededSecrets]
  const hits = [
    ...caught.flatMap((error, index) =>
      findCanaries(
        `${inspect(error, { depth: 10 })}\n${JSON.stringify(error)}\n${String(error)}`,
        secrets,
        `error #${index}`,
      ),
    ),
    ...findCanariesInFiles(root, secrets),
  ]
  expect(hits, 'secrets found in errors or files other than the store').toEqual([])
  // Sanity check of the scanner itself: the request bodies do hold the refresh tokens.
  if (bodies.length > 0) expect(findCanaries(bodies.join('\n'), issued, 'bodies')).not.toEqual([])
  rmSync(root, { recursive: true, force: true })
})

/** Stores an OAuth profile whose refresh token the server accepts; returns the credential. */
async function seedProfile(
  expiresInMs: number,
  options: { profileId?: string; agentDir?: string } = {},
): Promise<OAuthCredential> {
  const refresh = await server.seed()
  const access = `at-0-${randomBytes(16).toString('hex')}`
  seededSecrets.push(access)
  const credential: OAuthCredential = {
    type: 'oauth',
    provider: PROVIDER,
    access,
    refresh,
    expires: clock.now() + expiresInMs,
  }
  await upsertAuthProfile({
    agentDir: options.agentDir ?? agentDir,
    profileId: options.profileId ?? PROFILE,
    credential,
  })
  return { ...credential, generation: 1 }
}

function refresh(extra: Partial<RefreshOAuthCredentialOptions> = {}) {
  return refreshOAuthCredential({
    profileId: PROFILE,
    agentDir,
    providers,
    allowInsecureRequests: true,
    now: clock.now,
    onCredentialsUpdated: (event) => {
      updates.push(event)
    },
    ...extra,
  })
}

async function expectAuthError(run: () => Promise<unknown>): Promise<AuthProfilesError> {
  const error = await catchAuthError(run)
  caught.push(error)
  return error
}

function readStoreText(path = storePath): string {
  return readFileSync(path, 'utf8')
}

function storedCredential(path = storePath, profileId = PROFILE): OAuthCredential {
  const store = JSON.parse(readStoreText(path)) as AuthProfileStore
  const credential = store.profiles[profileId]
  if (credential?.type !== 'oauth') throw new Error(`no oauth profile ${profileId} in ${path}`)
  return credential
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** The store text with one field of one profile removed, serialised as the store serialises. */
function withoutProfileField(text: string, field: 'status'): string {
  const store = JSON.parse(text) as { profiles: Record<string, Record<string, unknown>> }
  const profile = store.profiles[PROFILE]
  if (profile) delete profile[field]
  return `${JSON.stringify(store, null, 2)}\n`
}

/** The store text without the failure-throttle mark (and the containers it alone needed). */
function withoutThrottleMark(text: string): string {
  const store = JSON.parse(text) as { usageStats?: Record<string, Record<string, unknown>> }
  const stats = store.usageStats?.[PROFILE]
  if (store.usageStats && stats) {
    delete stats['refreshFailedAt']
    if (Object.keys(stats).length === 0) delete store.usageStats[PROFILE]
    if (Object.keys(store.usageStats).length === 0) delete store.usageStats
  }
  return `${JSON.stringify(store, null, 2)}\n`
}

function refreshLockDir(): string {
  return join(stateDir, 'locks', 'oauth-refresh')
}

/** Held refresh locks (`*.lock` dirs) under the state dir. */
function heldRefreshLocks(): string[] {
  const dir = refreshLockDir()
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.lock')) : []
}

/** Exchanges a refresh token directly, as another client would; returns the server's answer. */
async function exchangeDirectly(
  refreshToken: string,
): Promise<{ access_token: string; refresh_token: string; expires_in: number }> {
  const response = await fetch(server.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  })
  expect(response.status).toBe(200)
  return (await response.json()) as {
    access_token: string
    refresh_token: string
    expires_in: number
  }
}

async function calls(): Promise<number> {
  return (await server.stats()).calls
}

describe('refreshOAuthCredential against a token server (in-process)', () => {
  it('a fresh token (1 h left) makes no token call and takes no lock', async () => {
    const seeded = await seedProfile(HOUR)
    for (let i = 0; i < 100; i += 1) {
      const result = await refresh()
      expect(result).toEqual({ credential: seeded, refreshed: false, adopted: false, stale: false })
    }
    const resolved = await resolveApiKeyForProfile({
      store: await loadAuthProfileStore({ agentDir }),
      profileId: PROFILE,
      agentDir,
      oauth: { providers, allowInsecureRequests: true },
      now: clock.now,
    })
    expect(resolved?.apiKey).toBe(seeded.access)
    expect(await calls()).toBe(0)
    expect(existsSync(join(stateDir, 'locks')), 'no refresh lock dir was created').toBe(false)
    expect(readdirSync(agentDir)).toEqual(['auth-profiles.json'])
    expect(updates).toEqual([])
  })

  it('4 min 59 s before expiry refreshes once; 5 min 1 s does not', async () => {
    const early = await seedProfile(4 * MINUTE + 59_000, { profileId: 'test-oauth:early' })
    const late = await seedProfile(5 * MINUTE + 1_000, { profileId: 'test-oauth:late' })

    const lateResult = await refresh({ profileId: 'test-oauth:late' })
    expect(lateResult.refreshed).toBe(false)
    expect(lateResult.credential).toEqual(late)
    expect(await calls()).toBe(0)

    const earlyResult = await refresh({ profileId: 'test-oauth:early' })
    expect(earlyResult.refreshed).toBe(true)
    expect(earlyResult.credential.access).not.toBe(early.access)
    expect(await calls()).toBe(1)
    expect((await server.stats()).callsPerToken).toEqual({ [early.refresh]: 1 })
  })

  it('20 concurrent refreshes of one expired profile share one token call', async () => {
    const seeded = await seedProfile(-MINUTE)
    await server.configure({ defaultStep: { kind: 'ok', latencyMs: 100 } })
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh()))
    expect(await calls()).toBe(1)
    const accesses = new Set(results.map((result) => result.credential.access))
    expect(accesses.size).toBe(1)
    const stored = storedCredential()
    expect(accesses.has(stored.access)).toBe(true)
    expect(stored.generation).toBe((seeded.generation ?? 0) + 1)
    expect(stored.refresh).not.toBe(seeded.refresh)
    expect((await server.stats()).active).toEqual([stored.refresh])
    expect(results.every((result) => result.refreshed)).toBe(true)
    expect(updates).toHaveLength(1)
    expect(updates[0]).toEqual({ profileId: PROFILE, provider: PROVIDER, credential: stored })
    expect(heldRefreshLocks()).toEqual([])
  })

  describe.each<[string, ReuseErrorVariant]>([
    ['400 invalid_grant', 'invalid_grant'],
    ['401 refresh_token_reused', 'refresh_token_reused'],
    ['404 not_found_error', 'not_found'],
  ])('R6: adopt the winner (reuse answered with %s)', (_label, variant) => {
    it('reloads, adopts the newer generation and never marks the profile', async () => {
      const seeded = await seedProfile(-MINUTE)
      await server.configure({ reuseError: variant })
      let rival: OAuthCredential | undefined
      // Right before our token request leaves, another client rotates the token and writes the
      // store (the window `delay@before-commit` opens across processes).
      const racingFetch: FetchFunction = async (input, init) => {
        if (!rival) {
          const answer = await exchangeDirectly(seeded.refresh)
          rival = {
            ...seeded,
            access: answer.access_token,
            refresh: answer.refresh_token,
            expires: clock.now() + answer.expires_in * 1000,
            generation: (seeded.generation ?? 0) + 1,
          }
          const next = rival
          await updateAuthProfileStore({ agentDir }, (store) => {
            store.profiles[PROFILE] = next
          })
        }
        return globalThis.fetch(input, init)
      }

      const result = await refresh({ fetch: racingFetch })
      expect(result).toEqual({ credential: rival, refreshed: false, adopted: true, stale: false })
      const stats = await server.stats()
      expect(stats.calls).toBe(2)
      expect(stats.reuseRejected).toBe(1)
      const stored = JSON.parse(readStoreText()) as AuthProfileStore
      expect(stored.profiles[PROFILE]).toEqual(rival)
      expect(stored.profiles[PROFILE]?.status).toBeUndefined()
      expect(stored.usageStats?.[PROFILE]?.refreshFailedAt).toBeUndefined()
      expect(updates).toEqual([])
      // The adopted token is served from now on without another call.
      expect((await refresh()).credential).toEqual(rival)
      expect(await calls()).toBe(2)
    })
  })

  it('a lost rotation gives ReauthRequiredError once; the bytes stay but for the status', async () => {
    await seedProfile(-MINUTE)
    const before = readStoreText()
    // The server rotated, but the process that asked died before writing the store.
    await exchangeDirectly(storedCredential().refresh)

    const error = await expectAuthError(() => refresh())
    expect(ReauthRequiredError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({
      code: 'ERR_REAUTH_REQUIRED',
      profileId: PROFILE,
      provider: PROVIDER,
      loginCommand: LOGIN_COMMAND,
    })
    expect(error.message).toContain(PROFILE)
    expect(error.message).toContain(LOGIN_COMMAND)
    expect(await calls()).toBe(2)

    const after = readStoreText()
    expect(storedCredential().status).toBe('needs_reauth')
    expect(withoutProfileField(after, 'status')).toBe(before)

    // Later calls fail fast, without a token call and without touching the file.
    for (let i = 0; i < 10; i += 1) {
      const again = await expectAuthError(() => refresh())
      expect(again.code).toBe('ERR_REAUTH_REQUIRED')
    }
    const viaKeys = await expectAuthError(() =>
      resolveApiKeyForProfile({
        store: storePathBackedStore(),
        profileId: PROFILE,
        agentDir,
        oauth: { providers, allowInsecureRequests: true },
        now: clock.now,
      }),
    )
    expect(viaKeys.code).toBe('ERR_REAUTH_REQUIRED')
    expect(await calls()).toBe(2)
    expect(readStoreText()).toBe(after)
    expect(updates).toEqual([])
  })

  describe('a hanging token endpoint', () => {
    it('is aborted at callTimeoutMs, releases the lock and serves a still-valid token', async () => {
      const seeded = await seedProfile(2 * MINUTE)
      await server.script({ kind: 'hang' })
      const started = performance.now()
      const results = await Promise.all(
        Array.from({ length: 5 }, () => refresh({ callTimeoutMs: CALL_TIMEOUT_MS })),
      )
      const elapsed = performance.now() - started
      expect(elapsed).toBeGreaterThanOrEqual(CALL_TIMEOUT_MS - 20)
      expect(elapsed).toBeLessThan(CALL_TIMEOUT_MS + 2_500)
      for (const result of results) {
        expect(result).toEqual({
          credential: seeded,
          refreshed: false,
          adopted: false,
          stale: true,
        })
      }
      expect(await calls()).toBe(1)
      expect(heldRefreshLocks()).toEqual([])
      expect(statSync(refreshLockDir()).mode & 0o777).toBe(0o700)
      expect(storedCredential()).toEqual(seeded)
    })

    it('gives a retryable ERR_REFRESH_FAILED when the token has expired', async () => {
      const seeded = await seedProfile(-MINUTE)
      await server.script({ kind: 'hang' })
      const started = performance.now()
      const error = await expectAuthError(() => refresh({ callTimeoutMs: CALL_TIMEOUT_MS }))
      expect(performance.now() - started).toBeLessThan(CALL_TIMEOUT_MS + 2_500)
      expect(error).toMatchObject({ code: 'ERR_REFRESH_FAILED', retryable: true })
      expect(ReauthRequiredError.isInstance(error)).toBe(false)
      expect(await calls()).toBe(1)
      expect(heldRefreshLocks()).toEqual([])
      expect(storedCredential()).toEqual(seeded)
    })
  })

  describe.each<[string, TokenStep]>([
    ['500 server_error', { kind: 'status', status: 500, body: { error: 'server_error' } }],
    ['502 with an HTML body', { kind: 'html', status: 502 }],
    [
      '503 with a text body',
      { kind: 'status', status: 503, body: 'Service Unavailable', contentType: 'text/plain' },
    ],
    ['429 slow_down', { kind: 'status', status: 429, body: { error: 'slow_down' } }],
    ['a connection reset', { kind: 'reset' }],
    ['malformed JSON', { kind: 'malformed' }],
    ['200 with an HTML body', { kind: 'html' }],
    ['200 with an error object', { kind: '200-with-error' }],
    ['a 10 MB body (chunked)', { kind: 'huge' }],
    ['a 10 MB body (content-length)', { kind: 'huge', declareLength: true }],
  ])('R10: a transient failure (%s)', (_label, step) => {
    it('keeps the credential, is retryable and throttles the next attempt for 30 s', async () => {
      const seeded = await seedProfile(-MINUTE)
      const before = readStoreText()
      await server.script(step)

      const started = performance.now()
      const error = await expectAuthError(() => refresh({ callTimeoutMs: 2_000 }))
      expect(performance.now() - started).toBeLessThan(2_000)
      expect(error).toMatchObject({ code: 'ERR_REFRESH_FAILED', retryable: true })
      expect(ReauthRequiredError.isInstance(error)).toBe(false)
      expect(await calls()).toBe(1)
      // The credential bytes are untouched; the only change to the file is the throttle mark
      // (usageStats[profile].refreshFailedAt), which is how the 30 s throttle spans processes.
      expect(storedCredential()).toEqual(seeded)
      expect(sha256(withoutThrottleMark(readStoreText()))).toBe(sha256(before))
      expect(heldRefreshLocks()).toEqual([])

      // Within the throttle window: no token call.
      clock.advance(REFRESH_FAILURE_THROTTLE_MS - 1_000)
      const throttled = await expectAuthError(() => refresh())
      expect(throttled).toMatchObject({ code: 'ERR_REFRESH_FAILED', retryable: true })
      expect(await calls()).toBe(1)

      // After it: one call, which succeeds (the refresh token was not burnt).
      clock.advance(1_001)
      const recovered = await refresh()
      expect(recovered.refreshed).toBe(true)
      expect(await calls()).toBe(2)
      expect(storedCredential().access).toBe(recovered.credential.access)
      const stats = (JSON.parse(readStoreText()) as AuthProfileStore).usageStats?.[PROFILE]
      expect(stats?.refreshFailedAt).toBeUndefined()
      expect(updates).toHaveLength(1)
    })
  })

  describe.each<[string, TokenStep]>([
    ['400 invalid_grant', { kind: 'status', status: 400, body: { error: 'invalid_grant' } }],
    [
      '401 refresh_token_reused',
      { kind: 'status', status: 401, body: { error: 'refresh_token_reused' } },
    ],
    [
      '404 not_found_error',
      { kind: 'status', status: 404, body: { type: 'error', error: { type: 'not_found_error' } } },
    ],
    ['400 invalid_client', { kind: 'status', status: 400, body: { error: 'invalid_client' } }],
  ])('R11: a permanent failure (%s)', (_label, step) => {
    it('raises ReauthRequiredError naming the profile and the login command', async () => {
      await seedProfile(-MINUTE)
      const before = readStoreText()
      await server.script(step)

      const error = await expectAuthError(() => refresh())
      expect(error).toMatchObject({
        code: 'ERR_REAUTH_REQUIRED',
        profileId: PROFILE,
        provider: PROVIDER,
        loginCommand: LOGIN_COMMAND,
      })
      expect(error.message).toContain(PROFILE)
      expect(error.message).toContain(LOGIN_COMMAND)
      expect(await calls()).toBe(1)
      expect(storedCredential().status).toBe('needs_reauth')
      expect(withoutProfileField(readStoreText(), 'status')).toBe(before)
      expect(heldRefreshLocks()).toEqual([])

      const again = await expectAuthError(() => refresh())
      expect(again.code).toBe('ERR_REAUTH_REQUIRED')
      expect(await calls()).toBe(1)
    })
  })

  describe('token response edge cases', () => {
    it('keeps the old refresh token when the response has none', async () => {
      const seeded = await seedProfile(-MINUTE)
      await server.script({ kind: 'ok', refreshToken: false })
      const result = await refresh()
      expect(result.refreshed).toBe(true)
      expect(result.credential.access).not.toBe(seeded.access)
      expect(result.credential.refresh).toBe(seeded.refresh)
      expect(storedCredential()).toEqual(result.credential)
      expect(storedCredential().generation).toBe((seeded.generation ?? 0) + 1)
      // The provider did not rotate it, so it keeps working.
      const forced = await refresh({ force: true })
      expect(forced.refreshed).toBe(true)
      expect(await calls()).toBe(2)
    })

    it.each<[string, number | string | null, number]>([
      ['-1', -1, HOUR],
      ['0', 0, HOUR],
      ['"NaN"', 'NaN', HOUR],
      ['missing', null, HOUR],
      ['1e12', 1e12, 30 * DAY],
      ['30 (below the minimum)', 30, MINUTE],
    ])('clamps expires_in %s into [60 s, 30 days]', async (_label, expiresIn, expected) => {
      await seedProfile(-MINUTE)
      await server.script({ kind: 'ok', expiresIn })
      const result = await settleRefresh()
      expect(result.error, 'the token response was rejected instead of clamped').toBeUndefined()
      const expires = result.value?.credential.expires ?? Number.NaN
      expect(expires - clock.now()).toBe(expected)
      expect(expires - clock.now()).toBeGreaterThanOrEqual(MINUTE)
      expect(expires - clock.now()).toBeLessThanOrEqual(30 * DAY)
      expect(storedCredential().expires).toBe(expires)
    })

    it('never loses a rotated refresh token to an odd expires_in (-1)', async () => {
      await seedProfile(-MINUTE)
      await server.script({ kind: 'ok', expiresIn: -1 })
      await settleRefresh()
      // Whatever the first answer did, the server rotated: the next refresh must still work.
      clock.advance(REFRESH_FAILURE_THROTTLE_MS + 1_000)
      const next = await settleRefresh()
      expect(
        next.error,
        'the profile needs a new login after a valid token response',
      ).toBeUndefined()
      expect(storedCredential().status).toBeUndefined()
    })

    it('rejects an empty access token without persisting anything', async () => {
      const seeded = await seedProfile(-MINUTE)
      await server.script({
        kind: 'status',
        status: 200,
        body: {
          access_token: '',
          token_type: 'Bearer',
          refresh_token: 'rt-x-unused',
          expires_in: 60,
        },
      })
      const error = await expectAuthError(() => refresh())
      expect(error).toMatchObject({ code: 'ERR_REFRESH_FAILED', retryable: true })
      expect(storedCredential()).toEqual(seeded)
    })
  })

  describe('a 401 on an API call (rejectedAccessToken)', () => {
    it('forces exactly one refresh when the rejected token is the stored one', async () => {
      const seeded = await seedProfile(HOUR)
      const result = await refresh({ rejectedAccessToken: seeded.access })
      expect(result.refreshed).toBe(true)
      expect(result.credential.access).not.toBe(seeded.access)
      expect(await calls()).toBe(1)
      expect(updates).toHaveLength(1)
    })

    it('makes no call when the stored token differs (another process refreshed)', async () => {
      const seeded = await seedProfile(HOUR)
      const result = await refresh({ rejectedAccessToken: `at-old-${'0'.repeat(32)}` })
      expect(result).toEqual({ credential: seeded, refreshed: false, adopted: true, stale: false })
      expect(await calls()).toBe(0)
      expect(existsSync(join(stateDir, 'locks'))).toBe(false)
    })
  })

  it('calls onCredentialsUpdated once per successful refresh, never on adoption or failure', async () => {
    await seedProfile(-MINUTE)
    const first = await refresh()
    const second = await refresh({ force: true })
    expect(updates.map((event) => event.credential)).toEqual([first.credential, second.credential])
    expect(updates.map((event) => [event.profileId, event.provider])).toEqual([
      [PROFILE, PROVIDER],
      [PROFILE, PROVIDER],
    ])
    expect(updates.map((event) => event.credential.generation)).toEqual([2, 3])

    await refresh({ rejectedAccessToken: first.credential.access })
    await server.script({ kind: 'status', status: 500, body: { error: 'server_error' } })
    const stale = await refresh({ force: true })
    expect(stale.stale).toBe(true)
    expect(updates).toHaveLength(2)
    expect(await calls()).toBe(3)
  })

  it('reports each refresh attempt to onRefresh: outcome, duration, lock wait, no token', async () => {
    await seedProfile(-MINUTE)
    const events: OAuthRefreshEvent[] = []
    const onRefresh = (event: OAuthRefreshEvent) => void events.push(event)
    // Two concurrent callers share one refresh: one attempt, one event.
    const [first] = await Promise.all([refresh({ onRefresh }), refresh({ onRefresh })])
    // Still valid: no attempt, no event.
    await refresh({ onRefresh })
    // Another process refreshed meanwhile: adopted without a token request.
    await refresh({ onRefresh, rejectedAccessToken: `at-old-${'0'.repeat(32)}` })
    // A transient failure while the token is still valid keeps it: stale.
    await server.script({ kind: 'status', status: 500, body: { error: 'server_error' } })
    await refresh({ onRefresh, force: true })
    // A lost rotation: re-auth required, then fast re-auth failures without a lock.
    clock.advance(REFRESH_FAILURE_THROTTLE_MS + 1)
    await exchangeDirectly(storedCredential().refresh)
    await expectAuthError(() => refresh({ onRefresh, force: true }))
    await expectAuthError(() => refresh({ onRefresh, force: true }))
    // A listener that throws changes nothing for the caller.
    await expectAuthError(() =>
      refresh({
        force: true,
        onRefresh: () => {
          throw new Error('observer bug')
        },
      }),
    )

    expect(events.map((event) => [event.outcome, event.errorCode])).toEqual([
      ['refreshed', undefined],
      ['adopted', undefined],
      ['stale', undefined],
      ['reauth_required', 'ERR_REAUTH_REQUIRED'],
      ['reauth_required', 'ERR_REAUTH_REQUIRED'],
    ])
    for (const event of events) {
      expect(event).toMatchObject({ profileId: PROFILE, provider: PROVIDER })
      expect(event.durationMs).toBeGreaterThanOrEqual(0)
    }
    // The lock is waited for by the attempts that take it, and only by them.
    expect(events.map((event) => event.lockWaitMs !== undefined)).toEqual([
      true,
      false,
      true,
      true,
      false,
    ])
    expect(events[0]!.durationMs).toBeGreaterThanOrEqual(events[0]!.lockWaitMs!)
    const { issued } = await server.stats()
    expect(
      findCanaries(JSON.stringify(events), [...issued, ...seededSecrets, first.credential.access]),
    ).toEqual([])
  })

  it('rejects callTimeoutMs ≥ the refresh lock staleMs with ERR_INVALID_ARGUMENT', async () => {
    await seedProfile(-MINUTE)
    for (const callTimeoutMs of [LOCK.staleMs, LOCK.staleMs + 1, 0]) {
      const error = await expectAuthError(() => refresh({ callTimeoutMs, lock: LOCK }))
      expect(error.code).toBe('ERR_INVALID_ARGUMENT')
      expect(error.message).toContain('staleMs')
    }
    const withDefaultLock = await expectAuthError(() => refresh({ callTimeoutMs: 60_000 }))
    expect(withDefaultLock.code).toBe('ERR_INVALID_ARGUMENT')
    expect(await calls()).toBe(0)
    // Below staleMs it works.
    expect((await refresh({ callTimeoutMs: LOCK.staleMs - 1, lock: LOCK })).refreshed).toBe(true)
  })

  it("refreshes a sub-agent's read-through profile into the main agent's store only", async () => {
    const seeded = await seedProfile(-MINUTE)
    const subAgentDir = join(stateDir, 'agents', 'helper', 'agent')
    const subStorePath = join(subAgentDir, 'auth-profiles.json')
    await upsertAuthProfile({
      agentDir: subAgentDir,
      profileId: 'openai:helper',
      credential: { type: 'api_key', provider: 'openai', key: `sk-helper-${'1'.repeat(32)}` },
    })
    const subBefore = readStoreText(subStorePath)

    const result = await refresh({ agentDir: subAgentDir })
    expect(result.refreshed).toBe(true)
    expect(storedCredential()).toEqual(result.credential)
    expect(storedCredential().generation).toBe((seeded.generation ?? 0) + 1)
    expect(readStoreText(subStorePath)).toBe(subBefore)
    expect(Object.keys((JSON.parse(subBefore) as AuthProfileStore).profiles)).toEqual([
      'openai:helper',
    ])
    // The sub-agent's view sees the new token through the main store.
    const view = await loadAuthProfileStore({ agentDir: subAgentDir })
    expect(view.profiles[PROFILE]).toEqual(result.credential)
    expect(await calls()).toBe(1)
  })

  it('resolveApiKeyForProfile refreshes through the store handle and returns the new token', async () => {
    const seeded = await seedProfile(-MINUTE)
    const store = openAuthStore({ agentDir })
    let fetched = 0
    const countingFetch: FetchFunction = (input, init) => {
      fetched += 1
      return globalThis.fetch(input, init)
    }
    const resolved = await resolveApiKeyForProfile({
      store,
      profileId: PROFILE,
      oauth: {
        providers,
        allowInsecureRequests: true,
        onCredentialsUpdated: (e) => void updates.push(e),
      },
      fetch: countingFetch,
      now: clock.now,
    })
    const stored = storedCredential()
    expect(resolved).toEqual({
      apiKey: stored.access,
      provider: PROVIDER,
      profileId: PROFILE,
      mode: 'oauth',
    })
    expect(stored.access).not.toBe(seeded.access)
    expect((await store.load()).profiles[PROFILE]).toEqual(stored)
    expect(fetched).toBe(1)
    expect(await calls()).toBe(1)
    expect(updates).toHaveLength(1)
  })

  describe('secrets in errors', () => {
    it('never shows a refresh token a 500 body echoes (token still valid: stale result)', async () => {
      const seeded = await seedProfile(2 * MINUTE)
      await server.script({ kind: 'echo-refresh-token-in-500' })
      const result = await refresh()
      expect(result).toEqual({ credential: seeded, refreshed: false, adopted: false, stale: true })
      expect(await calls()).toBe(1)
    })

    it('never shows a refresh token a 500 body echoes (expired: the error)', async () => {
      const seeded = await seedProfile(-MINUTE)
      await server.script({ kind: 'echo-refresh-token-in-500' })
      const error = await expectAuthError(() => refresh())
      expect(error.code).toBe('ERR_REFRESH_FAILED')
      expect(findCanaries(inspect(error, { depth: 10 }), [seeded.refresh], 'error')).toEqual([])
    })

    it('never shows a refresh token a 400 body echoes in the ReauthRequiredError', async () => {
      const seeded = await seedProfile(-MINUTE)
      await server.script({
        kind: 'status',
        status: 400,
        body: { error: 'invalid_grant', error_description: `bad token ${seeded.refresh}` },
      })
      const error = await expectAuthError(() => refresh())
      expect(error.code).toBe('ERR_REAUTH_REQUIRED')
      expect(findCanaries(inspect(error, { depth: 10 }), [seeded.refresh], 'error')).toEqual([])
    })
  })

  it("stops at the caller's abort signal with ERR_ABORTED and no throttle mark", async () => {
    await seedProfile(-MINUTE)
    await server.script({ kind: 'hang' })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const error = await expectAuthError(() =>
      refresh({ callTimeoutMs: 2_000, signal: controller.signal }),
    )
    const stats = (JSON.parse(readStoreText()) as AuthProfileStore).usageStats?.[PROFILE]
    // An abort by the caller is not a failed refresh: no throttle mark for every other process.
    expect({ code: error.code, throttleMarked: stats?.refreshFailedAt !== undefined }).toEqual({
      code: 'ERR_ABORTED',
      throttleMarked: false,
    })
  })
})

/** A store object loaded synchronously from the file (for resolveApiKeyForProfile). */
function storePathBackedStore(): AuthProfileStore {
  return JSON.parse(readStoreText()) as AuthProfileStore
}

async function settleRefresh(): Promise<{
  value?: Awaited<ReturnType<typeof refresh>>
  error?: unknown
}> {
  try {
    return { value: await refresh() }
  } catch (error) {
    caught.push(error)
    return {
      error: AuthProfilesError.isInstance(error) ? `${error.code}: ${error.message}` : error,
    }
  }
}
