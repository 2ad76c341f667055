// Import-on-request of credentials that other tools keep in their own files (Claude Code, Codex,
// Qwen Code, GitHub Copilot, an existing Clawdbot/OpenClaw state dir). Source files are only ever
// read: nothing is written back to another tool's file.
import type { BigIntStats } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { findUnsafeKeys, formatConfigPath } from '@claw/model-catalog'
import { readCheckedFile, type CheckedFile } from '../../store/checked-file.js'
import { AuthProfilesError, formatIssues, type AuthProfilesIssue } from '../../errors.js'
import {
  assertAgentId,
  checkAgentId,
  checkProfileId,
  compareAgentIds,
  describeId,
} from '../../ids.js'
import { decideImport, expiresOf } from './import-rules.js'
import { resolveClock, resolveEnv, resolveHomeDir, type Clock, type Env } from '../../runtime.js'
import {
  clearProfileFailureState,
  loadAuthProfileStore,
  resolveAuthStoreBackend,
  updateAuthProfileStore,
  type AuthStoreOptions,
} from '../../store/store.js'
import type {
  AuthProfileCredential,
  AuthProfileStore,
  OAuthCredential,
  TokenCredential,
} from '../../types.js'

/** The tools whose credential files claw can import from. @public */
export type ExternalCliSourceId = 'claude-cli' | 'codex-cli' | 'qwen-cli' | 'copilot' | 'clawdbot'

/** One importable source, as data (for listings and help text). @public */
export interface ExternalCliSource {
  readonly id: ExternalCliSourceId
  /** Human name of the tool. */
  readonly label: string
  /** Where the file is looked for when no `path` is given (a description, `~` = home dir). */
  readonly defaultPath: string
  /** The profile the credential is imported as; `null` when the source keeps its own ids. */
  readonly profileId: string | null
  /** The provider of the imported profile; `null` when the source holds several providers. */
  readonly provider: string | null
  /** The credential type written: `oauth`, `token`, `oauth or token`, or `any`. */
  readonly credentialType: string
}

/**
 * The importable sources. Frozen data; the order is the recommended display order.
 *
 * @public
 */
export const EXTERNAL_CLI_SOURCES: readonly ExternalCliSource[] = Object.freeze(
  (
    [
      {
        id: 'claude-cli',
        label: 'Claude Code',
        defaultPath: '$CLAUDE_CONFIG_DIR/.credentials.json, else ~/.claude/.credentials.json',
        profileId: 'anthropic:claude-cli',
        provider: 'anthropic',
        credentialType: 'oauth (with a refresh token) or token',
      },
      {
        id: 'codex-cli',
        label: 'Codex CLI',
        defaultPath: '$CODEX_HOME/auth.json, else ~/.codex/auth.json',
        profileId: 'openai-codex:codex-cli',
        provider: 'openai-codex',
        credentialType: 'oauth',
      },
      {
        id: 'qwen-cli',
        label: 'Qwen Code',
        defaultPath: '~/.qwen/oauth_creds.json',
        profileId: 'qwen-portal:qwen-cli',
        provider: 'qwen-portal',
        credentialType: 'oauth',
      },
      {
        id: 'copilot',
        label: 'GitHub Copilot',
        defaultPath:
          '~/.copilot/credentials.json, else $COPILOT_GITHUB_TOKEN, $GH_TOKEN or $GITHUB_TOKEN',
        profileId: 'github-copilot:github',
        provider: 'github-copilot',
        credentialType: 'token',
      },
      {
        id: 'clawdbot',
        label: 'Clawdbot/OpenClaw',
        defaultPath:
          '$OPENCLAW_STATE_DIR, $MOLTBOT_STATE_DIR or $CLAWDBOT_STATE_DIR, else the first existing of ~/.clawdbot, ~/.moltbot, ~/.openclaw',
        profileId: null,
        provider: null,
        credentialType: 'any (each profile keeps its id)',
      },
    ] satisfies ExternalCliSource[]
  ).map((source): ExternalCliSource => Object.freeze({ ...source })),
)

/** How long a parsed source file is reused while its stat signature is unchanged (15 min). @public */
export const EXTERNAL_CLI_CACHE_TTL_MS = 15 * 60 * 1000

/** Source files larger than this (1 MiB) are refused before they are read. @public */
export const MAX_EXTERNAL_CREDENTIALS_BYTES = 1024 * 1024

/** Codex stores no expiry: without a JWT `exp` the access token is assumed to live this long. */
const CODEX_ASSUMED_TTL_MS = 60 * 60 * 1000
const MAX_CACHE_ENTRIES = 64

