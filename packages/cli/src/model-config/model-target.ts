// Resolving what the user typed (`opus`, `z.ai/glm-4.7`, `openai/gpt-5.2`) to a canonical model
// key, with OpenClaw's error message. Aliases come from the validated config.
import {
  DEFAULT_PROVIDER,
  buildModelAliasIndex,
  modelKey,
  parseModelRef,
  resolveModelRefFromString,
  type CatalogConfig,
  type ModelAliasIndex,
} from '@claw/model-catalog'
import { usageError } from '../errors.js'
import { safe } from '../text.js'

/** The `<model>` argument of the commands that write a model ref. */
export const MODEL_ARGUMENT = {
  name: 'model',
  description: 'A model reference (provider/model) or an alias.',
  required: true,
} as const

/** Resolves model input against one config's aliases. */
export interface ModelResolver {
  /** The canonical `provider/model` key of `raw`, or `undefined` when it does not parse. */
  readonly keyOf: (raw: unknown) => string | undefined
  /** Like {@link ModelResolver.keyOf}, but a bad reference is `Invalid model reference: <raw>`. */
  readonly require: (raw: string) => string
  /** The canonical key of a key of `agents.defaults.models` (a model ref, never an alias). */
  readonly entryKeyOf: (raw: string) => string | undefined
}

/** A resolver using the aliases of `config` (`agents.defaults.models.<key>.alias`). */
export function createModelResolver(config: CatalogConfig): ModelResolver {
  const aliasIndex: ModelAliasIndex = buildModelAliasIndex({
    config,
    defaultProvider: DEFAULT_PROVIDER,
  })
  const keyOf = (raw: unknown): string | undefined => {
    const resolved = resolveModelRefFromString(raw, {
      defaultProvider: DEFAULT_PROVIDER,
      aliasIndex,
    })
    return resolved ? modelKey(resolved.ref) : undefined
  }
  return {
    keyOf,
    entryKeyOf: (raw) => {
      const ref = parseModelRef(raw, { defaultProvider: DEFAULT_PROVIDER })
      return ref ? modelKey(ref) : undefined
    },
    require: (raw) => {
      const key = keyOf(raw)
      if (key === undefined) throw usageError(`Invalid model reference: ${safe(raw)}`)
      return key
    },
  }
}
