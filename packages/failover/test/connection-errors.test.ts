// A provider that cannot be reached reads as what happened: `connect ECONNREFUSED 127.0.0.1:<port>`
// with the errno code as a field in the trace, the events and the summary error, never an HTTP
// status nobody sent or fetch's bare "fetch failed". Real fetch against a closed loopback port.
import { createServer } from 'node:net'
import { beforeAll, describe, expect, it } from 'vitest'
import { createMemoryAuthStore } from '@claw/auth-profiles'
import {
  FailoverSummaryError,
  describeFailoverError,
  runWithFailover,
  type FailoverEvent,
} from '@claw/failover'

let port: number

/** A loopback port nothing listens on: bound once, then closed. */
async function findClosedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port: bound } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return bound
}

beforeAll(async () => {
  port = await findClosedPort()
})

async function fetchClosedPort(): Promise<never> {
  await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST' })
  throw new Error('the closed port answered')
}

describe('a call to a closed port', () => {
  it('is described by its connection error and errno code, without a status', async () => {
    const error = await fetchClosedPort().catch((caught: unknown) => caught)
    expect(describeFailoverError(error)).toEqual({
      message: `connect ECONNREFUSED 127.0.0.1:${port}`,
      reason: 'server_error',
      code: 'ECONNREFUSED',
    })
  })

  it('reads like it in the trace, the events and the summary error', async () => {
    const events: FailoverEvent[] = []
    const store = createMemoryAuthStore({
      version: 1,
      profiles: {
        'openai:a': { type: 'api_key', provider: 'openai', key: 'sk-closed-port-a' },
        'openai:b': { type: 'api_key', provider: 'openai', key: 'sk-closed-port-b' },
      },
    })
    const failed = await runWithFailover({
      store,
      env: {},
      provider: 'openai',
      model: 'gpt-5.2',
      fallbacksOverride: [],
      minRetryGapMs: 0,
      onEvent: (event) => events.push(event),
      run: fetchClosedPort,
    }).catch((caught: unknown) => caught)
    expect(FailoverSummaryError.isInstance(failed)).toBe(true)
    const summary = failed as FailoverSummaryError
    const expected = `connect ECONNREFUSED 127.0.0.1:${port}`
    expect(summary.message).toContain(`openai/gpt-5.2: ${expected} (server_error)`)
    expect(summary.message).not.toContain('fetch failed')
    expect(summary.attempts.length).toBeGreaterThanOrEqual(2)
    for (const attempt of summary.attempts) {
      expect(attempt).toMatchObject({ error: expected, code: 'ECONNREFUSED' })
      expect(attempt.status).toBeUndefined()
    }
    const failures = summary.trace.filter((entry) => entry.outcome === 'failed')
    expect(failures.length).toBe(summary.attempts.length)
    for (const entry of failures) {
      expect(entry).toMatchObject({ detail: expected, code: 'ECONNREFUSED' })
      expect(entry.status).toBeUndefined()
    }
    const failedEvents = events.filter((event) => event.type === 'attempt_failed')
    expect(failedEvents.length).toBe(summary.attempts.length)
    for (const event of failedEvents) {
      expect(event).toMatchObject({ reason: 'server_error', code: 'ECONNREFUSED' })
      expect('status' in event).toBe(false)
    }
  })
})