/** What was read from a source. @public */
export interface ExternalCredentials {
  readonly source: ExternalCliSourceId
  /** The file (or state dir) read; `env:<NAME>` when a Copilot token came from the environment. */
  readonly path: string
  /**
   * The credentials found, by target profile id. Empty when the file exists but holds no login
   * (blank file, no `claudeAiOauth`, `tokens: null`, no Copilot token, no Clawdbot profiles).
   */
  readonly profiles: Record<string, AuthProfileCredential>
}

/** A cached read. @public */
export interface ExternalCredentialsCacheEntry {
  /** `dev:ino:size:mtimeNs` of the file(s) when they were parsed. */
  readonly signature: string
  /** Clock time of the read (epoch ms). */
  readonly readAt: number
  readonly value: ExternalCredentials
}

/** Parsed reads keyed by source and path. Pass your own map to isolate tests. @public */
export type ExternalCredentialsCache = Map<string, ExternalCredentialsCacheEntry>

const defaultCache: ExternalCredentialsCache = new Map()

/** @public */
export interface ResolveExternalCliPathOptions {
  readonly source: ExternalCliSourceId
  /** Default `os.homedir()`. */
  readonly homeDir?: string
  /** Default `process.env`. */
  readonly env?: Env
}

/** @public */
export interface ReadExternalCredentialsOptions extends ResolveExternalCliPathOptions {
  /** Read this file (or, for `clawdbot`, this state dir) instead of the default location. */
  readonly path?: string
  /** `clawdbot` only: read just `agents/<agentId>/agent` instead of every agent. */
  readonly agentId?: string
  /** Clock for the cache TTL; default `Date.now`. */
  readonly now?: Clock
  /** The read cache; default a shared in-process map. `false` disables caching. */
  readonly cache?: ExternalCredentialsCache | false
  /** Cache time-to-live; default {@link EXTERNAL_CLI_CACHE_TTL_MS}. */
  readonly ttlMs?: number
}

function sourceInfo(source: unknown): ExternalCliSource {
  const found = EXTERNAL_CLI_SOURCES.find((entry) => entry.id === source)
  if (!found) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      `Unknown external credential source ${describeId(source)}; expected one of ${EXTERNAL_CLI_SOURCES.map((entry) => entry.id).join(', ')}.`,
    )
  }
  return found
}

function expandPath(raw: string, homeDir: string, label: string): string {
  if (raw.includes('\u0000')) {
    throw new AuthProfilesError('ERR_INVALID_ARGUMENT', `${label} contains a NUL byte.`)
  }
  let path = raw
  if (path === '~') path = homeDir
  else if (path.startsWith('~/')) path = join(homeDir, path.slice(2))
  return isAbsolute(path) ? path : resolve(path)
}

function envDir(env: Env, name: string, homeDir: string): string | undefined {
  const value = env[name]?.trim()
  return value ? expandPath(value, homeDir, name) : undefined
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

const CLAWDBOT_STATE_DIR_ENV = ['OPENCLAW_STATE_DIR', 'MOLTBOT_STATE_DIR', 'CLAWDBOT_STATE_DIR']
const CLAWDBOT_STATE_DIR_NAMES = ['.clawdbot', '.moltbot', '.openclaw']

function clawdbotEnvDir(env: Env, homeDir: string): string | undefined {
  for (const name of CLAWDBOT_STATE_DIR_ENV) {
    const dir = envDir(env, name, homeDir)
    if (dir) return dir
  }
  return undefined
}

/** The explicit `path`, else the default location (for `clawdbot`: the first existing dir). */
async function resolveSourcePath(options: ReadExternalCredentialsOptions): Promise<string> {
  const homeDir = resolveHomeDir(options)
  if (options.path !== undefined) {
    if (typeof options.path !== 'string' || options.path.trim() === '') {
      throw new AuthProfilesError('ERR_INVALID_ARGUMENT', 'path must be a non-empty string.')
    }
    return expandPath(options.path, homeDir, 'path')
  }
  if (options.source !== 'clawdbot' || clawdbotEnvDir(resolveEnv(options), homeDir)) {
    return resolveExternalCliPath(options)
  }
  for (const name of CLAWDBOT_STATE_DIR_NAMES) {
    const dir = join(homeDir, name)
    if (await exists(dir)) return dir
  }
  return resolveExternalCliPath(options)
}

/**
 * The default location of a source's file: `$CLAUDE_CONFIG_DIR/.credentials.json` or
 * `~/.claude/.credentials.json`, `$CODEX_HOME/auth.json` or `~/.codex/auth.json`,
 * `~/.qwen/oauth_creds.json`, `~/.copilot/credentials.json`; for `clawdbot` the state dir named by
 * `OPENCLAW_STATE_DIR` / `MOLTBOT_STATE_DIR` / `CLAWDBOT_STATE_DIR`, else `~/.clawdbot` (the
 * reader also tries `~/.moltbot` and `~/.openclaw` when that does not exist). Environment values
 * are trimmed, `~` is expanded and relative paths are made absolute.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ARGUMENT` for an unknown source or a NUL byte.
 * @public
 */
export function resolveExternalCliPath(options: ResolveExternalCliPathOptions): string {
  const source = sourceInfo(options.source).id
  const homeDir = resolveHomeDir(options)
  const env = resolveEnv(options)
  switch (source) {
    case 'claude-cli':
      return join(
        envDir(env, 'CLAUDE_CONFIG_DIR', homeDir) ?? join(homeDir, '.claude'),
        '.credentials.json',
      )
    case 'codex-cli':
      return join(envDir(env, 'CODEX_HOME', homeDir) ?? join(homeDir, '.codex'), 'auth.json')
    case 'qwen-cli':
      return join(homeDir, '.qwen', 'oauth_creds.json')
    case 'copilot':
      return join(homeDir, '.copilot', 'credentials.json')
    case 'clawdbot':
      return clawdbotEnvDir(env, homeDir) ?? join(homeDir, '.clawdbot')
  }
}

// ---------------------------------------------------------------------------------------------
// Reading files

function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error'
}

function signatureOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}`
}

/**
 * Reads a source file through the shared checked read: never blocking on a FIFO, checked with
 * `fstat` on the opened descriptor (a regular file under the size cap) before anything is read.
 * Symlinks are followed (dotfile managers link these files). `undefined` when the file does not
 * exist. A file claw refuses is an `ERR_INVALID_ARGUMENT` naming it.
 */
async function readSourceFileText(path: string, label: string): Promise<CheckedFile | undefined> {
  try {
    return await readCheckedFile(path, {
      label: `The ${label} credentials file`,
      maxBytes: MAX_EXTERNAL_CREDENTIALS_BYTES,
      followSymlinks: true,
    })
  } catch (error) {
    if (!AuthProfilesError.isInstance(error)) throw error
    const errno = (error.cause as NodeJS.ErrnoException | undefined)?.code
    if (errno === 'ENOTDIR') return undefined
    if (error.code === 'ERR_STORE_READ') throw error
    throw new AuthProfilesError('ERR_INVALID_ARGUMENT', error.message, {
      ...(error.path === undefined ? {} : { path: error.path }),
      issues: error.issues,
    })
  }
}

function invalidFile(
  label: string,
  path: string,
  issues: readonly AuthProfilesIssue[],
): AuthProfilesError {
  return new AuthProfilesError(
    'ERR_INVALID_ARGUMENT',
    `Invalid ${label} credentials file ${path}:\n${formatIssues(issues)}\nThe file was not changed.`,
    { path, issues },
  )
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset)
  return `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`
}

/**
 * `JSON.parse` whose errors never carry the text: V8 quotes a snippet of the input (possibly a
 * secret) in its messages, so only the position is kept and the original error is dropped.
 */
function parseSourceJson(text: string, path: string, label: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text) as unknown
  } catch (error) {
    const message = error instanceof Error ? error.message : ''
    const position = /position (\d+)/.exec(message)?.[1]
    const where =
      position !== undefined
        ? lineAndColumn(text, Number(position))
        : /end of JSON input/.test(message)
          ? 'the end of the file (truncated?)'
          : 'an unknown position'
    throw invalidFile(label, path, [
      { path: '(root)', message: `not valid JSON (syntax error at ${where})` },
    ])
  }
  const unsafe = findUnsafeKeys(value)
  if (unsafe.length > 0) throw invalidFile(label, path, unsafe)
  return value
}

// ---------------------------------------------------------------------------------------------
// Field checks (messages describe the expected shape and the JSON type found, never a value)

type Json = Record<string, unknown>

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

class FieldReader {
  readonly issues: AuthProfilesIssue[] = []

  private issue(segments: readonly PropertyKey[], message: string): void {
    this.issues.push({ path: formatConfigPath(segments), message })
  }

  /** A string field; `null`, `""` and absence count as missing. */
  string(
    object: Json,
    key: string,
    segments: readonly PropertyKey[],
    required: boolean,
  ): string | undefined {
    const value = object[key]
    if (value === undefined || value === null || value === '') {
      if (required) this.issue([...segments, key], 'is required (a non-empty string)')
      return undefined
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.issue([...segments, key], `must be a non-empty string (found ${jsonKind(value)})`)
      return undefined
    }
    return value
  }

  /** A positive finite number (epoch milliseconds). */
  epochMs(object: Json, key: string, segments: readonly PropertyKey[]): number | undefined {
    const value = object[key]
    if (value === undefined || value === null) {
      this.issue([...segments, key], 'is required (a positive number of epoch milliseconds)')
      return undefined
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      this.issue(
        [...segments, key],
        typeof value === 'number'
          ? 'must be a positive number of epoch milliseconds'
          : `must be a positive number of epoch milliseconds (found ${jsonKind(value)})`,
      )
      return undefined
    }
    return value
  }

  /** An optional RFC 3339 timestamp, as epoch milliseconds. */
  timestamp(object: Json, key: string, segments: readonly PropertyKey[]): number | undefined {
    const value = object[key]
    if (value === undefined || value === null) return undefined
    const parsed =
      typeof value === 'string' &&
      /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value)
        ? Date.parse(value.replace(' ', 'T'))
        : Number.NaN
    if (!Number.isFinite(parsed)) {
      this.issue([...segments, key], `must be an RFC 3339 timestamp (found ${jsonKind(value)})`)
      return undefined
    }
    return parsed
  }

  /** An object field; `null` and absence give `undefined` without an issue. */
  object(object: Json, key: string, segments: readonly PropertyKey[]): Json | undefined | false {
    const value = object[key]
    if (value === undefined || value === null) return undefined
    if (!isRecord(value)) {
      this.issue([...segments, key], `must be an object (found ${jsonKind(value)})`)
      return false
    }
    return value
  }

  root(value: unknown): Json | undefined {
    if (isRecord(value)) return value
    this.issue([], `must be a JSON object (found ${jsonKind(value)})`)
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// Source formats

interface ParseContext {
  readonly path: string
  readonly label: string
  readonly stats: BigIntStats
}

type Profiles = Record<string, AuthProfileCredential>

function finish(reader: FieldReader, context: ParseContext, profiles: Profiles): Profiles {
  if (reader.issues.length > 0) throw invalidFile(context.label, context.path, reader.issues)
  return profiles
}

/** `{ claudeAiOauth: { accessToken, refreshToken?, expiresAt } }` → `anthropic:claude-cli`. */
function parseClaude(raw: unknown, context: ParseContext): Profiles {
  const reader = new FieldReader()
  const root = reader.root(raw)
  if (!root) return finish(reader, context, {})
  const oauth = reader.object(root, 'claudeAiOauth', [])
  if (!oauth) return finish(reader, context, {})
  const segments = ['claudeAiOauth']
  const access = reader.string(oauth, 'accessToken', segments, true)
  const refresh = reader.string(oauth, 'refreshToken', segments, false)
  const expires = reader.epochMs(oauth, 'expiresAt', segments)
  if (access === undefined || expires === undefined) return finish(reader, context, {})
  const credential: AuthProfileCredential =
    refresh === undefined
      ? { type: 'token', provider: 'anthropic', token: access, expires }
      : { type: 'oauth', provider: 'anthropic', access, refresh, expires }
  return finish(reader, context, { 'anthropic:claude-cli': credential })
}

type DecodeJwt = (token: string) => Record<string, unknown>
let decodeJwtFunction: DecodeJwt | undefined

/** jose's `decodeJwt`, loaded on first use (most applications never import Codex credentials). */
async function loadDecodeJwt(): Promise<DecodeJwt> {
  decodeJwtFunction ??= (await import('jose')).decodeJwt
  return decodeJwtFunction
}

/** The JWT payload of a token, or `undefined` when it is not a decodable JWT. */
function jwtPayload(decode: DecodeJwt, token: string): Record<string, unknown> | undefined {
  try {
    return decode(token)
  } catch {
    return undefined
  }
}

/**
 * `{ tokens: { access_token, refresh_token, account_id? }, last_refresh? }` →
 * `openai-codex:codex-cli`. Expiry: the access token's JWT `exp`, else `last_refresh + 1h`, else
 * the file's mtime + 1h.
 */
async function parseCodex(raw: unknown, context: ParseContext): Promise<Profiles> {
  const reader = new FieldReader()
  const root = reader.root(raw)
  if (!root) return finish(reader, context, {})
  const lastRefresh = reader.timestamp(root, 'last_refresh', [])
  const tokens = reader.object(root, 'tokens', [])
  if (!tokens) return finish(reader, context, {})
  const access = reader.string(tokens, 'access_token', ['tokens'], true)
  const refresh = reader.string(tokens, 'refresh_token', ['tokens'], true)
  const accountField = reader.string(tokens, 'account_id', ['tokens'], false)
  if (access === undefined || refresh === undefined || reader.issues.length > 0) {
    return finish(reader, context, {})
  }
  const payload = jwtPayload(await loadDecodeJwt(), access)
  const exp = payload?.['exp']
  const mtimeMs = Number(context.stats.mtimeNs / 1_000_000n)
  const expires =
    typeof exp === 'number' && Number.isFinite(exp) && exp > 0
      ? exp * 1000
      : (lastRefresh ?? mtimeMs) + CODEX_ASSUMED_TTL_MS
  const authClaim = payload?.['https://api.openai.com/auth']
  const claimAccount = isRecord(authClaim) ? authClaim['chatgpt_account_id'] : undefined
  const accountId =
    accountField ??
    (typeof claimAccount === 'string' && claimAccount.trim() !== '' ? claimAccount : undefined)
  const credential: OAuthCredential = {
    type: 'oauth',
    provider: 'openai-codex',
    access,
    refresh,
    expires,
    ...(accountId === undefined ? {} : { accountId }),
  }
  return { 'openai-codex:codex-cli': credential }
}

/** `{ access_token, refresh_token, expiry_date }` (all required) → `qwen-portal:qwen-cli`. */
function parseQwen(raw: unknown, context: ParseContext): Profiles {
  const reader = new FieldReader()
  const root = reader.root(raw)
  if (!root) return finish(reader, context, {})
  const access = reader.string(root, 'access_token', [], true)
  const refresh = reader.string(root, 'refresh_token', [], true)
  const expires = reader.epochMs(root, 'expiry_date', [])
  if (access === undefined || refresh === undefined || expires === undefined) {
    return finish(reader, context, {})
  }
  return finish(reader, context, {
    'qwen-portal:qwen-cli': { type: 'oauth', provider: 'qwen-portal', access, refresh, expires },
  })
}

const COPILOT_TOKEN_KEYS = ['token', 'oauth_token', 'github_token'] as const
const COPILOT_ENV_KEYS = ['COPILOT_GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_TOKEN'] as const

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

function normalizeHost(host: unknown): string | undefined {
  if (typeof host !== 'string') return undefined
  return host
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
}

/**
 * A GitHub token from Copilot's credentials file, whose format is not documented: a top-level
 * `token` / `oauth_token` / `github_token`, or hosts (an array of `{ host | hostname, oauth_token }`
 * or a map `{ "<host>": { oauth_token } }`, at the top level or under `hosts`), github.com first.
 * Fields of other shapes are ignored rather than rejected.
 */
function copilotTokenFromJson(root: unknown): string | undefined {
  if (isRecord(root)) {
    for (const key of COPILOT_TOKEN_KEYS) {
      const token = nonEmptyString(root[key])
      if (token) return token
    }
  }
  const hostsValue = isRecord(root) && 'hosts' in root ? root['hosts'] : root
  const hosts: { host: string | undefined; token: string | undefined }[] = []
  if (Array.isArray(hostsValue)) {
    for (const entry of hostsValue) {
      if (!isRecord(entry)) continue
      hosts.push({
        host: normalizeHost(entry['host'] ?? entry['hostname'] ?? entry['domain']),
        token: nonEmptyString(entry['oauth_token']),
      })
    }
  } else if (isRecord(hostsValue)) {
    for (const [host, entry] of Object.entries(hostsValue)) {
      if (!isRecord(entry)) continue
      hosts.push({ host: normalizeHost(host), token: nonEmptyString(entry['oauth_token']) })
    }
  }
  const withToken = hosts.filter((entry) => entry.token !== undefined)
  return (withToken.find((entry) => entry.host === 'github.com') ?? withToken[0])?.token
}

function copilotProfiles(token: string): Profiles {
  const credential: TokenCredential = { type: 'token', provider: 'github-copilot', token }
  return { 'github-copilot:github': credential }
}

function copilotFromEnv(env: Env): ExternalCredentials | undefined {
  for (const name of COPILOT_ENV_KEYS) {
    const token = nonEmptyString(env[name])
    if (token) return { source: 'copilot', path: `env:${name}`, profiles: copilotProfiles(token) }
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Cache

function cacheKey(source: ExternalCliSourceId, path: string, agentId: string | undefined): string {
  return `${source}\u0000${path}\u0000${agentId ?? ''}`
}

function cloneCredentials(value: ExternalCredentials): ExternalCredentials {
  return { source: value.source, path: value.path, profiles: structuredClone(value.profiles) }
}

function cacheGet(
  cache: ExternalCredentialsCache | undefined,
  key: string,
  signature: string,
  now: number,
  ttlMs: number,
): ExternalCredentials | undefined {
  if (!cache) return undefined
  const entry = cache.get(key)
  if (!entry) return undefined
  if (entry.signature !== signature || now - entry.readAt >= ttlMs || now < entry.readAt) {
    cache.delete(key)
    return undefined
  }
  return cloneCredentials(entry.value)
}

function cacheSet(
  cache: ExternalCredentialsCache | undefined,
  key: string,
  signature: string,
  now: number,
  value: ExternalCredentials,
): void {
  if (!cache) return
  cache.delete(key)
  while (cache.size >= MAX_CACHE_ENTRIES) {
    const oldest = cache.keys().next()
    if (oldest.done) break
    cache.delete(oldest.value)
  }
  cache.set(key, { signature, readAt: now, value: cloneCredentials(value) })
}

// ---------------------------------------------------------------------------------------------
// Clawdbot / OpenClaw state dir

/** Agents ids under `<stateDir>/agents` with a store file, `main` first, then by name. */
async function clawdbotStoreFiles(
  stateDir: string,
  agentId: string | undefined,
): Promise<{ agentId: string; agentDir: string; stats: BigIntStats }[] | undefined> {
  const agentsDir = join(stateDir, 'agents')
  let ids: string[]
  if (agentId !== undefined) {
    assertAgentId(agentId)
    ids = [agentId]
  } else {
    try {
      const entries = await readdir(agentsDir, { withFileTypes: true })
      ids = entries
        .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
        .map((entry) => entry.name)
        .filter((name) => checkAgentId(name) === undefined)
    } catch (error) {
      const code = errnoCode(error)
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
      throw new AuthProfilesError('ERR_STORE_READ', `Could not list ${agentsDir} (${code}).`, {
        path: agentsDir,
        cause: error,
      })
    }
    ids.sort(compareAgentIds)
  }
  const files: { agentId: string; agentDir: string; stats: BigIntStats }[] = []
  for (const id of ids) {
    const agentDir = join(agentsDir, id, 'agent')
    try {
      files.push({
        agentId: id,
        agentDir,
        stats: await stat(join(agentDir, 'auth-profiles.json'), { bigint: true }),
      })
    } catch (error) {
      const code = errnoCode(error)
      if (code === 'ENOENT' || code === 'ENOTDIR') continue
      throw new AuthProfilesError(
        'ERR_STORE_READ',
        `Could not inspect ${join(agentDir, 'auth-profiles.json')} (${code}).`,
        { path: join(agentDir, 'auth-profiles.json'), cause: error },
      )
    }
  }
  return files.length > 0 ? files : undefined
}

/** Which of two credentials for the same id to keep: oauth over token, then the later expiry. */
function preferred(a: AuthProfileCredential, b: AuthProfileCredential): AuthProfileCredential {
  if (a.type === 'oauth' && b.type !== 'oauth') return a
  if (b.type === 'oauth' && a.type !== 'oauth') return b
  return expiresOf(b) > expiresOf(a) ? b : a
}

async function readClawdbot(
  stateDir: string,
  options: ReadExternalCredentialsOptions,
  cache: ExternalCredentialsCache | undefined,
  now: number,
  ttlMs: number,
): Promise<ExternalCredentials | undefined> {
  const files = await clawdbotStoreFiles(stateDir, options.agentId)
  if (!files) return undefined
  const key = cacheKey('clawdbot', stateDir, options.agentId)
  const signature = files.map((file) => `${file.agentId}=${signatureOf(file.stats)}`).join(',')
  const cached = cacheGet(cache, key, signature, now, ttlMs)
  if (cached) return cached
  const profiles: Profiles = {}
  for (const file of files) {
    let store: AuthProfileStore
    try {
      store = await loadAuthProfileStore({
        agentDir: file.agentDir,
        mainAgentDir: null,
        followSymlinks: true,
        maxBytes: MAX_EXTERNAL_CREDENTIALS_BYTES,
        legacyOAuthPath: join(stateDir, 'credentials', 'oauth.json'),
        ...(options.env === undefined ? {} : { env: options.env }),
      })
    } catch (error) {
      if (AuthProfilesError.isInstance(error) && error.code !== 'ERR_STORE_READ') {
        throw new AuthProfilesError('ERR_INVALID_ARGUMENT', error.message, {
          ...(error.path === undefined ? {} : { path: error.path }),
          issues: error.issues,
          cause: error,
        })
      }
      throw error
    }
    for (const [profileId, stored] of Object.entries(store.profiles)) {
      const { generation: _generation, status: _status, ...credential } = stored
      const incoming = credential as AuthProfileCredential
      const previous = profiles[profileId]
      profiles[profileId] = previous ? preferred(previous, incoming) : incoming
    }
  }
  const value: ExternalCredentials = { source: 'clawdbot', path: stateDir, profiles }
  cacheSet(cache, key, signature, now, value)
  return value
}

// ---------------------------------------------------------------------------------------------
// Public reader

/**
 * Reads one source's credentials, converted to claw profiles (nothing is written anywhere).
 *
 * - Files are opened without blocking (a FIFO fails at once), must be regular files of at most
 *   {@link MAX_EXTERNAL_CREDENTIALS_BYTES}, and are parsed strictly; prototype-poisoning keys
 *   (`__proto__`, `prototype`, `constructor.…`) are rejected.
 * - Results are cached per source and path for `ttlMs` (15 min) while the file's
 *   `dev:ino:size:mtime` signature is unchanged; a hit costs one `stat` and reads no content.
 * - `copilot` falls back to `COPILOT_GITHUB_TOKEN` → `GH_TOKEN` → `GITHUB_TOKEN` when the file is
 *   absent or holds no token (`path` is then `env:<NAME>`).
 *
 * Returns `undefined` when the file (for `clawdbot`: any agent store) does not exist.
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ARGUMENT` for an unknown source, a malformed file (the
 *   message and `issues` name the path and JSON path, never a value), a non-regular or oversized
 *   file; `ERR_STORE_READ` for I/O errors; `ERR_INVALID_ID` for an invalid `agentId`.
 * @example
 * ```ts
 * const found = await readExternalCredentials({ source: 'claude-cli' })
 * if (found) console.log(Object.keys(found.profiles)) // ['anthropic:claude-cli']
 * ```
 * @public
 */
