import { spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canSeeStoppedProcesses, waitUntilStopped } from '../../../../test-support/stopped.ts'
import { catchAuthError } from '../../test/helpers/errors.js'
import {
  acquireFileLock,
  DEFAULT_FILE_LOCK_OPTIONS,
  minimumRetryWindowMs,
  resolveFileLockOptions,
  withFileLock,
} from './file-lock.js'
import { writePrivateFileAtomic } from './atomic-write.js'
import { updateAuthProfileStore } from './store.js'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'claw-lock-'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('lock options', () => {
  it('defaults keep the invariant: waiters retry longer than stale + 2 s', () => {
    expect(minimumRetryWindowMs(DEFAULT_FILE_LOCK_OPTIONS)).toBeGreaterThan(
      DEFAULT_FILE_LOCK_OPTIONS.staleMs + 2_000,
    )
    expect(resolveFileLockOptions()).toEqual(DEFAULT_FILE_LOCK_OPTIONS)
  })

  it.each([
    [{ staleMs: 500 }, 'staleMs must be at least 2000'],
    [{ staleMs: 3_000, updateMs: 3_000 }, 'updateMs must be positive and below staleMs'],
    [{ retries: 2 }, 'retry window'],
    [{ minRetryDelayMs: 0 }, 'retry delays'],
  ])('rejects %j', (options, message) => {
    expect(() => resolveFileLockOptions(options)).toThrow(message)
  })
})

describe('acquireFileLock', () => {
  const fastOptions = {
    staleMs: 2_000,
    updateMs: 1_000,
    retries: 16,
    minRetryDelayMs: 50,
    maxRetryDelayMs: 400,
  }
  const fast = resolveFileLockOptions(fastOptions)

  it('times out with a typed error naming the lock path while another holder keeps it', async () => {
    const target = join(root, 'auth-profiles.json')
    writeFileSync(target, '{}')
    const held = await acquireFileLock(target, fast)
    try {
      const started = performance.now()
      const error = await catchAuthError(() =>
        updateAuthProfileStore(
          {
            agentDir: root,
            mainAgentDir: null,
            lock: fastOptions,
          },
          () => undefined,
        ),
      )
      expect(error.code).toBe('ERR_LOCK_TIMEOUT')
      expect(error.path).toBe(`${target}.lock`)
      expect(error.message).toContain(`${target}.lock`)
      expect(performance.now() - started).toBeGreaterThan(minimumRetryWindowMs(fast) - 100)
    } finally {
      await held.release()
    }
  })

  it('reports a lost lock before the commit instead of crashing the process', async () => {
    const target = join(root, 'auth-profiles.json')
    const lock = await acquireFileLock(target, fast)
    expect(() => lock.assertHeld()).not.toThrow()
    rmSync(`${target}.lock`, { recursive: true, force: true })
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    const error = (() => {
      try {
        lock.assertHeld()
      } catch (caught) {
        return caught as { code?: string }
      }
      return undefined
    })()
    expect(error?.code).toBe('ERR_LOCK_COMPROMISED')
    await lock.release()
  })
})

describe('withFileLock', () => {
  it('serialises read-modify-write cycles: 8 concurrent writers × 5 increments lose nothing', async () => {
    const target = join(root, 'nested', 'counter.json')
    const increment = () =>
      withFileLock(
        target,
        async (lock) => {
          const current = existsSync(target) ? Number(readFileSync(target, 'utf8')) : 0
          // Yield between the read and the write, so an unlocked version would interleave.
          await new Promise((resolve) => setTimeout(resolve, 2))
          lock.assertHeld()
          await writePrivateFileAtomic(target, String(current + 1))
          return current + 1
        },
        { lock: { minRetryDelayMs: 5, maxRetryDelayMs: 20, retries: 800, retryFactor: 1.2 } },
      )
    const results = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const seen: number[] = []
        for (let round = 0; round < 5; round++) seen.push(await increment())
        return seen
      }),
    )
    expect(Number(readFileSync(target, 'utf8'))).toBe(40)
    expect(new Set(results.flat()).size).toBe(40)
    expect(statSync(join(root, 'nested')).mode & 0o777).toBe(0o700)
    expect(existsSync(`${target}.lock`)).toBe(false)
  })

  it('releases the lock when the callback throws, and passes the error on', async () => {
    const target = join(root, 'config.json')
    await expect(
      withFileLock(target, () => Promise.reject(new Error('edit refused'))),
    ).rejects.toThrow('edit refused')
    expect(existsSync(`${target}.lock`)).toBe(false)
    await expect(withFileLock(target, () => Promise.resolve('again'))).resolves.toBe('again')
  })

  it('validates the lock options before touching the file system', async () => {
    const target = join(root, 'missing-dir', 'config.json')
    const error = await catchAuthError(() =>
      withFileLock(target, () => Promise.resolve(), { lock: { staleMs: 500 } }),
    )
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(existsSync(join(root, 'missing-dir'))).toBe(false)
  })
})

describe('a writer that stalls right before its rename', () => {
  const lock = {
    staleMs: 2_000,
    updateMs: 1_000,
    retries: 40,
    minRetryDelayMs: 50,
    maxRetryDelayMs: 300,
  }
  const fixture = fileURLToPath(new URL('../../test/fixtures/frozen-writer.mjs', import.meta.url))

  it.skipIf(!canSeeStoppedProcesses)(
    'is refused when it resumes after another process took the stale lock over (withFileLock + writePrivateFileAtomic)',
    async () => {
      const target = join(root, 'settings.json')
      writeFileSync(target, JSON.stringify({ count: 0 }))
      const child = spawn(
        process.execPath,
        [fixture, JSON.stringify({ target, key: 'frozen', value: true, lock, maxMs: 30_000 })],
        { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
      )
      let output = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      try {
        await waitUntilStopped(child.pid!, 20_000)
        // Another writer waits for the frozen holder's lock to go stale, takes it over, writes.
        await withFileLock(
          target,
          async (held) => {
            const document = JSON.parse(readFileSync(target, 'utf8')) as Record<string, unknown>
            document['newer'] = true
            await writePrivateFileAtomic(target, JSON.stringify(document), { lock: held })
          },
          { lock },
        )
        process.kill(child.pid!, 'SIGCONT')
        await Promise.race([
          exited,
          new Promise((_, reject) => setTimeout(() => reject(new Error('writer hung')), 15_000)),
        ])
      } finally {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          // Exited.
        }
      }
      expect(JSON.parse(output)).toEqual({ ok: false, code: 'ERR_LOCK_COMPROMISED' })
      expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual({ count: 0, newer: true })
    },
  )
})

describe('the lock directory', () => {
  it('fails at once, naming the path, when a regular file sits where the lock goes', async () => {
    const target = join(root, 'auth-profiles.json')
    writeFileSync(`${target}.lock`, 'not a lock')
    const started = performance.now()
    const error = await catchAuthError(() =>
      updateAuthProfileStore({ agentDir: root, mainAgentDir: null }, () => undefined),
    )
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(error.code).toBe('ERR_STORE_WRITE')
    expect(error.message).toContain(`${target}.lock`)
    expect(error.message).toContain('claw doctor --fix')
  })

  it('is created 0700 whatever the umask', async () => {
    const target = join(root, 'private', 'state.json')
    mkdirSync(join(root, 'private'))
    const previous = process.umask(0o000)
    try {
      const mode = await withFileLock(target, () =>
        Promise.resolve(statSync(`${target}.lock`).mode & 0o777),
      )
      expect(mode).toBe(0o700)
    } finally {
      process.umask(previous)
    }
  })
})
