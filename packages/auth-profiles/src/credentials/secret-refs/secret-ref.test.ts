import { describe, expect, it } from 'vitest'
import { secretRefKey, validateSecretRef } from './index.js'
import { canary, useSecretTempDir } from '../../../test/helpers/secret-refs.js'

useSecretTempDir()

describe('validateSecretRef', () => {
  const cases: [string, unknown, boolean][] = [
    ['env variable', { source: 'env', provider: 'default', id: 'OPENAI_API_KEY' }, true],
    ['env lower-case id', { source: 'env', provider: 'default', id: 'openai_api_key' }, false],
    ['env id starting with a digit', { source: 'env', provider: 'default', id: '1KEY' }, false],
    [
      'env id of 129 chars',
      { source: 'env', provider: 'default', id: `A${'B'.repeat(128)}` },
      false,
    ],
    ['provider with dash', { source: 'env', provider: 'team-vault_2', id: 'KEY' }, true],
    ['provider upper-case', { source: 'env', provider: 'Vault', id: 'KEY' }, false],
    ['provider too long', { source: 'env', provider: `a${'b'.repeat(64)}`, id: 'KEY' }, false],
    ['unknown source', { source: 'http', provider: 'default', id: 'KEY' }, false],
    ['not an object', 'env:default:KEY', false],
    ['null', null, false],
    ['extra field', { source: 'env', provider: 'default', id: 'KEY', key: 'x' }, false],
    ['empty id', { source: 'env', provider: 'default', id: '' }, false],
    ['file pointer', { source: 'file', provider: 'vault', id: '/providers/openai/apiKey' }, true],
    ['file pointer with escapes', { source: 'file', provider: 'vault', id: '/a~1b/c~0d' }, true],
    ['file pointer with bad escape', { source: 'file', provider: 'vault', id: '/a~2b' }, false],
    ['file pointer with trailing ~', { source: 'file', provider: 'vault', id: '/a~' }, false],
    ['file relative pointer', { source: 'file', provider: 'vault', id: 'providers/openai' }, false],
    ['file singleValue id', { source: 'file', provider: 'vault', id: 'value' }, true],
    ['file id with newline', { source: 'file', provider: 'vault', id: '/a\nb' }, false],
    ['exec id', { source: 'exec', provider: 'helper', id: 'openai/prod:key#1' }, true],
    ['exec id with dot segment', { source: 'exec', provider: 'helper', id: 'a/./b' }, false],
    ['exec id with dot-dot segment', { source: 'exec', provider: 'helper', id: 'a/../b' }, false],
    ['exec id with dots in names', { source: 'exec', provider: 'helper', id: 'a.b/c..d' }, true],
    ['exec id starting with /', { source: 'exec', provider: 'helper', id: '/etc/passwd' }, false],
    ['exec id with space', { source: 'exec', provider: 'helper', id: 'a b' }, false],
    ['exec id of 257 chars', { source: 'exec', provider: 'helper', id: 'a'.repeat(257) }, false],
  ]
  it.each(cases)('%s', (_name, ref, valid) => {
    const reason = validateSecretRef(ref)
    if (valid) expect(reason).toBeUndefined()
    else expect(reason).toEqual(expect.any(String))
  })

  it('never quotes the id in the reason', () => {
    const secret = canary()
    const reason = validateSecretRef({ source: 'env', provider: 'default', id: secret })
    expect(reason).toBeDefined()
    expect(reason).not.toContain(secret)
  })
})

describe('secretRefKey', () => {
  it('is source:provider:id', () => {
    expect(secretRefKey({ source: 'exec', provider: 'helper', id: 'a/b' })).toBe('exec:helper:a/b')
  })
})
