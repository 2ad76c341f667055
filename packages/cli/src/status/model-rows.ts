// The rows of `models list`: configured entries with their tags (default, fallback#N, image,
// img-fallback#N, configured, alias:…, missing), or the whole catalog with `--all`.
import type { AuthProfileStore, ClawConfig } from '@claw/auth-profiles'
import {
  buildModelAliasIndex,
  DEFAULT_PROVIDER,
  modelKey,
  parseModelRef,
  resolveAgentModelFallbacks,
  resolveAgentModelPrimary,
  resolveConfiguredModelRef,
  resolveModelRefFromString,
  type CatalogModel,
  type ModelCatalog,
  type ModelRef,
} from '@claw/model-catalog'
import { providerHasAuth } from './auth-overview.js'
import { compareText } from '../text.js'

/** One `models list` row (the `--json` shape). */
export interface ModelRow {
  readonly key: string
  readonly name: string
  readonly input: string
  readonly contextWindow: number | null
  readonly local: boolean | null
  readonly available: boolean | null
  readonly tags: readonly string[]
  readonly missing: boolean
}

interface ConfiguredEntry {
  readonly key: string
  readonly ref: ModelRef
  readonly tags: Set<string>
  readonly aliases: readonly string[]
}

/** Configured models in OpenClaw's order, tags of duplicate keys merged. */
export function configuredEntries(config: ClawConfig): ConfiguredEntry[] {
  const aliasIndex = buildModelAliasIndex({ config, defaultProvider: DEFAULT_PROVIDER })
  const entries = new Map<string, ConfiguredEntry>()
  const add = (ref: ModelRef, tag: string) => {
    const key = modelKey(ref)
    const entry = entries.get(key) ?? {
      key,
      ref,
      tags: new Set<string>(),
      aliases: aliasIndex.byKey.get(key) ?? [],
    }
    entry.tags.add(tag)
    entries.set(key, entry)
  }
  const addRaw = (raw: string, tag: string) => {
    const resolved = resolveModelRefFromString(raw, {
      defaultProvider: DEFAULT_PROVIDER,
      aliasIndex,
    })
    if (resolved) add(resolved.ref, tag)
  }
  add(resolveConfiguredModelRef({ config, aliasIndex }), 'default')
  resolveAgentModelFallbacks(config.agents?.defaults?.model).forEach((raw, index) =>
    addRaw(raw, `fallback#${index + 1}`),
  )
  const image = resolveAgentModelPrimary(config.agents?.defaults?.imageModel)
  if (image) addRaw(image, 'image')
  resolveAgentModelFallbacks(config.agents?.defaults?.imageModel).forEach((raw, index) =>
    addRaw(raw, `img-fallback#${index + 1}`),
  )
  for (const raw of Object.keys(config.agents?.defaults?.models ?? {})) {
    const ref = parseModelRef(raw, { defaultProvider: DEFAULT_PROVIDER })
    if (ref) add(ref, 'configured')
  }
  return [...entries.values()]
}

/** True for loopback, `0.0.0.0` and `*.local` hosts. */
export function isLocalBaseUrl(baseUrl: string): boolean {
  let host: string
  try {
    host = new URL(baseUrl).hostname.toLowerCase()
  } catch {
    return false
  }
  host = host.replace(/^\[|\]$/g, '')
  return (
    host === 'localhost' ||
    host === '127.0.0.1' ||
    host === '0.0.0.0' ||
    host === '::1' ||
    host.endsWith('.local')
  )
}

/** `-`, an integer below 1024, or `round(v/1024)k`. */
export function formatTokenK(value: number | null): string {
  if (value === null || !Number.isFinite(value) || value <= 0) return '-'
  if (value < 1024) return String(Math.round(value))
  return `${Math.round(value / 1024)}k`
}

export interface ListRowsOptions {
  readonly config: ClawConfig
  readonly store: AuthProfileStore
  readonly env: Readonly<Record<string, string | undefined>>
  /** Undefined when the catalog could not be loaded (configured rows become `missing`). */
  readonly catalog: ModelCatalog | undefined
  readonly all: boolean
  readonly provider?: string
  readonly local: boolean
}

/** The rows `models list` prints. */
export function buildModelRows(options: ListRowsOptions): ModelRow[] {
  const { config, store, env } = options
  const entries = configuredEntries(config)
  const byKey = new Map(entries.map((entry) => [entry.key, entry]))
  const providerFilter = options.provider?.trim()
    ? (parseModelRef(`${options.provider.trim()}/_`, { defaultProvider: DEFAULT_PROVIDER })
        ?.provider ?? options.provider.trim().toLowerCase())
    : undefined
  const authCache = new Map<string, boolean>()
  const hasAuth = (provider: string) => {
    let value = authCache.get(provider)
    if (value === undefined) {
      value = providerHasAuth(provider, store, config, env)
      authCache.set(provider, value)
    }
    return value
  }
  const toRow = (key: string, model: CatalogModel | undefined, entry?: ConfiguredEntry) => {
    const tags = [...(entry?.tags ?? [])]
    if (!model) {
      return {
        key,
        name: key,
        input: '-',
        contextWindow: null,
        local: null,
        available: null,
        tags: [...tags, 'missing'],
        missing: true,
      } satisfies ModelRow
    }
    const aliases = entry?.aliases ?? []
    return {
      key,
      name: model.name || model.id,
      input: model.input.join('+') || 'text',
      contextWindow: model.contextWindow ?? null,
      local: isLocalBaseUrl(model.baseUrl),
      available: hasAuth(model.provider),
      tags: aliases.length ? [...tags, `alias:${aliases.join(',')}`] : tags,
      missing: false,
    } satisfies ModelRow
  }
  const rows: ModelRow[] = []
  if (options.all) {
    const models = [...(options.catalog?.list() ?? [])].sort(
      (a, b) => compareText(a.provider, b.provider) || compareText(a.id, b.id),
    )
    for (const model of models) {
      if (providerFilter && model.provider.toLowerCase() !== providerFilter) continue
      if (options.local && !isLocalBaseUrl(model.baseUrl)) continue
      const key = modelKey(model.provider, model.id)
      rows.push(toRow(key, model, byKey.get(key)))
    }
    return rows
  }
  for (const entry of entries) {
    if (providerFilter && entry.ref.provider.toLowerCase() !== providerFilter) continue
    const model = options.catalog?.find(entry.ref)
    if (options.local && (!model || !isLocalBaseUrl(model.baseUrl))) continue
    rows.push(toRow(entry.key, model, entry))
  }
  return rows
}
