// The subpath entries carry the same functions as the package root (one module, two doors).
import { expect, it } from 'vitest'
import * as root from '../index.js'
import * as externalCli from '../credentials/external-cli/index.js'
import * as secretRefs from '../credentials/secret-refs/index.js'
import * as oauth from './index.js'

it.each([
  ['oauth', oauth],
  ['external-cli', externalCli],
  ['secret-refs', secretRefs],
] as const)('every root name of /%s is the same value in its entry', (_name, entry) => {
  const shared = Object.keys(entry).filter((name) => name in root)
  expect(shared.length).toBeGreaterThan(3)
  for (const name of shared) {
    expect((entry as Record<string, unknown>)[name], name).toBe(
      (root as Record<string, unknown>)[name],
    )
  }
})

it('/oauth has every OAuth name the root exports', () => {
  for (const name of ['loginWithOAuth', 'refreshOAuthCredential', 'createOidcOAuthAdapter']) {
    expect(oauth).toHaveProperty(name)
  }
})
