import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSecretMasker, maskSecret, maskSecretsInText, redactSecretsInText } from './mask.js'

/** `n` characters of filler that never look like a prefix. */
function filler(n: number): string {
  return 'Q'.repeat(n)
}

describe('maskSecret', () => {
  it.each<[string, string | undefined | null, string]>([
    // missing values
    ['undefined', undefined, 'missing'],
    ['null', null, 'missing'],
    ['empty', '', 'missing'],
    ['whitespace', ' \t\n ', 'missing'],
    // every known prefix family, with enough hidden characters to show the last 4
    ['anthropic oauth', `sk-ant-oat01-${filler(20)}Wx9z`, 'sk-ant-oat01-…Wx9z'],
    ['anthropic refresh', `sk-ant-ort01-${filler(20)}Wx9z`, 'sk-ant-ort01-…Wx9z'],
    ['anthropic api', `sk-ant-api03-${filler(20)}Wx9z`, 'sk-ant-api03-…Wx9z'],
    ['anthropic other', `sk-ant-xyz-${filler(20)}Wx9z`, 'sk-ant-…Wx9z'],
    ['openai project', `sk-proj-${filler(40)}a1B2`, 'sk-proj-…a1B2'],
    ['openrouter', `sk-or-v1-${filler(40)}a1B2`, 'sk-or-v1-…a1B2'],
    ['openai service account', `sk-svcacct-${filler(40)}a1B2`, 'sk-svcacct-…a1B2'],
    ['openai legacy', `sk-${filler(40)}a1B2`, 'sk-…a1B2'],
    ['github fine-grained', `github_pat_${filler(60)}a1B2`, 'github_pat_…a1B2'],
    ['github classic', `ghp_${filler(32)}a1B2`, 'ghp_…a1B2'],
    ['github oauth', `gho_${filler(32)}a1B2`, 'gho_…a1B2'],
    ['github user-to-server', `ghu_${filler(32)}a1B2`, 'ghu_…a1B2'],
    ['github server-to-server', `ghs_${filler(32)}a1B2`, 'ghs_…a1B2'],
    ['groq', `gsk_${filler(48)}a1B2`, 'gsk_…a1B2'],
    ['xai', `xai-${filler(76)}a1B2`, 'xai-…a1B2'],
    ['google', `AIza${filler(31)}a1B2`, 'AIza…a1B2'],
    ['hugging face', `hf_${filler(30)}a1B2`, 'hf_…a1B2'],
    ['perplexity', `pplx-${filler(44)}a1B2`, 'pplx-…a1B2'],
    ['cerebras', `csk-${filler(44)}a1B2`, 'csk-…a1B2'],
    ['replicate', `r8_${filler(36)}a1B2`, 'r8_…a1B2'],
    // prefixes are case-sensitive: `aiza` is not Google's prefix
    ['unknown lower-case aiza', `aiza${filler(31)}a1B2`, '…a1B2'],
    // the 12-hidden-characters threshold, after a prefix
    ['prefix, exactly 12 hidden', `sk-${filler(12)}a1B2`, 'sk-…a1B2'],
    ['prefix, 11 hidden', `sk-${filler(11)}a1B2`, 'sk-…'],
    ['prefix only', 'sk-ant-', 'sk-ant-…'],
    ['short with prefix', 'ghp_abc', 'ghp_…'],
    // and without one: at most a quarter of an unknown secret
    ['unknown, 16 characters', `${filler(12)}a1B2`, '…a1B2'],
    ['unknown, 15 characters', `${filler(11)}a1B2`, '…'],
    ['unknown, 10 characters', '0123456789', '…'],
    ['single character', 'x', '…'],
    // surrounding whitespace is ignored
    ['whitespace around', `  sk-proj-${filler(40)}a1B2\n`, 'sk-proj-…a1B2'],
    // unicode: counted in code points, surrogate pairs kept whole
    ['unicode, long', `${'é'.repeat(12)}🔑🔑ab`, '…🔑🔑ab'],
    ['unicode, short in code points', `${'🔑'.repeat(15)}`, '…'],
    ['unicode, 16 emoji', `${'🔒'.repeat(12)}🔑🔑🔑🔑`, '…🔑🔑🔑🔑'],
  ])('%s', (_name, value, expected) => {
    expect(maskSecret(value)).toBe(expected)
  })

  it('returns the value unchanged with reveal: true', () => {
    const value = `  sk-proj-${filler(40)}a1B2 `
    expect(maskSecret(value, { reveal: true })).toBe(value)
    expect(maskSecret('short', { reveal: true })).toBe('short')
  })

  it('still reports a missing value as missing with reveal: true', () => {
    expect(maskSecret(undefined, { reveal: true })).toBe('missing')
    expect(maskSecret('   ', { reveal: true })).toBe('missing')
  })

  it('masks with reveal: false', () => {
    expect(maskSecret(`sk-${filler(40)}a1B2`, { reveal: false })).toBe('sk-…a1B2')
  })

  it('never shows more than a quarter of an unknown secret', () => {
    for (let length = 1; length <= 64; length += 1) {
      const masked = maskSecret('z'.repeat(length))
      const shown = [...masked.replace('…', '')].length
      expect(shown * 4).toBeLessThanOrEqual(length)
    }
  })

  it('leaks nothing of a canary secret beyond its known prefix and last 4', () => {
    for (let round = 0; round < 20; round += 1) {
      const canary = `sk-claw-canary-${randomBytes(16).toString('hex')}`
      const masked = maskSecret(canary)
      expect(masked).toBe(`sk-…${canary.slice(-4)}`)
      // The middle: everything after the known `sk-` prefix and before the last 4.
      const middle = canary.slice('sk-'.length, -4)
      for (let start = 0; start + 5 <= masked.length; start += 1) {
        expect(middle).not.toContain(masked.slice(start, start + 5))
      }
      for (let start = 0; start + 12 <= canary.length; start += 1) {
        expect(masked).not.toContain(canary.slice(start, start + 12))
      }
    }
  })
})

