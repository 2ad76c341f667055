import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { tableCodes } from '../../../test-support/docs.ts'
import { FAILOVER_REASONS } from './reasons.js'

it('the README says what happens for every failover reason, and for no other', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  expect([...tableCodes(readme, 'What happens on failure')].sort()).toEqual(
    [...FAILOVER_REASONS].sort(),
  )
})
