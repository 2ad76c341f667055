import { findUnsafeKeys, formatConfigPath } from '@claw/model-catalog'
import { AuthProfilesError, formatIssues, type AuthProfilesIssue } from '../errors.js'
import { checkProfileId } from '../ids.js'
import { isOrdinaryValidCredential } from '../selection/credential-check.js'
import { pathKey, scanJson } from './json-scan.js'
import type * as Schemas from '../schemas.js'
import {
  AUTH_PROFILE_FAILURE_REASONS,
  AUTH_STORE_VERSION,
  type AuthProfileCredential,
  type AuthProfileFailureReason,
  type AuthProfileStore,
  type ModelCooldown,
  type ProfileUsageStats,
} from '../types.js'

/**
 * Something the loader noticed and handled without failing: an entry it ignores (kept in the file
 * unchanged, never used), a store written by a newer version, a file readable by others.
 *
 * @public
 */
export interface StoreDiagnostic {
  readonly code:
    | 'ignored_profile'
    | 'ignored_entry'
    | 'ignored_field'
    | 'unsupported_version'
    | 'insecure_permissions'
    | 'legacy_import'
  /** Absolute path of the file (for a Redis credential backend, its `redis:` location). */
  readonly file: string
  /** JSON path inside the file, e.g. `profiles["x"]`. */
  readonly path: string
  /** Why, in words; never a value from the file. */
  readonly message: string
  /** For `ignored_profile`: the id of the profile entry (escape it before printing). */
  readonly profileId?: string
}

/**
 * Members of one object of a stored file that claw does not use as they are, remembered with
 * their exact text so a write puts them back unchanged.
 *
 * @internal
 */
export interface KeptObject {
  /** The object's keys in file order. */
  readonly order: readonly string[]
  /** Members left out of the loaded store (unusable), by key: their text in the file. */
  readonly ignored: ReadonlyMap<string, string>
  /**
   * Members the loader cleaned up (an order list with blank ids, say), by key: the JSON of the
   * cleaned value and the text in the file, which is written back while the value is unchanged.
   */
  readonly cleaned: ReadonlyMap<string, { readonly json: string; readonly text: string }>
}

/** The kept members of a stored file, by `pathKey` of the object holding them. @internal */
export type KeptEntries = ReadonlyMap<string, KeptObject>

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
const reasons = new Set<string>(AUTH_PROFILE_FAILURE_REASONS)
const KEPT = 'kept unchanged in the file, not used'

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
 * Collects what the loader leaves out of the store or cleans up, as diagnostics and as the paths a
 * write must put back from the file's text.
 */
class Findings {
  readonly diagnostics: StoreDiagnostic[] = []
  /** Paths (object keys) of members left out, and of members cleaned up with their clean value. */
  readonly ignored: string[][] = []
  readonly cleaned: { path: string[]; value: unknown }[] = []

  constructor(readonly file: string) {}

  /** A member the store leaves out: reported, and kept in the file. */
  ignore(
    path: string[],
    code: 'ignored_profile' | 'ignored_entry' | 'ignored_field',
    reason: string,
  ): void {
    this.ignored.push(path)
    this.diagnostics.push({
      code,
      file: this.file,
      path: formatConfigPath(path),
      message: `${reason}; ${KEPT}`,
      ...(code === 'ignored_profile' ? { profileId: path[1] } : {}),
    })
  }

