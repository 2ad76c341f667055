// Encryption at rest for credentials kept in Redis: AES-256-GCM, a fresh 12-byte IV per value and
// the Redis key name as additional authenticated data, so a value copied to another key (another
// profile, another agent) fails to decrypt instead of being served as the wrong credential.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { AuthProfilesError } from '../errors.js'
import { describeId } from '../ids.js'
import { resolveEnv, type Env } from '../runtime.js'
import type { SecretsConfig } from '../schemas.js'
import { resolveSecretRef } from '../credentials/secret-refs/index.js'
import type { SecretRef } from '../types.js'

/** The environment variable holding the fleet encryption key (base64 of 32 bytes). @public */
export const FLEET_ENCRYPTION_KEY_ENV = 'CLAW_STATE_KEY'

/** Length of the AES-256-GCM key in bytes. @public */
export const FLEET_ENCRYPTION_KEY_BYTES = 32

const FORMAT_VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const BASE64URL = /^[A-Za-z0-9_-]+$/

/** Options of {@link resolveFleetEncryptionKey}. @public */
export interface ResolveFleetEncryptionKeyOptions {
  /** Environment variables; default `process.env`. Read for `CLAW_STATE_KEY` and by env refs. */
  readonly env?: Env
  /** Where the key lives (config `state.encryptionKey`); default the `CLAW_STATE_KEY` variable. */
  readonly secretRef?: SecretRef
  /** The config's `secrets` slice, for refs to file or exec providers. */
  readonly secrets?: SecretsConfig
  readonly signal?: AbortSignal
}

function describeSource(secretRef: SecretRef | undefined): string {
  return secretRef
    ? `the SecretRef ${secretRef.source}:${secretRef.provider}:${secretRef.id}`
    : `the environment variable ${FLEET_ENCRYPTION_KEY_ENV}`
}

/**
 * Decodes a fleet encryption key: the base64 (or base64url) encoding of exactly 32 bytes, e.g. the
 * output of `openssl rand -base64 32`.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_CONFIG` naming `source`, never the value.
 * @internal
 */
export function decodeFleetEncryptionKey(text: string, source: string): Uint8Array {
  const trimmed = text.trim()
  const problem = (reason: string): AuthProfilesError =>
    new AuthProfilesError(
      'ERR_INVALID_CONFIG',
      `The fleet encryption key from ${source} ${reason}; it must be the base64 encoding of ${FLEET_ENCRYPTION_KEY_BYTES} random bytes (generate one with \`openssl rand -base64 32\`).`,
    )
  if (trimmed === '') throw problem('is empty')
  let bytes: Buffer
  if (BASE64.test(trimmed)) bytes = Buffer.from(trimmed, 'base64')
  else if (BASE64URL.test(trimmed)) bytes = Buffer.from(trimmed, 'base64url')
  else throw problem('is not valid base64')
  if (bytes.length !== FLEET_ENCRYPTION_KEY_BYTES) {
    throw problem(`decodes to ${bytes.length} bytes instead of ${FLEET_ENCRYPTION_KEY_BYTES}`)
  }
  return new Uint8Array(bytes)
}

/**
 * Resolves the key that encrypts credentials kept in Redis: from `secretRef` when given (any
 * SecretRef source: env, file or exec), else from `CLAW_STATE_KEY`. The value must be the base64
 * encoding of 32 random bytes.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_CONFIG` (missing, not base64, wrong length) or
 *   `ERR_SECRET_REF` (the ref could not be resolved); messages name the source, never the value.
 * @public
 */
export async function resolveFleetEncryptionKey(
  options: ResolveFleetEncryptionKeyOptions = {},
): Promise<Uint8Array> {
  const source = describeSource(options.secretRef)
  let text: string | undefined
  if (options.secretRef) {
    text = await resolveSecretRef(options.secretRef, {
      secrets: options.secrets,
      ...(options.env ? { env: options.env } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })
  } else {
    text = resolveEnv(options)[FLEET_ENCRYPTION_KEY_ENV]
    if (text === undefined || text.trim() === '') {
      throw new AuthProfilesError(
        'ERR_INVALID_CONFIG',
        `Credentials in Redis are encrypted and need a key: set ${FLEET_ENCRYPTION_KEY_ENV} to the base64 encoding of ${FLEET_ENCRYPTION_KEY_BYTES} random bytes (\`openssl rand -base64 32\`), or point state.encryptionKey at a SecretRef.`,
      )
    }
  }
  return decodeFleetEncryptionKey(text, source)
}

function checkKey(key: Uint8Array): void {
  if (key.length !== FLEET_ENCRYPTION_KEY_BYTES) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      `The fleet encryption key must be ${FLEET_ENCRYPTION_KEY_BYTES} bytes (got ${key.length}).`,
    )
  }
}

/**
 * Encrypts `plaintext` for the Redis key `keyName`: base64 of `0x01 | IV (12) | ciphertext |
 * tag (16)`, AES-256-GCM with the key name as additional authenticated data.
 *
 * @internal
 */
export function encryptValue(key: Uint8Array, keyName: string, plaintext: string): string {
  checkKey(key)
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(Buffer.from(keyName, 'utf8'))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return Buffer.concat([Buffer.of(FORMAT_VERSION), iv, body, cipher.getAuthTag()]).toString(
    'base64',
  )
}

/**
 * Decrypts a value written by {@link encryptValue} for the same key name. A wrong key, a value
 * moved from another key, a truncated or tampered value all fail the same way.
 *
 * @throws {AuthProfilesError} `ERR_STORE_INVALID` naming the profile and the Redis key, never the
 *   value.
 * @internal
 */
export function decryptValue(
  key: Uint8Array,
  keyName: string,
  encoded: string,
  profileId: string,
): string {
  checkKey(key)
  const fail = (reason: string): AuthProfilesError =>
    new AuthProfilesError(
      'ERR_STORE_INVALID',
      `The credential of profile ${describeId(profileId)} in Redis (${keyName}) could not be decrypted: ${reason}. Check that every host uses the same ${FLEET_ENCRYPTION_KEY_ENV} / state.encryptionKey; otherwise log in again to replace the value.`,
      { profileId },
    )
  const bytes = Buffer.from(encoded, 'base64')
  if (bytes.length < 1 + IV_BYTES + TAG_BYTES) throw fail('the value is truncated')
  if (bytes[0] !== FORMAT_VERSION) throw fail(`unknown format version ${bytes[0]}`)
  const iv = bytes.subarray(1, 1 + IV_BYTES)
  const tag = bytes.subarray(bytes.length - TAG_BYTES)
  const body = bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
    decipher.setAAD(Buffer.from(keyName, 'utf8'))
    decipher.setAuthTag(tag)
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')
  } catch {
    throw fail('wrong encryption key, or the value was modified')
  }
}
