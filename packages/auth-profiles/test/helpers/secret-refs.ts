// Shared setup of the secret-refs tests: a temp dir per test, canary secrets that no error may
// contain, secret files, and exec provider scripts run with the current Node binary.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, beforeEach, expect } from 'vitest'
import { isAuthProfilesError, type AuthProfilesError } from '../../src/errors.js'
import type { SecretProviderConfig } from '../../src/schemas.js'
import type { ResolveSecretRefOptions } from '../../src/credentials/secret-refs/index.js'
import { canarySecret } from '../../src/testing/index.js'
import type { SecretRef } from '../../src/types.js'

export const isPosix = process.platform !== 'win32'
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

let dir: string
let canaries: string[]

export function canary(): string {
  const value = canarySecret()
  canaries.push(value)
  return value
}

/** Gives each test of the calling file a fresh temp dir (`tempDir()`) and canary list. */
export function useSecretTempDir(): void {
  beforeEach(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'claw-secret-'))
    canaries = []
  })
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true })
  })
}

/** This test's temp dir. */
export function tempDir(): string {
  return dir
}

/** Asserts an ERR_SECRET_REF error that leaks none of this test's canaries, and returns it. */
export function checkError(error: unknown): AuthProfilesError {
  expect(isAuthProfilesError(error, 'ERR_SECRET_REF')).toBe(true)
  const typed = error as AuthProfilesError
  const inspected = inspect(typed, { depth: 10 })
  for (const value of canaries) {
    expect(typed.message).not.toContain(value)
    expect(inspected).not.toContain(value)
  }
  return typed
}

export async function rejection(promise: Promise<unknown>): Promise<AuthProfilesError> {
  try {
    await promise
  } catch (error) {
    return checkError(error)
  }
  throw new Error('expected the promise to reject')
}

export function secretFile(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name)
  writeFileSync(path, content, { mode })
  chmodSync(path, mode)
  return path
}

export function fileOptions(
  path: string,
  extra: Partial<Extract<SecretProviderConfig, { source: 'file' }>> = {},
): ResolveSecretRefOptions {
  return { secrets: { providers: { vault: { source: 'file', path, ...extra } } }, env: {} }
}

export const fileRef = (id: string): SecretRef => ({ source: 'file', provider: 'vault', id })
export const execRef = (id: string): SecretRef => ({ source: 'exec', provider: 'helper', id })

/** Writes a Node script into the temp dir; it runs as `process.execPath <script>`. */
export function script(name: string, body: string): string {
  const path = join(dir, name)
  writeFileSync(path, body)
  return path
}

/** A script that reads the request from stdin and hands it to `reply(request)`. */
export function protocolScript(name: string, reply: string): string {
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

export function execOptions(
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
export function isDead(pid: number): boolean {
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

export async function waitForDeath(pid: number, ms = 1000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (isDead(pid)) return true
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return isDead(pid)
}
