// The fleet connection against a real redis-server: scripts travel by SHA-1 (EVALSHA) and are
// reloaded when Redis forgot them, and error replies are told apart: the ones that say Redis
// cannot serve right now open the circuit, any other is a bug and is rethrown.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startRedisServer, type RedisServer } from '../../../../test-support/redis-server.ts'
import { connectFleet, type FleetConnection, type RedisFleet } from './connection.js'
import { defineFleetScript } from './fleet-script.js'

let server: RedisServer
const fleets: RedisFleet[] = []

beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  await server.dispose()
})
beforeEach(() => {
  server.cli(['FLUSHALL'])
})
afterEach(async () => {
  await Promise.all(fleets.splice(0).map((fleet) => fleet.close()))
})

/** Calls of a command since the last CONFIG RESETSTAT (INFO commandstats). */
function calls(command: string): number {
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(
    server.cli(['INFO', 'commandstats']),
  )
  return match ? Number(match[1]) : 0
}

/** A fleet's shared connection, patient with a loaded host (these tests are not about speed). */
function connect(warnings: string[] = []): FleetConnection {
  const { fleet, connection } = connectFleet({
    url: server.url,
    commandTimeoutMs: 5_000,
    warn: (message) => warnings.push(message),
  })
  fleets.push(fleet)
  return connection
}

describe('scripts by SHA-1', () => {
  it('sends EVALSHA, and EVAL only for a script Redis does not know (first use, SCRIPT FLUSH)', async () => {
    const increment = defineFleetScript(`return redis.call('INCR', KEYS[1])`)
    const connection = connect()
    const run = () => connection.eval(increment, ['claw:test:counter'], [])
    await connection.run((client) => client.exists('claw:test:counter'))
    server.cli(['CONFIG', 'RESETSTAT'])
    for (let i = 0; i < 5; i += 1) expect(await run()).toBe(i + 1)
    expect(calls('eval')).toBe(1)
    expect(calls('evalsha')).toBe(5)
    server.cli(['SCRIPT', 'FLUSH'])
    expect(await run()).toBe(6)
    expect(await run()).toBe(7)
    expect(calls('eval')).toBe(2)
    expect(calls('evalsha')).toBe(7)
    expect(connection.available()).toBe(true)
  })
})

describe('error replies', () => {
  const reply = defineFleetScript(`return redis.error_reply(ARGV[1])`)

  it('a reply saying Redis cannot serve (CLUSTERDOWN, LOADING, …) opens the circuit', async () => {
    for (const code of ['CLUSTERDOWN', 'TRYAGAIN', 'MASTERDOWN', 'LOADING', 'READONLY', 'BUSY']) {
      const warnings: string[] = []
      const connection = connect(warnings)
      await expect(
        connection.eval(reply, ['claw:test:x'], [`${code} simulated`]),
      ).rejects.toMatchObject({ code: 'ERR_FLEET_UNAVAILABLE' })
      expect(connection.available()).toBe(false)
      expect(connection.unavailableReason()).toBe(code)
      expect(warnings).toEqual([`Redis unavailable (${code}); using local state until it returns.`])
    }
  })

  it('any other reply (a script error, WRONGTYPE, CROSSSLOT) is rethrown and the circuit stays closed', async () => {
    const connection = connect()
    for (const message of ['ERR something broke', 'WRONGTYPE x', 'CROSSSLOT Keys in request']) {
      const error = await connection.eval(reply, ['claw:test:x'], [message]).then(
        () => undefined,
        (caught: unknown) => caught as Error,
      )
      expect(error?.message).toBe(message)
      expect(connection.available()).toBe(true)
    }
  })
})