describe('maskSecretsInText', () => {
  const secret = `sk-proj-${filler(40)}a1B2`

  it('masks every occurrence of each secret', () => {
    const other = `ghp_${filler(32)}Zz99`
    const text = `first ${secret}, then ${other} and ${secret} again`
    expect(maskSecretsInText(text, [secret, other])).toBe(
      'first sk-proj-…a1B2, then ghp_…Zz99 and sk-proj-…a1B2 again',
    )
  })

  it('treats secrets literally, not as regular expressions', () => {
    const tricky = 'a.b*c+d?(e)[f]{g}|h^i$j\\k'
    expect(maskSecretsInText(`x ${tricky} y aXbbc`, [tricky])).toBe('x …$j\\k y aXbbc')
  })

  it('prefers the longest secret when one contains another', () => {
    const short = 'abcdef123456'
    const long = `${short}${filler(20)}WXYZ`
    expect(maskSecretsInText(`${long} / ${short}`, [short, long])).toBe('…WXYZ / …')
  })

  it('skips secrets shorter than 6 characters and blank entries', () => {
    expect(maskSecretsInText('token abcde in text', ['abcde', '', '   '])).toBe(
      'token abcde in text',
    )
  })

  it('trims secrets before searching', () => {
    expect(maskSecretsInText(`key ${secret}.`, [`  ${secret}\n`])).toBe('key sk-proj-…a1B2.')
  })

  it('ignores case and masks truncated echoes (12+ key characters of a secret)', () => {
    const plain = 'plain-0123456789abcdef0123456789ABCDEF'
    expect(maskSecretsInText(`provider "${plain.toLowerCase()}"`, [plain])).toBe('provider "…cdef"')
    expect(maskSecretsInText(`key ${plain.slice(0, 20)}… rejected`, [plain])).toBe(
      'key …abcd… rejected',
    )
    // Shorter pieces and unrelated words stay.
    expect(maskSecretsInText(`${plain.slice(0, 11)} and 0123456789ab-other`, [plain])).toBe(
      `${plain.slice(0, 11)} and 0123456789ab-other`,
    )
  })

  it('compiles once with createSecretMasker: mask as maskSecretsInText, shows when it would change', () => {
    const plain = 'plain-0123456789abcdef0123456789ABCDEF'
    const masker = createSecretMasker([plain])
    for (const text of [`a ${plain} b`, `x ${plain.toUpperCase()}`, `cut ${plain.slice(3, 17)}…`]) {
      expect(masker.mask(text)).toBe(maskSecretsInText(text, [plain]))
      expect(masker.shows(text)).toBe(true)
      expect(masker.shows(masker.mask(text))).toBe(false)
    }
    expect(masker.shows('nothing 0123456789ab-else')).toBe(false)
    expect(createSecretMasker([]).shows(plain)).toBe(false)
  })

  it('returns the text unchanged without secrets', () => {
    expect(maskSecretsInText('nothing here', [])).toBe('nothing here')
    expect(maskSecretsInText('', [secret])).toBe('')
  })
})

