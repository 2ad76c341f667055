// Loading and writing the config file (`<state>/claw.json`, JSON5). The raw document (with its
// `${VAR}` references intact) is what config-writing commands edit; the validated, substituted
// config is what everything else reads.
import type { BigIntStats } from 'node:fs'
import { join } from 'node:path'
import {
  findDuplicateJsonKeys,
  parseAuthProfilesConfig,
  readCheckedFile,
  strictModesProblem,
  withFileLock,
  writePrivateFileAtomic,
  type ClawConfig,
} from '@claw/auth-profiles'
import { formatConfigPath, parseCatalogConfig, substituteEnvVars } from '@claw/model-catalog'
import type { ConfigValidationCache } from './config-cache.js'
import { invalidStateError } from './errors.js'
import { pathExistsSync } from './fs-exists.js'
import { isRecord } from './json-object.js'

/** Config file names looked up in the state dir, in order (the first one that exists wins). */
export const CONFIG_FILENAMES = ['claw.json', 'clawdbot.json', 'moltbot.json'] as const

/** Larger config files are refused (a config is a few KB; this guards against mistakes). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024

/**
 * The environment variable that lets claw run exec secret providers from a config file other
 * users could change (see {@link checkConfigTrust}).
 */
export const ALLOW_INSECURE_CONFIG_ENV = 'CLAW_ALLOW_INSECURE_CONFIG'

export interface LoadedConfig {
  /** Absolute path of the config file (which may not exist yet). */
  readonly path: string
  readonly exists: boolean
  /** The document as written, `${VAR}` references intact; `{}` when the file does not exist. */
  readonly raw: Record<string, unknown>
  /** Validated, with `${VAR}` substituted. */
  readonly config: ClawConfig
}

/** The config file as read: its parsed document, its text and the `fstat` of what was read. */
interface ConfigDocument {
  readonly raw: Record<string, unknown>
  readonly text: string
  readonly stats: BigIntStats
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

/**
 * Reads and parses the config through the shared checked read (opened once, `fstat`-checked:
 * a regular file under the size cap, strict UTF-8); `undefined` when the file does not exist. A
 * key written twice in one object is an error naming its path: the parsers would keep the last
 * one silently, and the next write would drop the other.
 */
async function readConfigDocument(path: string): Promise<ConfigDocument | undefined> {
  let file
  try {
    file = await readCheckedFile(path, {
      label: 'Config file',
      maxBytes: MAX_CONFIG_BYTES,
      followSymlinks: true,
      keepByteOrderMark: true,
    })
  } catch (error) {
    throw invalidStateError((error as Error).message, error)
  }
  if (!file) return undefined
  const { text, stats } = file
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  if (body.trim() === '') return { raw: {}, text, stats }
  let value: unknown
  let json5 = false
  try {
    // Most configs are plain JSON: parse them without loading JSON5.
    value = JSON.parse(body)
  } catch {
    const { default: JSON5 } = await import('json5')
    json5 = true
    try {
      value = JSON5.parse(body)
    } catch (error) {
      throw invalidStateError(syntaxErrorMessage(path, error), error)
    }
  }
  if (!isRecord(value)) {
    throw invalidStateError(`Invalid config at ${path}\n- <root>: expected an object`)
  }
  const duplicates = findDuplicateJsonKeys(body, { json5 })
  if (duplicates.length > 0) {
    const lines = duplicates.map(
      (keys) =>
        `- ${formatConfigPath(keys)}: this key appears more than once in its object; keep one`,
    )
    throw invalidStateError(`Invalid config at ${path}\n${lines.join('\n')}`)
  }
  return { raw: value, text, stats }
}

/** Reads and parses the raw document; `undefined` when the file does not exist. */
export async function readRawConfig(path: string): Promise<Record<string, unknown> | undefined> {
  return (await readConfigDocument(path))?.raw
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

/** Whether the document declares an exec secret provider (a command claw would run). */
function definesExecProviders(raw: Record<string, unknown>): boolean {
  const secrets = raw['secrets']
  const providers = isRecord(secrets) ? secrets['providers'] : undefined
  if (!isRecord(providers)) return false
  return Object.values(providers).some((entry) => isRecord(entry) && entry['source'] === 'exec')
}

/**
 * A config that declares exec secret providers decides which commands claw runs, so it must be
 * trusted the way OpenSSH's StrictModes trusts its files: owned by the current user or root, not
 * writable by group or others, in directories of the same kind. `CLAW_ALLOW_INSECURE_CONFIG=1`
 * overrides it (the config itself cannot: whoever could change it could add the override).
 */
async function checkConfigTrust(
  path: string,
  document: ConfigDocument,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  if (!definesExecProviders(document.raw) || env[ALLOW_INSECURE_CONFIG_ENV] === '1') return
  const problem = await strictModesProblem(path, document.stats)
  if (problem === undefined) return
  throw invalidStateError(
    `Config ${path} defines exec secret providers (commands claw runs), but ${problem}. Fix the permissions, or set ${ALLOW_INSECURE_CONFIG_ENV}=1 to use it anyway.`,
  )
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
  const substituted = substituteEnvVars(raw, { env, source: path })
  if (await cache?.has(path, substituted)) return substituted
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
  const document = await readConfigDocument(path)
  // No file: nothing to validate (and the schemas, with zod, are not loaded at all).
  if (document === undefined) return { path, exists: false, raw: {}, config: {} }
  await checkConfigTrust(path, document, env)
  try {
    const config = await validateConfig(document.raw, path, env, cache)
    return { path, exists: true, raw: document.raw, config }
  } catch (error) {
    throw invalidStateError(error instanceof Error ? error.message : String(error), error)
  }
}

/**
 * Read-modify-write of the raw document under the config's file lock (`<config>.lock`, the same
 * lock mechanism as the credential store), so concurrent claw commands never lose an edit:
 * re-reads the file, applies `edit`, validates the result and writes it atomically (0600),
 * keeping the previous file as `<name>.bak`. Both writes go through a temp file renamed into place
 * (a symbolic link at `<name>.bak` is replaced, never followed), and each checks right before its
 * rename that the lock is still this process's: a writer that stalled past the lock's stale time
 * gives up instead of overwriting a newer edit. Comments in a JSON5 file are not preserved (the
 * file is written as JSON, which JSON5 reads).
 */
export async function updateConfigFile(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  edit: (raw: Record<string, unknown>) => void,
): Promise<Record<string, unknown>> {
  return withFileLock(path, async (lock) => {
    const current = await readConfigDocument(path)
    const next = structuredClone(current?.raw ?? {})
    edit(next)
    try {
      await validateConfig(next, path, env)
    } catch (error) {
      throw invalidStateError(error instanceof Error ? error.message : String(error), error)
    }
    if (current !== undefined)
      await writePrivateFileAtomic(`${path}.bak`, current.text, { env, lock })
    await writePrivateFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`, { env, lock })
    return next
  })
}
