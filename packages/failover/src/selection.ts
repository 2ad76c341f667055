import type { AuthProfileStore, ClawConfig } from '@claw/auth-profiles'
import {
  buildAllowedModelSet,
  buildModelAliasIndex,
  DEFAULT_PROVIDER,
  formatModelNotAllowedMessage,
  modelKey,
  normalizeProviderId,
  parseModelRef,
  parseModelSelection,
  resolveConfiguredModelRef,
  resolveModelRefFromString,
  type AllowedModelSet,
  type CatalogLike,
  type ModelAliasIndex,
  type ModelRef,
} from '@claw/model-catalog'

/** The largest edit distance at which a mistyped model key is corrected. @public */
export const MODEL_TYPO_MAX_DISTANCE = 3

/** @public */
export interface ResolveModelSelectionOptions {
  /** The user's input: `<model or alias>[@<profileId>]`, e.g. `opus@anthropic:me@example.com`. */
  readonly raw: string
  /** Supplies the allowlist and aliases (`agents.defaults.models`) and the primary model. */
  readonly config?: ClawConfig | undefined
  /** Needed to check a `@profileId`; without it every profile id is reported as not found. */
  readonly store?: AuthProfileStore | undefined
  /**
   * The model catalog. With it the allowlist follows `buildAllowedModelSet` (an empty allowlist
   * allows every catalog model). Without it only the allowlist keys (plus the primary model) are
   * allowed, and an empty allowlist allows anything.
   */
  readonly catalog?: CatalogLike | undefined
  /** Provider for bare model ids; defaults to `anthropic`. */
  readonly defaultProvider?: string | undefined
  /** A prebuilt alias index; built from `config` when omitted. */
  readonly aliasIndex?: ModelAliasIndex | undefined
  /**
   * Correct a model that is not allowed (or not in the catalog) to the closest allowed key within
   * {@link MODEL_TYPO_MAX_DISTANCE} edits. Default `true`.
   */
  readonly autoCorrect?: boolean | undefined
}

/** A successful `/model` selection. @public */
export interface ModelSelectionSuccess {
  readonly ok: true
  readonly ref: ModelRef
  /** `provider/model`. */
  readonly key: string
  /** Set when the input was an alias. */
  readonly alias?: string
  /** The auth profile to pin (with source `user`), when the input had `@profileId`. */
  readonly profileId?: string
  /** True when the selection is the configured primary model (clear the session's override). */
  readonly isDefault: boolean
  /** Set when the input was a typo corrected to the closest allowed model. */
  readonly corrected?: true
  /** With `corrected`: the key the user typed. */
  readonly requestedKey?: string
}

/** A rejected `/model` selection; `error` is the user-facing message. @public */
export interface ModelSelectionFailure {
  readonly ok: false
  readonly error: string
}

/** @public */
export type ModelSelectionResult = ModelSelectionSuccess | ModelSelectionFailure

/**
 * The Levenshtein distance between two strings, giving up (returning `max + 1`) as soon as it is
 * known to exceed `max`.
 */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const value = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      )
      row.push(value)
      if (value < rowMin) rowMin = value
    }
    if (rowMin > max) return max + 1
    previous = row
  }
  return previous[b.length] as number
}

/** The allowed key closest to `key` within the maximum distance; ties keep the first key. */
function closestKey(key: string, candidates: Iterable<string>): string | undefined {
  const wanted = key.toLowerCase()
  let best: string | undefined
  let bestDistance = MODEL_TYPO_MAX_DISTANCE + 1
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate.toLowerCase(), MODEL_TYPO_MAX_DISTANCE)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** Control and bidi characters, shown escaped so an error message cannot carry terminal controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

interface AllowlistView {
  readonly allowed: AllowedModelSet
  /** Keys a typo may be corrected to; empty when nothing is known. */
  readonly candidates: ReadonlySet<string>
  /** Whether a key is known (in the catalog, or allowlisted); unknown keys may be corrected. */
  readonly known: (key: string) => boolean
}

function buildAllowlistView(
  options: ResolveModelSelectionOptions,
  defaultProvider: string,
  defaultRef: ModelRef,
): AllowlistView {
  if (options.catalog !== undefined) {
    const allowed = buildAllowedModelSet({
      config: options.config,
      catalog: options.catalog,
      defaultProvider,
      defaultModel: defaultRef,
    })
    const catalogKeys = new Set(
      ('list' in options.catalog && typeof options.catalog.list === 'function'
        ? options.catalog.list()
        : (options.catalog as readonly { provider: string; id: string }[])
      ).map((entry) => modelKey(entry.provider, entry.id)),
    )
    return {
      allowed,
      candidates: allowed.keys,
      known: (key) => allowed.keys.has(key) || catalogKeys.has(key),
    }
  }
  // Without a catalog the allowlist keys stand for the catalog, so each one is accepted.
  const allowlist: { provider: string; id: string }[] = []
  for (const raw of Object.keys(options.config?.agents?.defaults?.models ?? {})) {
    const ref = parseModelRef(raw, { defaultProvider })
    if (ref) allowlist.push({ provider: ref.provider, id: ref.model })
  }
  const allowed = buildAllowedModelSet({
    config: options.config,
    catalog: allowlist,
    defaultProvider,
    defaultModel: defaultRef,
  })
  // With an empty allowlist and no catalog nothing is known, so nothing is corrected.
  return allowed.allowAny
    ? { allowed, candidates: new Set(), known: () => true }
    : { allowed, candidates: allowed.keys, known: (key) => allowed.keys.has(key) }
}

