import { findUnsafeKeys, formatConfigPath } from '@claw/model-catalog'
import { AuthProfilesError, formatIssues, type AuthProfilesIssue } from './errors.js'
import { checkProfileId } from './ids.js'
import { isOrdinaryValidCredential } from './credential-check.js'
import type * as Schemas from './schemas.js'
import {
  AUTH_PROFILE_FAILURE_REASONS,
  AUTH_STORE_VERSION,
  type AuthProfileCredential,
  type AuthProfileFailureReason,
  type AuthProfileStore,
  type ModelCooldown,
  type ProfileUsageStats,
} from './types.js'

/**
 * Something the loader noticed and handled without failing: an entry it dropped, a field it
 * ignored, a store written by a newer version, a file readable by others.
 *
 * @public
 */
export interface StoreDiagnostic {
  readonly code:
    | 'dropped_profile'
    | 'dropped_entry'
    | 'dropped_field'
    | 'unsupported_version'
    | 'insecure_permissions'
    | 'legacy_import'
  /** Absolute path of the file. */
  readonly file: string
  /** JSON path inside the file, e.g. `profiles["x"]`. */
  readonly path: string
  readonly message: string
}

/** @internal */
export interface ParsedStore {
  readonly store: AuthProfileStore
  readonly diagnostics: readonly StoreDiagnostic[]
  /** Written by a newer version: readable, but must not be rewritten. */
  readonly readOnly: boolean
}

const credentialTypes = new Set(['api_key', 'token', 'oauth'])
const reasons = new Set<string>(AUTH_PROFILE_FAILURE_REASONS)

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function invalid(file: string, issues: AuthProfilesIssue[]): AuthProfilesError {
  return new AuthProfilesError(
    'ERR_STORE_INVALID',
    `Invalid auth profile store ${file}:\n${formatIssues(issues)}\nThe file was left unchanged; repair it (or restore a backup) before claw writes to it again.`,
    { path: file, issues },
  )
}

/** Line and column of a character offset, for JSON syntax errors. */
function location(text: string, offset: number): string {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - before.lastIndexOf('\n')
  return `line ${line}, column ${column}`
}

/**
 * Parses JSON without ever putting the text into an error: V8's messages quote a snippet of the
 * input, which could be a secret, so only the position is kept and the original error is dropped.
 */
function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const message = error instanceof Error ? error.message : ''
    const position = /position (\d+)/.exec(message)?.[1]
    const where =
      position !== undefined
        ? location(text, Number(position))
        : /Unexpected end of JSON input/.test(message)
          ? 'the end of the file (truncated?)'
          : 'an unknown position'
    throw invalid(file, [{ path: '(root)', message: `not valid JSON (syntax error at ${where})` }])
  }
}

function coerceNumber(
  value: unknown,
  path: string,
  file: string,
  diagnostics: StoreDiagnostic[],
): number | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value
  diagnostics.push({
    code: 'dropped_field',
    file,
    path,
    message: 'not a finite, non-negative number; ignored',
  })
  return undefined
}

function coerceReason(
  value: unknown,
  path: string,
  file: string,
  diagnostics: StoreDiagnostic[],
): AuthProfileFailureReason | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string' && reasons.has(value)) return value as AuthProfileFailureReason
  diagnostics.push({
    code: 'dropped_field',
    file,
    path,
    message: 'unknown failure reason; ignored',
  })
  return undefined
}

