// Reading one source: its file (or state dir), through the cache, parsed by the source's format.
import type { BigIntStats } from 'node:fs'
import { stat } from 'node:fs/promises'
import { resolveClock, resolveEnv } from '../../runtime.js'
import type {
  ExternalCliSource,
  ExternalCredentials,
  ExternalCredentialsCache,
  ReadExternalCredentialsOptions,
} from './types.js'
import { sourceInfo } from './external-cli-sources.js'
import { resolveSourcePath } from './resolve-external-cli-path.js'
import { parseSourceJson, readSourceFileText, signatureOf } from './read-source-file.js'
import type { ParseContext, Profiles } from './field-reader.js'
import { parseClaude } from './claude-cli.js'
import { parseCodex } from './codex-cli.js'
import { parseQwen } from './qwen-cli.js'
import { copilotFromEnv, copilotProfiles, copilotTokenFromJson } from './copilot.js'
import {
  cacheGet,
  cacheKey,
  cacheSet,
  defaultCache,
  EXTERNAL_CLI_CACHE_TTL_MS,
} from './external-credentials-cache.js'
import { readClawdbot } from './clawdbot.js'

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
