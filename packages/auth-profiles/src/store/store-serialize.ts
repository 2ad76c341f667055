// Writing a store: the file's shape, and the members the loader kept put back with their exact text.
import { AUTH_STORE_VERSION, type AuthProfileStore } from '../types.js'
import { pathKey } from './json-scan.js'
import type { KeptEntries } from './store-findings.js'

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
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
