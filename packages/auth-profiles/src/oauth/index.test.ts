// The subpath entries carry the functions that left the package root. A name the root still
// exports is the same value in its entry, or one of the deprecated async wrappers that load the
// entry's module on first call.
import { expect, it } from 'vitest'
import * as root from '../index.js'
import * as externalCli from '../credentials/external-cli/index.js'
import * as secretRefs from '../credentials/secret-refs/index.js'
import * as oauth from './index.js'

const DEPRECATED_WRAPPERS = [
  'checkSecretExecCommand',
  'discoverGeminiProject',
  'exchangeCopilotToken',
  'importExternalCredentials',
  'loginWithOAuth',
  'logoutOAuthProfile',
  'raceCallbackAndPaste',
  'readExternalCredentials',
  'refreshOAuthCredential',
  'refreshWithTokenEndpoint',
  'resolveCopilotApiKey',
  'resolveSecretRef',
  'resolveSecretRefs',
  'runAuthorizationCodeFlow',
  'runDeviceFlow',
  'startLoopbackCallback',
  'storeSetupToken',
]

it.each([
  ['oauth', oauth],
  ['external-cli', externalCli],
  ['secret-refs', secretRefs],
] as const)('a root name of /%s is its value there, or a deprecated wrapper', (_name, entry) => {
  const shared = Object.keys(entry).filter((name) => name in root)
  expect(shared.length).toBeGreaterThan(1)
  for (const name of shared) {
    const value = (root as Record<string, unknown>)[name]
    if (DEPRECATED_WRAPPERS.includes(name)) expect(typeof value, name).toBe('function')
    else expect((entry as Record<string, unknown>)[name], name).toBe(value)
  }
})

it('every deprecated wrapper is exported by the root and by an entry', () => {
  const entries: Record<string, unknown> = { ...oauth, ...externalCli, ...secretRefs }
  for (const name of DEPRECATED_WRAPPERS) {
    expect(root, name).toHaveProperty(name)
    expect(entries, name).toHaveProperty(name)
  }
})

it('a deprecated wrapper calls the function of the entry', async () => {
  const ref = { source: 'env', provider: 'default', id: 'CANARY_KEY' } as const
  const options = { env: { CANARY_KEY: 'sk-wrapped' } }
  expect(await root.resolveSecretRef(ref, options)).toBe(
    await secretRefs.resolveSecretRef(ref, options),
  )
  await expect(root.resolveSecretRef({ ...ref, id: 'UNSET' }, options)).rejects.toMatchObject({
    code: 'ERR_SECRET_REF',
  })
})

it('/oauth has every OAuth name that left the root', () => {
  for (const name of ['loginWithOAuth', 'refreshOAuthCredential', 'createOidcOAuthAdapter']) {
    expect(oauth).toHaveProperty(name)
  }
})
