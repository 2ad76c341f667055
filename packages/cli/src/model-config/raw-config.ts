// Edits of the raw config document (`${VAR}` references intact) for the model commands. The
// document has been validated before it is edited, so the shapes read here are the schema's;
// anything unexpected is replaced rather than trusted.
import { isRecord, childObject } from '../json-object.js'

/** `agents.defaults.model` or `agents.defaults.imageModel`. */
export type ModelSlotName = 'model' | 'imageModel'

/** A model slot in its object form (the string form `"provider/model"` is only a primary). */
export interface ModelSlot {
  readonly primary?: string
  readonly fallbacks?: readonly string[]
}

/** `raw.agents.defaults`, created when missing. */
export function agentDefaults(raw: Record<string, unknown>): Record<string, unknown> {
  return childObject(childObject(raw, 'agents'), 'defaults')
}

/** Reads a slot from either form: `"provider/model"` or `{ primary?, fallbacks? }`. */
export function readModelSlot(value: unknown): ModelSlot {
  if (typeof value === 'string') return value.trim() === '' ? {} : { primary: value }
  if (!isRecord(value)) return {}
  const primary = typeof value['primary'] === 'string' ? value['primary'] : undefined
  const fallbacks = Array.isArray(value['fallbacks'])
    ? value['fallbacks'].filter((entry): entry is string => typeof entry === 'string')
    : undefined
  return {
    ...(primary === undefined ? {} : { primary }),
    ...(fallbacks === undefined ? {} : { fallbacks }),
  }
}

/**
 * Writes part of a slot (its primary or its fallbacks) in the object form, keeping the other part
 * (a string-form slot becomes `{ primary }`).
 */
export function updateModelSlot(
  defaults: Record<string, unknown>,
  name: ModelSlotName,
  part: ModelSlot,
): void {
  const slot = { ...readModelSlot(defaults[name]), ...part }
  defaults[name] = {
    ...(slot.primary === undefined ? {} : { primary: slot.primary }),
    ...(slot.fallbacks === undefined ? {} : { fallbacks: [...slot.fallbacks] }),
  }
}

/**
 * `agents.defaults.models` (created when missing). Its keys are model keys as written, which may
 * be non-canonical (`Z.AI/glm-4.7`).
 */
export function modelEntries(
  defaults: Record<string, unknown>,
): Record<string, Record<string, unknown>> {
  const models = childObject(defaults, 'models')
  for (const [key, entry] of Object.entries(models)) {
    if (!isRecord(entry)) models[key] = {}
  }
  return models as Record<string, Record<string, unknown>>
}

/**
 * The entry of `key` in `agents.defaults.models`: an existing entry whose key resolves to `key`
 * (so `Z.AI/glm-4.7` is reused for `zai/glm-4.7`), else a new `{}` under the canonical key.
 */
export function ensureModelEntry(
  models: Record<string, Record<string, unknown>>,
  key: string,
  keyOf: (raw: string) => string | undefined,
): Record<string, unknown> {
  const exact = models[key]
  if (exact) return exact
  const existing = Object.keys(models).find((candidate) => keyOf(candidate) === key)
  if (existing !== undefined) return models[existing]!
  const created: Record<string, unknown> = {}
  models[key] = created
  return created
}
