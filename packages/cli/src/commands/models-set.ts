// `claw models set <model>` and `claw models set-image <model>`: the default (image) model.
import { flag, type CommandSpec } from '../command.js'
import type { Context } from '../context.js'
import { configUpdatedLine } from '../model-config/config-updated.js'
import { createModelResolver, MODEL_ARGUMENT } from '../model-config/model-target.js'
import {
  createCommandRefChecker,
  REF_CHECK_HELP,
  STRICT_OPTION,
} from '../model-config/ref-check.js'
import {
  agentDefaults,
  ensureModelEntry,
  modelEntries,
  updateModelSlot,
  type ModelSlotName,
} from '../model-config/raw-config.js'
import { safe } from '../text.js'

async function setPrimary(
  context: Context,
  slot: ModelSlotName,
  raw: string,
  strict: boolean,
): Promise<string> {
  const loaded = await context.loadConfig()
  const resolver = createModelResolver(loaded.config)
  const checker = await createCommandRefChecker(context)
  const key = checker.resolve(raw, { strict, warn: (message) => context.out.warn(message) })
  await context.updateConfig((document) => {
    const defaults = agentDefaults(document)
    updateModelSlot(defaults, slot, { primary: key })
    ensureModelEntry(modelEntries(defaults), key, resolver.entryKeyOf)
  })
  context.out.line(configUpdatedLine(context, loaded.path))
  return key
}

export const setCommand: CommandSpec = {
  summary: 'Set the default model.',
  description:
    'Writes agents.defaults.model.primary (keeping its fallbacks) and makes sure the model has ' +
    'an entry in agents.defaults.models. Aliases are resolved and providers normalised ' +
    '(z.ai/glm-4.7 → zai/glm-4.7). ' +
    REF_CHECK_HELP +
    ' The previous config is kept as <config>.bak.',
  positionals: [MODEL_ARGUMENT],
  options: STRICT_OPTION,
  examples: ['claw models set anthropic/claude-opus-4-5', 'claw models set opus'],
  async run(context, args) {
    const key = await setPrimary(context, 'model', args.positionals[0]!, flag(args, 'strict'))
    context.out.line(`Default model: ${safe(key)}`)
  },
}

export const setImageCommand: CommandSpec = {
  summary: 'Set the default image model.',
  description:
    'Writes agents.defaults.imageModel.primary (keeping its fallbacks) and makes sure the model ' +
    'has an entry in agents.defaults.models. ' +
    REF_CHECK_HELP +
    ' The previous config is kept as <config>.bak.',
  positionals: [MODEL_ARGUMENT],
  options: STRICT_OPTION,
  examples: ['claw models set-image openai/gpt-5.2'],
  async run(context, args) {
    const key = await setPrimary(context, 'imageModel', args.positionals[0]!, flag(args, 'strict'))
    context.out.line(`Image model: ${safe(key)}`)
  },
}
