import type { CatalogConfig } from './schemas.js'
import { modelKey, parseModelRef, type ModelRef } from './model-ref.js'

/** @public */
export interface ModelAliasEntry {
  /** The alias as written in config (trimmed). */
  readonly alias: string
  readonly ref: ModelRef
}

/**
 * Aliases from `agents.defaults.models[<key>].alias`. `byAlias` is keyed by the lowercased alias
 * (lookups are case-insensitive); `byKey` lists the aliases of each model key.
 *
 * @public
 */
export interface ModelAliasIndex {
  readonly byAlias: ReadonlyMap<string, ModelAliasEntry>
  readonly byKey: ReadonlyMap<string, readonly string[]>
}

/** @public */
export interface BuildModelAliasIndexOptions {
  readonly config?: CatalogConfig | undefined
  readonly defaultProvider: string
}

/**
 * Builds the alias index. Keys that do not parse and entries without an alias are skipped; when
 * the same alias (case-insensitively) is defined twice, the last definition wins.
 *
 * @public
 */
export function buildModelAliasIndex(options: BuildModelAliasIndexOptions): ModelAliasIndex {
  const byAlias = new Map<string, ModelAliasEntry>()
  const models = options.config?.agents?.defaults?.models ?? {}
  for (const [rawKey, entry] of Object.entries(models)) {
    const alias = entry.alias?.trim()
    if (!alias) continue
    const ref = parseModelRef(rawKey, { defaultProvider: options.defaultProvider })
    if (!ref) continue
    byAlias.set(alias.toLowerCase(), { alias, ref })
  }
  const byKey = new Map<string, string[]>()
  for (const entry of byAlias.values()) {
    const key = modelKey(entry.ref)
    const aliases = byKey.get(key)
    if (aliases) aliases.push(entry.alias)
    else byKey.set(key, [entry.alias])
  }
  return { byAlias, byKey }
}

/** @public */
export interface ResolvedModelRef {
  readonly ref: ModelRef
  /** Set when `raw` was an alias. */
  readonly alias?: string
}

/** @public */
export interface ResolveModelRefFromStringOptions {
  readonly defaultProvider: string
  readonly aliasIndex?: ModelAliasIndex | undefined
}

/**
 * Resolves user input to a model reference: a string without `/` that matches an alias
 * (case-insensitively) resolves to the aliased model; anything else is parsed as a model ref.
 * Returns `null` when the input does not parse.
 *
 * @public
 */
export function resolveModelRefFromString(
  raw: unknown,
  options: ResolveModelRefFromStringOptions,
): ResolvedModelRef | null {
  if (typeof raw !== 'string') return null
  const trimmed = raw.trim()
  if (trimmed === '') return null
  if (!trimmed.includes('/')) {
    const entry = options.aliasIndex?.byAlias.get(trimmed.toLowerCase())
    if (entry) return { ref: entry.ref, alias: entry.alias }
  }
  const ref = parseModelRef(trimmed, { defaultProvider: options.defaultProvider })
  return ref ? { ref } : null
}
