import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { stringUnionMembers, tableCodes } from '../../../test-support/docs.ts'

it('the README documents every ModelCatalogErrorCode, and no other', () => {
  const codes = stringUnionMembers(
    new URL('./errors.ts', import.meta.url).pathname,
    'ModelCatalogErrorCode',
  )
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  expect([...tableCodes(readme, 'Errors')].sort()).toEqual([...codes].sort())
})
