import { describe, expect, it } from 'vitest'
import { resolveProfileUnusableUntil } from './cooldowns.js'
import type { ProfileUsageStats } from '../types.js'
import { resolveProfileUnusableCause } from './unusable-reason.js'

describe('resolveProfileUnusableCause', () => {
  const stats: ProfileUsageStats = {
    cooldownUntil: 2_000,
    cooldownReason: 'rate_limit',
    disabledUntil: 5_000,
    disabledReason: 'billing',
    modelCooldowns: { 'gpt-5.2': { until: 9_000, reason: 'model_not_found' } },
  }

  it('names the window that ends at the unusable-until time, with its reason', () => {
    const until = resolveProfileUnusableUntil(stats)!
    expect(resolveProfileUnusableCause(stats, until)).toEqual({
      kind: 'disabled',
      reason: 'billing',
    })
    const forModel = resolveProfileUnusableUntil(stats, { model: 'gpt-5.2' })!
    expect(resolveProfileUnusableCause(stats, forModel, { model: 'gpt-5.2' })).toEqual({
      kind: 'cooldown',
      reason: 'model_not_found',
      model: 'gpt-5.2',
    })
    expect(resolveProfileUnusableCause({ cooldownUntil: 7, cooldownReason: 'timeout' }, 7)).toEqual(
      {
        kind: 'cooldown',
        reason: 'timeout',
      },
    )
  })

  it('is undefined when no window ends then, and omits an unrecorded reason', () => {
    expect(resolveProfileUnusableCause(stats, 1)).toBeUndefined()
    expect(resolveProfileUnusableCause(undefined, 1)).toBeUndefined()
    expect(resolveProfileUnusableCause({ cooldownUntil: 3 }, 3)).toEqual({ kind: 'cooldown' })
  })
})
