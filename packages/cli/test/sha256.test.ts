import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../src/sha256.js'

const reference = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    )
  })

  it('matches node:crypto at every length around the padding and block boundaries', () => {
    for (let length = 0; length <= 300; length++) {
      const text = 'x'.repeat(length)
      expect(sha256Hex(text), `length ${length}`).toBe(reference(text))
    }
  })

  it('matches node:crypto on multi-byte text, lone surrogates and random documents', () => {
    const samples = ['ü', '日本語のテキスト', '🔑 key', '\uD800', 'a\uDC00b', '\u0000\u007f\u0080']
    for (let index = 0; index < 2000; index++) {
      const bytes = randomBytes(1 + (index % 700))
      // Random code units, including surrogate halves and controls.
      samples.push(String.fromCharCode(...new Uint16Array(bytes.buffer, 0, bytes.length >> 1)))
      samples.push(JSON.stringify({ key: bytes.toString('base64'), index }))
    }
    for (const text of samples) expect(sha256Hex(text)).toBe(reference(text))
  })

  it('hashes a large document', () => {
    const text = JSON.stringify({ models: 'm'.repeat(1 << 20) })
    expect(sha256Hex(text)).toBe(reference(text))
  })
})
