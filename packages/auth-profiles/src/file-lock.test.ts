import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { catchAuthError } from '../test/helpers/errors.js'
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
