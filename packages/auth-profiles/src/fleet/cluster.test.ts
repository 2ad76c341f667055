// Fleet mode on a real Redis Cluster (3 masters on loopback ports, started once for this file by
// test-support/redis-cluster.mjs): connecting through a list of seed nodes or the caller's
// cluster client, and a master that dies opening the circuit until it is back.
import { createCluster } from '@keyv/redis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startRedisCluster, type RedisCluster } from '../../../../test-support/redis-cluster.mjs'
import { connectFleet, createRedisFleet, type RedisFleet } from './connection.js'

let cluster: RedisCluster
const fleets: RedisFleet[] = []
const cleanups: (() => Promise<void>)[] = []

beforeAll(async () => {
  cluster = await startRedisCluster()
}, 60_000)
afterAll(async () => {
  await cluster.dispose()
})
beforeEach(async () => {
  await Promise.all(cluster.ports.map((_, index) => cluster.start(index)))
  cluster.flushAll()
})
afterEach(async () => {
  await Promise.all(fleets.splice(0).map((fleet) => fleet.close()))
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

describe('connecting to a Redis Cluster', () => {
  it('through a list of seed nodes: one is enough, a dead one is skipped', async () => {
    const fleet = createRedisFleet({
      url: [`redis://127.0.0.1:1`, cluster.urls[1]!],
      commandTimeoutMs: 5_000,
      warn: () => undefined,
    })
    fleets.push(fleet)
    expect(await fleet.ping()).toMatchObject({ ok: true })
    expect(fleet.status()).toBe('connected')
  })

  it("through the caller's node-redis cluster client, which it leaves open", async () => {
    const client = createCluster({ rootNodes: [{ url: cluster.urls[0]! }] })
    client.on('error', () => undefined)
    await client.connect()
    cleanups.push(async () => client.close())
    const { fleet, connection } = connectFleet({
      client,
      commandTimeoutMs: 5_000,
      warn: () => undefined,
    })
    expect(await fleet.ping()).toMatchObject({ ok: true })
    // Keys of three hash tags land on three masters; the connection reaches all of them.
    for (const tag of ['a', 'b', 'c']) {
      await connection.run((current) => current.set(`{${tag}}x`, tag))
    }
    expect(new Set(['{a}x', '{b}x', '{c}x'].map((key) => cluster.nodeOf(key))).size).toBe(3)
    await fleet.close()
    expect(await client.get('{b}x')).toBe('b')
  })
})

describe('a master dies', () => {
  it('opens the circuit (one warning), and the probe closes it once the master is back', async () => {
    const warnings: string[] = []
    const { fleet, connection } = connectFleet({
      url: cluster.urls,
      commandTimeoutMs: 2_000,
      warn: (message) => warnings.push(message),
    })
    fleets.push(fleet)
    const key = '{main}x'
    const victim = cluster.nodeOf(key)
    await connection.run((current) => current.set(key, '1'))
    await cluster.kill(victim)
    await expect(connection.run((current) => current.get(key))).rejects.toMatchObject({
      code: 'ERR_FLEET_UNAVAILABLE',
    })
    expect(fleet.status()).toBe('degraded')
    expect(await fleet.ping()).toMatchObject({ ok: false })
    // Fails fast while open: no wait on the dead node.
    const started = performance.now()
    await expect(connection.run((current) => current.get('{other}x'))).rejects.toMatchObject({
      code: 'ERR_FLEET_UNAVAILABLE',
    })
    expect(performance.now() - started).toBeLessThan(1_000)

    await cluster.start(victim)
    const deadline = Date.now() + 15_000
    while (fleet.status() !== 'connected' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(fleet.status()).toBe('connected')
    await connection.run((current) => current.set(key, '2'))
    expect(cluster.cli(['GET', key]).trim()).toBe('2')
    expect(warnings.filter((message) => message.startsWith('Redis unavailable'))).toHaveLength(1)
    expect(warnings.at(-1)).toBe('Redis available again; sharing routing state.')
  }, 60_000)
})
