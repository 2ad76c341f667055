// `claw` turns on Node's module compile cache (Node ≥ 22.1): V8's compiled code for the CLI's
// modules is kept in the OS temp dir, so later starts skip compiling them.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import * as nodeModule from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ClawSandbox } from '../test/helpers/claw.ts'

const supported =
  typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function'

let sandbox: ClawSandbox
let temp: string
beforeEach(() => {
  sandbox = new ClawSandbox()
  temp = mkdtempSync(join(tmpdir(), 'claw-compile-cache-'))
})
afterEach(() => {
  sandbox.dispose()
  rmSync(temp, { recursive: true, force: true })
})

/** Files under `<temp>/node-compile-cache`, or [] when there is no such dir. */
function cachedFiles(): string[] {
  try {
    return readdirSync(join(temp, 'node-compile-cache'), { recursive: true, encoding: 'utf8' })
  } catch {
    return []
  }
}

describe('the compile cache', () => {
  it.skipIf(!supported)('is filled in the temp dir by a run', async () => {
    const result = await sandbox.run(['--version'], { env: { TMPDIR: temp } })
    expect(result.code).toBe(0)
    expect(cachedFiles().length).toBeGreaterThan(1)
  })

  it.skipIf(!supported)('is left alone with NODE_DISABLE_COMPILE_CACHE=1', async () => {
    const result = await sandbox.run(['--version'], {
      env: { TMPDIR: temp, NODE_DISABLE_COMPILE_CACHE: '1' },
    })
    expect(result.code).toBe(0)
    expect(cachedFiles()).toEqual([])
  })
})
