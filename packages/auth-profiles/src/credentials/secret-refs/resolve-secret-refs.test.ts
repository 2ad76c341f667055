import type { SecretRef } from '../../types.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveSecretRefs } from './index.js'
import {
  canary,
  checkError,
  fileOptions,
  protocolScript,
  secretFile,
  tempDir,
  useSecretTempDir,
} from '../../../test/helpers/secret-refs.js'

useSecretTempDir()

describe('resolveSecretRefs', () => {
  it('returns values and per-ref errors without throwing', async () => {
    const secret = canary()
    const path = secretFile('secrets.json', JSON.stringify({ key: secret }))
    const refs: SecretRef[] = [
      { source: 'env', provider: 'default', id: 'PRESENT' },
      { source: 'env', provider: 'default', id: 'ABSENT' },
      { source: 'file', provider: 'vault', id: '/key' },
      { source: 'env', provider: 'default', id: 'bad id' },
      { source: 'exec', provider: 'missing', id: 'x' },
    ]
    const { values, errors } = await resolveSecretRefs(refs, {
      ...fileOptions(path),
      env: { PRESENT: secret },
    })
    expect(values).toEqual(
      new Map([
        ['env:default:PRESENT', secret],
        ['file:vault:/key', secret],
      ]),
    )
    expect([...errors.keys()].sort()).toEqual([
      'env:default:ABSENT',
      'env:default:bad id',
      'exec:missing:x',
    ])
    for (const error of errors.values()) checkError(error)
  })

  it('works on at most 4 providers at a time', async () => {
    const log = join(tempDir(), 'log')
    const path = protocolScript(
      'slow.cjs',
      `const fs = require('node:fs')
  fs.appendFileSync(${JSON.stringify(log)}, '+\\n')
  setTimeout(() => {
    fs.appendFileSync(${JSON.stringify(log)}, '-\\n')
    process.stdout.write(JSON.stringify({ protocolVersion: 1, values: { key: request.provider } }))
  }, 300)`,
    )
    const aliases = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6']
    const providers = Object.fromEntries(
      aliases.map((alias) => [
        alias,
        { source: 'exec' as const, command: process.execPath, args: [path] },
      ]),
    )
    const { values, errors } = await resolveSecretRefs(
      aliases.map((provider) => ({ source: 'exec', provider, id: 'key' })),
      { secrets: { providers }, env: { PATH: process.env['PATH'] } },
    )
    expect(errors.size).toBe(0)
    expect([...values.values()].sort()).toEqual(aliases)
    let running = 0
    let peak = 0
    for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
      running += line === '+' ? 1 : -1
      peak = Math.max(peak, running)
    }
    expect(peak).toBeLessThanOrEqual(4)
    expect(peak).toBeGreaterThanOrEqual(2)
  })
})
