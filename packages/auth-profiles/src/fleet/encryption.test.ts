import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { canarySecret } from '../testing/index.js'
import { decryptValue, encryptValue, resolveFleetEncryptionKey } from './encryption.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error('expected a rejection')
}

describe('resolveFleetEncryptionKey', () => {
  it('reads CLAW_STATE_KEY (base64 of 32 bytes)', async () => {
    const raw = randomBytes(32)
    const key = await resolveFleetEncryptionKey({ env: { CLAW_STATE_KEY: raw.toString('base64') } })
    expect(Buffer.from(key).equals(raw)).toBe(true)
    const url = await resolveFleetEncryptionKey({
      env: { CLAW_STATE_KEY: raw.toString('base64url') },
    })
    expect(Buffer.from(url).equals(raw)).toBe(true)
  })

  it('names the variable when it is missing', async () => {
    const error = await rejection(resolveFleetEncryptionKey({ env: {} }))
    expect(error.code).toBe('ERR_INVALID_CONFIG')
    expect(error.message).toContain('CLAW_STATE_KEY')
  })

  it('refuses a wrong length or non-base64 value without echoing it', async () => {
    for (const value of [randomBytes(16).toString('base64'), `${canarySecret('k-')}!!`]) {
      const error = await rejection(resolveFleetEncryptionKey({ env: { CLAW_STATE_KEY: value } }))
      expect(error.code).toBe('ERR_INVALID_CONFIG')
      expect(error.message).toContain('CLAW_STATE_KEY')
      expect(error.message).not.toContain(value)
      expect(error.message).not.toContain(value.slice(2, 14))
    }
    const short = await rejection(
      resolveFleetEncryptionKey({ env: { CLAW_STATE_KEY: randomBytes(16).toString('base64') } }),
    )
    expect(short.message).toContain('16 bytes instead of 32')
  })

  it('resolves a SecretRef (env and file providers) and names the ref on errors', async () => {
    const raw = randomBytes(32)
    const fromEnv = await resolveFleetEncryptionKey({
      env: { FLEET_KEY: raw.toString('base64') },
      secretRef: { source: 'env', provider: 'default', id: 'FLEET_KEY' },
    })
    expect(Buffer.from(fromEnv).equals(raw)).toBe(true)

    const dir = mkdtempSync(join(tmpdir(), 'claw-fleet-key-'))
    dirs.push(dir)
    const path = join(dir, 'key')
    writeFileSync(path, `${raw.toString('base64')}\n`)
    chmodSync(path, 0o600)
    const fromFile = await resolveFleetEncryptionKey({
      env: {},
      secretRef: { source: 'file', provider: 'keyfile', id: 'value' },
      secrets: { providers: { keyfile: { source: 'file', path, mode: 'singleValue' } } },
    })
    expect(Buffer.from(fromFile).equals(raw)).toBe(true)

    const bad = canarySecret('bad-')
    const error = await rejection(
      resolveFleetEncryptionKey({
        env: { FLEET_KEY: bad },
        secretRef: { source: 'env', provider: 'default', id: 'FLEET_KEY' },
      }),
    )
    expect(error.code).toBe('ERR_INVALID_CONFIG')
    expect(error.message).toContain('env:default:FLEET_KEY')
    expect(error.message).not.toContain(bad)
    const missing = await rejection(
      resolveFleetEncryptionKey({
        env: {},
        secretRef: { source: 'env', provider: 'default', id: 'FLEET_KEY' },
      }),
    )
    expect(missing.code).toBe('ERR_SECRET_REF')
  })
})

describe('encryptValue / decryptValue', () => {
  const key = randomBytes(32)

  it('round-trips, with a fresh IV each time and the key name bound as AAD', () => {
    const secret = canarySecret()
    const first = encryptValue(key, 'claw:main:cred:a', secret)
    const second = encryptValue(key, 'claw:main:cred:a', secret)
    expect(first).not.toBe(second)
    expect(first).not.toContain(secret)
    expect(decryptValue(key, 'claw:main:cred:a', first, 'a')).toBe(secret)
    // Moved to another key: refused.
    expect(() => decryptValue(key, 'claw:main:cred:b', first, 'b')).toThrow(/profile "b"/)
  })

  it('rejects a wrong key and tampered values with an error naming the profile, not the value', () => {
    const secret = canarySecret()
    const sealed = encryptValue(key, 'claw:main:cred:p', secret)
    const wrong = (): string => decryptValue(randomBytes(32), 'claw:main:cred:p', sealed, 'p')
    expect(wrong).toThrow(/could not be decrypted: wrong encryption key/)
    const bytes = Buffer.from(sealed, 'base64')
    for (const index of [1, 14, bytes.length - 1]) {
      const tampered = Buffer.from(bytes)
      tampered[index] = tampered[index]! ^ 0x01
      expect(() => decryptValue(key, 'claw:main:cred:p', tampered.toString('base64'), 'p')).toThrow(
        expect.objectContaining({ code: 'ERR_STORE_INVALID', profileId: 'p' }),
      )
    }
    expect(() => decryptValue(key, 'claw:main:cred:p', sealed.slice(0, 20), 'p')).toThrow(
      /truncated/,
    )
    try {
      wrong()
    } catch (error) {
      expect((error as Error).message).not.toContain(secret)
      expect((error as Error).message).not.toContain(sealed)
    }
  })
})
