// `claw models aliases list|add|remove`: aliases live in agents.defaults.models.<key>.alias.
import { flag, OUTPUT_OPTIONS, outputMode, type CommandSpec } from '../command.js'
import { usageError } from '../errors.js'
import { configUpdatedLine } from '../model-config/config-updated.js'
import { createModelResolver } from '../model-config/model-target.js'
import {
  createCommandRefChecker,
  REF_CHECK_HELP,
  STRICT_OPTION,
} from '../model-config/ref-check.js'
import { agentDefaults, ensureModelEntry, modelEntries } from '../model-config/raw-config.js'
import { safe } from '../text.js'

const ALIAS_PATTERN = /^[A-Za-z0-9_.:-]+$/

/** Trims and validates an alias with OpenClaw's messages. */
function normalizeAlias(raw: string): string {
  const alias = raw.trim()
  if (alias === '') throw usageError('Alias cannot be empty.')
  if (!ALIAS_PATTERN.test(alias)) {
    throw usageError('Alias must use letters, numbers, dots, underscores, colons, or dashes.')
  }
  return alias
}

function aliasOf(entry: unknown): string | undefined {
  const alias = (entry as { alias?: unknown } | undefined)?.alias
  return typeof alias === 'string' && alias.trim() !== '' ? alias.trim() : undefined
}

const list: CommandSpec = {
  summary: 'List model aliases.',
  description: 'Aliases are stored as agents.defaults.models.<key>.alias.',
  options: OUTPUT_OPTIONS,
  examples: ['claw models aliases list', 'claw models aliases list --json'],
  async run(context, args) {
    const mode = outputMode(args)
    const models = (await context.config()).agents?.defaults?.models ?? {}
    const byAlias = new Map<string, string>()
    for (const [key, entry] of Object.entries(models)) {
      const alias = aliasOf(entry)
      if (alias !== undefined) byAlias.set(alias, key)
    }
    const entries = [...byAlias]
    // fromEntries defines own properties, so an alias such as `__proto__` stays data.
    if (mode === 'json') return context.out.json({ aliases: Object.fromEntries(entries) })
    if (mode === 'plain') {
      for (const [alias, key] of entries) context.out.line(`${safe(alias)} ${safe(key)}`)
      return
    }
    context.out.line(`Aliases (${entries.length}):`)
    if (entries.length === 0) return context.out.line('- none')
    for (const [alias, key] of entries) context.out.line(`- ${safe(alias)} -> ${safe(key)}`)
  },
}

const add: CommandSpec = {
  summary: 'Add a model alias.',
  description:
    'Aliases may use letters, numbers, dots, underscores, colons and dashes; they are matched ' +
    'case-insensitively. The model may itself be given by an alias. A model has at most one alias. ' +
    REF_CHECK_HELP,
  options: STRICT_OPTION,
  positionals: [
    { name: 'alias', description: 'The alias, e.g. opus.', required: true },
    { name: 'model', description: 'A model reference (provider/model) or alias.', required: true },
  ],
  examples: ['claw models aliases add opus anthropic/claude-opus-4-5'],
  async run(context, args) {
    const alias = normalizeAlias(args.positionals[0]!)
    const loaded = await context.loadConfig()
    const resolver = createModelResolver(loaded.config)
    const checker = await createCommandRefChecker(context)
    const key = checker.resolve(args.positionals[1]!, {
      strict: flag(args, 'strict'),
      warn: (message) => context.out.warn(message),
    })
    await context.updateConfig((document) => {
      const models = modelEntries(agentDefaults(document))
      for (const [existingKey, entry] of Object.entries(models)) {
        const existing = aliasOf(entry)
        if (
          existing !== undefined &&
          existing.toLowerCase() === alias.toLowerCase() &&
          (resolver.entryKeyOf(existingKey) ?? existingKey) !== key
        ) {
          throw usageError(`Alias ${safe(alias)} already points to ${safe(existingKey)}.`)
        }
      }
      ensureModelEntry(models, key, resolver.entryKeyOf)['alias'] = alias
    })
    context.out.line(configUpdatedLine(context, loaded.path))
    context.out.line(`Alias ${safe(alias)} -> ${safe(key)}`)
  },
}

const remove: CommandSpec = {
  summary: 'Remove a model alias.',
  description: 'Removes the alias from its agents.defaults.models entry (the entry itself stays).',
  positionals: [{ name: 'alias', description: 'The alias to remove.', required: true }],
  examples: ['claw models aliases remove opus'],
  async run(context, args) {
    const alias = normalizeAlias(args.positionals[0]!)
    const loaded = await context.loadConfig()
    let remaining = 0
    await context.updateConfig((document) => {
      const models = modelEntries(agentDefaults(document))
      let found = false
      for (const entry of Object.values(models)) {
        if (!found && aliasOf(entry)?.toLowerCase() === alias.toLowerCase()) {
          delete entry['alias']
          found = true
        }
      }
      if (!found) throw usageError(`Alias not found: ${safe(alias)}`)
      remaining = Object.values(models).filter((entry) => aliasOf(entry) !== undefined).length
    })
    context.out.line(configUpdatedLine(context, loaded.path))
    if (remaining === 0) context.out.line('No aliases configured.')
  },
}

export const aliasCommands = { list, add, remove }
