import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runNodeScript } from '../../../../../test-support/node-script.ts'
import { isAuthProfilesError, type AuthProfilesError } from '../../errors.js'
import type { SecretProviderConfig } from '../../schemas.js'
import { DEFAULT_SECRET_MAX_BYTES } from './secret-limits.js'
import {
  resolveSecretRef,
  resolveSecretRefs,
  secretRefKey,
  validateSecretRef,
  type ResolveSecretRefOptions,
} from './index.js'
import { canarySecret } from '../../testing/index.js'
import type { SecretRef } from '../../types.js'

const isPosix = process.platform !== 'win32'
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

let dir: string
let canaries: string[]

function canary(): string {
  const value = canarySecret()
  canaries.push(value)
  return value
}

beforeEach(() => {
  dir = mkdtempSync(join(os.tmpdir(), 'claw-secret-'))
  canaries = []
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Asserts an ERR_SECRET_REF error that leaks none of this test's canaries, and returns it. */
function checkError(error: unknown): AuthProfilesError {
  expect(isAuthProfilesError(error, 'ERR_SECRET_REF')).toBe(true)
  const typed = error as AuthProfilesError
  const inspected = inspect(typed, { depth: 10 })
  for (const value of canaries) {
    expect(typed.message).not.toContain(value)
    expect(inspected).not.toContain(value)
  }
  return typed
}

async function rejection(promise: Promise<unknown>): Promise<AuthProfilesError> {
  try {
    await promise
  } catch (error) {
    return checkError(error)
  }
  throw new Error('expected the promise to reject')
}

function secretFile(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name)
  writeFileSync(path, content, { mode })
  chmodSync(path, mode)
  return path
}

function fileOptions(
  path: string,
  extra: Partial<Extract<SecretProviderConfig, { source: 'file' }>> = {},
): ResolveSecretRefOptions {
  return { secrets: { providers: { vault: { source: 'file', path, ...extra } } }, env: {} }
}

const fileRef = (id: string): SecretRef => ({ source: 'file', provider: 'vault', id })
const execRef = (id: string): SecretRef => ({ source: 'exec', provider: 'helper', id })

/** Writes a Node script into the temp dir; it runs as `process.execPath <script>`. */
function script(name: string, body: string): string {
  const path = join(dir, name)
  writeFileSync(path, body)
  return path
}

/** A script that reads the request from stdin and hands it to `reply(request)`. */
function protocolScript(name: string, reply: string): string {
  return script(
    name,
    `let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => { input += chunk })
process.stdin.on('end', () => {
  const request = JSON.parse(input)
  ${reply}
})
`,
  )
}

function execOptions(
  scriptPath: string,
  extra: Partial<Extract<SecretProviderConfig, { source: 'exec' }>> = {},
  env: Record<string, string | undefined> = { PATH: process.env['PATH'] },
): ResolveSecretRefOptions {
  return {
    secrets: {
      providers: {
        helper: { source: 'exec', command: process.execPath, args: [scriptPath], ...extra },
      },
    },
    env,
  }
}

/** True when `pid` is gone or a zombie waiting to be reaped. */
function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return true
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return true
  }
}

async function waitForDeath(pid: number, ms = 1000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (isDead(pid)) return true
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return isDead(pid)
}

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

