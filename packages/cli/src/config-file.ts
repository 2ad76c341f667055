// Loading and writing the config file (`<state>/claw.json`, JSON5). The raw document (with its
// `${VAR}` references intact) is what config-writing commands edit; the validated, substituted
// config is what everything else reads.
import { lstatSync, readFileSync } from 'node:fs'
import { chmod, copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  parseAuthProfilesConfig,
  withFileLock,
  writePrivateFileAtomic,
  type ClawConfig,
} from '@claw/auth-profiles'
import { parseCatalogConfig, substituteEnvVars } from '@claw/model-catalog'
import type { ConfigValidationCache } from './config-cache.js'
import { invalidStateError } from './errors.js'
import { pathExistsSync } from './fs-exists.js'

/** Config file names looked up in the state dir, in order (the first one that exists wins). */
export const CONFIG_FILENAMES = ['claw.json', 'clawdbot.json', 'moltbot.json'] as const

/** Larger config files are refused (a config is a few KB; this guards against mistakes). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024

export interface LoadedConfig {
  /** Absolute path of the config file (which may not exist yet). */
  readonly path: string
  readonly exists: boolean
  /** The document as written, `${VAR}` references intact; `{}` when the file does not exist. */
  readonly raw: Record<string, unknown>
  /** Validated, with `${VAR}` substituted. */
  readonly config: ClawConfig
}

/** `CLAW_CONFIG_PATH`, else the first existing `claw.json`/`clawdbot.json`/`moltbot.json`. */
export function resolveConfigPath(
  stateDir: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const override = env['CLAW_CONFIG_PATH']?.trim()
  if (override) return override
  for (const name of CONFIG_FILENAMES) {
    const candidate = join(stateDir, name)
    if (pathExistsSync(candidate)) return candidate
  }
  return join(stateDir, CONFIG_FILENAMES[0])
}

/** Reads and parses the raw document; `undefined` when the file does not exist. */
export async function readRawConfig(path: string): Promise<Record<string, unknown> | undefined> {
  let stats
  try {
    stats = lstatSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw invalidStateError(`Cannot read config ${path} (${errnoCode(error)}).`, error)
  }
  if (!stats.isFile() && !stats.isSymbolicLink()) {
    throw invalidStateError(`Config ${path} is not a regular file.`)
  }
  if (stats.size > MAX_CONFIG_BYTES) {
    throw invalidStateError(`Config ${path} is larger than ${MAX_CONFIG_BYTES} bytes.`)
  }
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw invalidStateError(`Cannot read config ${path} (${errnoCode(error)}).`, error)
  }
  if (text.trim() === '') return {}
  let value: unknown
  try {
    // Most configs are plain JSON: parse them without loading JSON5.
    value = JSON.parse(text)
  } catch {
    const { default: JSON5 } = await import('json5')
    try {
      value = JSON5.parse(text)
    } catch (error) {
      throw invalidStateError(syntaxErrorMessage(path, error), error)
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidStateError(`Invalid config at ${path}\n- <root>: expected an object`)
  }
  return value as Record<string, unknown>
}

// JSON5's messages quote the offending character; name the position only (it may be a secret's).
function syntaxErrorMessage(path: string, error: unknown): string {
  const { lineNumber, columnNumber, message } = error as {
    lineNumber?: number
    columnNumber?: number
    message?: string
  }
  const kind = /end of input/i.test(message ?? '') ? 'unexpected end of input' : 'syntax error'
  const where = lineNumber === undefined ? '' : `:${lineNumber}:${columnNumber ?? 0}`
  return `Invalid config at ${path}${where}: JSON5 ${kind}${where ? ` at line ${lineNumber}, column ${columnNumber ?? 0}` : ''}.`
}

function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error'
}

/**
 * Validates a raw document: unsafe keys, `${VAR}` substitution, then the config schemas. With a
 * `cache`, a document that validated before (same path, same content after substitution, same claw
 * version) is not validated again.
 */
export async function validateConfig(
  raw: Record<string, unknown>,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  cache?: ConfigValidationCache,
): Promise<ClawConfig> {
  const substituted = substituteEnvVars(raw, { env })
  if (cache?.has(path, substituted)) return substituted
  await parseCatalogConfig(substituted, { source: path })
  await parseAuthProfilesConfig(substituted, { source: path })
  await cache?.add(path, substituted)
  return substituted
}

/** Resolves, reads and validates the config file of a state dir. */
export async function loadConfigFile(
  stateDir: string,
  env: Readonly<Record<string, string | undefined>>,
  cache?: ConfigValidationCache,
): Promise<LoadedConfig> {
  const path = resolveConfigPath(stateDir, env)
  const raw = await readRawConfig(path)
  // No file: nothing to validate (and the schemas, with zod, are not loaded at all).
  if (raw === undefined) return { path, exists: false, raw: {}, config: {} }
  try {
    return { path, exists: true, raw, config: await validateConfig(raw, path, env, cache) }
  } catch (error) {
    throw invalidStateError(error instanceof Error ? error.message : String(error), error)
  }
}

/**
 * Read-modify-write of the raw document under the config's file lock (`<config>.lock`, the same
 * lock mechanism as the credential store), so concurrent claw commands never lose an edit:
 * re-reads the file, applies `edit`, validates the result and writes it atomically (0600),
 * keeping the previous file as `<name>.bak`. Comments in a JSON5 file are not preserved (the file
 * is written as JSON, which JSON5 reads).
 */
export async function updateConfigFile(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  edit: (raw: Record<string, unknown>) => void,
): Promise<Record<string, unknown>> {
  return withFileLock(path, async (lock) => {
    const current = await readRawConfig(path)
    const next = structuredClone(current ?? {})
    edit(next)
    try {
      await validateConfig(next, path, env)
    } catch (error) {
      throw invalidStateError(error instanceof Error ? error.message : String(error), error)
    }
    lock.assertHeld()
    if (current !== undefined) {
      await copyFile(path, `${path}.bak`)
      await chmod(`${path}.bak`, 0o600)
    }
    await writePrivateFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`, { env })
    return next
  })
}