export async function readExternalCredentials(
  options: ReadExternalCredentialsOptions,
): Promise<ExternalCredentials | undefined> {
  const info = sourceInfo(options.source)
  const path = await resolveSourcePath(options)
  const now = resolveClock(options)()
  const cache = options.cache === false ? undefined : (options.cache ?? defaultCache)
  const ttlMs = options.ttlMs ?? EXTERNAL_CLI_CACHE_TTL_MS
  if (info.id === 'clawdbot') return readClawdbot(path, options, cache, now, ttlMs)

  const value = await readSourceFile(info, path, cache, now, ttlMs)
  if (info.id === 'copilot' && (!value || Object.keys(value.profiles).length === 0)) {
    return copilotFromEnv(resolveEnv(options)) ?? value
  }
  return value
}

/**
 * A cache hit costs one `stat` (no open, no content read); a miss opens the file, re-checks it
 * with `fstat`, reads and parses it, and caches the result under the `fstat` signature.
 */
async function readSourceFile(
  info: ExternalCliSource,
  path: string,
  cache: ExternalCredentialsCache | undefined,
  now: number,
  ttlMs: number,
): Promise<ExternalCredentials | undefined> {
  const key = cacheKey(info.id, path, undefined)
  if (cache?.has(key)) {
    let stats: BigIntStats | undefined
    try {
      stats = await stat(path, { bigint: true })
    } catch {
      stats = undefined // Gone or unreadable: the open below reports it.
    }
    const cached = stats && cacheGet(cache, key, signatureOf(stats), now, ttlMs)
    if (cached) return cached
  }
  const file = await readSourceFileText(path, info.label)
  if (!file) return undefined
  const value: ExternalCredentials = {
    source: info.id,
    path,
    profiles: await parseSource(info, file.text, { path, label: info.label, stats: file.stats }),
  }
  cacheSet(cache, key, signatureOf(file.stats), now, value)
  return value
}

