import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canarySecret, findCanaries, findCanariesInFiles } from './index.js'

describe('findCanaries', () => {
  const secret = canarySecret()
  const random = secret.slice('sk-claw-canary-'.length)

  it.each([
    ['the whole secret', `key=${secret}`, secret.length],
    ['base64', Buffer.from(secret).toString('base64'), 20],
    ['base64url', `token ${Buffer.from(secret).toString('base64url')}`, 20],
    ['URL-encoded', encodeURIComponent(`${secret}`), secret.length],
    ['a 12-character piece of the random part', `…${random.slice(5, 17)}…`, 12],
  ])('finds %s, and never prints the secret', (_label, text, minimum) => {
    const hits = findCanaries(text, [secret], 'log')
    expect(hits).toHaveLength(1)
    expect(hits[0]).toMatch(/^log: sk-… \(\d+-character match\)$/)
    expect(Number(/\((\d+)-/.exec(hits[0]!)![1])).toBeGreaterThanOrEqual(Math.min(minimum, 12))
    expect(hits[0]).not.toContain(random.slice(0, 12))
  })

  it('does not count an 11-character piece, another secret or a masked one', () => {
    expect(findCanaries(random.slice(3, 14), [secret])).toEqual([])
    expect(findCanaries(canarySecret(), [secret])).toEqual([])
    expect(findCanaries(`sk-…${secret.slice(-4)}`, [secret])).toEqual([])
  })

  it('searches values deeply: error messages and causes, maps, sets, bytes, nested objects', () => {
    const wrapped = new Error('request failed', { cause: new Error(`bad key ${secret}`) })
    expect(findCanaries(wrapped, [secret], 'error')).toHaveLength(1)
    expect(findCanaries(new Map([['k', { deep: [{ deeper: secret }] }]]), [secret])).toHaveLength(1)
    expect(findCanaries(new Set([secret]), [secret])).toHaveLength(1)
    expect(findCanaries(Buffer.from(`x${secret}x`), [secret])).toHaveLength(1)
    const hidden = {}
    Object.defineProperty(hidden, 'token', { value: secret, enumerable: false })
    expect(findCanaries(hidden, [secret])).toHaveLength(1)
    const circular: Record<string, unknown> = { secret }
    circular['self'] = circular
    expect(findCanaries(circular, [secret])).toHaveLength(1)
    expect(findCanaries({ fine: 'nothing here' }, [secret])).toEqual([])
  })

  it('reports each leaked secret once', () => {
    const other = canarySecret()
    expect(findCanaries(`${secret} ${secret} ${other}`, [secret, other], 'out')).toHaveLength(2)
  })
})

describe('findCanariesInFiles', () => {
  let root: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'claw-canary-scan-'))
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  it('searches a directory recursively, skipping the credential store by default', () => {
    const secret = canarySecret()
    mkdirSync(join(root, 'agents/main/agent'), { recursive: true })
    writeFileSync(join(root, 'agents/main/agent/auth-profiles.json'), JSON.stringify({ secret }))
    writeFileSync(join(root, 'agents/main/agent/debug.log'), `token: ${secret}\n`)
    writeFileSync(join(root, 'claw.json'), '{}')
    symlinkSync(root, join(root, 'loop'))

    expect(findCanariesInFiles(root, [secret])).toEqual([
      `${join(root, 'agents/main/agent/debug.log')}: sk-… (${secret.length}-character match)`,
    ])
    expect(findCanariesInFiles(root, [secret], { skipNames: [] })).toHaveLength(2)
    expect(findCanariesInFiles(join(root, 'claw.json'), [secret])).toEqual([])
  })
})
