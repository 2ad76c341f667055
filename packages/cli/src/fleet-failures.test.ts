// Fleet mode when the shared state cannot be trusted, through the real `claw` and real
// redis-servers: operator writes during an outage are refused (never acknowledged and dropped),
// an emptied Redis that held the credentials is reported instead of routed around, and a Redis
// that requires a password is an unavailable fleet (local state, one warning) until the password
// is in state.url.
import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadAuthProfileStore } from '@claw/auth-profiles'
import { apiKeyCredential, buildAuthProfileStore, canarySecret } from '@claw/auth-profiles/testing'
import { startRedisServer, type RedisServer } from '../../../test-support/redis-server.ts'
import { ClawSandbox, parseJsonOutput } from '../test/helpers/claw.ts'

let plain: RedisServer
let locked: RedisServer
let host: ClawSandbox
let secrets: string[]
const password = canarySecret('redis-pw-')
const stateKey = randomBytes(32).toString('base64')

// Not about slow hosts: a loaded CI machine must not open the circuit where Redis is up.
const FLEET = { backend: 'redis', url: '${REDIS_URL}', commandTimeoutMs: 2_000 }

beforeAll(async () => {
  ;[plain, locked] = await Promise.all([
    startRedisServer(),
    startRedisServer({ requirepass: password }),
  ])
})
afterAll(async () => {
  await Promise.all([plain.dispose(), locked.dispose()])
})
beforeEach(async () => {
  if (!pingable(plain)) await plain.start()
  plain.cli(['FLUSHALL'])
  locked.cli(['FLUSHALL'])
  secrets = [canarySecret('plain-'), canarySecret('sk-proj-'), password, stateKey]
  host = new ClawSandbox('claw-fleet-failures-')
  host.writeConfig({ state: FLEET })
  host.writeStore(
    buildAuthProfileStore({
      profiles: {
        'openai:a': apiKeyCredential('openai', secrets[0]),
        'openai:b': apiKeyCredential('openai', secrets[1]),
      },
    }),
  )
})
afterEach(() => {
  expect(host.leaks(secrets)).toEqual([])
  host.dispose()
})

function pingable(server: RedisServer): boolean {
  try {
    return server.cli(['PING']).trim() === 'PONG'
  } catch {
    return false
  }
}

interface StatusJson {
  state: { backend: string; prefix?: string; status?: string }
  auth: { providers: { provider: string; profiles: { count: number } }[] }
}

interface DoctorJson {
  findings: { id: string; area: string; severity: string; message: string; fix?: string }[]
}

const redisFindings = (json: DoctorJson) =>
  json.findings.filter((finding) => finding.area === 'redis')

describe('operator writes while Redis is unreachable', () => {
  it('order set / clear and clear-cooldown exit non-zero, say why, and write nothing', async () => {
    const env = { REDIS_URL: plain.url }
    // Shared state exists, then Redis goes away.
    const set = await host.run(
      ['models', 'auth', 'order', 'set', '--provider', 'openai', 'openai:b'],
      { env },
    )
    expect(set.code).toBe(0)
    await plain.stop()
    const file = host.agentDir()
    const before = await loadAuthProfileStore({ agentDir: file })

    for (const args of [
      ['models', 'auth', 'order', 'set', '--provider', 'openai', 'openai:a', 'openai:b'],
      ['models', 'auth', 'order', 'clear', '--provider', 'openai'],
      ['models', 'auth', 'clear-cooldown', 'openai:a'],
      ['models', 'auth', 'clear-cooldown', 'openai:a', '--all', '--json'],
    ]) {
      const result = await host.run(args, { env })
      expect({ args, code: result.code }).toEqual({ args, code: 1 })
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(
        /^Warning: Redis unavailable \(\w+\); using local state until it returns\.\nRedis is unavailable \(\w+\), so the shared routing state \(cooldowns, usage, order, last-good\) of agent main cannot be changed; nothing was written\. Try again when Redis answers \(`claw doctor` checks it\)\.\n$/,
      )
    }
    // Nothing was written to the local store either (where it would be overridden later).
    expect(await loadAuthProfileStore({ agentDir: file })).toEqual(before)

    // Reads keep working on local state.
    const status = await host.run(['models', 'status', '--json'], { env })
    expect(status.code).toBe(0)
    expect(parseJsonOutput<StatusJson>(status).state.status).toBe('degraded')
  })
})

