// Every key a fleet script touches is one it received in KEYS, and all the keys of one call
// carry the agent's hash tag (so a Redis Cluster runs each script on one node). Checked on a real
// redis-server through MONITOR, which lists each command a script runs ("[0 lua]") after the
// EVALSHA / EVAL that ran it, while the state backend, the credential backend and the refresh
// lock do their work.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedisServer, type RedisServer } from '../../../../test-support/redis-server.ts'
import { apiKeyCredential } from '../testing/index.js'
import { connectFleet, type RedisFleet } from './connection.js'
import { createRedisCredentialBackend } from './credential-backend.js'

let server: RedisServer
let fleet: RedisFleet | undefined

beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  await fleet?.close()
  await server.dispose()
})

/** The quoted arguments of one MONITOR line. */
function argumentsOf(line: string): string[] {
  const out: string[] = []
  for (const match of line.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    out.push((match[1] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)))
  }
  return out
}

interface ScriptCall {
  readonly keys: readonly string[]
  readonly touched: string[]
}

/** The script calls of a MONITOR log, each with the keys its commands touched. */
function scriptCalls(log: string): ScriptCall[] {
  const calls: ScriptCall[] = []
  for (const line of log.split('\n')) {
    if (!/^\d+\.\d+ \[/.test(line)) continue
    const [command = '', ...rest] = argumentsOf(line)
    if (line.includes(' [0 lua] ')) {
      const current = calls.at(-1)
      if (current === undefined) throw new Error(`a script command before any script: ${line}`)
      // Every command claw's scripts run names its key first; TIME names none.
      if (command.toUpperCase() !== 'TIME') current.touched.push(rest[0] as string)
      continue
    }
    if (/^EVAL(SHA)?$/i.test(command)) {
      const count = Number(rest[1])
      calls.push({ keys: rest.slice(2, 2 + count), touched: [] })
    }
  }
  return calls
}

const tagOf = (key: string): string | undefined => /\{([^}]*)\}/.exec(key)?.[1]

describe('fleet scripts', () => {
  it('touch only keys passed in KEYS, all with the hash tag of one agent', async () => {
    const monitor = spawn('redis-cli', ['-s', server.socketPath, 'MONITOR'])
    let log = ''
    monitor.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8')
    })
    await sleep(200)
    const connected = connectFleet({ url: server.url, commandTimeoutMs: 5_000, warn: () => {} })
    fleet = connected.fleet
    const now = Date.now()
    for (const agentId of ['main', 'work']) {
      const credentials = createRedisCredentialBackend(connected.connection, {
        agentId,
        encryptionKey: randomBytes(32),
      })
      await credentials.update((store) => {
        store.profiles['openai:a'] = apiKeyCredential('openai', 'sk-test-a')
        store.profiles['openai:b'] = apiKeyCredential('openai', 'sk-test-b')
      })
      const state = fleet.stateBackend({ agentId, credentials })
      await state.update((store) => {
        store.usageStats = {
          'openai:a': {
            errorCount: 2,
            failureCounts: { rate_limit: 2 },
            cooldownUntil: now + 60_000,
            cooldownReason: 'rate_limit',
            lastFailureAt: now,
            modelCooldowns: {
              'gpt-5': { until: now + 30_000, reason: 'overloaded', errorCount: 1 },
            },
          },
          'openai:b': { disabledUntil: now + 60_000, disabledReason: 'billing', lastUsed: now },
        }
        store.order = { openai: ['openai:b', 'openai:a'] }
        store.lastGood = { openai: 'openai:b' }
        const b = store.profiles['openai:b']
        if (b) store.profiles['openai:b'] = { ...b, status: 'needs_reauth' }
      })
      await state.load()
      await state.update((store) => {
        store.usageStats = {}
        delete store.order
        delete store.lastGood
      })
      const lock = await fleet.refreshLock.acquire({
        agentId,
        provider: 'openai',
        profileId: 'openai:a',
      })
      await credentials.update(
        (store) => {
          delete store.profiles['openai:a']
        },
        lock.fence ? { fence: lock.fence } : {},
      )
      await lock.release()
      await credentials.load()
    }
    await sleep(300)
    monitor.kill()

    // (An EVALSHA that Redis answered NOSCRIPT ran nothing; the EVAL after it did.)
    const calls = scriptCalls(log).filter((call) => call.touched.length > 0)
    expect(calls.length).toBeGreaterThanOrEqual(16)
    for (const call of calls) {
      for (const key of call.touched) expect(call.keys, `${key} not in KEYS`).toContain(key)
      expect(new Set(call.keys.map(tagOf)).size).toBe(1)
    }
    // Both agents' keys, each under its own tag.
    expect(new Set(calls.map((call) => tagOf(call.keys[0] as string)))).toEqual(
      new Set(['main', 'work']),
    )
    // The model-scoped window was written (and read) through its hash.
    expect(calls.some((call) => call.touched.includes('claw:{main}:mcooldown:openai:a'))).toBe(true)
  }, 30_000)
})