describe('redactSecretsInText', () => {
  it.each([
    [
      'query key',
      'GET https://x.test/v1?key=AIzaSyAbc123&alt=sse',
      'GET https://x.test/v1?key=***&alt=sse',
    ],
    [
      'form token',
      'grant_type=refresh_token&refresh_token=rt-abc.def&client_id=app',
      'grant_type=refresh_token&refresh_token=***&client_id=app',
    ],
    ['secret param', 'client_secret=s3cr3t', 'client_secret=***'],
    ['password param', 'user=bob password=hunter2 ok', 'user=bob password=*** ok'],
    ['api_key param, case-insensitive', 'API_KEY=abc123;next', 'API_KEY=***;next'],
    ['env-style assignment', 'OPENAI_API_KEY=sk-abcdefghijkl', 'OPENAI_API_KEY=***'],
    ['bearer', 'Authorization: Bearer eyJhbGciOi.J9.sig-_~+/=', 'Authorization: Bearer ***'],
    ['bearer lower-case', 'authorization: bearer abc123', 'authorization: bearer ***'],
    [
      'sk token',
      'invalid api key sk-claw-canary-0123456789abcdef provided',
      'invalid api key sk-*** provided',
    ],
    ['sk-ant token', 'key sk-ant-api03-AbCdEfGh_IjKl-MnOp', 'key sk-***'],
    ['short sk- left alone', 'use sk-1234 here', 'use sk-1234 here'],
    ['sk- inside a word left alone', 'task-abcdefghijkl', 'task-abcdefghijkl'],
    ['x-api-key header', 'x-api-key: sk-ant-abcdefghijklmnop', 'x-api-key: ***'],
    [
      'JSON member',
      '{"error":"bad","refresh_token": "rt-secret-value"}',
      '{"error":"bad","refresh_token": "***"}',
    ],
    ['github token', `token ghp_${'a'.repeat(36)} rejected`, 'token ghp_*** rejected'],
    ['google key', `AIza${'b'.repeat(35)} invalid`, 'AIza*** invalid'],
    [
      'plain text unchanged',
      'Rate limit exceeded, retry in 20s',
      'Rate limit exceeded, retry in 20s',
    ],
  ])('%s', (_name, input, expected) => {
    expect(redactSecretsInText(input)).toBe(expected)
  })

  it('leaves no trace of a canary in a provider error', () => {
    const canary = `sk-claw-canary-${randomBytes(16).toString('hex')}`
    const message = `401 {"error":{"message":"Incorrect API key provided: ${canary}"}} url=https://api.test/?api_key=${canary} Authorization: Bearer ${canary}`
    const redacted = redactSecretsInText(message)
    for (let start = 0; start + 12 <= canary.length; start += 1) {
      expect(redacted).not.toContain(canary.slice(start, start + 12))
    }
  })
})
