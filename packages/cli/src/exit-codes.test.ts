import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { EXIT_CODES } from './exit-codes.js'

it('the README documents every exit code, and no other', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const table = readme.slice(readme.indexOf('**Exit codes.**'), readme.indexOf('Errors are one'))
  const documented = [...table.matchAll(/^\| (\d+) +\|/gm)].map((match) => Number(match[1]))
  expect(documented.sort((a, b) => a - b)).toEqual(Object.values(EXIT_CODES).sort((a, b) => a - b))
})
