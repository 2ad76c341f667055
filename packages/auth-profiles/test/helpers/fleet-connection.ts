// A FleetConnection for single-process tests of the fleet modules: a real node-redis client on the
// test's redis-server, with a switch that simulates an open circuit (every run() fails fast with
// FleetUnavailableError, as the real circuit breaker does) and a dump of every key and value for
// the canary scans.
import { createClient } from '@keyv/redis'
import type { FleetClient } from '../../src/fleet/client.js'
import { FleetUnavailableError, type FleetConnection } from '../../src/fleet/connection.js'
import { evalFleetScript } from '../../src/fleet/fleet-script.js'
import { createFleetKeys } from '../../src/fleet/key-layout.js'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { startRedisServer, type RedisServer } from '../../../../test-support/redis-server.ts'

export interface TestFleetConnection extends FleetConnection {
  /** Simulates an outage: while true, run() throws FleetUnavailableError without a round trip. */
  down: boolean
  /** Ends a simulated outage as the real probe does: `down = false`, then the recovery listeners. */
  recover(): void
  close(): Promise<void>
}

export async function connectTestFleet(
  server: RedisServer,
  prefix = 'claw:',
): Promise<TestFleetConnection> {
  const client: FleetClient = createClient({ socket: { path: server.socketPath, tls: false } })
  client.on('error', () => undefined)
  await client.connect()
  const recovered = new Set<() => void>()
  const connection: TestFleetConnection = {
    prefix,
    keys: createFleetKeys(prefix),
    down: false,
    client,
    available: () => !connection.down,
    onRecovered(listener) {
      recovered.add(listener)
      return () => recovered.delete(listener)
    },
    recover() {
      connection.down = false
      for (const listener of recovered) listener()
    },
    unavailableReason: () => (connection.down ? 'simulated outage' : undefined),
    commandTimeoutMs: 1_000,
    freshnessMs: 100,
    now: () => Date.now(),
    warn: () => undefined,
    async run(fn) {
      if (connection.down) throw new FleetUnavailableError()
      return fn(client)
    },
    eval(script, keys, args) {
      return connection.run((current) => evalFleetScript(current, script, keys, args))
    },
    close() {
      if (client.isOpen) client.destroy()
      return Promise.resolve()
    },
  }
  return connection
}

/** Every key with its value(s) as redis-cli prints them: the text a canary scan searches. */
export function dumpRedis(server: RedisServer): string {
  const keys = server
    .cli(['--scan'])
    .split('\n')
    .filter((key) => key !== '')
  const lines: string[] = []
  for (const key of keys) {
    const type = server.cli(['TYPE', key]).trim()
    const command =
      type === 'hash'
        ? ['HGETALL', key]
        : type === 'set'
          ? ['SMEMBERS', key]
          : type === 'string'
            ? ['GET', key]
            : ['DUMP', key]
    lines.push(`${key} (${type}): ${server.cli(command)}`)
  }
  return lines.join('\n')
}

/**
 * Registers the usual hooks of a single-process fleet test: one redis-server for the file, flushed
 * and reconnected before each test. Read `server` and `connection` inside tests only.
 */
export function useTestFleet(): { server: RedisServer; connection: TestFleetConnection } {
  const state = {} as { server: RedisServer; connection: TestFleetConnection }
  beforeAll(async () => {
    state.server = await startRedisServer()
  }, 20_000)
  afterAll(async () => {
    await state.server.dispose()
  })
  beforeEach(async () => {
    state.server.cli(['FLUSHALL'])
    state.connection = await connectTestFleet(state.server)
  })
  afterEach(async () => {
    await state.connection.close()
  })
  return state
}