describe('env provider', () => {
  it('resolves and trims through the built-in default provider', async () => {
    const secret = canary()
    const ref: SecretRef = { source: 'env', provider: 'default', id: 'CLAW_KEY' }
    await expect(resolveSecretRef(ref, { env: { CLAW_KEY: `  ${secret}\n` } })).resolves.toBe(
      secret,
    )
  })

  it('reads process.env when no env is passed', async () => {
    const secret = canary()
    vi.stubEnv('CLAW_SECRET_REFS_TEST_KEY', secret)
    const ref: SecretRef = { source: 'env', provider: 'default', id: 'CLAW_SECRET_REFS_TEST_KEY' }
    await expect(resolveSecretRef(ref)).resolves.toBe(secret)
  })

  it('rejects unset and empty variables, naming provider, source and id', async () => {
    const ref: SecretRef = { source: 'env', provider: 'default', id: 'CLAW_KEY' }
    const unset = await rejection(resolveSecretRef(ref, { env: {} }))
    expect(unset.message).toContain('"default"')
    expect(unset.message).toContain('"env"')
    expect(unset.message).toContain('"CLAW_KEY"')
    expect(unset.message).toMatch(/not set/)
    const empty = await rejection(resolveSecretRef(ref, { env: { CLAW_KEY: '  \n ' } }))
    expect(empty.message).toMatch(/empty/)
  })

  it('enforces the allowlist', async () => {
    const secret = canary()
    const options: ResolveSecretRefOptions = {
      secrets: { providers: { ci: { source: 'env', allowlist: ['ALLOWED_KEY'] } } },
      env: { ALLOWED_KEY: secret, OTHER_KEY: secret },
    }
    await expect(
      resolveSecretRef({ source: 'env', provider: 'ci', id: 'ALLOWED_KEY' }, options),
    ).resolves.toBe(secret)
    const error = await rejection(
      resolveSecretRef({ source: 'env', provider: 'ci', id: 'OTHER_KEY' }, options),
    )
    expect(error.message).toMatch(/allowlist/)
  })

  it('rejects unknown aliases, source mismatches and invalid ids', async () => {
    const unknown = await rejection(
      resolveSecretRef({ source: 'env', provider: 'nope', id: 'KEY' }, { env: { KEY: 'x' } }),
    )
    expect(unknown.message).toMatch(/no secret provider "nope"/)
    const mismatch = await rejection(
      resolveSecretRef({ source: 'file', provider: 'default', id: '/key' }, { env: {} }),
    )
    expect(mismatch.message).toMatch(/env provider/)
    const invalid = await rejection(
      resolveSecretRef({ source: 'env', provider: 'default', id: 'lower' }, { env: {} }),
    )
    expect(invalid.message).toMatch(/invalid/)
  })

  it('lets the config redefine the default alias', async () => {
    const secret = canary()
    const path = secretFile('default.json', JSON.stringify({ key: secret }))
    const options: ResolveSecretRefOptions = {
      secrets: { providers: { default: { source: 'file', path } } },
      env: { KEY: 'from-env' },
    }
    await expect(
      resolveSecretRef({ source: 'file', provider: 'default', id: '/key' }, options),
    ).resolves.toBe(secret)
    await rejection(resolveSecretRef({ source: 'env', provider: 'default', id: 'KEY' }, options))
  })

  it('rejects an already aborted signal', async () => {
    const controller = new AbortController()
    controller.abort()
    const error = await rejection(
      resolveSecretRef(
        { source: 'env', provider: 'default', id: 'KEY' },
        { env: { KEY: 'x' }, signal: controller.signal },
      ),
    )
    expect(error.message).toMatch(/aborted/)
  })
})

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
    const path = join(dir, 'missing.json')
    const error = await rejection(resolveSecretRef(fileRef('/key'), fileOptions(path)))
    expect(error.message).toContain(path)
    expect(error.message).toMatch(/does not exist/)
  })

  it('rejects a relative provider path', async () => {
    const error = await rejection(resolveSecretRef(fileRef('/key'), fileOptions('secrets.json')))
    expect(error.message).toMatch(/absolute/)
  })

  it('rejects a directory', async () => {
    const path = join(dir, 'a-dir')
    mkdirSync(path, { mode: 0o700 })
    const error = await rejection(resolveSecretRef(fileRef('/key'), fileOptions(path)))
    expect(error.message).toMatch(/not a regular file \(found a directory\)/)
  })

  it.skipIf(!isPosix)('rejects a FIFO quickly instead of blocking on it', async () => {
    const path = join(dir, 'fifo')
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

describe('exec provider', () => {
  it('speaks the JSON protocol', async () => {
    const secret = canary()
    const requestLog = join(dir, 'request.json')
    const path = protocolScript(
      'helper.cjs',
      `require('node:fs').writeFileSync(${JSON.stringify(requestLog)}, input)
  process.stdout.write(JSON.stringify({ protocolVersion: 1, values: { [request.ids[0]]: ${JSON.stringify(` ${secret}\n`)} } }))`,
    )
    await expect(resolveSecretRef(execRef('openai/prod'), execOptions(path))).resolves.toBe(secret)
    expect(JSON.parse(readFileSync(requestLog, 'utf8'))).toEqual({
      protocolVersion: 1,
      provider: 'helper',
      ids: ['openai/prod'],
    })
  })

  it('accepts a plain-text reply when jsonOnly is false', async () => {
    const secret = canary()
    const path = script('plain.cjs', `process.stdout.write(${JSON.stringify(`${secret}\n`)})`)
    await expect(
      resolveSecretRef(execRef('key'), execOptions(path, { jsonOnly: false })),
    ).resolves.toBe(secret)
    const strict = await rejection(resolveSecretRef(execRef('key'), execOptions(path)))
    expect(strict.message).toMatch(/not valid JSON/)
    expect(strict.cause).toBeUndefined()
  })

  it.skipIf(!isPosix)(
    'kills a command that runs past timeoutMs, with its process group',
    async () => {
      const pidFile = join(dir, 'pids.json')
      const path = script(
        'sleepy.cjs',
        `const { spawn } = require('node:child_process')
const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, JSON.stringify([process.pid, grandchild.pid]))
setInterval(() => {}, 1000)`,
      )
      const started = Date.now()
      const error = await rejection(
        resolveSecretRef(execRef('key'), execOptions(path, { timeoutMs: 500 })),
      )
      expect(Date.now() - started).toBeLessThan(1500)
      expect(error.message).toMatch(/did not finish within 500 ms and was killed/)
      const [childPid, grandchildPid] = JSON.parse(readFileSync(pidFile, 'utf8')) as number[]
      expect(await waitForDeath(childPid as number)).toBe(true)
      expect(await waitForDeath(grandchildPid as number)).toBe(true)
    },
  )

  it('kills a command whose output exceeds maxOutputBytes', async () => {
    const secret = canary()
    const path = script(
      'chatty.cjs',
      `const chunk = ${JSON.stringify(secret)}.repeat(1000)
const write = () => { while (process.stdout.write(chunk)) {} }
process.stdout.on('drain', write)
write()`,
    )
    const started = Date.now()
    const error = await rejection(
      resolveSecretRef(execRef('key'), execOptions(path, { maxOutputBytes: 4096 })),
    )
    expect(Date.now() - started).toBeLessThan(3000)
    expect(error.message).toMatch(/4096-byte output limit and was killed/)
  })

  it('rejects a non-zero exit even with a valid reply', async () => {
    const secret = canary()
    const path = protocolScript(
      'failing.cjs',
      `process.stdout.write(JSON.stringify({ protocolVersion: 1, values: { key: ${JSON.stringify(secret)} } }))
  process.exitCode = 3`,
    )
    const error = await rejection(resolveSecretRef(execRef('key'), execOptions(path)))
    expect(error.message).toMatch(/exited with code 3/)
  })

  it('rejects an unsupported protocolVersion', async () => {
    const secret = canary()
    const path = protocolScript(
      'v2.cjs',
      `process.stdout.write(JSON.stringify({ protocolVersion: 2, values: { key: ${JSON.stringify(secret)} } }))`,
    )
    const error = await rejection(resolveSecretRef(execRef('key'), execOptions(path)))
    expect(error.message).toMatch(/protocolVersion 1/)
  })

  it('reports ids in the errors map without echoing the command', async () => {
    const secret = canary()
    const path = protocolScript(
      'errors.cjs',
      `process.stdout.write(JSON.stringify({ protocolVersion: 1, values: { ok: 'fine', key: 'ignored' }, errors: { key: { message: ${JSON.stringify(`denied ${secret}`)} } } }))`,
    )
    const { values, errors } = await resolveSecretRefs(
      [execRef('ok'), execRef('key'), execRef('absent')],
      execOptions(path),
    )
    expect(values).toEqual(new Map([['exec:helper:ok', 'fine']]))
    const reported = checkError(errors.get('exec:helper:key'))
    expect(reported.message).toMatch(/the command reported an error for this id/)
    expect(reported.message).not.toContain('denied')
    const absent = checkError(errors.get('exec:helper:absent'))
    expect(absent.message).toMatch(/no value for this id/)
  })

  it('rejects a value that is not a string', async () => {
    const path = protocolScript(
      'number.cjs',
      `process.stdout.write(JSON.stringify({ protocolVersion: 1, values: { key: 12345 } }))`,
    )
    const error = await rejection(resolveSecretRef(execRef('key'), execOptions(path)))
    expect(error.message).toMatch(/is a number, not a string/)
    expect(error.message).not.toContain('12345')
  })

  it('gives the command only PATH, passEnv and env', async () => {
    const path = protocolScript(
      'env.cjs',
      `process.stdout.write(JSON.stringify({ protocolVersion: 1, values: { key: Object.keys(process.env).sort().join(',') } }))`,
    )
    const parentEnv = {
      PATH: process.env['PATH'],
      CLAW_LEAK_CANARY: canary(),
      CLAW_PASSED: 'passed',
    }
    const keys = await resolveSecretRef(
      execRef('key'),
      execOptions(
        path,
        { passEnv: ['CLAW_PASSED', 'CLAW_UNSET'], env: { CLAW_EXTRA: 'x' } },
        parentEnv,
      ),
    )
    expect(keys.split(',')).toEqual(['CLAW_EXTRA', 'CLAW_PASSED', 'PATH'])
    const withoutPassEnv = await resolveSecretRef(execRef('key'), execOptions(path, {}, parentEnv))
    expect(withoutPassEnv.split(',')).toEqual(['PATH'])
  })

  it('does not leak process.env to the command when no env is passed', async () => {
    vi.stubEnv('CLAW_SECRET_REFS_LEAK', canary())
    const path = protocolScript(
      'env.cjs',
      `process.stdout.write(JSON.stringify({ protocolVersion: 1, values: { key: Object.keys(process.env).sort().join(',') || 'none' } }))`,
    )
    const options = execOptions(path)
    const keys = await resolveSecretRef(execRef('key'), { secrets: options.secrets })
    expect(keys.split(',')).not.toContain('CLAW_SECRET_REFS_LEAK')
    expect(keys.split(',').every((key) => key === 'PATH' || key === 'none')).toBe(true)
  })

  it('rejects a relative command', async () => {
    const options: ResolveSecretRefOptions = {
      secrets: { providers: { helper: { source: 'exec', command: 'node', args: ['x.cjs'] } } },
      env: {},
    }
    const error = await rejection(resolveSecretRef(execRef('key'), options))
    expect(error.message).toMatch(/must be an absolute path/)
  })

  it.skipIf(!isPosix)('rejects a symlinked command', async () => {
    const path = protocolScript(
      'helper.cjs',
      `process.stdout.write(JSON.stringify({ protocolVersion: 1, values: { key: 'x' } }))`,
    )
    const link = join(dir, 'node-link')
    symlinkSync(process.execPath, link)
    const options = execOptions(path)
    const error = await rejection(
      resolveSecretRef(execRef('key'), {
        ...options,
        secrets: { providers: { helper: { source: 'exec', command: link, args: [path] } } },
      }),
    )
    expect(error.message).toMatch(/symbolic link/)
  })

  it.skipIf(!isPosix)('rejects a command that is not executable', async () => {
    const command = script('not-executable', '#!/bin/sh\necho x\n')
    chmodSync(command, 0o600)
    const error = await rejection(
      resolveSecretRef(execRef('key'), {
        secrets: { providers: { helper: { source: 'exec', command } } },
        env: {},
      }),
    )
    expect(error.message).toMatch(/is not executable/)
  })

  it.skipIf(!isPosix)(
    'a command that replied, exited 0 and left a background process holding stdout is a success',
    async () => {
      const secret = canary()
      const pidFile = join(dir, 'background.pid')
      // The background process starts its own session (setsid) and keeps the stdout pipe open.
      const path = protocolScript(
        'daemonizing.cjs',
        `const { spawn } = require('node:child_process')
  const daemon = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 40000)'], { detached: true, stdio: ['ignore', 'inherit', 'ignore'] })
  require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(daemon.pid))
  daemon.unref()
  process.stdout.write(JSON.stringify({ protocolVersion: 1, values: { key: ${JSON.stringify(secret)} } }))`,
      )
      const started = Date.now()
      try {
        await expect(
          resolveSecretRef(execRef('key'), execOptions(path, { timeoutMs: 4000 })),
        ).resolves.toBe(secret)
        expect(Date.now() - started).toBeLessThan(3000)
      } finally {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL')
        } catch {
          // Never started, or gone.
        }
      }
    },
  )

  it.skipIf(!isPosix)(
    'a timed-out command does not keep the process alive through a background process that holds stdout',
    async () => {
      const pidFile = join(dir, 'background.pid')
      const helper = script(
        'hanging.cjs',
        `const { spawn } = require('node:child_process')
const daemon = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 40000)'], { detached: true, stdio: ['ignore', 'inherit', 'ignore'] })
require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(daemon.pid))
setInterval(() => {}, 1000)`,
      )
      // A separate Node process resolves the ref with the built package and should exit as soon
      // as the ref is reported unresolved.
      const dist = new URL('../../../dist/index.js', import.meta.url).href
      const program = `const sdk = await import(${JSON.stringify(dist)})
const secrets = { providers: { helper: { source: 'exec', command: process.execPath, args: [${JSON.stringify(helper)}], timeoutMs: 500 } } }
const outcome = await sdk.resolveSecretRef({ source: 'exec', provider: 'helper', id: 'key' }, { secrets, env: { PATH: process.env.PATH } }).then(() => 'resolved', (error) => error.code)
process.stdout.write(outcome)`
      try {
        const result = await runNodeScript(program, {
          timeoutMs: 15_000,
          env: { PATH: process.env['PATH'] },
        })
        expect(result.timedOut).toBe(false)
        expect(result.stdout).toBe('ERR_SECRET_REF')
        expect(result.durationMs).toBeLessThan(10_000)
      } finally {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL')
        } catch {
          // Never started, or gone.
        }
      }
    },
  )

  it('refuses limits out of range, naming the field and the range', async () => {
    const path = protocolScript('unused.cjs', `process.stdout.write('{}')`)
    const timeout = await rejection(
      resolveSecretRef(execRef('key'), execOptions(path, { timeoutMs: 2_147_483_648 })),
    )
    expect(timeout.message).toMatch(/timeoutMs must be a whole number from 1 to 600000/)
    const output = await rejection(
      resolveSecretRef(execRef('key'), execOptions(path, { maxOutputBytes: 1e12 })),
    )
    expect(output.message).toMatch(/maxOutputBytes must be a whole number from 1 to 16777216/)
    const file = await rejection(
      resolveSecretRef(
        fileRef('/a'),
        fileOptions(secretFile('s.json', '{"a":"x"}'), { maxBytes: 0 }),
      ),
    )
    expect(file.message).toMatch(/maxBytes must be a whole number from 1 to 16777216/)
  })

  describe('trusted commands (StrictModes)', () => {
    const reply = `process.stdout.write(JSON.stringify({ protocolVersion: 1, values: { key: 'ok' } }))`

    /** A shell script that runs the Node reply script; returns its path. */
    function shellCommand(name: string, mode: number): string {
      const node = protocolScript(`${name}.cjs`, reply)
      const path = join(dir, name)
      writeFileSync(
        path,
        `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(node)}\n`,
      )
      chmodSync(path, mode)
      return path
    }

    const options = (
      command: string,
      extra: Record<string, unknown> = {},
    ): ResolveSecretRefOptions => ({
      secrets: { providers: { helper: { source: 'exec', command, ...extra } } },
      env: { PATH: process.env['PATH'] },
    })

    it.skipIf(!isPosix)(
      'refuses a command others can change, unless allowInsecurePermissions',
      async () => {
        const command = shellCommand('writable', 0o777)
        const error = await rejection(resolveSecretRef(execRef('key'), options(command)))
        expect(error.message).toContain(`${command} has mode 0777, so other users can change it`)
        expect(error.message).toContain('allowInsecurePermissions')
        await expect(
          resolveSecretRef(execRef('key'), options(command, { allowInsecurePermissions: true })),
        ).resolves.toBe('ok')
        chmodSync(command, 0o755)
        await expect(resolveSecretRef(execRef('key'), options(command))).resolves.toBe('ok')
      },
    )

    it.skipIf(!isPosix)('refuses a command in a directory others can write', async () => {
      const open = join(dir, 'open')
      mkdirSync(open)
      chmodSync(open, 0o777)
      const node = protocolScript('inner.cjs', reply)
      const command = join(open, 'helper')
      writeFileSync(
        command,
        `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(node)}\n`,
      )
      chmodSync(command, 0o755)
      const error = await rejection(resolveSecretRef(execRef('key'), options(command)))
      expect(error.message).toContain(`its directory ${open} has mode 0777`)
    })

    it.skipIf(!isRoot)('refuses a command owned by another user', async () => {
      const command = shellCommand('foreign', 0o755)
      chownSync(command, 65534, 65534)
      const error = await rejection(resolveSecretRef(execRef('key'), options(command)))
      expect(error.message).toMatch(
        /is owned by uid 65534, neither the current user \(uid 0\) nor root/,
      )
    })
  })

  it('batches the refs of one provider into a single call', async () => {
    const counter = join(dir, 'calls')
    const path = protocolScript(
      'batch.cjs',
      `require('node:fs').appendFileSync(${JSON.stringify(counter)}, JSON.stringify(request.ids) + '\\n')
  const values = {}
  for (const id of request.ids) values[id] = 'value-of-' + id
  process.stdout.write(JSON.stringify({ protocolVersion: 1, values }))`,
    )
    const { values, errors } = await resolveSecretRefs(
      [execRef('a/one'), execRef('a/two'), execRef('a/one')],
      execOptions(path),
    )
    expect(errors.size).toBe(0)
    expect(values).toEqual(
      new Map([
        ['exec:helper:a/one', 'value-of-a/one'],
        ['exec:helper:a/two', 'value-of-a/two'],
      ]),
    )
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toEqual(['["a/one","a/two"]'])
  })

  it('kills the command when the signal aborts', async () => {
    const pidFile = join(dir, 'pid')
    const path = script(
      'wait.cjs',
      `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid))
setInterval(() => {}, 1000)`,
    )
    const controller = new AbortController()
    const pending = resolveSecretRef(execRef('key'), {
      ...execOptions(path),
      signal: controller.signal,
    })
    const deadline = Date.now() + 3000
    while (!existsSync(pidFile) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    controller.abort()
    const error = await rejection(pending)
    expect(error.message).toMatch(/aborted/)
    expect(await waitForDeath(Number(readFileSync(pidFile, 'utf8')))).toBe(true)
  })
})

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
    const log = join(dir, 'log')
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
