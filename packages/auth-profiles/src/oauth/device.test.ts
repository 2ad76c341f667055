// Over 400 lines: the device flow end to end, one case per server answer.
import { createHash } from 'node:crypto'
import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  drive,
  settle,
  startFakeServer,
  testRuntime,
  until,
  type FakeServer,
  type Route,
  type ScriptedResponse,
} from '../../test/helpers/fake-oauth-server.js'
import { catchAuthError } from '../../test/helpers/errors.js'
import { AuthProfilesError } from '../errors.js'
import { canarySecret } from '../testing/index.js'
import { runDeviceFlow, type RunDeviceFlowOptions } from './device.js'
import type { DeviceCodeInfo } from './types.js'

const DEVICE_PATH = '/device/code'
const TOKEN_PATH = '/token'

/** A token endpoint answering in the GitHub style (HTTP 200 + `error`) or the RFC style (400). */
function pollAnswer(style: 'github' | 'rfc', error: string, extra: object = {}): ScriptedResponse {
  return { status: style === 'github' ? 200 : 400, json: { error, ...extra } }
}

function deviceRoute(overrides: Record<string, unknown> = {}): Route {
  return () => ({
    json: {
      device_code: 'device-code-1',
      user_code: 'WDJB-MJHT',
      verification_uri: 'https://example.test/device',
      expires_in: 900,
      interval: 5,
      ...overrides,
    },
  })
}

/** The `AuthProfilesError` a driven flow rejected with. */
function authErrorOf(outcome: { error?: unknown }): AuthProfilesError {
  if (AuthProfilesError.isInstance(outcome.error)) return outcome.error
  throw new Error('expected the flow to reject with an AuthProfilesError')
}

let servers: FakeServer[] = []

async function server(routes: Record<string, Route>): Promise<FakeServer> {
  const started = await startFakeServer(routes)
  servers.push(started)
  return started
}

afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(servers.map((started) => started.close()))
  servers = []
})

function flowOptions(
  fake: FakeServer,
  extra: Partial<RunDeviceFlowOptions> = {},
  shown: DeviceCodeInfo[] = [],
): RunDeviceFlowOptions {
  return {
    settings: {
      clientId: 'client-1',
      endpoints: {
        deviceAuthorizationEndpoint: `${fake.url}${DEVICE_PATH}`,
        tokenEndpoint: `${fake.url}${TOKEN_PATH}`,
      },
    },
    scopes: ['read:user'],
    callbacks: { onDeviceCode: (info) => void shown.push(info) },
    runtime: testRuntime(),
    label: 'Test',
    ...extra,
  }
}