/** Usage stats are machine-written routing state: bad fields are dropped, never fatal. */
function coerceUsageStats(
  raw: unknown,
  base: readonly PropertyKey[],
  file: string,
  diagnostics: StoreDiagnostic[],
): ProfileUsageStats | undefined {
  if (!isRecord(raw)) {
    diagnostics.push({
      code: 'dropped_entry',
      file,
      path: formatConfigPath(base),
      message: 'not an object; ignored',
    })
    return undefined
  }
  const at = (...keys: PropertyKey[]) => formatConfigPath([...base, ...keys])
  const stats: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'lastUsed':
      case 'cooldownUntil':
      case 'disabledUntil':
      case 'lastFailureAt':
      case 'refreshFailedAt':
      case 'errorCount': {
        const number = coerceNumber(value, at(key), file, diagnostics)
        if (number !== undefined) stats[key] = key === 'errorCount' ? Math.floor(number) : number
        break
      }
      case 'cooldownReason':
      case 'disabledReason': {
        const reason = coerceReason(value, at(key), file, diagnostics)
        if (reason !== undefined) stats[key] = reason
        break
      }
      case 'cooldownModel':
        if (typeof value === 'string' && value !== '') stats[key] = value
        else
          diagnostics.push({
            code: 'dropped_field',
            file,
            path: at(key),
            message: 'not a string; ignored',
          })
        break
      case 'failureCounts': {
        if (!isRecord(value)) {
          diagnostics.push({
            code: 'dropped_field',
            file,
            path: at(key),
            message: 'not an object; ignored',
          })
          break
        }
        const counts: Partial<Record<AuthProfileFailureReason, number>> = {}
        for (const [reason, count] of Object.entries(value)) {
          const validReason = coerceReason(reason, at(key, reason), file, diagnostics)
          const validCount = coerceNumber(count, at(key, reason), file, diagnostics)
          if (validReason !== undefined && validCount !== undefined)
            counts[validReason] = Math.floor(validCount)
        }
        stats[key] = counts
        break
      }
      case 'modelCooldowns': {
        if (!isRecord(value)) {
          diagnostics.push({
            code: 'dropped_field',
            file,
            path: at(key),
            message: 'not an object; ignored',
          })
          break
        }
        const cooldowns: Record<string, ModelCooldown> = {}
        for (const [model, entry] of Object.entries(value)) {
          const until = isRecord(entry)
            ? coerceNumber(entry['until'], at(key, model, 'until'), file, diagnostics)
            : undefined
          const reason = isRecord(entry)
            ? coerceReason(entry['reason'], at(key, model, 'reason'), file, diagnostics)
            : undefined
          if (until === undefined || reason === undefined) {
            diagnostics.push({
              code: 'dropped_entry',
              file,
              path: at(key, model),
              message: 'incomplete model cooldown; ignored',
            })
            continue
          }
          const errorCount = isRecord(entry)
            ? coerceNumber(entry['errorCount'], at(key, model, 'errorCount'), file, diagnostics)
            : undefined
          cooldowns[model] =
            errorCount === undefined
              ? { until, reason }
              : { until, reason, errorCount: Math.floor(errorCount) }
        }
        stats[key] = cooldowns
        break
      }
      default:
        // Fields a newer writer added: kept as they are.
        stats[key] = value
    }
  }
  return stats
}

function coerceOrder(
  raw: unknown,
  file: string,
  diagnostics: StoreDiagnostic[],
): Record<string, string[]> | undefined {
  if (raw === undefined) return undefined
  if (!isRecord(raw)) {
    diagnostics.push({
      code: 'dropped_field',
      file,
      path: 'order',
      message: 'not an object; ignored',
    })
    return undefined
  }
  const order: Record<string, string[]> = {}
  for (const [provider, list] of Object.entries(raw)) {
    if (!Array.isArray(list)) {
      diagnostics.push({
        code: 'dropped_entry',
        file,
        path: formatConfigPath(['order', provider]),
        message: 'not a list; ignored',
      })
      continue
    }
    const ids = list.flatMap((entry) =>
      typeof entry === 'string' && entry.trim() !== '' ? [entry.trim()] : [],
    )
    if (ids.length > 0) order[provider] = ids
  }
  return order
}

function coerceLastGood(
  raw: unknown,
  file: string,
  diagnostics: StoreDiagnostic[],
): Record<string, string> | undefined {
  if (raw === undefined) return undefined
  if (!isRecord(raw)) {
    diagnostics.push({
      code: 'dropped_field',
      file,
      path: 'lastGood',
      message: 'not an object; ignored',
    })
    return undefined
  }
  const lastGood: Record<string, string> = {}
  for (const [provider, profileId] of Object.entries(raw)) {
    if (typeof profileId === 'string') lastGood[provider] = profileId
    else
      diagnostics.push({
        code: 'dropped_entry',
        file,
        path: formatConfigPath(['lastGood', provider]),
        message: 'not a string; ignored',
      })
  }
  return lastGood
}

/**
 * Thrown by {@link parseAuthProfileStoreText} when it was called without the schemas and a
 * credential needs them (see `credential-check.ts`): load the schemas and parse again.
 *
 * @internal
 */
export class SchemasRequired extends Error {
  override readonly name = 'SchemasRequired'
}

/**
 * Parses and validates the text of an `auth-profiles.json`.
 *
 * - Structural problems (empty, invalid JSON, wrong top-level types, a known credential field of
 *   the wrong type, prototype-poisoning keys) are errors naming the file and JSON path.
 * - Entries the reference would drop (an unknown credential `type`, no `provider`, an invalid
 *   profile id, malformed order/stats entries) are dropped with a diagnostic.
 * - A store written by a newer format version is returned read-only.
 *
 * @internal
 */
