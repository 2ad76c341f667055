import type { SecretRef } from '../../types.js'
import { describe, expect, it, vi } from 'vitest'
import { type ResolveSecretRefOptions, resolveSecretRef } from './index.js'
import {
  canary,
  rejection,
  secretFile,
  useSecretTempDir,
} from '../../../test/helpers/secret-refs.js'

useSecretTempDir()

describe('env provider', () => {
  it('resolves and trims through the built-in default provider', async () => {
    const secret = canary()
    const ref: SecretRef = { source: 'env', provider: 'default', id: 'CLAW_KEY' }
    await expect(resolveSecretRef(ref, { env: { CLAW_KEY: `  ${secret}\n` } })).resolves.toBe(
      secret,
    )
  })

  it('reads process.env when no env is passed', async () => {
    const secret = canary()
    vi.stubEnv('CLAW_SECRET_REFS_TEST_KEY', secret)
    const ref: SecretRef = { source: 'env', provider: 'default', id: 'CLAW_SECRET_REFS_TEST_KEY' }
    await expect(resolveSecretRef(ref)).resolves.toBe(secret)
  })

  it('rejects unset and empty variables, naming provider, source and id', async () => {
    const ref: SecretRef = { source: 'env', provider: 'default', id: 'CLAW_KEY' }
    const unset = await rejection(resolveSecretRef(ref, { env: {} }))
    expect(unset.message).toContain('"default"')
    expect(unset.message).toContain('"env"')
    expect(unset.message).toContain('"CLAW_KEY"')
    expect(unset.message).toMatch(/not set/)
    const empty = await rejection(resolveSecretRef(ref, { env: { CLAW_KEY: '  \n ' } }))
    expect(empty.message).toMatch(/empty/)
  })

  it('enforces the allowlist', async () => {
    const secret = canary()
    const options: ResolveSecretRefOptions = {
      secrets: { providers: { ci: { source: 'env', allowlist: ['ALLOWED_KEY'] } } },
      env: { ALLOWED_KEY: secret, OTHER_KEY: secret },
    }
    await expect(
      resolveSecretRef({ source: 'env', provider: 'ci', id: 'ALLOWED_KEY' }, options),
    ).resolves.toBe(secret)
    const error = await rejection(
      resolveSecretRef({ source: 'env', provider: 'ci', id: 'OTHER_KEY' }, options),
    )
    expect(error.message).toMatch(/allowlist/)
  })

  it('rejects unknown aliases, source mismatches and invalid ids', async () => {
    const unknown = await rejection(
      resolveSecretRef({ source: 'env', provider: 'nope', id: 'KEY' }, { env: { KEY: 'x' } }),
    )
    expect(unknown.message).toMatch(/no secret provider "nope"/)
    const mismatch = await rejection(
      resolveSecretRef({ source: 'file', provider: 'default', id: '/key' }, { env: {} }),
    )
    expect(mismatch.message).toMatch(/env provider/)
    const invalid = await rejection(
      resolveSecretRef({ source: 'env', provider: 'default', id: 'lower' }, { env: {} }),
    )
    expect(invalid.message).toMatch(/invalid/)
  })

  it('lets the config redefine the default alias', async () => {
    const secret = canary()
    const path = secretFile('default.json', JSON.stringify({ key: secret }))
    const options: ResolveSecretRefOptions = {
      secrets: { providers: { default: { source: 'file', path } } },
      env: { KEY: 'from-env' },
    }
    await expect(
      resolveSecretRef({ source: 'file', provider: 'default', id: '/key' }, options),
    ).resolves.toBe(secret)
    await rejection(resolveSecretRef({ source: 'env', provider: 'default', id: 'KEY' }, options))
  })

  it('rejects an already aborted signal', async () => {
    const controller = new AbortController()
    controller.abort()
    const error = await rejection(
      resolveSecretRef(
        { source: 'env', provider: 'default', id: 'KEY' },
        { env: { KEY: 'x' }, signal: controller.signal },
      ),
    )
    expect(error.message).toMatch(/aborted/)
  })
})
