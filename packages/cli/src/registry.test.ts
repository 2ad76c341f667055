// The command registry: what `claw` knows about each command before loading its module.
import { describe, expect, it } from 'vitest'
import { COMMANDS } from './registry.ts'

describe('the command registry', () => {
  it('marks exactly the commands that run without a Context', async () => {
    for (const entry of COMMANDS) {
      const spec = await entry.load()
      expect
        .soft(entry.withoutContext === true, entry.path.join(' '))
        .toBe(spec.runWithoutContext !== undefined)
    }
  })
})
