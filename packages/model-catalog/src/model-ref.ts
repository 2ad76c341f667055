import { ModelCatalogError, describeInput } from './errors.js'
import { PROVIDER_REGISTRY } from './provider-registry.js'

/**
 * A resolved model reference: a normalised provider id and a model id.
 *
 * @public
 */
export interface ModelRef {
  readonly provider: string
  readonly model: string
}

const providerAliases: ReadonlyMap<string, string> = new Map(
  PROVIDER_REGISTRY.flatMap((info) => info.aliases.map((alias) => [alias, info.id] as const)),
)

/**
 * Normalises a provider id: trims, lowercases and maps known aliases (`z.ai` and `z-ai` →
 * `zai`, `opencode-zen` → `opencode`, `qwen` → `qwen-portal`). Use it wherever provider ids are
 * compared.
 *
 * @example
 * ```ts
 * normalizeProviderId(' Z.AI ') // 'zai'
 * ```
 * @public
 */
export function normalizeProviderId(provider: string): string {
  const lowered = provider.trim().toLowerCase()
  return providerAliases.get(lowered) ?? lowered
}

const anthropicModelAliases: ReadonlyMap<string, string> = new Map([
  ['opus-4.5', 'claude-opus-4-5'],
  ['sonnet-4.5', 'claude-sonnet-4-5'],
])

const googleModelAliases: ReadonlyMap<string, string> = new Map([
  ['gemini-3-pro', 'gemini-3-pro-preview'],
  ['gemini-3-flash', 'gemini-3-flash-preview'],
])

/**
 * Normalises a model id for its provider: `anthropic` maps `opus-4.5` → `claude-opus-4-5` and
 * `sonnet-4.5` → `claude-sonnet-4-5` (case-insensitive); `google` maps `gemini-3-pro` and
 * `gemini-3-flash` to their `-preview` ids. Other ids are returned trimmed.
 *
 * @public
 */
export function normalizeModelId(provider: string, model: string): string {
  const trimmed = model.trim()
  const normalizedProvider = normalizeProviderId(provider)
  if (normalizedProvider === 'anthropic') {
    return anthropicModelAliases.get(trimmed.toLowerCase()) ?? trimmed
  }
  if (normalizedProvider === 'google') {
    return googleModelAliases.get(trimmed.toLowerCase()) ?? trimmed
  }
  return trimmed
}

/** C0/C1 control characters and Unicode bidi controls: never part of a valid id. */
const forbiddenIdCharacters =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

/** @public */
export interface ParseModelRefOptions {
  /** Provider used when `raw` has no `provider/` prefix. */
  readonly defaultProvider: string
}

/**
 * Parses `provider/model` (split at the first `/`, so `openrouter/moonshotai/kimi-k2` keeps the
 * rest as the model id) or a bare model id, which takes `defaultProvider`. Returns `null` for
 * empty input, an empty side (`"/"`, `"anthropic/"`, `"/model"`), a non-string, or input with
 * control or bidi-override characters. Input is NFC-normalised, so composed and decomposed
 * spellings give the same ref.
 *
 * @example
 * ```ts
 * parseModelRef('Z.AI/glm-4.7', { defaultProvider: 'anthropic' }) // { provider: 'zai', model: 'glm-4.7' }
 * parseModelRef('opus-4.5', { defaultProvider: 'anthropic' }) // { provider: 'anthropic', model: 'claude-opus-4-5' }
 * ```
 * @public
 */
export function parseModelRef(raw: unknown, options: ParseModelRefOptions): ModelRef | null {
  if (typeof raw !== 'string') return null
  const trimmed = raw.normalize('NFC').trim()
  if (trimmed === '' || forbiddenIdCharacters.test(trimmed)) return null
  const slash = trimmed.indexOf('/')
  if (slash === -1) {
    const provider = normalizeProviderId(options.defaultProvider)
    if (provider === '') return null
    return { provider, model: normalizeModelId(provider, trimmed) }
  }
  const provider = normalizeProviderId(trimmed.slice(0, slash))
  const model = trimmed.slice(slash + 1).trim()
  if (provider === '' || model === '') return null
  return { provider, model: normalizeModelId(provider, model) }
}

/**
 * Like {@link parseModelRef}, but throws instead of returning `null`.
 *
 * @throws {ModelCatalogError} `ERR_INVALID_MODEL_REF` naming the (escaped) input.
 * @public
 */
export function requireModelRef(raw: unknown, options: ParseModelRefOptions): ModelRef {
  const ref = parseModelRef(raw, options)
  if (ref) return ref
  const shown = typeof raw === 'string' ? describeInput(raw) : `(${typeof raw})`
  throw new ModelCatalogError('ERR_INVALID_MODEL_REF', `Invalid model reference: ${shown}`)
}

/**
 * The canonical `provider/model` key of a reference. Accepts a {@link ModelRef} or the two parts.
 *
 * @public
 */
export function modelKey(ref: ModelRef): string
export function modelKey(provider: string, model: string): string
export function modelKey(refOrProvider: ModelRef | string, model?: string): string {
  if (typeof refOrProvider === 'string') return `${refOrProvider}/${model ?? ''}`
  return `${refOrProvider.provider}/${refOrProvider.model}`
}

/**
 * A `/model`-style selection: a model (ref or alias) and an optional auth profile id.
 *
 * @public
 */
export interface ModelSelection {
  /** The model part, trimmed; empty when the input started with `@`. */
  readonly model: string
  /** The profile id after the first `@`, trimmed; absent when there was none or it was empty. */
  readonly profileId?: string
}

/**
 * Splits `model@profileId` at the **first** `@`, so email-style profile ids such as
 * `anthropic:me@example.com` survive. Returns `null` for blank or non-string input.
 *
 * @example
 * ```ts
 * parseModelSelection('opus@anthropic:work') // { model: 'opus', profileId: 'anthropic:work' }
 * ```
 * @public
 */
export function parseModelSelection(raw: unknown): ModelSelection | null {
  if (typeof raw !== 'string') return null
  const trimmed = raw.trim()
  if (trimmed === '') return null
  const at = trimmed.indexOf('@')
  if (at === -1) return { model: trimmed }
  const model = trimmed.slice(0, at).trim()
  const profileId = trimmed.slice(at + 1).trim()
  return profileId === '' ? { model } : { model, profileId }
}