describe('credentials kept in Redis, and Redis lost them', () => {
  it('models status exits 78 and names the problem; doctor reports redis.fleet_empty', async () => {
    host.writeConfig({ state: { ...FLEET, credentials: 'redis' } })
    const env = { REDIS_URL: plain.url, CLAW_STATE_KEY: stateKey }
    const key = canarySecret('plain-')
    secrets.push(key)
    const pasted = await host.run(['models', 'auth', 'paste-api-key', '--provider', 'mistral'], {
      env,
      stdin: `${key}\n`,
    })
    expect(pasted.code).toBe(0)
    const ok = await host.run(['models', 'status', '--json'], { env })
    expect(ok.code).toBe(0)
    expect(JSON.stringify(parseJsonOutput(ok))).toContain('mistral:default')

    // A restart without persistence.
    await plain.stop()
    await plain.start()
    const status = await host.run(['models', 'status'], { env })
    expect(status.code).toBe(78)
    expect(status.stdout).toBe('')
    expect(status.stderr).toMatch(
      /^Redis holds no credentials for agent main and no fleet marker \(claw:fleet\): it has lost its data \(restarted without persistence, or flushed\) or never held credentials\./,
    )
    const list = await host.run(['models', 'auth', 'list'], { env })
    expect(list.code).toBe(78)

    const doctor = await host.run(['doctor', '--json'], { env })
    expect(doctor.code).toBe(78)
    const json = parseJsonOutput<DoctorJson>(doctor)
    expect(redisFindings(json).map((finding) => [finding.id, finding.severity])).toEqual([
      ['redis.connected', 'info'],
      ['redis.fleet_empty', 'error'],
    ])
    expect(json.findings.filter((finding) => finding.area === 'stores')).toEqual([])
  })
})

describe('a Redis that requires a password', () => {
  const noPassword = () => ({ REDIS_URL: locked.url })
  const withPassword = () => ({
    REDIS_URL: `unix://:${encodeURIComponent(password)}@${locked.socketPath}`,
  })

  it('without it: reads fall back to local state with one warning; writes refuse; doctor says authentication failed', async () => {
    const warning =
      'Warning: Redis unavailable (authentication failed (NOAUTH)); using local state until it returns.\n'
    for (const args of [
      ['models', 'status'],
      ['models', 'auth', 'list'],
    ]) {
      const result = await host.run(args, { env: noPassword() })
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({
        args,
        code: 0,
        stderr: warning,
      })
    }
    const status = await host.run(['models', 'status', '--json'], { env: noPassword() })
    expect(parseJsonOutput<StatusJson>(status).state).toEqual({
      backend: 'redis',
      prefix: 'claw:',
      status: 'degraded',
    })

    const cleared = await host.run(['models', 'auth', 'clear-cooldown', 'openai:a'], {
      env: noPassword(),
    })
    expect(cleared.code).toBe(1)
    expect(cleared.stderr).toContain(
      'Redis is unavailable (authentication failed (NOAUTH)), so the shared routing state',
    )

    const doctor = await host.run(['doctor', '--json'], { env: noPassword() })
    expect(doctor.code).toBe(1)
    expect(redisFindings(parseJsonOutput<DoctorJson>(doctor))).toEqual([
      expect.objectContaining({
        id: 'redis.auth_failed',
        severity: 'error',
        message:
          'Redis at state.url refused claw: authentication failed (NOAUTH); routing state is not shared (each host uses its local state).',
        fix: expect.stringContaining('unix://:PASSWORD@/path/redis.sock') as unknown as string,
      }),
    ])
    const wrong = await host.run(['doctor', '--json'], {
      env: { REDIS_URL: `unix://:${canarySecret('wrong-')}@${locked.socketPath}` },
    })
    expect(
      redisFindings(parseJsonOutput<DoctorJson>(wrong)).map((finding) => finding.message),
    ).toEqual([
      'Redis at state.url refused claw: authentication failed (WRONGPASS); routing state is not shared (each host uses its local state).',
    ])
    expect(locked.cli(['DBSIZE']).trim()).toBe('0')
  })

  it('with the password in a unix:// state.url: connected, writes reach Redis', async () => {
    const set = await host.run(
      ['models', 'auth', 'order', 'set', '--provider', 'openai', 'openai:b', 'openai:a'],
      { env: withPassword() },
    )
    expect(set).toMatchObject({ code: 0, stderr: '' })
    expect(locked.cli(['HGET', 'claw:{main}:order', 'openai']).trim()).toBe(
      '["openai:b","openai:a"]',
    )
    const doctor = await host.run(['doctor', '--json'], { env: withPassword() })
    expect(redisFindings(parseJsonOutput<DoctorJson>(doctor)).map((finding) => finding.id)).toEqual(
      ['redis.connected'],
    )
  })
})
