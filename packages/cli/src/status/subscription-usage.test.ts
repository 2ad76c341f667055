// Subscription usage windows in `claw models status`: a recorded used-up window shows per profile
// with its reset, and a probe shows the windows the provider reports (Anthropic's unified
// rate-limit headers here, from a loopback server).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  oauthCredential,
} from '@claw/auth-profiles/testing'
import {
  startFakeServer,
  type FakeServer,
} from '../../../auth-profiles/test/helpers/fake-oauth-server.ts'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'

const HOUR = 3_600_000
const anyNumber: unknown = expect.any(Number)
const DAY = 24 * HOUR

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox()
})
afterEach(() => sandbox.dispose())

describe('a recorded used-up window', () => {
  it('shows per profile which window ran out and when it resets', async () => {
    const resetsAt = Date.now() + 3 * DAY
    sandbox.writeConfig({ agents: { defaults: { model: 'anthropic/claude-opus-4-5' } } })
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'anthropic:max': oauthCredential('anthropic', Date.now() + 10 * DAY),
          'anthropic:key': apiKeyCredential('anthropic', canarySecret('sk-ant-api03-')),
        },
        usageStats: {
          'anthropic:max': {
            cooldownUntil: resetsAt,
            cooldownReason: 'rate_limit',
            usageLimit: { window: '7d', resetsAt, usedPercent: 100 },
          },
        },
      }),
    )
    const json = parseJsonOutput<{
      auth: {
        providers: { provider: string; profiles: { labels: string[] } }[]
        unusableProfiles: Record<string, unknown>[]
      }
    }>(await sandbox.run(['models', 'status', '--json']))
    expect(json.auth.unusableProfiles).toEqual([
      expect.objectContaining({
        profileId: 'anthropic:max',
        kind: 'cooldown',
        reason: 'rate_limit',
        until: resetsAt,
        usageLimit: { window: '7d', resetsAt, usedPercent: 100 },
      }),
    ])
    const labels = json.auth.providers.find((entry) => entry.provider === 'anthropic')?.profiles
      .labels
    expect(labels).toContain('anthropic:max=OAuth [usage limit 7d (100%), resets in 3d]')
    const human = await sandbox.run(['models', 'status'])
    expect(human.stdout).toContain('anthropic:max=OAuth [usage limit 7d (100%), resets in 3d]')
  })
})

describe('probes report the usage windows', () => {
  let server: FakeServer
  const fresh = canarySecret('sk-ant-api03-')
  const spent = canarySecret('sk-ant-api03-')
  beforeAll(async () => {
    const seconds = (ms: number) => String(Math.floor((Date.now() + ms) / 1000))
    server = await startFakeServer({
      '/v1/messages': (request) =>
        request.headers['x-api-key'] === fresh
          ? {
              json: { type: 'message', content: [{ type: 'text', text: 'OK' }] },
              headers: {
                'anthropic-ratelimit-unified-status': 'allowed',
                'anthropic-ratelimit-unified-5h-status': 'allowed',
                'anthropic-ratelimit-unified-5h-utilization': '0.42',
                'anthropic-ratelimit-unified-5h-reset': seconds(2 * HOUR),
                'anthropic-ratelimit-unified-7d-status': 'allowed',
                'anthropic-ratelimit-unified-7d-utilization': '0.3',
                'anthropic-ratelimit-unified-7d-reset': seconds(5 * DAY),
              },
            }
          : {
              status: 429,
              json: {
                type: 'error',
                error: {
                  type: 'rate_limit_error',
                  message: 'This request would exceed your usage limit.',
                },
              },
              headers: {
                'anthropic-ratelimit-unified-status': 'rejected',
                'anthropic-ratelimit-unified-7d-status': 'rejected',
                'anthropic-ratelimit-unified-7d-utilization': '1.0',
                'anthropic-ratelimit-unified-7d-reset': seconds(3 * DAY),
              },
            },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  it('in the JSON and as a detail line, and a spent window fails the probe (exit 3)', async () => {
    sandbox.writeConfig({
      agents: { defaults: { model: 'anthropic/claude-opus-4-5' } },
      models: { providers: { anthropic: { baseUrl: server.url } } },
    })
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'anthropic:fresh': apiKeyCredential('anthropic', fresh),
          'anthropic:spent': apiKeyCredential('anthropic', spent),
        },
      }),
    )
    const result = await sandbox.run(['models', 'status', '--json', '--probe'])
    expect(result.code).toBe(3)
    const results = parseJsonOutput<{
      auth: { probes: { results: Record<string, unknown>[] } }
    }>(result).auth.probes.results
    expect(results).toEqual([
      expect.objectContaining({
        profileId: 'anthropic:fresh',
        status: 'ok',
        usage: [
          { window: '5h', usedPercent: 42, resetsAt: anyNumber, exhausted: false },
          { window: '7d', usedPercent: 30, resetsAt: anyNumber, exhausted: false },
        ],
      }),
      expect.objectContaining({
        profileId: 'anthropic:spent',
        status: 'rate_limit',
        usage: [{ window: '7d', usedPercent: 100, resetsAt: anyNumber, exhausted: true }],
      }),
    ])
    const human = await sandbox.run(['models', 'status', '--probe'])
    expect(human.code).toBe(3)
    expect(human.stdout).toContain('↳ usage 5h 42% (resets in 2h), 7d 30% (resets in 5d)')
    expect(human.stdout).toContain('↳ usage 7d 100% used up (resets in 3d)')
    expect(sandbox.leaks([fresh, spent])).toEqual([])
  })
})
