// Fleet mode (`state.backend: "redis"`) through the real `claw`: two "hosts" (separate HOME and
// state dirs, each with its own copy of the credential file) share routing state through one
// real redis-server on a private unix socket. The library writes on host A (as a gateway would);
// `claw` on host B must see it, write through it, and `claw doctor` checks the connection.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  isProfileInCooldown,
  loadAuthProfileStore,
  markAuthProfileFailure,
  type AuthStoreBackend,
} from '@claw/auth-profiles'
import {
  createFleetFromConfig,
  fleetStoreBackend,
  type RedisFleet,
} from '@claw/auth-profiles/redis'
import { apiKeyCredential, buildAuthProfileStore, canarySecret } from '@claw/auth-profiles/testing'
import { findCanaries } from '@claw/auth-profiles/testing'
import { startRedisServer, type RedisServer } from '../../../test-support/redis-server.ts'
import { ClawSandbox, parseJsonOutput } from '../test/helpers/claw.ts'

let server: RedisServer
let hostA: ClawSandbox
let hostB: ClawSandbox
let fleet: RedisFleet | undefined
let secrets: string[]

const anyPingMessage: unknown = expect.stringMatching(
  /^Redis at state\.url answered PING in [\d.]+ ms \(prefix claw:\)\.$/,
)
// A loaded CI host must not open the circuit: these tests are about sharing, not outages.
const FLEET_CONFIG = { state: { backend: 'redis', url: '${REDIS_URL}', commandTimeoutMs: 2_000 } }

beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  await server.dispose()
})
beforeEach(async () => {
  if (!pingable()) await server.start()
  server.cli(['FLUSHALL'])
  secrets = [canarySecret('sk-proj-'), canarySecret('sk-proj-')]
  hostA = new ClawSandbox('claw-fleet-a-')
  hostB = new ClawSandbox('claw-fleet-b-')
  for (const host of [hostA, hostB]) {
    host.writeConfig(FLEET_CONFIG)
    host.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai:a': apiKeyCredential('openai', secrets[0]),
          'openai:b': apiKeyCredential('openai', secrets[1]),
        },
      }),
    )
  }
})
afterEach(async () => {
  await fleet?.close()
  fleet = undefined
  expect(hostA.leaks(secrets)).toEqual([])
  expect(hostB.leaks(secrets)).toEqual([])
  if (pingable()) expect(findCanaries(dumpRedis(), secrets, 'redis')).toEqual([])
  hostA.dispose()
  hostB.dispose()
})

function pingable(): boolean {
  try {
    return server.cli(['PING']).trim() === 'PONG'
  } catch {
    return false
  }
}

/** Every key and value in Redis, for the canary scan. */
function dumpRedis(): string {
  const keys = server.cli(['--scan']).split('\n').filter(Boolean)
  return keys
    .map((key) => {
      const type = server.cli(['TYPE', key]).trim()
      const read =
        type === 'hash' ? 'HGETALL' : type === 'set' ? 'SMEMBERS' : type === 'string' ? 'GET' : ''
      return `${key}\n${read ? server.cli([read, key]) : type}`
    })
    .join('\n')
}

const env = (): Record<string, string> => ({ REDIS_URL: server.url })

/** Host A's store backend, as a gateway process on host A would build it from its config. */
async function hostABackend(): Promise<AuthStoreBackend> {
  const config = { state: { backend: 'redis' as const, url: server.url, commandTimeoutMs: 2_000 } }
  fleet = createFleetFromConfig({ config, warn: () => undefined })
  return fleetStoreBackend({ fleet: fleet!, config, agentId: 'main', agentDir: hostA.agentDir() })
}

/** A failure recorded by a gateway on host A (routing state goes to Redis); its backend. */
async function failOnHostA(
  profileId: string,
  reason: 'rate_limit' | 'billing',
): Promise<AuthStoreBackend> {
  const backend = await hostABackend()
  await markAuthProfileFailure({
    store: await backend.load(),
    profileId,
    reason,
    persist: { backend },
  })
  return backend
}

interface StatusJson {
  state: { backend: string; prefix?: string; status?: string }
  auth: { unusableProfiles: { profileId: string; kind: string; reason?: string }[] }
}

interface DoctorJson {
  findings: { id: string; area: string; severity: string; message: string; fix?: string }[]
}