/** Parses a file's text for its source; a blank file holds no login. */
async function parseSource(
  info: ExternalCliSource,
  rawText: string,
  context: ParseContext,
): Promise<Profiles> {
  const text = rawText.replace(/^\uFEFF/, '')
  if (text.trim() === '') return {}
  const raw = parseSourceJson(text, context.path, context.label)
  switch (info.id) {
    case 'claude-cli':
      return parseClaude(raw, context)
    case 'codex-cli':
      return parseCodex(raw, context)
    case 'qwen-cli':
      return parseQwen(raw, context)
    case 'copilot': {
      const token = copilotTokenFromJson(raw)
      return token === undefined ? {} : copilotProfiles(token)
    }
    case 'clawdbot':
      return {}
  }
}

// ---------------------------------------------------------------------------------------------
// Import

/**
 * Why a profile was not imported:
 * - `api_key`: the stored profile is an API key, which imports never overwrite;
 * - `secret_ref`: the stored `token` profile reads its secret through a `tokenRef`;
 * - `downgrade`: the stored profile is `oauth` and the source only has a `token`;
 * - `fresher`: the stored credential expires later than the source's;
 * - `identical`: the stored credential already has the source's values;
 * - `other_provider`: a profile with that id exists for another provider.
 *
 * @public
 */
