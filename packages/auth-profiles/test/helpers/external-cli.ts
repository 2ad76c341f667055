// Shared setup of the external-cli tests: a temp home dir and claw agent dir per test, the tools'
// default file paths in that home, and readers that use the test's own cache.
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import {
  importExternalCredentials,
  readExternalCredentials,
  type ExternalCliSourceId,
  type ExternalCredentialsCache,
} from '../../src/credentials/external-cli/index.js'
import type { AuthProfileCredential, AuthProfileStore } from '../../src/types.js'

export const HOUR = 60 * 60 * 1000
export const T0 = Date.UTC(2026, 0, 10)

/** The dirs of one test: a temp root, a home dir in it, a claw agent dir and its store file. */
export interface ExternalCliDirs {
  root: string
  home: string
  agentDir: string
  storePath: string
  /** A fresh read cache per test. */
  cache: ExternalCredentialsCache
}

const dirs = {} as ExternalCliDirs

/** Fresh dirs for each test of the calling file (removed after it); the object is updated in place. */
export function useExternalCliDirs(): ExternalCliDirs {
  beforeEach(() => {
    dirs.root = mkdtempSync(join(tmpdir(), 'claw-external-'))
    dirs.home = join(dirs.root, 'home')
    mkdirSync(dirs.home, { recursive: true })
    dirs.agentDir = join(dirs.root, 'claw', 'agents', 'main', 'agent')
    dirs.storePath = join(dirs.agentDir, 'auth-profiles.json')
    dirs.cache = new Map()
  })
  afterEach(() => {
    rmSync(dirs.root, { recursive: true, force: true })
  })
  return dirs
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

export function writeJson(path: string, value: unknown): string {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2), {
    mode: 0o600,
  })
  return path
}

export function writeStore(profiles: Record<string, AuthProfileCredential>, extra = {}): void {
  writeJson(dirs.storePath, { version: 1, profiles, ...extra })
}

export function readStore(): AuthProfileStore {
  return JSON.parse(readFileSync(dirs.storePath, 'utf8')) as AuthProfileStore
}

export function base64url(value: string): string {
  return Buffer.from(value).toString('base64url')
}

/** An unsigned JWT whose payload encodes with both `-` and `_` (base64url-only characters). */
export function craftJwt(claims: Record<string, unknown>): string {
  for (let i = 0; i < 500; i += 1) {
    const payload = base64url(JSON.stringify({ ...claims, pad: `${'?'.repeat(i)}>~\u00ff` }))
    if (payload.includes('-') && payload.includes('_')) {
      return `${base64url('{"alg":"none","typ":"JWT"}')}.${payload}.sig`
    }
  }
  throw new Error('could not craft a JWT with - and _')
}

export const claudePath = (): string => join(dirs.home, '.claude', '.credentials.json')
export const codexPath = (): string => join(dirs.home, '.codex', 'auth.json')
export const qwenPath = (): string => join(dirs.home, '.qwen', 'oauth_creds.json')
export const copilotPath = (): string => join(dirs.home, '.copilot', 'credentials.json')

export function read(source: ExternalCliSourceId, extra: Record<string, unknown> = {}) {
  return readExternalCredentials({
    source,
    homeDir: dirs.home,
    env: {},
    cache: dirs.cache,
    ...extra,
  })
}

export function importFrom(source: ExternalCliSourceId, extra: Record<string, unknown> = {}) {
  return importExternalCredentials({
    source,
    agentDir: dirs.agentDir,
    homeDir: dirs.home,
    env: {},
    cache: dirs.cache,
    ...extra,
  })
}
