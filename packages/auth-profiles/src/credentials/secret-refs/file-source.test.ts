import { execFileSync } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, truncateSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_SECRET_MAX_BYTES } from './secret-limits.js'
import { resolveSecretRef, resolveSecretRefs } from './index.js'
import {
  canary,
  checkError,
  fileOptions,
  fileRef,
  isPosix,
  isRoot,
  rejection,
  secretFile,
  tempDir,
  useSecretTempDir,
} from '../../../test/helpers/secret-refs.js'

useSecretTempDir()

describe('file provider', () => {
  it('resolves nested JSON pointers with RFC 6901 escapes and array indexes', async () => {
    const secret = canary()
    const other = canary()
    const path = secretFile(
      'secrets.json',
      JSON.stringify({
        providers: { 'openai/prod': { 'api~key': `  ${secret}  ` } },
        keys: ['first', other],
      }),
    )
    const options = fileOptions(path)
    await expect(
      resolveSecretRef(fileRef('/providers/openai~1prod/api~0key'), options),
    ).resolves.toBe(secret)
    await expect(resolveSecretRef(fileRef('/keys/1'), options)).resolves.toBe(other)
    const missing = await rejection(resolveSecretRef(fileRef('/keys/2'), options))
    expect(missing.message).toMatch(/was not found/)
    expect(missing.path).toBe(path)
  })

  it('resolves a singleValue file as a whole, trimmed', async () => {
    const secret = canary()
    const path = secretFile('token', `${secret}\n`)
    const options = fileOptions(path, { mode: 'singleValue' })
    await expect(resolveSecretRef(fileRef('value'), options)).resolves.toBe(secret)
    const pointer = await rejection(resolveSecretRef(fileRef('/key'), options))
    expect(pointer.message).toMatch(/singleValue/)
    const empty = secretFile('empty', ' \n')
    await rejection(resolveSecretRef(fileRef('value'), fileOptions(empty, { mode: 'singleValue' })))
  })

  it('rejects the value id on json providers', async () => {
    const path = secretFile('secrets.json', '{}')
    const error = await rejection(resolveSecretRef(fileRef('value'), fileOptions(path)))
    expect(error.message).toMatch(/json file provider/)
  })

  it('rejects a missing file', async () => {
    const path = join(tempDir(), 'missing.json')
    const error = await rejection(resolveSecretRef(fileRef('/key'), fileOptions(path)))
    expect(error.message).toContain(path)
    expect(error.message).toMatch(/does not exist/)
  })

  it('rejects a relative provider path', async () => {
    const error = await rejection(resolveSecretRef(fileRef('/key'), fileOptions('secrets.json')))
    expect(error.message).toMatch(/absolute/)
  })

  it('rejects a directory', async () => {
    const path = join(tempDir(), 'a-dir')
    mkdirSync(path, { mode: 0o700 })
    const error = await rejection(resolveSecretRef(fileRef('/key'), fileOptions(path)))
    expect(error.message).toMatch(/not a regular file \(found a directory\)/)
  })

  it.skipIf(!isPosix)('rejects a FIFO quickly instead of blocking on it', async () => {
    const path = join(tempDir(), 'fifo')
    execFileSync('mkfifo', ['-m', '600', path])
    const started = Date.now()
    const error = await rejection(resolveSecretRef(fileRef('/key'), fileOptions(path)))
    expect(Date.now() - started).toBeLessThan(1000)
    expect(error.message).toMatch(/not a regular file \(found a FIFO\)/)
  })

  it('rejects an oversize file before reading it', async () => {
    const path = secretFile('huge.json', '')
    // A sparse 4 GiB file: reading it would be slow and could not fit in a Buffer.
    truncateSync(path, 4 * 1024 * 1024 * 1024)
    const started = Date.now()
    const error = await rejection(resolveSecretRef(fileRef('/key'), fileOptions(path)))
    expect(Date.now() - started).toBeLessThan(1000)
    expect(error.message).toContain(`${DEFAULT_SECRET_MAX_BYTES}-byte limit`)
    expect(error.message).toMatch(/not read/)

    const secret = canary()
    const small = secretFile('small.json', JSON.stringify({ key: secret }))
    const limited = await rejection(
      resolveSecretRef(fileRef('/key'), fileOptions(small, { maxBytes: 16 })),
    )
    expect(limited.message).toContain('16-byte limit')
  })

  it.skipIf(!isPosix)('refuses files other users can read; accepts 0600', async () => {
    const secret = canary()
    const path = secretFile('secrets.json', JSON.stringify({ key: secret }), 0o644)
    const error = await rejection(resolveSecretRef(fileRef('/key'), fileOptions(path)))
    expect(error.message).toContain('mode 0644')
    expect(error.message).toContain('chmod 600')
    chmodSync(path, 0o640)
    await rejection(resolveSecretRef(fileRef('/key'), fileOptions(path)))
    chmodSync(path, 0o600)
    await expect(resolveSecretRef(fileRef('/key'), fileOptions(path))).resolves.toBe(secret)
  })

  it.skipIf(!isRoot)('refuses a file owned by another user', async () => {
    const path = secretFile('secrets.json', JSON.stringify({ key: canary() }))
    chownSync(path, 65534, 65534)
    const error = await rejection(resolveSecretRef(fileRef('/key'), fileOptions(path)))
    expect(error.message).toMatch(/owned by uid 65534/)
  })

  it('reports invalid JSON without quoting the file', async () => {
    const secret = canary()
    const path = secretFile('broken.json', `{"key": "${secret}", "other": tru`)
    const error = await rejection(resolveSecretRef(fileRef('/key'), fileOptions(path)))
    expect(error.message).toMatch(/is not valid JSON/)
    expect(error.message).not.toContain('"key"')
    expect(error.message).not.toContain('tru')
    expect(error.message).not.toMatch(/Unexpected|position/)
    expect(error.cause).toBeUndefined()
  })

  it('rejects a pointer to a number', async () => {
    const path = secretFile('secrets.json', JSON.stringify({ port: 443, nested: { flag: true } }))
    const error = await rejection(resolveSecretRef(fileRef('/port'), fileOptions(path)))
    expect(error.message).toMatch(/is a number, not a string/)
    expect(error.message).not.toContain('443')
    const object = await rejection(resolveSecretRef(fileRef('/nested'), fileOptions(path)))
    expect(object.message).toMatch(/is an object, not a string/)
  })

  it('reads the file once for several refs of one provider', async () => {
    const first = canary()
    const second = canary()
    const path = secretFile('secrets.json', JSON.stringify({ a: first, b: second, n: 1 }))
    const { values, errors } = await resolveSecretRefs(
      [fileRef('/a'), fileRef('/b'), fileRef('/n'), fileRef('/a')],
      fileOptions(path),
    )
    expect(values).toEqual(
      new Map([
        ['file:vault:/a', first],
        ['file:vault:/b', second],
      ]),
    )
    expect([...errors.keys()]).toEqual(['file:vault:/n'])
    checkError(errors.get('file:vault:/n'))
  })
})
