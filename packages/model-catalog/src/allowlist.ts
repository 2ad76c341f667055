import { buildModelAliasIndex, resolveModelRefFromString, type ModelAliasIndex } from './aliases.js'
import type { CatalogConfig } from './schemas.js'
import { DEFAULT_PROVIDER, resolveConfiguredModelRef } from './configured-model.js'
import { modelKey, normalizeProviderId, parseModelRef, type ModelRef } from './model-ref.js'

/** Providers served by local CLI backends rather than an HTTP API. @public */
export const CLI_BACKEND_PROVIDERS: readonly string[] = Object.freeze(['claude-cli', 'codex-cli'])

/** Something with a model list: a {@link ModelCatalog} or a plain array of entries. @public */
export type CatalogLike =
  | { list(): readonly { readonly provider: string; readonly id: string }[] }
  | readonly { readonly provider: string; readonly id: string }[]

/**
 * The models a user may select or fall back to.
 *
 * @public
 */
export interface AllowedModelSet {
  /** True when `agents.defaults.models` is empty (or nothing in it was usable): any model goes. */
  readonly allowAny: boolean
  /** Allowed keys: the accepted allowlist entries plus the default model (with `allowAny`, the
   * catalog's keys plus the default model). */
  readonly keys: ReadonlySet<string>
  /** Whether a `provider/model` key may be used. */
  has(key: string): boolean
}

/** @public */
export interface BuildAllowedModelSetOptions {
  readonly config?: CatalogConfig | undefined
  readonly catalog: CatalogLike
  /** Defaults to {@link DEFAULT_PROVIDER}. */
  readonly defaultProvider?: string
  /** The default model, always allowed; resolved from `config` when omitted. */
  readonly defaultModel?: ModelRef
}

function catalogEntries(catalog: CatalogLike) {
  return 'list' in catalog && typeof catalog.list === 'function'
    ? catalog.list()
    : (catalog as readonly { provider: string; id: string }[])
}

function isCliProvider(provider: string, config: CatalogConfig | undefined): boolean {
  const normalized = normalizeProviderId(provider)
  if (CLI_BACKEND_PROVIDERS.includes(normalized)) return true
  return Object.keys(config?.agents?.defaults?.cliBackends ?? {}).some(
    (backend) => normalizeProviderId(backend) === normalized,
  )
}

/**
 * Builds the allowlist from `agents.defaults.models`. An empty map means "allow any". Otherwise an
 * entry is accepted when its provider is a CLI backend (`claude-cli`, `codex-cli` or a key of
 * `agents.defaults.cliBackends`), when the catalog has it, or when its provider is configured in
 * `models.providers`. The default model is always allowed. If no entry is accepted the set
 * degrades to "allow any".
 *
 * @public
 */
export function buildAllowedModelSet(options: BuildAllowedModelSetOptions): AllowedModelSet {
  const defaultProvider = options.defaultProvider ?? DEFAULT_PROVIDER
  const defaultRef =
    options.defaultModel ?? resolveConfiguredModelRef({ config: options.config, defaultProvider })
  const defaultKey = modelKey(defaultRef)
  const entries = catalogEntries(options.catalog)
  const catalogKeys = new Set(entries.map((entry) => modelKey(entry.provider, entry.id)))
  const configuredProviders = new Set(
    Object.keys(options.config?.models?.providers ?? {}).map(normalizeProviderId),
  )
  const accepted = new Set<string>()
  for (const raw of Object.keys(options.config?.agents?.defaults?.models ?? {})) {
    const ref = parseModelRef(raw, { defaultProvider })
    if (!ref) continue
    const key = modelKey(ref)
    if (
      isCliProvider(ref.provider, options.config) ||
      catalogKeys.has(key) ||
      configuredProviders.has(ref.provider)
    ) {
      accepted.add(key)
    }
  }
  if (accepted.size === 0) {
    const keys = new Set(catalogKeys).add(defaultKey)
    return { allowAny: true, keys, has: () => true }
  }
  accepted.add(defaultKey)
  return { allowAny: false, keys: accepted, has: (key) => accepted.has(key) }
}

/** @public */
export type AllowedModelRefResult =
  | { readonly ref: ModelRef; readonly key: string; readonly alias?: string }
  | { readonly error: string }

/** @public */
export interface ResolveAllowedModelRefOptions extends BuildAllowedModelSetOptions {
  /** A prebuilt allowlist; built from the other options when omitted. */
  readonly allowed?: AllowedModelSet
  readonly aliasIndex?: ModelAliasIndex
}

/**
 * Resolves a user's model choice (alias or ref) and checks it against the allowlist. Errors use
 * OpenClaw's wording: `invalid model: empty`, `invalid model: <raw>`,
 * `model not allowed: <key>`.
 *
 * @public
 */
export function resolveAllowedModelRef(
  raw: unknown,
  options: ResolveAllowedModelRefOptions,
): AllowedModelRefResult {
  const trimmed = typeof raw === 'string' ? raw.trim() : ''
  if (trimmed === '') return { error: 'invalid model: empty' }
  const defaultProvider = options.defaultProvider ?? DEFAULT_PROVIDER
  const aliasIndex =
    options.aliasIndex ?? buildModelAliasIndex({ config: options.config, defaultProvider })
  const resolved = resolveModelRefFromString(trimmed, { defaultProvider, aliasIndex })
  if (!resolved) return { error: `invalid model: ${trimmed}` }
  const key = modelKey(resolved.ref)
  const allowed = options.allowed ?? buildAllowedModelSet(options)
  if (!allowed.has(key)) return { error: `model not allowed: ${key}` }
  return resolved.alias === undefined
    ? { ref: resolved.ref, key }
    : { ref: resolved.ref, key, alias: resolved.alias }
}

/**
 * The chat-surface message for a model outside the allowlist.
 *
 * @public
 */
export function formatModelNotAllowedMessage(key: string): string {
  return `Model "${key}" is not allowed. Use /model to list available models.`
}
