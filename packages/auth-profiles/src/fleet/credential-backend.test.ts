// The Redis credential backend against a real redis-server: encryption at rest, compare-and-swap,
// the fencing check on commit, and what it does while Redis is unavailable.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { findCanaries } from '../testing/canary-scan.js'
import { connectTestFleet, dumpRedis, useTestFleet } from '../../test/helpers/fleet-connection.js'
import { canarySecret } from '../testing/index.js'
import type { OAuthCredential } from '../types.js'
import { createRedisCredentialBackend } from './credential-backend.js'
import { encryptValue } from './encryption.js'
import { createRedisRefreshLock } from './redis-refresh-lock.js'

const fleet = useTestFleet()
const key = randomBytes(32)

function oauth(access = canarySecret('at-'), refresh = canarySecret('rt-')): OAuthCredential {
  return { type: 'oauth', provider: 'test-oauth', access, refresh, expires: 1e13, generation: 1 }
}

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise
  } catch (error) {
    return error as Error & Record<string, unknown>
  }
  throw new Error('expected a rejection')
}

describe('Redis credential backend', () => {
  it('stores profiles encrypted and reads them back on another connection', async () => {
    const backend = createRedisCredentialBackend(fleet.connection, {
      agentId: 'main',
      encryptionKey: key,
    })
    expect(backend.kind).toBe('redis')
    const credential = oauth()
    const apiKey = canarySecret()
    const { written } = await backend.update((store) => {
      store.profiles['test-oauth:default'] = credential
      store.profiles['openai:default'] = { type: 'api_key', provider: 'openai', key: apiKey }
    })
    expect(written).toBe(true)

    const other = await connectTestFleet(fleet.server)
    try {
      const reader = createRedisCredentialBackend(other, { agentId: 'main', encryptionKey: key })
      const store = await reader.load()
      expect(store.profiles['test-oauth:default']).toEqual(credential)
      expect(store.profiles['openai:default']).toMatchObject({ key: apiKey })
      // Another agent sees nothing.
      const sub = createRedisCredentialBackend(other, { agentId: 'sub', encryptionKey: key })
      expect((await sub.load()).profiles).toEqual({})
    } finally {
      await other.close()
    }

    // S9: no secret in any key or value.
    const dump = dumpRedis(fleet.server)
    expect(dump).toContain('claw:{main}:creds')
    expect(fleet.server.cli(['HEXISTS', 'claw:{main}:creds', 'test-oauth:default']).trim()).toBe(
      '1',
    )
    expect(findCanaries(dump, [credential.access, credential.refresh, apiKey], 'redis')).toEqual([])
    // Positive control: the scanner finds a planted plaintext.
    fleet.server.cli(['SET', 'claw:planted', credential.access])
    expect(findCanaries(dumpRedis(fleet.server), [credential.access], 'redis')).not.toEqual([])
  })

  it('writes only what changed and deletes removed profiles', async () => {
    const backend = createRedisCredentialBackend(fleet.connection, {
      agentId: 'main',
      encryptionKey: key,
    })
    await backend.update((store) => {
      store.profiles['a:1'] = oauth()
      store.profiles['b:1'] = oauth()
    })
    const before = fleet.server.cli(['HGET', 'claw:{main}:creds', 'b:1'])
    const unchanged = await backend.update(() => 'nothing')
    expect(unchanged).toMatchObject({ written: false, result: 'nothing' })
    await backend.update((store) => {
      store.profiles['a:1'] = { ...store.profiles['a:1']!, generation: 2 }
      delete store.profiles['c:1']
    })
    expect(fleet.server.cli(['HGET', 'claw:{main}:creds', 'b:1'])).toBe(before)
    expect(fleet.server.cli(['HGET', 'claw:{main}:credver', 'a:1']).trim()).toBe('2')
    await backend.update((store) => {
      delete store.profiles['a:1']
    })
    expect(Object.keys((await backend.load()).profiles)).toEqual(['b:1'])
    expect(fleet.server.cli(['HEXISTS', 'claw:{main}:creds', 'a:1']).trim()).toBe('0')
  })

  it('keeps the entries it cannot use through every update, and reports them', async () => {
    const backend = createRedisCredentialBackend(fleet.connection, {
      agentId: 'main',
      encryptionKey: key,
    })
    const secret = canarySecret('aws-sso-')
    const odd = JSON.stringify({ type: 'aws_sso', provider: 'aws', secret })
    const keyName = 'claw:{main}:cred:aws:sso'
    fleet.server.cli(['HSET', 'claw:{main}:creds', 'aws:sso', encryptValue(key, keyName, odd)])
    await backend.update((store) => {
      store.profiles['b:1'] = oauth()
    })
    const store = await backend.load()
    expect(Object.keys(store.profiles)).toEqual(['b:1'])
    expect(fleet.server.cli(['HEXISTS', 'claw:{main}:creds', 'aws:sso']).trim()).toBe('1')
    const diagnostics = backend.diagnostics()
    expect(diagnostics.map((d) => `${d.code} ${d.path}`)).toEqual([
      'ignored_profile profiles["aws:sso"]',
    ])
    expect(findCanaries(JSON.stringify(diagnostics), [secret], 'diagnostics')).toEqual([])
    // A profile written under that id replaces it.
    await backend.update((store) => {
      store.profiles['aws:sso'] = { type: 'api_key', provider: 'aws', key: 'k' }
    })
    expect((await backend.load()).profiles['aws:sso']).toMatchObject({ key: 'k' })
  })

  it('loses no update under concurrent writers on separate connections (compare-and-swap)', async () => {
    const others = await Promise.all([1, 2, 3].map(() => connectTestFleet(fleet.server)))
    try {
      const backends = [fleet.connection, ...others].map((c) =>
        createRedisCredentialBackend(c, { agentId: 'main', encryptionKey: key }),
      )
      await backends[0]!.update((store) => {
        store.profiles['counter:1'] = {
          type: 'api_key',
          provider: 'counter',
          key: 'k',
          metadata: { n: '0' },
        }
      })
      await Promise.all(
        backends.flatMap((backend) =>
          Array.from({ length: 25 }, () =>
            backend.update((store) => {
              const current = store.profiles['counter:1']
              if (current?.type !== 'api_key') throw new Error('missing')
              const n = Number(current.metadata?.['n'] ?? 0) + 1
              store.profiles['counter:1'] = { ...current, metadata: { n: String(n) } }
            }),
          ),
        ),
      )
      const stored = (await backends[1]!.load()).profiles['counter:1']
      expect(stored?.type === 'api_key' && stored.metadata?.['n']).toBe('100')
    } finally {
      await Promise.all(others.map((other) => other.close()))
    }
  })

  it('commits only while the fencing counter is unchanged', async () => {
    const backend = createRedisCredentialBackend(fleet.connection, {
      agentId: 'main',
      encryptionKey: key,
    })
    await backend.update((store) => {
      store.profiles['test-oauth:default'] = oauth()
    })
    const locks = createRedisRefreshLock(fleet.connection, { ttlMs: 200, waitMs: 2_000 })
    const first = await locks.acquire({ provider: 'test-oauth', profileId: 'test-oauth:default' })
    expect(first.fence).toEqual({
      key: 'claw:{main}:fence:oauth:test-oauth:test-oauth:default',
      value: 1,
    })
    // The holder stalls past its TTL; another takes the lock over (fence 2) and commits.
    const second = await locks.acquire({ provider: 'test-oauth', profileId: 'test-oauth:default' })
    expect(second.fence?.value).toBe(2)
    const winner = oauth()
    await backend.update(
      (store) => {
        store.profiles['test-oauth:default'] = winner
      },
      { fence: second.fence! },
    )
    const loser = oauth()
    const error = await rejection(
      backend.update(
        (store) => {
          store.profiles['test-oauth:default'] = loser
        },
        { fence: first.fence! },
      ),
    )
    expect(error).toMatchObject({ code: 'ERR_LOCK_COMPROMISED' })
    expect(error.message).not.toContain(loser.access)
    expect((await backend.load()).profiles['test-oauth:default']).toEqual(winner)
    await second.release()
    await first.release()
  })

  it('wrong key, tampered and swapped values fail with an error naming the profile', async () => {
    const backend = createRedisCredentialBackend(fleet.connection, {
      agentId: 'main',
      encryptionKey: key,
    })
    const credential = oauth()
    await backend.update((store) => {
      store.profiles['test-oauth:default'] = credential
      store.profiles['test-oauth:other'] = oauth()
    })
    const wrongKey = createRedisCredentialBackend(fleet.connection, {
      agentId: 'main',
      encryptionKey: randomBytes(32),
    })
    const wrong = await rejection(wrongKey.load())
    expect(wrong).toMatchObject({ code: 'ERR_STORE_INVALID' })
    expect(wrong.message).toMatch(/profile "test-oauth:(default|other)".*wrong encryption key/)
    expect(findCanaries(wrong.message, [credential.access, credential.refresh], 'error')).toEqual(
      [],
    )

    const sealed = fleet.server.cli(['HGET', 'claw:{main}:creds', 'test-oauth:default']).trim()
    const bytes = Buffer.from(sealed, 'base64')
    bytes[20] = bytes[20]! ^ 0xff
    fleet.server.cli(['HSET', 'claw:{main}:creds', 'test-oauth:default', bytes.toString('base64')])
    const reader = createRedisCredentialBackend(fleet.connection, {
      agentId: 'main',
      encryptionKey: key,
    })
    const tampered = await rejection(reader.load())
    expect(tampered).toMatchObject({ code: 'ERR_STORE_INVALID', profileId: 'test-oauth:default' })

    // A valid value moved to another profile does not decrypt there (AAD = the credential's name).
    const other = fleet.server.cli(['HGET', 'claw:{main}:creds', 'test-oauth:other']).trim()
    fleet.server.cli(['HSET', 'claw:{main}:creds', 'test-oauth:default', other])
    const swapped = await rejection(reader.load())
    expect(swapped).toMatchObject({ code: 'ERR_STORE_INVALID', profileId: 'test-oauth:default' })
  })

  it('while Redis is unavailable: serves the last credentials read, refuses updates (retryable)', async () => {
    const backend = createRedisCredentialBackend(fleet.connection, {
      agentId: 'main',
      encryptionKey: key,
    })
    const fresh = createRedisCredentialBackend(fleet.connection, {
      agentId: 'main',
      encryptionKey: key,
    })
    const credential = oauth()
    await backend.update((store) => {
      store.profiles['test-oauth:default'] = credential
    })
    await backend.load()
    fleet.connection.down = true
    expect((await backend.load()).profiles['test-oauth:default']).toEqual(credential)
    const update = await rejection(
      backend.update((store) => {
        delete store.profiles['test-oauth:default']
      }),
    )
    expect(update).toMatchObject({ code: 'ERR_STORE_WRITE', retryable: true })
    expect(update.message).toMatch(/Redis is unavailable/)
    // Nothing read yet: a clear retryable error, not an empty store.
    expect(await rejection(fresh.load())).toMatchObject({ code: 'ERR_STORE_READ', retryable: true })
    fleet.connection.down = false
    expect((await fresh.load()).profiles['test-oauth:default']).toEqual(credential)
  })

  it('an empty Redis (restart without persistence, FLUSHALL) is ERR_FLEET_EMPTY, never an empty store', async () => {
    const warnings: string[] = []
    const connection = { ...fleet.connection, warn: (message: string) => warnings.push(message) }
    const gateway = createRedisCredentialBackend(connection, {
      agentId: 'main',
      encryptionKey: key,
    })
    const credential = oauth()
    await gateway.update((store) => {
      store.profiles['test-oauth:default'] = credential
    })
    await gateway.load()
    expect(fleet.server.cli(['HEXISTS', 'claw:{main}:fleet', 'credentials']).trim()).toBe('1')

    fleet.server.cli(['FLUSHALL'])
    // A process that never read the credentials: a loud error naming what happened.
    const fresh = createRedisCredentialBackend(connection, { agentId: 'main', encryptionKey: key })
    const empty = await rejection(fresh.load())
    expect(empty).toMatchObject({ code: 'ERR_FLEET_EMPTY', retryable: false })
    expect(empty.message).toMatch(
      /^Redis holds no credentials for agent main and no fleet marker \(claw:fleet\): it has lost its data/,
    )
    // A long-running process keeps routing with what it read, and says so once.
    for (let i = 0; i < 3; i += 1) {
      expect((await gateway.load()).profiles['test-oauth:default']).toEqual(credential)
    }
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/Serving the 1 credential\(s\) read earlier from memory\.$/)
    expect(
      findCanaries(
        `${empty.message}\n${warnings.join('\n')}`,
        [credential.access, credential.refresh],
        'messages',
      ),
    ).toEqual([])
  })

  it('a new fleet starts with its first credential; removing every credential later is not "empty"', async () => {
    const backend = createRedisCredentialBackend(fleet.connection, {
      agentId: 'main',
      encryptionKey: key,
    })
    expect(await rejection(backend.load())).toMatchObject({ code: 'ERR_FLEET_EMPTY' })
    await backend.update((store) => {
      store.profiles['test-oauth:default'] = oauth()
    })
    expect(Object.keys((await backend.load()).profiles)).toEqual(['test-oauth:default'])
    await backend.update((store) => {
      delete store.profiles['test-oauth:default']
    })
    expect((await backend.load()).profiles).toEqual({})
  })

  it('marks a Redis that holds credentials from before the marker existed', async () => {
    const backend = createRedisCredentialBackend(fleet.connection, {
      agentId: 'main',
      encryptionKey: key,
    })
    await backend.update((store) => {
      store.profiles['test-oauth:default'] = oauth()
    })
    fleet.server.cli(['DEL', 'claw:{main}:fleet'])
    const reader = createRedisCredentialBackend(fleet.connection, {
      agentId: 'main',
      encryptionKey: key,
    })
    expect(Object.keys((await reader.load()).profiles)).toEqual(['test-oauth:default'])
    expect(fleet.server.cli(['HEXISTS', 'claw:{main}:fleet', 'credentials']).trim()).toBe('1')
  })

  it('refuses an encryption key that is not 32 bytes', () => {
    expect(() =>
      createRedisCredentialBackend(fleet.connection, {
        agentId: 'main',
        encryptionKey: randomBytes(16),
      }),
    ).toThrow(/32 bytes/)
  })
})