export type ExternalImportSkipReason =
  'api_key' | 'secret_ref' | 'downgrade' | 'fresher' | 'identical' | 'other_provider'

/** @public */
export interface ExternalImportSkip {
  readonly profileId: string
  readonly reason: ExternalImportSkipReason
  /** One line for humans; names providers and types, never a secret. */
  readonly message: string
}

/** @public */
export interface ExternalImportResult {
  readonly source: ExternalCliSourceId
  /** The file or state dir read (`env:<NAME>` for a Copilot token from the environment). */
  readonly path: string
  /** Profiles written (or, with `dryRun`, that would be written). */
  readonly imported: string[]
  readonly skipped: ExternalImportSkip[]
  /** True when the store file was changed. Always false with `dryRun`. */
  readonly written: boolean
}

/** @public */
export type ImportExternalCredentialsOptions = AuthStoreOptions &
  Omit<ReadExternalCredentialsOptions, 'env'> & {
    /** Report what would be imported without writing anything. */
    readonly dryRun?: boolean
    /**
     * Prepended to the name part of every target id: `work-` turns `anthropic:claude-cli` into
     * `anthropic:work-claude-cli` (ids without a `:` get the prefix in front).
     */
    readonly profileIdPrefix?: string
  }

function targetId(profileId: string, prefix: string | undefined): string {
  if (!prefix) return profileId
  const colon = profileId.indexOf(':')
  const id =
    colon < 0
      ? `${prefix}${profileId}`
      : `${profileId.slice(0, colon + 1)}${prefix}${profileId.slice(colon + 1)}`
  const problem = checkProfileId(id)
  if (problem) {
    throw new AuthProfilesError(
      'ERR_INVALID_ID',
      `profileIdPrefix ${describeId(prefix)} gives the invalid profile id ${describeId(id)}: ${problem}.`,
    )
  }
  return id
}