describe('runDeviceFlow polling with fake timers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  })

  it.each([
    { style: 'github' as const, githubCompat: true },
    { style: 'rfc' as const, githubCompat: false },
  ])(
    'waits interval before the first poll and 5 s more after slow_down ($style)',
    async ({ style, githubCompat }) => {
      const fake = await server({
        [DEVICE_PATH]: deviceRoute({ interval: 5 }),
        [TOKEN_PATH]: (_request, hit) => {
          if (hit === 1) return pollAnswer(style, 'authorization_pending')
          if (hit === 2) return pollAnswer(style, 'slow_down', { interval: 10 })
          // GitHub omits nothing here, but the RFC server sends a complete response.
          return style === 'github'
            ? { json: { access_token: 'gho_token', scope: 'read:user' } }
            : { json: { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 } }
        },
      })
      const shown: DeviceCodeInfo[] = []
      const result = runDeviceFlow(flowOptions(fake, { githubCompat }, shown))
      let done = false
      result.then(
        () => (done = true),
        () => (done = true),
      )
      await until(() => shown.length === 1)
      await settle()
      const hits = (): number => fake.hits(TOKEN_PATH)

      await vi.advanceTimersByTimeAsync(4_999)
      await settle()
      expect(hits()).toBe(0)
      await vi.advanceTimersByTimeAsync(1)
      await settle()
      expect(hits()).toBe(1) // t = 5 s: pending

      await vi.advanceTimersByTimeAsync(4_999)
      await settle()
      expect(hits()).toBe(1)
      await vi.advanceTimersByTimeAsync(1)
      await settle()
      expect(hits()).toBe(2) // t = 10 s: slow_down, the interval becomes 10 s

      await vi.advanceTimersByTimeAsync(9_999)
      await settle()
      expect(hits()).toBe(2)
      expect(done).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      await settle()
      expect(hits()).toBe(3) // t = 20 s: success

      const { tokens } = await result
      expect(tokens.token_type).toBe('bearer')
      expect(tokens.access_token).toBe(style === 'github' ? 'gho_token' : 'at-1')
      const polls = fake.requests.filter((request) => request.path === TOKEN_PATH)
      for (const poll of polls) {
        expect(poll.form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:device_code')
        expect(poll.form.get('device_code')).toBe('device-code-1')
        expect(poll.form.get('client_id')).toBe('client-1')
      }
      const initiation = fake.requests.find((request) => request.path === DEVICE_PATH)
      expect(initiation?.form.get('scope')).toBe('read:user')
      expect(initiation?.form.get('client_id')).toBe('client-1')
      expect(shown[0]).toMatchObject({
        verificationUri: 'https://example.test/device',
        userCode: 'WDJB-MJHT',
      })
      expect(shown[0]?.verificationUriComplete).toBeUndefined()
    },
  )

  it('shows verification_uri_complete and the expiry from the runtime clock', async () => {
    const fake = await server({
      [DEVICE_PATH]: deviceRoute({
        verification_uri_complete: 'https://example.test/device?user_code=WDJB-MJHT',
        expires_in: 600,
        interval: 1,
      }),
      [TOKEN_PATH]: () => ({ json: { access_token: 'at', token_type: 'bearer' } }),
    })
    const shown: DeviceCodeInfo[] = []
    const runtime = { ...testRuntime(), now: () => 1_000_000 }
    const outcome = await drive(runDeviceFlow(flowOptions(fake, { runtime }, shown)))
    expect(outcome.error).toBeUndefined()
    expect(outcome.value?.issuedAt).toBe(1_000_000)
    expect(shown).toEqual([
      {
        verificationUri: 'https://example.test/device',
        verificationUriComplete: 'https://example.test/device?user_code=WDJB-MJHT',
        userCode: 'WDJB-MJHT',
        expiresAt: 1_000_000 + 600_000,
      },
    ])
  })

  it.each(['github', 'rfc'] as const)(
    'expired_token ends the login with ERR_OAUTH (%s)',
    async (style) => {
      const fake = await server({
        [DEVICE_PATH]: deviceRoute(),
        [TOKEN_PATH]: (_request, hit) =>
          pollAnswer(style, hit === 1 ? 'authorization_pending' : 'expired_token'),
      })
      const outcome = await drive(
        runDeviceFlow(flowOptions(fake, { githubCompat: style === 'github' })),
      )
      const error = authErrorOf(outcome)
      expect(error.code).toBe('ERR_OAUTH')
      expect(error.message).toMatch(/the code expired/)
      expect(fake.hits(TOKEN_PATH)).toBe(2)
    },
  )

  it.each(['github', 'rfc'] as const)(
    'access_denied ends the login with ERR_OAUTH (%s)',
    async (style) => {
      const fake = await server({
        [DEVICE_PATH]: deviceRoute(),
        [TOKEN_PATH]: () => pollAnswer(style, 'access_denied'),
      })
      const outcome = await drive(
        runDeviceFlow(flowOptions(fake, { githubCompat: style === 'github' })),
      )
      const error = authErrorOf(outcome)
      expect(error.code).toBe('ERR_OAUTH')
      expect(error.message).toMatch(/denied/)
      expect(fake.hits(TOKEN_PATH)).toBe(1)
    },
  )

  it('stops at the deadline (expires_in) with ERR_OAUTH', async () => {
    const fake = await server({
      [DEVICE_PATH]: deviceRoute({ expires_in: 12, interval: 5 }),
      [TOKEN_PATH]: () => pollAnswer('github', 'authorization_pending'),
    })
    const outcome = await drive(runDeviceFlow(flowOptions(fake, { githubCompat: true })), {
      stepMs: 1_000,
    })
    const error = authErrorOf(outcome)
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toMatch(/the code expired before it was entered/)
    // Polls at 5 s and 10 s; the next would be at 15 s, after the 12 s deadline.
    expect(fake.hits(TOKEN_PATH)).toBe(2)
  })

  it('adds a clock-drift hint when the deadline passes after slow_down', async () => {
    const fake = await server({
      [DEVICE_PATH]: deviceRoute({ expires_in: 20, interval: 5 }),
      [TOKEN_PATH]: () => pollAnswer('github', 'slow_down'),
    })
    const outcome = await drive(runDeviceFlow(flowOptions(fake, { githubCompat: true })), {
      stepMs: 1_000,
    })
    const error = authErrorOf(outcome)
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toMatch(/clock/)
  })

  it('honours a timeoutMs shorter than the code lifetime', async () => {
    const fake = await server({
      [DEVICE_PATH]: deviceRoute({ expires_in: 900, interval: 5 }),
      [TOKEN_PATH]: () => pollAnswer('rfc', 'authorization_pending'),
    })
    const outcome = await drive(runDeviceFlow(flowOptions(fake, { timeoutMs: 7_000 })), {
      stepMs: 1_000,
    })
    expect((outcome.error as { code?: string }).code).toBe('ERR_OAUTH')
    expect(fake.hits(TOKEN_PATH)).toBe(1)
  })

  it('without githubCompat the first GitHub-style pending poll fails (the adapter is needed)', async () => {
    const fake = await server({
      [DEVICE_PATH]: deviceRoute(),
      [TOKEN_PATH]: () => pollAnswer('github', 'authorization_pending'),
    })
    const outcome = await drive(runDeviceFlow(flowOptions(fake)))
    const error = authErrorOf(outcome)
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toMatch(/OAUTH_INVALID_RESPONSE/)
    expect(fake.hits(TOKEN_PATH)).toBe(1)
  })

  it('without githubCompat a token response lacking token_type is rejected; with it, accepted', async () => {
    const routes = {
      [DEVICE_PATH]: deviceRoute({ interval: 1 }),
      [TOKEN_PATH]: () => ({ json: { access_token: 'gho_x' } }),
    }
    const strict = await drive(runDeviceFlow(flowOptions(await server(routes))))
    expect((strict.error as { code?: string }).code).toBe('ERR_OAUTH')
    const compat = await drive(
      runDeviceFlow(flowOptions(await server(routes), { githubCompat: true })),
    )
    expect(compat.value?.tokens.token_type).toBe('bearer')
  })

  it('with pkce sends the S256 challenge at initiation and the verifier on every poll', async () => {
    const fake = await server({
      [DEVICE_PATH]: deviceRoute({ interval: 2 }),
      [TOKEN_PATH]: (_request, hit) =>
        hit < 3
          ? pollAnswer('rfc', 'authorization_pending')
          : { json: { access_token: 'at', token_type: 'Bearer', refresh_token: 'rt' } },
    })
    const outcome = await drive(
      runDeviceFlow(
        flowOptions(fake, {
          pkce: true,
          scopes: ['openid', 'model.completion'],
          extraParams: { x: 'y' },
        }),
      ),
    )
    expect(outcome.error).toBeUndefined()
    const initiation = fake.requests.find((request) => request.path === DEVICE_PATH)
    const challenge = initiation?.form.get('code_challenge')
    expect(initiation?.form.get('code_challenge_method')).toBe('S256')
    expect(initiation?.form.get('scope')).toBe('openid model.completion')
    expect(initiation?.form.get('x')).toBe('y')
    expect(initiation?.form.has('code_verifier')).toBe(false)
    const polls = fake.requests.filter((request) => request.path === TOKEN_PATH)
    expect(polls).toHaveLength(3)
    const verifiers = new Set(polls.map((poll) => poll.form.get('code_verifier')))
    expect(verifiers.size).toBe(1)
    const [verifier] = [...verifiers]
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/)
    expect(
      createHash('sha256')
        .update(verifier ?? '')
        .digest('base64url'),
    ).toBe(challenge)
  })

  it('never puts tokens or error bodies into errors', async () => {
    const canary = canarySecret()
    const fake = await server({
      [DEVICE_PATH]: deviceRoute({ interval: 1 }),
      // No token_type: openid-client rejects it and keeps the body on its error.
      [TOKEN_PATH]: () => ({ json: { access_token: canary, refresh_token: canary } }),
    })
    const outcome = await drive(runDeviceFlow(flowOptions(fake)))
    const error = authErrorOf(outcome)
    expect(error.message).not.toContain(canary)
    expect(inspect(error, { depth: 10 })).not.toContain(canary)

    const described = await server({
      [DEVICE_PATH]: deviceRoute({ interval: 1 }),
      [TOKEN_PATH]: () => pollAnswer('rfc', 'invalid_grant', { error_description: canary }),
    })
    const second = await drive(runDeviceFlow(flowOptions(described)))
    const secondError = authErrorOf(second)
    expect(secondError.code).toBe('ERR_OAUTH')
    expect(secondError.message).toContain('invalid_grant')
    expect(inspect(secondError, { depth: 10 })).not.toContain(canary)
  })
})