  /** A member the store uses in a cleaned-up form: its text is kept while the value is unchanged. */
  clean(path: string[], value: unknown): void {
    this.cleaned.push({ path, value })
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function isTimestamp(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

function isReason(value: unknown): value is AuthProfileFailureReason {
  return typeof value === 'string' && reasons.has(value)
}

function isUsageLimit(value: unknown): boolean {
  if (!isRecord(value)) return false
  const { window, resetsAt, usedPercent } = value
  return (
    typeof window === 'string' &&
    window !== '' &&
    isTimestamp(resetsAt) &&
    (usedPercent === undefined || (typeof usedPercent === 'number' && Number.isFinite(usedPercent)))
  )
}

/** `failureCounts` entries: a known reason and a count each; others are kept aside. */
function readFailureCounts(
  value: Record<string, unknown>,
  path: string[],
  findings: Findings,
): Partial<Record<AuthProfileFailureReason, number>> {
  const counts: Partial<Record<AuthProfileFailureReason, number>> = {}
  for (const [reason, count] of Object.entries(value)) {
    if (isReason(reason) && isCount(count)) counts[reason] = count
    else
      findings.ignore(
        [...path, reason],
        'ignored_field',
        isReason(reason) ? 'not a non-negative whole number' : 'unknown failure reason',
      )
  }
  return counts
}

/** `modelCooldowns` entries: `{ until, reason, errorCount? }` each; others are kept aside. */
function readModelCooldowns(
  value: Record<string, unknown>,
  path: string[],
  findings: Findings,
): Record<string, ModelCooldown> {
  const cooldowns: Record<string, ModelCooldown> = {}
  for (const [model, entry] of Object.entries(value)) {
    const usable =
      isRecord(entry) &&
      isTimestamp(entry['until']) &&
      isReason(entry['reason']) &&
      (entry['errorCount'] === undefined || isCount(entry['errorCount']))
    if (usable) cooldowns[model] = entry as unknown as ModelCooldown
    else
      findings.ignore(
        [...path, model],
        'ignored_entry',
        'not a model cooldown { until, reason, errorCount? }',
      )
  }
  return cooldowns
}

/** Usage stats are machine-written routing state: a malformed field is kept aside, never fatal. */
function readUsageStats(
  raw: Record<string, unknown>,
  path: string[],
  findings: Findings,
): ProfileUsageStats {
  const stats: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(raw)) {
    const at = [...path, key]
    let problem: string | undefined
    switch (key) {
      case 'lastUsed':
      case 'cooldownUntil':
      case 'disabledUntil':
      case 'lastFailureAt':
      case 'refreshFailedAt':
        if (!isTimestamp(value)) problem = 'not a finite, non-negative number'
        break
      case 'errorCount':
        if (!isCount(value)) problem = 'not a non-negative whole number'
        break
      case 'cooldownReason':
      case 'disabledReason':
        if (!isReason(value)) problem = 'unknown failure reason'
        break
      case 'cooldownModel':
        if (typeof value !== 'string' || value === '') problem = 'not a model id'
        break
      case 'failureCounts':
        if (!isRecord(value)) problem = 'not an object'
        else stats[key] = readFailureCounts(value, at, findings)
        break
      case 'modelCooldowns':
        if (!isRecord(value)) problem = 'not an object'
        else stats[key] = readModelCooldowns(value, at, findings)
        break
      case 'usageLimit':
        if (!isUsageLimit(value)) problem = 'not a usage window { window, resetsAt, usedPercent? }'
        break
      default:
      // Fields a newer writer added: kept as they are.
    }
    if (problem !== undefined) findings.ignore(at, 'ignored_field', problem)
    else if (!(key in stats)) stats[key] = value
  }
  return stats
}

function readOrder(raw: unknown, findings: Findings): Record<string, string[]> | undefined {
  if (raw === undefined) return undefined
  if (!isRecord(raw)) {
    findings.ignore(['order'], 'ignored_field', 'not an object')
    return undefined
  }
  const order: Record<string, string[]> = {}
  for (const [provider, list] of Object.entries(raw)) {
    if (!Array.isArray(list)) {
      findings.ignore(['order', provider], 'ignored_entry', 'not a list')
      continue
    }
    const ids = list.flatMap((entry) =>
      typeof entry === 'string' && entry.trim() !== '' ? [entry.trim()] : [],
    )
    const clean = ids.length === list.length && ids.every((id, index) => id === list[index])
    if (!clean) findings.clean(['order', provider], ids.length > 0 ? ids : undefined)
    if (ids.length > 0) order[provider] = ids
  }
  return order
}

function readLastGood(raw: unknown, findings: Findings): Record<string, string> | undefined {
  if (raw === undefined) return undefined
  if (!isRecord(raw)) {
    findings.ignore(['lastGood'], 'ignored_field', 'not an object')
    return undefined
  }
  const lastGood: Record<string, string> = {}
  for (const [provider, profileId] of Object.entries(raw)) {
    if (typeof profileId === 'string') lastGood[provider] = profileId
    else findings.ignore(['lastGood', provider], 'ignored_entry', 'not a profile id')
  }
  return lastGood
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

let schemasModule: Promise<typeof Schemas> | undefined

/** The store schemas (and zod), loaded the first time a credential needs them. */
function loadSchemas(): Promise<typeof Schemas> {
  schemasModule ??= import('../schemas.js')
  return schemasModule
}

/** The members of `findings` to keep, with their text, from a scan of the file. */
function keptEntries(text: string, findings: Findings): KeptEntries {
  const kept = new Map<string, KeptObject>()
  if (findings.ignored.length === 0 && findings.cleaned.length === 0) return kept
  const parents = new Set(
    [...findings.ignored, ...findings.cleaned.map((entry) => entry.path)].map((path) =>
      pathKey(path.slice(0, -1)),
    ),
  )
  const { members } = scanJson(text, { objects: parents })
  const objectFor = (path: readonly string[]) => {
    const key = pathKey(path.slice(0, -1))
    let object = kept.get(key)
    if (!object) {
      const list = members.get(key) ?? []
      object = { order: list.map((member) => member.key), ignored: new Map(), cleaned: new Map() }
      kept.set(key, object)
    }
    return { object, member: members.get(key)?.find((entry) => entry.key === path.at(-1)) }
  }
  for (const path of findings.ignored) {
    const { object, member } = objectFor(path)
    if (member)
      (object.ignored as Map<string, string>).set(member.key, text.slice(member.start, member.end))
  }
  for (const { path, value } of findings.cleaned) {
    const { object, member } = objectFor(path)
    if (!member) continue
    const text_ = text.slice(member.start, member.end)
    if (value === undefined) (object.ignored as Map<string, string>).set(member.key, text_)
    else
      (object.cleaned as Map<string, { json: string; text: string }>).set(member.key, {
        json: JSON.stringify(value),
        text: text_,
      })
  }
  return kept
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
      const schemas = await loadSchemas()
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

/**
 * Serialises a store exactly as OpenClaw does (so both can share the file): `{version, profiles, order?, lastGood?,
 * usageStats?}`, 2-space indent, trailing newline; absent sections omitted. With `kept`, the
 * entries the loader left out or cleaned up are written back with their exact text, in their
 * place among their siblings (a member the store now holds under the same key replaces them).
 *
 * @internal
 */
export function serializeAuthProfileStore(
  store: AuthProfileStore,
  kept: KeptEntries = new Map(),
): string {
  const shape = storeFileShape(store)
  if (kept.size === 0) return `${JSON.stringify(shape, null, 2)}\n`
  return `${writeKept(shape, [], kept, keptAncestors(kept), '')}\n`
}

/** The store as written to disk: the known top-level keys in a fixed order. @internal */
export function storeFileShape(store: AuthProfileStore): Record<string, unknown> {
  const output: Record<string, unknown> = { version: AUTH_STORE_VERSION, profiles: store.profiles }
  if (store.order !== undefined) output['order'] = store.order
  if (store.lastGood !== undefined) output['lastGood'] = store.lastGood
  if (store.usageStats !== undefined) output['usageStats'] = store.usageStats
  return output
}

/** `pathKey` of every object on the way to an object with kept members (itself included). */
function keptAncestors(kept: KeptEntries): Set<string> {
  const ancestors = new Set<string>()
  for (const key of kept.keys()) {
    const path = JSON.parse(key) as string[]
    for (let length = 0; length <= path.length; length += 1)
      ancestors.add(pathKey(path.slice(0, length)))
  }
  return ancestors
}

/** Whether `JSON.stringify` writes an object member with this value. */
function written(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol'
}

/** `JSON.stringify(value, null, 2)` for a value written at `indent`. */
function plain(value: unknown, indent: string): string {
  return (JSON.stringify(value, null, 2) ?? 'null').replaceAll('\n', `\n${indent}`)
}

/**
 * `JSON.stringify(value, null, 2)` at `indent`, except that objects with kept members get them back:
 * the file's member order first (a member the store holds wins over the kept text of the same
 * key), then members the file did not have.
 */
function writeKept(
  value: Record<string, unknown>,
  path: readonly string[],
  kept: KeptEntries,
  ancestors: ReadonlySet<string>,
  indent: string,
): string {
  const here = kept.get(pathKey(path))
  const known = Object.keys(value).filter((key) => written(value[key]))
  const knownSet = new Set(known)
  const keys: string[] = []
  for (const key of here?.order ?? []) {
    if (knownSet.has(key) || here?.ignored.has(key)) keys.push(key)
  }
  const listed = new Set(keys)
  for (const key of known) if (!listed.has(key)) keys.push(key)
  const inner = `${indent}  `
  const lines = keys.map((key) => {
    const name = JSON.stringify(key)
    if (!knownSet.has(key)) return `${inner}${name}: ${here?.ignored.get(key) ?? 'null'}`
    const member = value[key]
    const cleaned = here?.cleaned.get(key)
    if (cleaned && JSON.stringify(member) === cleaned.json)
      return `${inner}${name}: ${cleaned.text}`
    const childPath = [...path, key]
    const nested =
      isRecord(member) && ancestors.has(pathKey(childPath))
        ? writeKept(member, childPath, kept, ancestors, inner)
        : plain(member, inner)
    return `${inner}${name}: ${nested}`
  })
  // A top-level section the store dropped still holds its kept members.
  if (path.length === 0) {
    for (const [parent, section] of kept) {
      const [key, ...deeper] = JSON.parse(parent) as string[]
      if (key === undefined || deeper.length > 0 || knownSet.has(key) || section.ignored.size === 0)
        continue
      lines.push(`${inner}${JSON.stringify(key)}: ${writeKept({}, [key], kept, ancestors, inner)}`)
    }
  }
  return lines.length === 0 ? '{}' : `{\n${lines.join(',\n')}\n${indent}}`
}
