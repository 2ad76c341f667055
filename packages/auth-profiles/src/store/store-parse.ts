import { findUnsafeKeys, formatConfigPath } from '@claw/model-catalog'
import { AuthProfilesError, formatIssues, type AuthProfilesIssue } from '../errors.js'
import { checkProfileId } from '../ids.js'
import { isOrdinaryValidCredential } from '../selection/credential-check.js'
import { pathKey, scanJson } from './json-scan.js'
import {
  AUTH_STORE_VERSION,
  type AuthProfileCredential,
  type AuthProfileStore,
  type ProfileUsageStats,
} from '../types.js'
import { Findings, keptEntries, type KeptEntries, type StoreDiagnostic } from './store-findings.js'
import { readLastGood, readOrder, readUsageStats } from './store-sections.js'

export type { KeptEntries, KeptObject, StoreDiagnostic } from './store-findings.js'

/** @internal */
export interface ParsedStore {
  readonly store: AuthProfileStore
  readonly diagnostics: readonly StoreDiagnostic[]
  /** Written by a newer version: readable, but must not be rewritten. */
  readonly readOnly: boolean
  /** What a write must put back unchanged (empty when everything was used as it is). */
  readonly kept: KeptEntries
}

const credentialTypes = new Set(['api_key', 'token', 'oauth'])

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

/**
 * Why a stored profile entry cannot be used at all (it is then kept in the file as it is), or
 * `undefined` when it is a credential claw knows. The reason never quotes a value, except a
 * credential type that is plainly a type name.
 *
 * @internal
 */
export function unusableProfileReason(profileId: string, entry: unknown): string | undefined {
  const idProblem = checkProfileId(profileId)
  if (idProblem) return `invalid profile id (${idProblem})`
  if (!isRecord(entry)) return 'not a credential object'
  const type = entry['type']
  if (typeof type !== 'string' || !credentialTypes.has(type)) {
    // Printed only when it cannot be a misplaced secret: a short lowercase word.
    const shown = typeof type === 'string' && /^[a-z_]{1,16}$/.test(type) ? ` "${type}"` : ''
    return `unknown credential type${shown} (claw reads api_key, token and oauth)`
  }
  if (typeof entry['provider'] !== 'string' || entry['provider'].trim() === '') {
    return 'no provider'
  }
  return undefined
}

/**
 * `store` without the profiles claw cannot use, each reported as an `ignored_profile` diagnostic of
 * `file` (for stores handed over as objects, such as a memory store's initial contents).
 *
 * @internal
 */
export function setAsideUnusableProfiles(
  store: AuthProfileStore,
  file: string,
): { readonly store: AuthProfileStore; readonly diagnostics: readonly StoreDiagnostic[] } {
  const findings = new Findings(file)
  for (const [profileId, entry] of Object.entries(store.profiles)) {
    const unusable = unusableProfileReason(profileId, entry)
    if (unusable !== undefined)
      findings.ignore(['profiles', profileId], 'ignored_profile', unusable)
  }
  if (findings.diagnostics.length === 0) return { store, diagnostics: [] }
  const profiles = { ...store.profiles }
  for (const path of findings.ignored) delete profiles[path[1]!]
  return { store: { ...store, profiles }, diagnostics: findings.diagnostics }
}

const KNOWN_TOP_LEVEL = new Set(['version', 'profiles', 'order', 'lastGood', 'usageStats'])

/**
 * Parses and validates the text of an `auth-profiles.json`.
 *
 * - Structural problems (empty, invalid JSON, a key written twice in one object, wrong top-level
 *   types, a known credential field of the wrong type, prototype-poisoning keys) are errors naming
 *   the file and JSON path.
 * - Entries claw cannot use (an unknown credential `type`, no `provider`, a profile id claw
 *   refuses, malformed order/lastGood/usage entries, unknown top-level keys) are left out of the
 *   store with a diagnostic, and remembered with their exact text (`kept`) so that a write puts
 *   them back unchanged.
 * - A store written by a newer format version is returned read-only.
 *
 * @internal
 */
export async function parseAuthProfileStoreText(
  rawText: string,
  file: string,
): Promise<ParsedStore> {
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
  const duplicates = scanJson(text).duplicates
  if (duplicates.length > 0) {
    throw invalid(
      file,
      duplicates.map((path) => ({
        path: formatConfigPath(path),
        message: 'this key appears more than once in its object; keep one',
      })),
    )
  }
  if (!isRecord(raw)) {
    throw invalid(file, [
      {
        path: '(root)',
        message: `expected an object, found ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}`,
      },
    ])
  }
  const findings = new Findings(file)
  const version = Number(raw['version'] ?? AUTH_STORE_VERSION)
  if (!Number.isInteger(version) || version < 1) {
    throw invalid(file, [{ path: 'version', message: 'expected a positive integer' }])
  }
  const readOnly = version > AUTH_STORE_VERSION
  if (readOnly) {
    findings.diagnostics.push({
      code: 'unsupported_version',
      file,
      path: 'version',
      message: `written by a newer format (version ${version}; this claw supports ${AUTH_STORE_VERSION}); read-only until claw is upgraded`,
    })
  }
  if (!isRecord(raw['profiles'])) {
    throw invalid(file, [{ path: 'profiles', message: 'expected an object of profiles' }])
  }
  for (const key of Object.keys(raw)) {
    if (!KNOWN_TOP_LEVEL.has(key)) findings.ignore([key], 'ignored_field', 'unknown section')
  }
  const issues: AuthProfilesIssue[] = []
  const profiles: Record<string, AuthProfileCredential> = {}
  for (const [profileId, entry] of Object.entries(raw['profiles'])) {
    const unusable = unusableProfileReason(profileId, entry)
    if (unusable !== undefined) {
      findings.ignore(['profiles', profileId], 'ignored_profile', unusable)
      continue
    }
    const credential = entry as Record<string, unknown>
    // Ordinary profiles skip the load of zod (bench row: claw models status --json).
    if (!isOrdinaryValidCredential(credential)) {
      const schemas = await import('../schemas.js')
      const result = schemas.authProfileCredentialSchema.safeParse(credential)
      if (!result.success) {
        issues.push(...schemas.zodIssues(result.error, ['profiles', profileId]))
        continue
      }
    }
    profiles[profileId] = credential as unknown as AuthProfileCredential
  }
  if (issues.length > 0) throw invalid(file, issues)

  const store: AuthProfileStore = { version: AUTH_STORE_VERSION, profiles }
  const order = readOrder(raw['order'], findings)
  if (order !== undefined) store.order = order
  const lastGood = readLastGood(raw['lastGood'], findings)
  if (lastGood !== undefined) store.lastGood = lastGood
  if (raw['usageStats'] !== undefined) {
    if (isRecord(raw['usageStats'])) {
      const usageStats: Record<string, ProfileUsageStats> = {}
      for (const [profileId, entry] of Object.entries(raw['usageStats'])) {
        if (isRecord(entry))
          usageStats[profileId] = readUsageStats(entry, ['usageStats', profileId], findings)
        else findings.ignore(['usageStats', profileId], 'ignored_entry', 'not an object')
      }
      store.usageStats = usageStats
    } else {
      findings.ignore(['usageStats'], 'ignored_field', 'not an object')
    }
  }
  return {
    store,
    diagnostics: findings.diagnostics,
    readOnly,
    kept: keptEntries(text, findings),
  }
}

/** The profile ids a file holds but the store leaves out (they shadow nothing else). @internal */
export function ignoredProfileIds(kept: KeptEntries): readonly string[] {
  return [...(kept.get(pathKey(['profiles']))?.ignored.keys() ?? [])]
}