/**
 * Resolves `/model`-style input — `<model or alias>[@<profileId>]` — against the config, the
 * allowlist and the auth store. The input is split at the **first** `@`, so
 * email-style profile ids (`anthropic:me@example.com`) survive. Errors keep OpenClaw's
 * messages, which users and scripts already know:
 *
 * - `invalid model: empty` — blank input;
 * - `Auth profile override requires a model selection.` — `@profile` without a model;
 * - `invalid model: <raw>` — a model part that does not parse;
 * - `Model "<key>" is not allowed. Use /model to list available models.` — outside the allowlist
 *   and no allowed key within {@link MODEL_TYPO_MAX_DISTANCE} edits;
 * - `Auth profile "<id>" not found.` — the profile is not in `store`;
 * - `Auth profile "<id>" is for <p>, not <q>.` — the profile belongs to another provider
 *   (compared after normalisation, so `z.ai` ≡ `zai`; both names are shown normalised).
 *
 * A model that is not allowed, or (with a catalog) not known, is corrected to the closest allowed
 * key when one is within {@link MODEL_TYPO_MAX_DISTANCE} edits; the result then has
 * `corrected: true` and `requestedKey`. With `allowAny` (empty allowlist) a model that is not
 * close to any known one is accepted as typed.
 *
 * @example
 * ```ts
 * resolveModelSelection({ raw: 'anthropic/claud-opus-4-5', config })
 * // { ok: true, ref: { provider: 'anthropic', model: 'claude-opus-4-5' }, key: 'anthropic/claude-opus-4-5',
 * //   isDefault: true, corrected: true, requestedKey: 'anthropic/claud-opus-4-5' }
 * ```
 * @public
 */
export function resolveModelSelection(options: ResolveModelSelectionOptions): ModelSelectionResult {
  const selection = parseModelSelection(options.raw)
  if (selection === null || (selection.model === '' && selection.profileId === undefined)) {
    return { ok: false, error: 'invalid model: empty' }
  }
  if (selection.model === '') {
    return { ok: false, error: 'Auth profile override requires a model selection.' }
  }

  const defaultProvider = options.defaultProvider ?? DEFAULT_PROVIDER
  const aliasIndex =
    options.aliasIndex ?? buildModelAliasIndex({ config: options.config, defaultProvider })
  const resolved = resolveModelRefFromString(selection.model, { defaultProvider, aliasIndex })
  if (resolved === null) return { ok: false, error: `invalid model: ${printable(selection.model)}` }

  const defaultRef = resolveConfiguredModelRef({
    config: options.config,
    defaultProvider,
    aliasIndex,
  })
  const view = buildAllowlistView(options, defaultProvider, defaultRef)
  let ref = resolved.ref
  let key = modelKey(ref)
  let corrected = false
  const requestedKey = key
  if (!view.allowed.has(key) || !view.known(key)) {
    const suggestion = options.autoCorrect === false ? undefined : closestKey(key, view.candidates)
    if (suggestion !== undefined && suggestion !== key) {
      const parsed = parseModelRef(suggestion, { defaultProvider })
      if (parsed) {
        ref = parsed
        key = modelKey(parsed)
        corrected = true
      }
    }
    if (!corrected && !view.allowed.has(key)) {
      return { ok: false, error: formatModelNotAllowedMessage(printable(key)) }
    }
  }

  const profileId = selection.profileId
  if (profileId !== undefined) {
    const credential = options.store?.profiles[profileId]
    if (credential === undefined) {
      return { ok: false, error: `Auth profile "${printable(profileId)}" not found.` }
    }
    const profileProvider = normalizeProviderId(credential.provider)
    if (profileProvider !== ref.provider) {
      return {
        ok: false,
        error: `Auth profile "${printable(profileId)}" is for ${printable(profileProvider)}, not ${ref.provider}.`,
      }
    }
  }

  return {
    ok: true,
    ref,
    key,
    ...(resolved.alias !== undefined && !corrected ? { alias: resolved.alias } : {}),
    ...(profileId !== undefined ? { profileId } : {}),
    isDefault: key === modelKey(defaultRef),
    ...(corrected ? { corrected: true as const, requestedKey } : {}),
  }
}
