import { findUnsafeKeys, normalizeProviderId } from '@claw/model-catalog'
import type { StoreDiagnostic } from './store-parse.js'
import type { AuthProfileCredential, AuthProfileStore } from '../types.js'

/** The legacy flat store in an agent dir, migrated once and then removed. @public */
export const LEGACY_AUTH_FILENAME = 'auth.json'

const copiedFields = [
  'key',
  'token',
  'expires',
  'access',
  'refresh',
  'enterpriseUrl',
  'projectId',
  'accountId',
  'email',
] as const

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const fieldTypes: Record<(typeof copiedFields)[number], 'string' | 'number'> = {
  key: 'string',
  token: 'string',
  expires: 'number',
  access: 'string',
  refresh: 'string',
  enterpriseUrl: 'string',
  projectId: 'string',
  accountId: 'string',
  email: 'string',
}

function convert(
  provider: string,
  raw: Record<string, unknown>,
  type: string,
): AuthProfileCredential | undefined {
  const credential: Record<string, unknown> = {
    type,
    provider:
      typeof raw['provider'] === 'string' && raw['provider'].trim() !== ''
        ? raw['provider']
        : provider,
  }
  for (const field of copiedFields) {
    if (typeof raw[field] === fieldTypes[field]) credential[field] = raw[field]
  }
  if (type === 'oauth') {
    if (typeof credential['access'] !== 'string' || typeof credential['refresh'] !== 'string')
      return undefined
    if (typeof credential['expires'] !== 'number') return undefined
  }
  return credential as unknown as AuthProfileCredential
}

/** A legacy file's top-level object, or `undefined` when it is not safe JSON of that shape. */
function parseLegacyObject(text: string): Record<string, unknown> | undefined {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return undefined
  }
  return isRecord(raw) && findUnsafeKeys(raw).length === 0 ? raw : undefined
}

/**
 * Converts the legacy flat `auth.json` (`{ <provider>: { type, key | token | access… } }`, no
 * top-level `profiles`) into `<provider>:default` profiles, copying only the known fields.
 * Returns `undefined` when the text is not such a file.
 *
 * @internal
 */
export function convertLegacyAuthJson(
  text: string,
): Record<string, AuthProfileCredential> | undefined {
  const raw = parseLegacyObject(text)
  if (!raw || 'profiles' in raw) return undefined
  const profiles: Record<string, AuthProfileCredential> = {}
  for (const [provider, entry] of Object.entries(raw)) {
    if (!isRecord(entry)) continue
    const type = entry['type']
    if (type !== 'api_key' && type !== 'token' && type !== 'oauth') continue
    const credential = convert(provider, entry, type)
    if (credential) profiles[`${normalizeProviderId(provider)}:default`] = credential
  }
  return Object.keys(profiles).length > 0 ? profiles : undefined
}

/**
 * Converts the legacy `credentials/oauth.json` (`{ <provider>: { access, refresh, expires, … } }`)
 * into `<provider>:default` OAuth profiles.
 *
 * @internal
 */
export function convertLegacyOAuthJson(
  text: string,
): Record<string, AuthProfileCredential> | undefined {
  const raw = parseLegacyObject(text)
  if (!raw) return undefined
  const profiles: Record<string, AuthProfileCredential> = {}
  for (const [provider, entry] of Object.entries(raw)) {
    if (!isRecord(entry)) continue
    const credential = convert(provider, entry, 'oauth')
    if (credential) profiles[`${normalizeProviderId(provider)}:default`] = credential
  }
  return profiles
}

/** @internal */
export interface LegacySources {
  /** Text of the agent dir's `auth.json`, if present. */
  readonly authJson?: { readonly path: string; readonly text: string }
  /** Text of `credentials/oauth.json`, if present. */
  readonly oauthJson?: { readonly path: string; readonly text: string }
}

/** @internal */
export interface LegacyImport {
  readonly store: AuthProfileStore
  /** True when the legacy `auth.json` contributed and should be removed after a successful write. */
  readonly consumedAuthJson: boolean
  readonly diagnostics: readonly StoreDiagnostic[]
}

/**
 * Builds a store from the legacy files, as OpenClaw does when `auth-profiles.json` is
 * absent: `auth.json` entries first, then `oauth.json` entries for ids that do not exist yet.
 * Returns `undefined` when neither contributed anything.
 *
 * @internal
 */
export function importLegacyStores(sources: LegacySources): LegacyImport | undefined {
  const profiles: Record<string, AuthProfileCredential> = {}
  const diagnostics: StoreDiagnostic[] = []
  let consumedAuthJson = false
  if (sources.authJson) {
    const converted = convertLegacyAuthJson(sources.authJson.text)
    if (converted) {
      Object.assign(profiles, converted)
      consumedAuthJson = true
      diagnostics.push({
        code: 'legacy_import',
        file: sources.authJson.path,
        path: '(root)',
        message: `imported ${Object.keys(converted).length} profile(s) from the legacy auth.json; it is removed after auth-profiles.json is written`,
      })
    }
  }
  if (sources.oauthJson) {
    const converted = convertLegacyOAuthJson(sources.oauthJson.text) ?? {}
    let added = 0
    for (const [profileId, credential] of Object.entries(converted)) {
      if (profileId in profiles) continue
      profiles[profileId] = credential
      added += 1
    }
    if (added > 0) {
      diagnostics.push({
        code: 'legacy_import',
        file: sources.oauthJson.path,
        path: '(root)',
        message: `imported ${added} OAuth profile(s) from the legacy oauth.json (the file is kept)`,
      })
    }
  }
  if (Object.keys(profiles).length === 0) return undefined
  return { store: { version: 1, profiles }, consumedAuthJson, diagnostics }
}