/** Applies the import rules to `store` in place; returns the ids imported and skipped. */
function applyImport(
  store: AuthProfileStore,
  incoming: readonly (readonly [string, AuthProfileCredential])[],
  mutate: boolean,
): { imported: string[]; skipped: ExternalImportSkip[] } {
  const imported: string[] = []
  const skipped: ExternalImportSkip[] = []
  for (const [profileId, credential] of incoming) {
    const existing = Object.hasOwn(store.profiles, profileId)
      ? store.profiles[profileId]
      : undefined
    const skip = decideImport(profileId, existing, credential)
    if (skip) {
      skipped.push(skip)
      continue
    }
    imported.push(profileId)
    if (!mutate) continue
    store.profiles[profileId] = { ...credential, generation: (existing?.generation ?? 0) + 1 }
    clearProfileFailureState(store, profileId)
  }
  return { imported, skipped }
}

/**
 * Imports a source's credentials (see {@link readExternalCredentials}) into a claw store in one
 * locked read-modify-write, never touching the source file. Rules, per profile:
 *
 * - an `api_key` profile, or a `token` profile using a `tokenRef`, is never overwritten;
 * - `oauth` is never downgraded to `token`; `token` is upgraded to `oauth` when the source has a
 *   refresh token (even if the stored token expires later);
 * - a stored credential that expires later than the source copy is kept, unless it is marked
 *   `needs_reauth`;
 * - identical values are skipped; an id held by another provider is skipped;
 * - an imported profile gets `generation` = stored + 1 (so a refresh still in flight for the old
 *   credential loses its compare-and-swap) and its cooldown/disable state is cleared.
 *
 * `dryRun` reads the store (no lock, no write) and reports the same decisions.
 *
 * @throws {AuthProfilesError} `ERR_NO_CREDENTIALS` when the source file is absent or holds no
 *   login; the read errors of {@link readExternalCredentials}; `ERR_INVALID_ID` for a
 *   `profileIdPrefix` that gives an invalid id; the store's load and write errors.
 * @example
 * ```ts
 * const { imported, skipped } = await importExternalCredentials({
 *   source: 'codex-cli',
 *   agentDir: resolveAgentDir('main'),
 * })
 * ```
 * @public
 */