describe('runDeviceFlow with real timers', () => {
  it('an abort during the wait rejects with ERR_ABORTED within 100 ms', async () => {
    const fake = await server({
      [DEVICE_PATH]: deviceRoute({ interval: 5 }),
      [TOKEN_PATH]: () => pollAnswer('github', 'authorization_pending'),
    })
    const controller = new AbortController()
    let abortedAt = 0
    const started = runDeviceFlow(
      flowOptions(fake, {
        runtime: testRuntime({ signal: controller.signal }),
        callbacks: {
          onDeviceCode: () => {
            setTimeout(() => {
              abortedAt = performance.now()
              controller.abort()
            }, 50)
          },
        },
      }),
    )
    const error = await catchAuthError(() => started)
    const elapsed = performance.now() - abortedAt
    expect(error.code).toBe('ERR_ABORTED')
    expect(elapsed).toBeLessThan(100)
    expect(fake.hits(TOKEN_PATH)).toBe(0)
  })

  it('an abort during a hanging poll request rejects with ERR_ABORTED within 100 ms', async () => {
    const fake = await server({
      [DEVICE_PATH]: deviceRoute({ interval: 1 }),
      [TOKEN_PATH]: () => ({ hang: true }),
    })
    const controller = new AbortController()
    const started = runDeviceFlow(
      flowOptions(fake, { runtime: testRuntime({ signal: controller.signal }) }),
    )
    started.catch(() => undefined)
    await until(() => fake.hits(TOKEN_PATH) === 1, 3_000)
    const abortedAt = performance.now()
    controller.abort()
    const error = await catchAuthError(() => started)
    expect(error.code).toBe('ERR_ABORTED')
    expect(performance.now() - abortedAt).toBeLessThan(100)
  })

  it('rejects at once when the signal is already aborted', async () => {
    const fake = await server({ [DEVICE_PATH]: deviceRoute() })
    const controller = new AbortController()
    controller.abort()
    const error = await catchAuthError(() =>
      runDeviceFlow(flowOptions(fake, { runtime: testRuntime({ signal: controller.signal }) })),
    )
    expect(error.code).toBe('ERR_ABORTED')
    expect(fake.hits(DEVICE_PATH)).toBe(0)
  })

  it('maps a device authorization error to ERR_OAUTH naming the code', async () => {
    const fake = await server({
      [DEVICE_PATH]: () => ({ status: 400, json: { error: 'invalid_client' } }),
    })
    const error = await catchAuthError(() => runDeviceFlow(flowOptions(fake)))
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toMatch(/device authorization endpoint returned invalid_client/)
  })

  it('rejects a verification URI that is not http(s)', async () => {
    const fake = await server({
      [DEVICE_PATH]: deviceRoute({ verification_uri: 'javascript:alert(1)' }),
    })
    const error = await catchAuthError(() => runDeviceFlow(flowOptions(fake)))
    expect(error.code).toBe('ERR_OAUTH')
  })

  it("passes the caller's onDeviceCode error through unchanged", async () => {
    const fake = await server({ [DEVICE_PATH]: deviceRoute() })
    const mine = new Error('display failed')
    await expect(
      runDeviceFlow(
        flowOptions(fake, {
          callbacks: {
            onDeviceCode: () => {
              throw mine
            },
          },
        }),
      ),
    ).rejects.toBe(mine)
  })

  it('maps a network failure to a retryable ERR_OAUTH', async () => {
    const fake = await server({})
    const url = fake.url
    await fake.close()
    servers = []
    const error = await catchAuthError(() =>
      runDeviceFlow({
        ...flowOptions({ ...fake, url }),
      }),
    )
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.retryable).toBe(true)
  })
})
