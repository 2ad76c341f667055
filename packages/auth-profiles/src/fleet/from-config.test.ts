// Fleet mode from the `state` config slice: the schema (path-named errors, no URL echoed),
// createFleetFromConfig and fleetStoreBackend against a real redis-server (private unix socket).
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { findCanaries } from '../testing/canary-scan.js'
import { startRedisServer, type RedisServer } from '../../../../test-support/redis-server.ts'
import { parseAuthProfilesConfig } from '../config.js'
import { isProfileInCooldown } from '../selection/cooldowns.js'
import { apiKeyCredential, canarySecret } from '../testing/index.js'
import { markAuthProfileFailure } from '../selection/bookkeeping.js'
import type { RedisFleet } from './connection.js'
import { createFleetFromConfig, fleetStoreBackend, isFleetConfig } from './from-config.js'

let server: RedisServer
let root: string
const fleets: RedisFleet[] = []

beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  await server.dispose()
})
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'claw-fleet-config-'))
  server.cli(['FLUSHALL'])
})
afterEach(async () => {
  await Promise.all(fleets.splice(0).map((fleet) => fleet.close()))
  rmSync(root, { recursive: true, force: true })
})

// These tests are about the wiring, not Redis' speed: a loaded host may take longer than the
// default 250 ms to import the client, connect or answer, which would open the circuit and send
// writes to local state (outages have their own tests).
const PATIENT_MS = 10_000

function track(fleet: RedisFleet | undefined): RedisFleet {
  expect(fleet).toBeDefined()
  fleets.push(fleet!)
  return fleet!
}

/** Every key and value in Redis, as one text for the canary scan. */
function dumpRedis(): string {
  const keys = server.cli(['--scan']).split('\n').filter(Boolean)
  return keys
    .map((key) => {
      const type = server.cli(['TYPE', key]).trim()
      const value =
        type === 'hash'
          ? server.cli(['HGETALL', key])
          : type === 'set'
            ? server.cli(['SMEMBERS', key])
            : server.cli(['GET', key])
      return `${key}\n${value}`
    })
    .join('\n')
}

async function configError(input: unknown): Promise<string> {
  const error = await parseAuthProfilesConfig(input).then(
    () => undefined,
    (caught: unknown) => caught as Error,
  )
  expect(error).toBeInstanceOf(Error)
  return error!.message
}

describe('the state config slice', () => {
  it('accepts file mode, redis mode and every documented option', async () => {
    await expect(parseAuthProfilesConfig({ state: {} })).resolves.toBeDefined()
    await expect(parseAuthProfilesConfig({ state: { backend: 'file' } })).resolves.toBeDefined()
    await expect(
      parseAuthProfilesConfig({
        state: {
          backend: 'redis',
          url: 'rediss://user:pw@redis.example:6380/0',
          prefix: 'team-a:',
          credentials: 'redis',
          encryptionKey: { source: 'env', provider: 'default', id: 'CLAW_STATE_KEY' },
          freshnessMs: 50,
          commandTimeoutMs: 500,
        },
      }),
    ).resolves.toBeDefined()
  })

  it('names each bad path and never echoes the URL (it may hold a password)', async () => {
    const password = canarySecret('pw-')
    const message = await configError({
      state: {
        backend: 'redis',
        url: `http://admin:${password}@redis.example`,
        prefix: '',
        freshnessMs: 0,
        commandTimeoutMs: 1.5,
        credentials: 'vault',
        extra: true,
      },
    })
    expect(message).toContain('- state.url: must be a redis://, rediss:// or unix:// URL')
    expect(message).toContain('- state.prefix:')
    expect(message).toContain('- state.freshnessMs:')
    expect(message).toContain('- state.commandTimeoutMs:')
    expect(message).toContain('- state.credentials:')
    expect(message).toContain('- state.extra: unknown field')
    expect(findCanaries(message, [password], 'error')).toEqual([])
  })

  it('requires a URL in redis mode and redis state for credentials in redis', async () => {
    expect(await configError({ state: { backend: 'redis' } })).toContain(
      '- state.url: is required when state.backend is "redis"',
    )
    expect(await configError({ state: { credentials: 'redis' } })).toContain(
      '- state.credentials: "redis" needs state.backend "redis"',
    )
    expect(await configError({ state: 'redis' })).toContain('- state:')
  })
})