export function parseAuthProfileStoreText(
  rawText: string,
  file: string,
  schemas: typeof Schemas | undefined,
): ParsedStore {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText
  if (text.trim() === '') {
    throw invalid(file, [
      {
        path: '(root)',
        message: 'the file is empty (a crash during an in-place write leaves files like this)',
      },
    ])
  }
  const raw = parseJson(text, file)
  const unsafe = findUnsafeKeys(raw)
  if (unsafe.length > 0) throw invalid(file, unsafe)
  if (!isRecord(raw)) {
    throw invalid(file, [
      {
        path: '(root)',
        message: `expected an object, found ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}`,
      },
    ])
  }
  const diagnostics: StoreDiagnostic[] = []
  const version = Number(raw['version'] ?? AUTH_STORE_VERSION)
  if (!Number.isInteger(version) || version < 1) {
    throw invalid(file, [{ path: 'version', message: 'expected a positive integer' }])
  }
  const readOnly = version > AUTH_STORE_VERSION
  if (readOnly) {
    diagnostics.push({
      code: 'unsupported_version',
      file,
      path: 'version',
      message: `written by a newer format (version ${version}; this claw supports ${AUTH_STORE_VERSION}); read-only until claw is upgraded`,
    })
  }
  if (!isRecord(raw['profiles'])) {
    throw invalid(file, [{ path: 'profiles', message: 'expected an object of profiles' }])
  }
  const issues: AuthProfilesIssue[] = []
  const profiles: Record<string, AuthProfileCredential> = {}
  for (const [profileId, entry] of Object.entries(raw['profiles'])) {
    const path = formatConfigPath(['profiles', profileId])
    const idProblem = checkProfileId(profileId)
    if (idProblem) {
      diagnostics.push({
        code: 'dropped_profile',
        file,
        path,
        message: `invalid profile id (${idProblem}); ignored`,
      })
      continue
    }
    if (
      !isRecord(entry) ||
      typeof entry['type'] !== 'string' ||
      !credentialTypes.has(entry['type'])
    ) {
      diagnostics.push({
        code: 'dropped_profile',
        file,
        path,
        message: 'not a credential of type api_key, token or oauth; ignored',
      })
      continue
    }
    if (typeof entry['provider'] !== 'string' || entry['provider'].trim() === '') {
      diagnostics.push({ code: 'dropped_profile', file, path, message: 'no provider; ignored' })
      continue
    }
    if (isOrdinaryValidCredential(entry)) {
      profiles[profileId] = entry as unknown as AuthProfileCredential
      continue
    }
    if (!schemas) throw new SchemasRequired()
    const result = schemas.authProfileCredentialSchema.safeParse(entry)
    if (!result.success) {
      issues.push(...schemas.zodIssues(result.error, ['profiles', profileId]))
      continue
    }
    profiles[profileId] = entry as unknown as AuthProfileCredential
  }
  if (issues.length > 0) throw invalid(file, issues)

  const store: AuthProfileStore = { version: AUTH_STORE_VERSION, profiles }
  const order = coerceOrder(raw['order'], file, diagnostics)
  if (order !== undefined) store.order = order
  const lastGood = coerceLastGood(raw['lastGood'], file, diagnostics)
  if (lastGood !== undefined) store.lastGood = lastGood
  if (raw['usageStats'] !== undefined) {
    if (isRecord(raw['usageStats'])) {
      const usageStats: Record<string, ProfileUsageStats> = {}
      for (const [profileId, entry] of Object.entries(raw['usageStats'])) {
        const stats = coerceUsageStats(entry, ['usageStats', profileId], file, diagnostics)
        if (stats) usageStats[profileId] = stats
      }
      store.usageStats = usageStats
    } else {
      diagnostics.push({
        code: 'dropped_field',
        file,
        path: 'usageStats',
        message: 'not an object; ignored',
      })
    }
  }
  return { store, diagnostics, readOnly }
}

/**
 * Serialises a store exactly as the reference does: `{version, profiles, order?, lastGood?,
 * usageStats?}`, 2-space indent, trailing newline; absent sections omitted.
 *
 * @internal
 */
export function serializeAuthProfileStore(store: AuthProfileStore): string {
  return `${JSON.stringify(storeFileShape(store), null, 2)}\n`
}

/** The store as written to disk: the known top-level keys in a fixed order. @internal */
export function storeFileShape(store: AuthProfileStore): Record<string, unknown> {
  const output: Record<string, unknown> = { version: AUTH_STORE_VERSION, profiles: store.profiles }
  if (store.order !== undefined) output['order'] = store.order
  if (store.lastGood !== undefined) output['lastGood'] = store.lastGood
  if (store.usageStats !== undefined) output['usageStats'] = store.usageStats
  return output
}