describe('claw in fleet mode', () => {
  it('shows on host B a cooldown recorded on host A, and clears it for every host', async () => {
    const backend = await failOnHostA('openai:a', 'rate_limit')
    // Host B's own file knows nothing about it …
    const fileB = await loadAuthProfileStore({ agentDir: hostB.agentDir() })
    expect(fileB.usageStats?.['openai:a']).toBeUndefined()

    // … but `claw` on host B reads routing state from Redis.
    const result = await hostB.run(['models', 'status', '--json'], { env: env() })
    expect(result.code).toBe(0)
    const json = parseJsonOutput<StatusJson>(result)
    expect(json.state).toEqual({ backend: 'redis', prefix: 'claw:', status: 'connected' })
    expect(json.auth.unusableProfiles).toEqual([
      expect.objectContaining({ profileId: 'openai:a', kind: 'cooldown', reason: 'rate_limit' }),
    ])

    const human = await hostB.run(['models', 'status'], { env: env() })
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('State         : redis (claw:, connected)\n')
    expect(human.stdout).toMatch(/openai:a=\S+ \[cooldown \d+m\]/)

    // A write on host B (clear-cooldown) goes to Redis: host A sees the profile usable again.
    const cleared = await hostB.run(['models', 'auth', 'clear-cooldown', 'openai:a', '--json'], {
      env: env(),
    })
    expect(cleared.code).toBe(0)
    expect(parseJsonOutput(cleared)).toMatchObject({ profileId: 'openai:a', cleared: true })
    expect(server.cli(['EXISTS', 'claw:{main}:cooldown:openai:a']).trim()).toBe('0')
    const seenOnA = (await backend.update(() => undefined)).store
    expect(isProfileInCooldown(seenOnA, 'openai:a')).toBe(false)
    // Neither host's credential file was rewritten with routing state.
    expect((await loadAuthProfileStore({ agentDir: hostB.agentDir() })).usageStats).toBeUndefined()
  })

  it('claw route on host B says another host is probing a credential whose window ended', async () => {
    const backend = await hostABackend()
    await markAuthProfileFailure({
      store: await backend.load(),
      profileId: 'openai:a',
      reason: 'overloaded',
      retryAfterMs: 50,
      persist: { backend },
    })
    await new Promise((resolve) => setTimeout(resolve, 100))
    const lease = await backend.probeLeases!.acquire({
      profileId: 'openai:a',
      ttlMs: 60_000,
      now: Date.now(),
    })
    expect(lease.status).toBe('acquired')
    hostB.writeConfig({ ...FLEET_CONFIG, auth: { order: { openai: ['openai:a', 'openai:b'] } } })
    const result = await hostB.run(['route', 'openai/gpt-4o', '--json'], { env: env() })
    expect(result.code).toBe(0)
    const json = parseJsonOutput<{ trace: Record<string, unknown>[]; chosen: unknown }>(result)
    expect(json.trace[0]).toMatchObject({
      profileId: 'openai:a',
      outcome: 'skipped',
      reason: 'probing',
    })
    expect(json.chosen).toMatchObject({ profileId: 'openai:b' })
    const human = await hostB.run(['route', 'openai/gpt-4o'], { env: env() })
    expect(human.stdout).toMatch(/profile:openai:a +skipped +probing: another run is probing it/)
  })

  it('keeps an order override written by `claw` on host B in Redis, not in the file', async () => {
    const set = await hostB.run(
      ['models', 'auth', 'order', 'set', '--provider', 'openai', 'openai:b', 'openai:a'],
      { env: env() },
    )
    expect(set.code).toBe(0)
    expect(server.cli(['HGET', 'claw:{main}:order', 'openai']).trim()).toBe(
      '["openai:b","openai:a"]',
    )
    const onA = await hostA.run(
      ['models', 'auth', 'order', 'get', '--provider', 'openai', '--json'],
      { env: env() },
    )
    expect(parseJsonOutput(onA)).toMatchObject({ order: ['openai:b', 'openai:a'] })
    expect((await loadAuthProfileStore({ agentDir: hostB.agentDir() })).order).toBeUndefined()
  })

  it('claw doctor reports the Redis check ok, then an error (exit 1, bounded time) with Redis down', async () => {
    const ok = await hostB.run(['doctor', '--json'], { env: env() })
    const okJson = parseJsonOutput<DoctorJson>(ok)
    const redisFindings = okJson.findings.filter((finding) => finding.area === 'redis')
    expect(redisFindings).toEqual([
      {
        id: 'redis.connected',
        area: 'redis',
        severity: 'info',
        message: anyPingMessage,
      },
    ])
    expect(ok.code).toBe(0)

    await server.stop()
    const started = Date.now()
    const down = await hostB.run(['doctor', '--json'], { env: env(), timeoutMs: 20_000 })
    const elapsed = Date.now() - started
    expect(down.code).toBe(1)
    expect(elapsed).toBeLessThan(10_000)
    const downJson = parseJsonOutput<DoctorJson>(down)
    expect(downJson.findings.filter((finding) => finding.area === 'redis')).toEqual([
      expect.objectContaining({
        id: 'redis.unreachable',
        severity: 'error',
        message: expect.stringContaining('did not answer PING') as unknown as string,
      }),
    ])

    // Commands keep working on local state, with a warning, in bounded time.
    const status = await hostB.run(['models', 'status', '--json'], { env: env() })
    expect(status.code).toBe(0)
    expect(parseJsonOutput<StatusJson>(status).state).toEqual({
      backend: 'redis',
      prefix: 'claw:',
      status: 'degraded',
    })
    expect(status.stderr).toMatch(/Warning: Redis unavailable \(\w+\); using local state/)
  })

  it('claw doctor sees cooldowns and order lists kept in Redis, and repairs them there', async () => {
    await failOnHostA('openai:a', 'billing')
    // An order list in Redis naming a profile no host has.
    server.cli(['HSET', 'claw:{main}:order', 'openai', '["openai:gone","openai:b"]'])

    const before = parseJsonOutput<DoctorJson>(
      await hostB.run(['doctor', '--json'], { env: env() }),
    )
    expect(before.findings.filter((finding) => finding.area === 'cooldowns')).toEqual([
      expect.objectContaining({
        id: 'cooldowns.disabled',
        message: expect.stringMatching(/^openai:a: disabled:billing \(\d+h\)/) as unknown as string,
      }),
    ])
    expect(before.findings.filter((finding) => finding.area === 'orphans')).toEqual([
      expect.objectContaining({
        message: 'order.openai in Redis (claw:main) lists openai:gone, which has no profile.',
      }),
    ])

    const fixed = await hostB.run(['doctor', '--fix', '--yes'], { env: env() })
    expect(fixed.stdout).toContain(
      'Removed orphan openai:gone from order.openai in Redis (claw:main)',
    )
    expect(server.cli(['HGET', 'claw:{main}:order', 'openai']).trim()).toBe('["openai:b"]')
    // Host B's file never held the routing state.
    const fileB = await loadAuthProfileStore({ agentDir: hostB.agentDir() })
    expect(fileB.order).toBeUndefined()
    expect(fileB.usageStats?.['openai:a']).toBeUndefined()
  })

  it('never prints the Redis URL password (doctor, status)', async () => {
    const password = canarySecret('redis-pw-')
    secrets.push(password)
    const url = `redis://claw:${password}@127.0.0.1:1/0`
    const started = Date.now()
    const doctor = await hostB.run(['doctor', '--json'], { env: { REDIS_URL: url } })
    expect(doctor.code).toBe(1)
    expect(Date.now() - started).toBeLessThan(10_000)
    const redis = parseJsonOutput<DoctorJson>(doctor).findings.filter(
      (finding) => finding.area === 'redis',
    )
    expect(redis.map((finding) => finding.id)).toEqual(['redis.unreachable'])
    const status = await hostB.run(['models', 'status'], { env: { REDIS_URL: url } })
    expect(status.code).toBe(0)
    expect(status.stdout).toContain('State         : redis (claw:, degraded)\n')
    // (the afterEach canary scan covers every output of both hosts)
  })

  it('warns when credentials are in Redis without an encryption key', async () => {
    hostB.writeConfig({ state: { ...FLEET_CONFIG.state, credentials: 'redis' } })
    const doctor = await hostB.run(['doctor', '--json'], { env: env() })
    const redis = parseJsonOutput<DoctorJson>(doctor).findings.filter(
      (finding) => finding.area === 'redis',
    )
    expect(redis.map((finding) => [finding.id, finding.severity])).toEqual([
      ['redis.connected', 'info'],
      ['redis.encryption_key_missing', 'warning'],
    ])
  })

  it('rejects an invalid state slice with path-named errors (exit 78)', async () => {
    hostB.writeConfig({ state: { backend: 'redis', url: 'http://x', prefix: '' } })
    const result = await hostB.run(['models', 'status'])
    expect(result.code).toBe(78)
    expect(result.stderr).toContain('- state.url: must be a redis://, rediss:// or unix:// URL')
    expect(result.stderr).toContain('- state.prefix:')
  })
})

describe('claw in file mode', () => {
  it('works without a state slice and reports state.backend "file"', async () => {
    hostA.writeConfig({})
    const json = await hostA.run(['models', 'status', '--json'])
    expect(json.code).toBe(0)
    expect(parseJsonOutput<StatusJson>(json).state).toEqual({ backend: 'file' })
    const human = await hostA.run(['models', 'status'])
    expect(human.stdout).toContain('State         : file\n')
    const doctor = await hostA.run(['doctor'])
    expect(doctor.stdout).toContain(
      'Fleet state (Redis)\n  [ok] File mode: routing state is kept in each agent store (no Redis).',
    )
    // Nothing was written to Redis.
    expect(server.cli(['DBSIZE']).trim()).toBe('0')
  })
})