export async function importExternalCredentials(
  options: ImportExternalCredentialsOptions,
): Promise<ExternalImportResult> {
  const info = sourceInfo(options.source)
  const found = await readExternalCredentials(options)
  if (!found || Object.keys(found.profiles).length === 0) {
    const where = found?.path ?? (await resolveSourcePath(options))
    throw new AuthProfilesError(
      'ERR_NO_CREDENTIALS',
      found
        ? `${where} holds no ${info.label} credentials to import.`
        : `No ${info.label} credentials found at ${where}.`,
      { ...(where.startsWith('env:') ? {} : { path: where }) },
    )
  }
  const incoming = Object.entries(found.profiles).map(
    ([profileId, credential]) =>
      [targetId(profileId, options.profileIdPrefix), credential] as const,
  )
  if (options.dryRun) {
    const backend =
      'backend' in options
        ? options.backend
        : resolveAuthStoreBackend({ ...options, mainAgentDir: null })
    const store = structuredClone(await backend.load())
    return {
      source: found.source,
      path: found.path,
      ...applyImport(store, incoming, false),
      written: false,
    }
  }
  const { result, written } = await updateAuthProfileStore(options, (store) =>
    applyImport(store, incoming, true),
  )
  return { source: found.source, path: found.path, ...result, written }
}