describe('createFleetFromConfig', () => {
  it('returns undefined in file mode', () => {
    expect(createFleetFromConfig({ config: undefined })).toBeUndefined()
    expect(createFleetFromConfig({ config: {} })).toBeUndefined()
    expect(createFleetFromConfig({ config: { state: { backend: 'file' } } })).toBeUndefined()
    expect(isFleetConfig({ state: { backend: 'file' } })).toBe(false)
    expect(isFleetConfig({ state: { backend: 'redis', url: server.url } })).toBe(true)
  })

  it('connects to state.url (with ${VAR} references from env) under the configured prefix', async () => {
    const fleet = track(
      createFleetFromConfig({
        config: {
          state: {
            backend: 'redis',
            url: '${REDIS_URL}',
            prefix: 'team-a:',
            commandTimeoutMs: PATIENT_MS,
          },
        },
        env: { REDIS_URL: server.url },
        warn: () => undefined,
      }),
    )
    expect(fleet.prefix).toBe('team-a:')
    const ping = await fleet.ping()
    expect(ping.ok).toBe(true)
    expect(fleet.status()).toBe('connected')
  })

  it('throws path-named errors without the URL', () => {
    const password = canarySecret('pw-')
    const missing = (): unknown =>
      createFleetFromConfig({ config: { state: { backend: 'redis' } }, env: {} })
    expect(missing).toThrow(/state\.url is required/)
    let caught: unknown
    try {
      createFleetFromConfig({
        config: { state: { backend: 'redis', url: `http://a:${password}@host` } },
        env: {},
      })
    } catch (error) {
      caught = error
    }
    expect((caught as { code?: string }).code).toBe('ERR_INVALID_CONFIG')
    expect(findCanaries(String((caught as Error).message), [password], 'error')).toEqual([])
    expect(() =>
      createFleetFromConfig({
        config: { state: { backend: 'redis', url: '${REDIS_URL}' } },
        env: {},
      }),
    ).toThrow(/REDIS_URL/)
  })
})

describe('fleetStoreBackend', () => {
  it('keeps credentials in the agent dir and routing state in Redis', async () => {
    const config = {
      state: { backend: 'redis' as const, url: server.url, commandTimeoutMs: PATIENT_MS },
    }
    const secret = canarySecret()
    const agentDirA = join(root, 'host-a', 'agents', 'main', 'agent')
    const agentDirB = join(root, 'host-b', 'agents', 'main', 'agent')
    const hostA = await fleetStoreBackend({
      fleet: track(createFleetFromConfig({ config, warn: () => undefined })),
      config,
      agentId: 'main',
      agentDir: agentDirA,
    })
    const hostB = await fleetStoreBackend({
      fleet: track(createFleetFromConfig({ config, warn: () => undefined })),
      config,
      agentId: 'main',
      agentDir: agentDirB,
    })
    expect(hostA.kind).toBe('redis')
    for (const backend of [hostA, hostB]) {
      await backend.update((store) => {
        store.profiles['openai:a'] = apiKeyCredential('openai', secret)
      })
    }
    expect(readFileSync(join(agentDirA, 'auth-profiles.json'), 'utf8')).toContain(secret)

    await markAuthProfileFailure({
      store: await hostA.load(),
      profileId: 'openai:a',
      reason: 'rate_limit',
      persist: { backend: hostA },
    })
    const fresh = await hostB.update(() => undefined)
    expect(isProfileInCooldown(fresh.store, 'openai:a')).toBe(true)
    expect(server.cli(['EXISTS', 'claw:{main}:cooldown:openai:a']).trim()).toBe('1')
    expect(findCanaries(dumpRedis(), [secret], 'redis')).toEqual([])
  })

  it('keeps credentials in Redis, encrypted with CLAW_STATE_KEY, when state.credentials is redis', async () => {
    const config = {
      state: {
        backend: 'redis' as const,
        url: server.url,
        credentials: 'redis' as const,
        commandTimeoutMs: PATIENT_MS,
      },
    }
    const env = { CLAW_STATE_KEY: randomBytes(32).toString('base64') }
    const secret = canarySecret()
    const backend = await fleetStoreBackend({
      fleet: track(createFleetFromConfig({ config, env, warn: () => undefined })),
      config,
      agentId: 'main',
      agentDir: join(root, 'unused'),
      env,
    })
    await backend.update((store) => {
      store.profiles['openai:a'] = apiKeyCredential('openai', secret)
    })
    const other = await fleetStoreBackend({
      fleet: track(createFleetFromConfig({ config, env, warn: () => undefined })),
      config,
      agentId: 'main',
      agentDir: join(root, 'elsewhere'),
      env,
    })
    const seen = (await other.load()).profiles['openai:a']
    expect(seen?.type === 'api_key' ? seen.key : undefined).toBe(secret)
    expect(server.cli(['HEXISTS', 'claw:{main}:creds', 'openai:a']).trim()).toBe('1')
    expect(findCanaries(dumpRedis(), [secret], 'redis')).toEqual([])
  })

  it('refuses credentials in Redis without an encryption key, naming where to put one', async () => {
    const config = {
      state: {
        backend: 'redis' as const,
        url: server.url,
        credentials: 'redis' as const,
        commandTimeoutMs: PATIENT_MS,
      },
    }
    const fleet = track(createFleetFromConfig({ config, env: {}, warn: () => undefined }))
    await expect(
      fleetStoreBackend({ fleet, config, agentId: 'main', agentDir: root, env: {} }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG', message: /CLAW_STATE_KEY/ })
  })
})
