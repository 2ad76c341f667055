// Small edits of the raw config document (`${VAR}` references intact) used by doctor's repairs.
// They run inside `context.updateConfig`, which re-reads, validates and writes with a `.bak`.
import { isRecord } from '../json-object.js'

/** The raw `auth` object, if the document has one. */
export function rawAuth(raw: Record<string, unknown>): Record<string, unknown> | undefined {
  return isRecord(raw['auth']) ? raw['auth'] : undefined
}

/** The raw `auth.profiles` object, if any. */
export function rawAuthProfiles(raw: Record<string, unknown>): Record<string, unknown> | undefined {
  const auth = rawAuth(raw)
  return auth && isRecord(auth['profiles']) ? auth['profiles'] : undefined
}

/**
 * Removes the `auth.order` entries `drop` selects, dropping lists that become empty and the
 * `order` object when it empties. Returns the removed entries as `[provider, id]` pairs.
 */
export function dropConfigOrderEntries(
  raw: Record<string, unknown>,
  drop: (provider: string, profileId: string) => boolean,
): [string, string][] {
  const auth = rawAuth(raw)
  const order = auth?.['order']
  if (!auth || !isRecord(order)) return []
  const removed: [string, string][] = []
  for (const [provider, list] of Object.entries(order)) {
    if (!Array.isArray(list)) continue
    const kept = list.filter((entry) => {
      if (typeof entry !== 'string' || !drop(provider, entry.trim())) return true
      removed.push([provider, entry.trim()])
      return false
    })
    if (kept.length === list.length) continue
    if (kept.length === 0) delete order[provider]
    else order[provider] = kept
  }
  if (removed.length > 0 && Object.keys(order).length === 0) delete auth['order']
  return removed
}
