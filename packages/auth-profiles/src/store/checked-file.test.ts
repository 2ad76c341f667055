import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runNodeScript } from '../../../../test-support/node-script.ts'
import { catchAuthError } from '../../test/helpers/errors.js'
import { invalidUtf8Offset, readCheckedFile, strictModesProblem } from './checked-file.js'

const isPosix = process.platform !== 'win32'
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'claw-checked-'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

const rules = { label: 'Test file', maxBytes: 1024 } as const

describe('readCheckedFile', () => {
  it('reads a regular file and returns the stats of the descriptor it read', async () => {
    const path = join(root, 'a.json')
    writeFileSync(path, '{"a":1}')
    const file = await readCheckedFile(path, rules)
    expect(file?.text).toBe('{"a":1}')
    expect(file?.stats.isFile()).toBe(true)
    expect(await readCheckedFile(join(root, 'missing'), rules)).toBeUndefined()
  })

  it.skipIf(!isPosix)('refuses a FIFO at once, without blocking', async () => {
    const path = join(root, 'fifo')
    execFileSync('mkfifo', [path])
    const started = performance.now()
    const error = await catchAuthError(() =>
      readCheckedFile(path, { ...rules, followSymlinks: true }),
    )
    expect(error.code).toBe('ERR_STORE_NOT_REGULAR_FILE')
    expect(error.message).toBe(
      `Test file ${path} is not a regular file (found a FIFO); claw will not read it.`,
    )
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it.skipIf(!isPosix)('checks the file a link points to, not the link', async () => {
    const zero = join(root, 'zero')
    symlinkSync('/dev/zero', zero)
    const big = join(root, 'big')
    writeFileSync(big, 'x'.repeat(2048))
    const toBig = join(root, 'to-big')
    symlinkSync(big, toBig)
    expect((await catchAuthError(() => readCheckedFile(zero, rules))).code).toBe(
      'ERR_STORE_SYMLINK',
    )
    const device = await catchAuthError(() =>
      readCheckedFile(zero, { ...rules, followSymlinks: true }),
    )
    expect(device.code).toBe('ERR_STORE_NOT_REGULAR_FILE')
    expect(device.message).toContain('found a device')
    const large = await catchAuthError(() =>
      readCheckedFile(toBig, { ...rules, followSymlinks: true }),
    )
    expect(large.code).toBe('ERR_STORE_TOO_LARGE')
    expect(large.message).toContain('2048 bytes, over the 1024-byte limit')
  })

  it('names the byte offset of invalid UTF-8, never the bytes', async () => {
    const path = join(root, 'latin1.json')
    writeFileSync(
      path,
      Buffer.concat([Buffer.from('{"caf'), Buffer.from([0xe9]), Buffer.from('":1}')]),
    )
    const error = await catchAuthError(() => readCheckedFile(path, rules))
    expect(error.code).toBe('ERR_STORE_INVALID')
    expect(error.message).toBe(
      `Test file ${path} is not valid UTF-8 (byte offset 5); it was left unchanged.`,
    )
  })

  it('drops a byte order mark unless asked to keep it (to write the same bytes back)', async () => {
    const path = join(root, 'bom.json')
    writeFileSync(path, '\ufeff{}')
    expect((await readCheckedFile(path, rules))?.text).toBe('{}')
    expect((await readCheckedFile(path, { ...rules, keepByteOrderMark: true }))?.text).toBe(
      '\ufeff{}',
    )
  })

  it.skipIf(!isPosix)('applies the owner and mode rules to the opened file', async () => {
    const path = join(root, 'secret')
    writeFileSync(path, 'x', { mode: 0o644 })
    chmodSync(path, 0o644)
    const error = await catchAuthError(() => readCheckedFile(path, { ...rules, mode: 'private' }))
    expect(error.message).toContain(
      `has mode 0644, so other users can access it; run \`chmod 600 ${path}\``,
    )
    chmodSync(path, 0o664)
    expect(
      (await catchAuthError(() => readCheckedFile(path, { ...rules, mode: 'not-writable' })))
        .message,
    ).toContain('so other users can change it')
    chmodSync(path, 0o600)
    expect((await readCheckedFile(path, { ...rules, mode: 'private', owner: 'self' }))?.text).toBe(
      'x',
    )
  })

  it.skipIf(!isRoot)('refuses a file another user owns under the `self` rule', async () => {
    const path = join(root, 'foreign')
    writeFileSync(path, 'x', { mode: 0o600 })
    chownSync(path, 65534, 65534)
    const error = await catchAuthError(() => readCheckedFile(path, { ...rules, owner: 'self' }))
    expect(error.message).toContain('is owned by uid 65534, not by the current user (uid 0)')
    expect((await readCheckedFile(path, rules))?.text).toBe('x')
  })
})

describe('invalidUtf8Offset', () => {
  it.each([
    [[0x61, 0x62], undefined],
    [[0xc3, 0xa9], undefined],
    [[0xf0, 0x9f, 0x98, 0x80], undefined],
    [[0x61, 0xc0, 0x80], 1],
    [[0xed, 0xa0, 0x80], 0],
    [[0x61, 0x62, 0xe2, 0x82], 2],
    [[0xf5, 0x80, 0x80, 0x80], 0],
  ])('%j → %s', (bytes, offset) => {
    expect(invalidUtf8Offset(Uint8Array.from(bytes))).toBe(offset)
  })
})

describe('strictModesProblem', () => {
  it.skipIf(!isPosix)(
    'accepts a file of ours in private directories, refuses writable ones',
    async () => {
      const dir = join(root, 'bin')
      mkdirSync(dir, { mode: 0o755 })
      chmodSync(root, 0o755)
      const path = join(dir, 'helper')
      writeFileSync(path, '#!/bin/sh\n', { mode: 0o755 })
      expect(await strictModesProblem(path)).toBeUndefined()
      chmodSync(path, 0o775)
      expect(await strictModesProblem(path)).toBe(
        `${path} has mode 0775, so other users can change it; run \`chmod go-w ${path}\``,
      )
      chmodSync(path, 0o755)
      chmodSync(dir, 0o777)
      expect(await strictModesProblem(path)).toContain(`its directory ${dir} has mode 0777`)
      chmodSync(dir, 0o1777)
      expect(await strictModesProblem(path)).toBeUndefined()
    },
  )

  it.skipIf(!isPosix)('checks the directories above a link and above its target', async () => {
    const open = join(root, 'open')
    mkdirSync(open, { mode: 0o777 })
    chmodSync(open, 0o777)
    const target = join(root, 'real')
    writeFileSync(target, '{}', { mode: 0o600 })
    const link = join(open, 'claw.json')
    symlinkSync(target, link)
    expect(await strictModesProblem(link)).toContain(`its directory ${open} has mode 0777`)
  })
})

describe('a hang is impossible', () => {
  it.skipIf(!isPosix)(
    'a FIFO read through the built package fails in a child process at once',
    async () => {
      const path = join(root, 'fifo')
      execFileSync('mkfifo', [path])
      const dist = new URL('../../dist/index.js', import.meta.url).href
      const result = await runNodeScript(
        `const sdk = await import(${JSON.stringify(dist)})
await sdk.readCheckedFile(${JSON.stringify(path)}, { label: 'Test file', maxBytes: 10 }).catch((error) => process.stdout.write(error.code))`,
        { timeoutMs: 10_000 },
      )
      expect(result.timedOut).toBe(false)
      expect(result.stdout).toBe('ERR_STORE_NOT_REGULAR_FILE')
    },
  )
})
