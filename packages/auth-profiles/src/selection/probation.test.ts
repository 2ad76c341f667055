import { describe, expect, it } from 'vitest'
import { resolveProfileProbation } from './probation.js'
import { createFileAuthStore } from '../store/file-store.js'
import { createMemoryAuthStore } from '../store/memory-store.js'
import { probeLeasesFor } from './probe-lease.js'

const now = Date.UTC(2026, 0, 1)
const MIN = 60_000

describe('resolveProfileProbation', () => {
  it('is undefined without stats, with no recorded window, or while a window is active', () => {
    expect(resolveProfileProbation(undefined, { now })).toBeUndefined()
    expect(resolveProfileProbation({ lastUsed: now - MIN, errorCount: 0 }, { now })).toBeUndefined()
    expect(
      resolveProfileProbation({ cooldownUntil: now + 1, errorCount: 1 }, { now }),
    ).toBeUndefined()
    expect(
      resolveProfileProbation(
        { cooldownUntil: now - 1, disabledUntil: now + MIN, disabledReason: 'billing' },
        { now },
      ),
    ).toBeUndefined()
  })

  it('puts a profile whose profile-wide cooldown or disable ended on probation, whatever the model', () => {
    expect(
      resolveProfileProbation(
        { cooldownUntil: now - MIN, cooldownReason: 'overloaded' },
        { now, model: 'm' },
      ),
    ).toEqual({ scope: 'profile', endedAt: now - MIN, kind: 'cooldown', reason: 'overloaded' })
    expect(
      resolveProfileProbation(
        { disabledUntil: now - 1, disabledReason: 'billing', cooldownUntil: now - MIN },
        { now },
      ),
    ).toEqual({ scope: 'profile', endedAt: now - 1, kind: 'disabled', reason: 'billing' })
  })

  it('scopes a probation to the model whose own window ended', () => {
    const stats = {
      modelCooldowns: {
        a: { until: now - 1, reason: 'rate_limit' as const, errorCount: 2 },
        b: { until: now + MIN, reason: 'rate_limit' as const },
      },
    }
    expect(resolveProfileProbation(stats, { now, model: 'a' })).toEqual({
      scope: 'model',
      model: 'a',
      endedAt: now - 1,
      kind: 'cooldown',
      reason: 'rate_limit',
    })
    // b is cooling down (not on probation), c never failed, and without a model none count.
    expect(resolveProfileProbation(stats, { now, model: 'b' })).toBeUndefined()
    expect(resolveProfileProbation(stats, { now, model: 'c' })).toBeUndefined()
    expect(resolveProfileProbation(stats, { now })).toBeUndefined()
  })
})

describe('probeLeasesFor', () => {
  const request = { profileId: 'openai:a', ttlMs: 1_000, now }

  it('grants one lease at a time, until it is released or expires', async () => {
    const leases = probeLeasesFor(createMemoryAuthStore())
    const first = await leases.acquire(request)
    expect(first.status).toBe('acquired')
    expect((await leases.acquire(request)).status).toBe('held')
    expect(await leases.held(request)).toBe(true)
    // Another model's lease, or the profile-wide one, are other leases.
    expect((await leases.acquire({ ...request, model: 'm' })).status).toBe('acquired')
    if (first.status === 'acquired') await first.release()
    expect(await leases.held(request)).toBe(false)
    const second = await leases.acquire(request)
    expect(second.status).toBe('acquired')
    // A lease whose holder crashed or hangs ends with its lifetime.
    expect(await leases.held({ ...request, now: now + 999 })).toBe(true)
    expect((await leases.acquire({ ...request, now: now + 1_000 })).status).toBe('acquired')
    // A late release of the expired lease does not free the new holder's.
    if (second.status === 'acquired') await second.release()
    expect(await leases.held({ ...request, now: now + 1_000 })).toBe(true)
  })

  it('shares leases between backends of one store file, not between memory stores', async () => {
    const agentDir = '/nonexistent/claw-probe-test/agents/main/agent'
    const one = probeLeasesFor(createFileAuthStore({ agentDir }))
    const two = probeLeasesFor(createFileAuthStore({ agentDir }))
    expect((await one.acquire(request)).status).toBe('acquired')
    expect((await two.acquire(request)).status).toBe('held')
    const memory = createMemoryAuthStore()
    expect(probeLeasesFor(memory)).toBe(probeLeasesFor(memory))
    expect((await probeLeasesFor(createMemoryAuthStore()).acquire(request)).status).toBe('acquired')
    expect((await probeLeasesFor(createMemoryAuthStore()).acquire(request)).status).toBe('acquired')
  })
})
