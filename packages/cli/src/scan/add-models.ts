// Adding models a scan found to the config: each goes under `models.providers.<provider>.models[]`
// with what the provider said about it (tools, images, context window, free), so the catalog and
// the ref checks know it from then on.
import { normalizeProviderId } from '@claw/model-catalog'
import type { Context } from '../context.js'
import { usageError } from '../errors.js'
import { childObject, isRecord } from '../json-object.js'
import { configUpdatedLine } from '../model-config/config-updated.js'
import { closestMatch } from '../suggest.js'
import { safe } from '../text.js'
import type { ScannedModel } from './provider-models.js'

/** The model's key, `provider/id`. */
export function scannedKey(model: ScannedModel): string {
  return `${model.provider}/${model.id}`
}

/** A `models.providers.<id>.models[]` entry for a listed model (only what the provider said). */
function modelDefinition(model: ScannedModel): Record<string, unknown> {
  const { contextWindow } = model
  return {
    id: model.id,
    ...(model.tools === null ? {} : { toolCall: model.tools }),
    ...(model.image === null ? {} : { input: model.image ? ['text', 'image'] : ['text'] }),
    ...(contextWindow !== null && Number.isInteger(contextWindow) && contextWindow > 0
      ? { contextWindow }
      : {}),
    ...(model.free === true ? { cost: { input: 0, output: 0 } } : {}),
  }
}

/**
 * The listed model `wanted` names: `provider/id`, or a bare id listed by one provider. Anything
 * else is a usage error (with the nearest listed key), before anything is written.
 */
export function findScanned(models: readonly ScannedModel[], wanted: string): ScannedModel {
  const found = models.filter((model) => wanted === scannedKey(model) || wanted === model.id)
  if (found.length === 1) return found[0]!
  if (found.length > 1) {
    throw usageError(
      `"${safe(wanted)}" is listed by several providers (${found.map((model) => safe(model.provider)).join(', ')}): write it as <provider>/${safe(wanted)}.`,
    )
  }
  const near = closestMatch(wanted, models.map(scannedKey))
  throw usageError(
    `"${safe(wanted)}" is not among the models listed.${near ? ` Did you mean ${safe(near)}?` : ''}`,
  )
}

/**
 * Adds `models` under `models.providers` in one config update (lock, atomic write); a model
 * already there is left as it is. Prints one line per model added.
 */
export async function addScannedModels(
  context: Context,
  models: readonly ScannedModel[],
): Promise<void> {
  if (models.length === 0) return
  const loaded = await context.loadConfig()
  const added: string[] = []
  await context.updateConfig((raw) => {
    const providers = childObject(childObject(raw, 'models'), 'providers')
    for (const model of models) {
      const id =
        Object.keys(providers).find((key) => normalizeProviderId(key) === model.provider) ??
        model.provider
      const entry = childObject(providers, id)
      const list = Array.isArray(entry['models']) ? (entry['models'] as unknown[]) : []
      entry['models'] = list
      if (list.some((existing) => isRecord(existing) && existing['id'] === model.id)) continue
      list.push(modelDefinition(model))
      added.push(`Added ${safe(scannedKey(model))} to models.providers.${safe(id)}`)
    }
  })
  context.out.line(
    ...(added.length === 0 ? ['Already in models.providers; nothing added.'] : added),
    configUpdatedLine(context, loaded.path),
  )
}
