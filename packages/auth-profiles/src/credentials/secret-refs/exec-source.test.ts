// Over 400 lines: real commands, one case per protocol or process rule.
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { runNodeScript } from '../../../../../test-support/node-script.ts'
import { type ResolveSecretRefOptions, resolveSecretRef, resolveSecretRefs } from './index.js'
import {
  canary,
  checkError,
  execOptions,
  execRef,
  fileOptions,
  fileRef,
  isPosix,
  isRoot,
  protocolScript,
  rejection,
  script,
  secretFile,
  tempDir,
  useSecretTempDir,
  waitForDeath,
} from '../../../test/helpers/secret-refs.js'

useSecretTempDir()

describe('exec provider', () => {
  it('speaks the JSON protocol', async () => {
    const secret = canary()
    const requestLog = join(tempDir(), 'request.json')
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
      const pidFile = join(tempDir(), 'pids.json')
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
    const link = join(tempDir(), 'node-link')
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
      const pidFile = join(tempDir(), 'background.pid')
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
      const pidFile = join(tempDir(), 'background.pid')
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
      const path = join(tempDir(), name)
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
      const open = join(tempDir(), 'open')
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
    const counter = join(tempDir(), 'calls')
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
    const pidFile = join(tempDir(), 'pid')
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
