// `claw models fallbacks …` and `claw models image-fallbacks …`: the fallback lists of
// agents.defaults.model and agents.defaults.imageModel.
import { flag, OUTPUT_OPTIONS, outputMode, type CommandSpec } from '../command.js'
import type { Context } from '../context.js'
import { usageError } from '../errors.js'
import { configUpdatedLine } from '../model-config/config-updated.js'
import {
  createModelResolver,
  MODEL_ARGUMENT,
  type ModelResolver,
} from '../model-config/model-target.js'
import {
  createCommandRefChecker,
  REF_CHECK_HELP,
  STRICT_OPTION,
} from '../model-config/ref-check.js'
import {
  agentDefaults,
  ensureModelEntry,
  modelEntries,
  readModelSlot,
  updateModelSlot,
  type ModelSlotName,
} from '../model-config/raw-config.js'
import { safe } from '../text.js'

interface FallbackKind {
  readonly slot: ModelSlotName
  /** `agents.defaults.model` / `agents.defaults.imageModel`, for help texts. */
  readonly configPath: string
  /** `Fallbacks` / `Image fallbacks`. */
  readonly title: string
  /** `Fallback` / `Image fallback`. */
  readonly noun: string
  readonly command: string
}

const KINDS = {
  fallbacks: {
    slot: 'model',
    configPath: 'agents.defaults.model.fallbacks',
    title: 'Fallbacks',
    noun: 'Fallback',
    command: 'claw models fallbacks',
  },
  'image-fallbacks': {
    slot: 'imageModel',
    configPath: 'agents.defaults.imageModel.fallbacks',
    title: 'Image fallbacks',
    noun: 'Image fallback',
    command: 'claw models image-fallbacks',
  },
} as const satisfies Record<string, FallbackKind>

/** The slot's current fallbacks in the raw document. */
function currentFallbacks(document: Record<string, unknown>, kind: FallbackKind): string[] {
  const defaults = (document['agents'] as { defaults?: Record<string, unknown> } | undefined)
    ?.defaults
  return [...(readModelSlot(defaults?.[kind.slot]).fallbacks ?? [])]
}

/** Writes the slot's fallbacks, keeping its primary (also when the slot was a string). */
function writeFallbacks(
  document: Record<string, unknown>,
  kind: FallbackKind,
  fallbacks: readonly string[],
): Record<string, unknown> {
  const defaults = agentDefaults(document)
  updateModelSlot(defaults, kind.slot, { fallbacks })
  return defaults
}

function resolvesTo(resolver: ModelResolver, entry: string, key: string): boolean {
  return resolver.keyOf(entry) === key
}

function printFallbacks(context: Context, kind: FallbackKind, fallbacks: readonly string[]): void {
  context.out.line(`${kind.title}: ${fallbacks.map((entry) => safe(entry)).join(', ')}`)
}

function listCommand(kind: FallbackKind): CommandSpec {
  return {
    summary: `List the ${kind.slot === 'model' ? 'model' : 'image model'} fallback list.`,
    description: `Shows ${kind.configPath} as written in the config.`,
    options: OUTPUT_OPTIONS,
    examples: [`${kind.command} list`, `${kind.command} list --json`],
    async run(context, args) {
      const mode = outputMode(args)
      const slot = (await context.config()).agents?.defaults?.[kind.slot]
      const fallbacks = readModelSlot(slot).fallbacks ?? []
      if (mode === 'json') return context.out.json({ fallbacks })
      if (mode === 'plain') {
        for (const entry of fallbacks) context.out.line(safe(entry))
        return
      }
      context.out.line(`${kind.title} (${fallbacks.length}):`)
      if (fallbacks.length === 0) return context.out.line('- none')
      for (const entry of fallbacks) context.out.line(`- ${safe(entry)}`)
    },
  }
}

function addCommand(kind: FallbackKind): CommandSpec {
  return {
    summary: `Add a model to the end of ${kind.configPath}.`,
    description:
      'The model is resolved (aliases allowed) and stored as its canonical provider/model key; ' +
      'the primary model is kept. Adding a model that is already in the list changes nothing. ' +
      REF_CHECK_HELP,
    positionals: [MODEL_ARGUMENT],
    options: STRICT_OPTION,
    examples: [`${kind.command} add openai/gpt-5.2`],
    async run(context, args) {
      const loaded = await context.loadConfig()
      const resolver = createModelResolver(loaded.config)
      const checker = await createCommandRefChecker(context)
      // Notes and warnings about the ref matter only when it is written.
      const notes: string[] = []
      const key = checker.resolve(args.positionals[0]!, {
        strict: flag(args, 'strict'),
        warn: (message) => notes.push(message),
      })
      const existing = currentFallbacks(loaded.raw, kind)
      if (existing.some((entry) => resolvesTo(resolver, entry, key))) {
        return printFallbacks(context, kind, existing)
      }
      for (const note of notes) context.out.warn(note)
      let fallbacks: string[] = []
      await context.updateConfig((document) => {
        const current = currentFallbacks(document, kind)
        fallbacks = current.some((entry) => resolvesTo(resolver, entry, key))
          ? current
          : [...current, key]
        const defaults = writeFallbacks(document, kind, fallbacks)
        ensureModelEntry(modelEntries(defaults), key, resolver.entryKeyOf)
      })
      context.out.line(configUpdatedLine(context, loaded.path))
      printFallbacks(context, kind, fallbacks)
    },
  }
}

function removeCommand(kind: FallbackKind): CommandSpec {
  return {
    summary: `Remove a model from ${kind.configPath}.`,
    description: 'Removes every entry that resolves to the same model (aliases allowed).',
    positionals: [MODEL_ARGUMENT],
    examples: [`${kind.command} remove openai/gpt-5.2`],
    async run(context, args) {
      const loaded = await context.loadConfig()
      const resolver = createModelResolver(loaded.config)
      const key = resolver.require(args.positionals[0]!)
      let fallbacks: string[] = []
      await context.updateConfig((document) => {
        const current = currentFallbacks(document, kind)
        fallbacks = current.filter((entry) => !resolvesTo(resolver, entry, key))
        if (fallbacks.length === current.length) {
          throw usageError(`${kind.noun} not found: ${safe(key)}`)
        }
        writeFallbacks(document, kind, fallbacks)
      })
      context.out.line(configUpdatedLine(context, loaded.path))
      printFallbacks(context, kind, fallbacks)
    },
  }
}

function clearCommand(kind: FallbackKind): CommandSpec {
  return {
    summary: `Clear ${kind.configPath} (the primary model is kept).`,
    examples: [`${kind.command} clear`],
    async run(context) {
      const loaded = await context.loadConfig()
      await context.updateConfig((document) => {
        writeFallbacks(document, kind, [])
      })
      context.out.line(configUpdatedLine(context, loaded.path))
      context.out.line(`${kind.noun} list cleared.`)
    },
  }
}

function group(kind: FallbackKind) {
  return {
    list: listCommand(kind),
    add: addCommand(kind),
    remove: removeCommand(kind),
    clear: clearCommand(kind),
  }
}

export const fallbackCommands = {
  fallbacks: group(KINDS.fallbacks),
  'image-fallbacks': group(KINDS['image-fallbacks']),
}
