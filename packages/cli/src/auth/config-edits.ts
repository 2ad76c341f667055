// Edits of the raw config document made by the credential commands: `auth.profiles[id]` metadata
// and `auth.order` lists. Profile ids are validated before they get here.
import { normalizeProviderId } from '@claw/model-catalog'
import { isRecord, childObject } from '../json-object.js'

/** What the config records about a profile (`auth.profiles[id]`). */
export interface ProfileConfigEntry {
  readonly profileId: string
  readonly provider: string
  readonly mode: 'api_key' | 'token' | 'oauth'
  readonly email?: string | undefined
}

/**
 * OpenClaw's `applyAuthProfileConfig`, so configs stay interchangeable: sets `auth.profiles[id] = { provider, mode, email? }`
 * and, only when the provider already has an `auth.order` list, moves the id to its front.
 */
export function applyAuthProfileConfig(
  raw: Record<string, unknown>,
  entry: ProfileConfigEntry,
): void {
  const auth = childObject(raw, 'auth')
  const profiles = childObject(auth, 'profiles')
  profiles[entry.profileId] = {
    provider: entry.provider,
    mode: entry.mode,
    ...(entry.email ? { email: entry.email } : {}),
  }
  const order = auth['order']
  if (!isRecord(order)) return
  const key = Object.keys(order).find((id) => normalizeProviderId(id) === entry.provider)
  const list: unknown = key === undefined ? undefined : order[key]
  if (key === undefined || !Array.isArray(list)) return
  order[key] = [entry.profileId, ...(list as unknown[]).filter((id) => id !== entry.profileId)]
}

/**
 * Removes a profile from `auth.profiles` and every `auth.order` list (dropping lists that become
 * empty). Returns whether anything changed.
 */
export function removeProfileFromConfig(raw: Record<string, unknown>, profileId: string): boolean {
  const auth = raw['auth']
  if (!isRecord(auth)) return false
  let changed = false
  const profiles = auth['profiles']
  if (isRecord(profiles) && Object.hasOwn(profiles, profileId)) {
    delete profiles[profileId]
    changed = true
  }
  const order = auth['order']
  if (isRecord(order)) {
    for (const [provider, list] of Object.entries(order)) {
      if (!Array.isArray(list) || !list.includes(profileId)) continue
      const rest = list.filter((id) => id !== profileId)
      if (rest.length > 0) order[provider] = rest
      else delete order[provider]
      changed = true
    }
    if (changed && Object.keys(order).length === 0) delete auth['order']
  }
  return changed
}

/** Whether the config mentions a profile at all (so a logout needs a config write). */
export function configMentionsProfile(raw: Record<string, unknown>, profileId: string): boolean {
  return removeProfileFromConfig(structuredClone(raw), profileId)
}
