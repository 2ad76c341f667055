// The read cache: parsed reads reused while the file's stat signature is unchanged.
import type { ExternalCliSourceId, ExternalCredentials, ExternalCredentialsCache } from './types.js'

/** How long a parsed source file is reused while its stat signature is unchanged (15 min). @public */
export const EXTERNAL_CLI_CACHE_TTL_MS = 15 * 60 * 1000

const MAX_CACHE_ENTRIES = 64

export const defaultCache: ExternalCredentialsCache = new Map()

export function cacheKey(
  source: ExternalCliSourceId,
  path: string,
  agentId: string | undefined,
): string {
  return `${source}\u0000${path}\u0000${agentId ?? ''}`
}

function cloneCredentials(value: ExternalCredentials): ExternalCredentials {
  return { source: value.source, path: value.path, profiles: structuredClone(value.profiles) }
}

export function cacheGet(
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

export function cacheSet(
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
