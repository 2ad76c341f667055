import { createModelCatalog, type ModelCatalog } from '@claw/model-catalog'
import { flag, OUTPUT_OPTIONS, outputMode, stringOption, type CommandSpec } from '../command.js'
import { buildModelRows, formatTokenK, type ModelRow } from '../status/model-rows.js'
import { safe, type Styles } from '../text.js'

export const listCommand: CommandSpec = {
  summary: 'List configured models, or the whole catalog with --all.',
  description: [
    'Without --all: the default model, fallbacks, image model, image fallbacks and the',
    'allowlist (agents.defaults.models), tagged. Auth = a credential exists for the provider',
    '(a stored profile, an env var or a config key).',
  ].join('\n'),
  options: {
    all: { type: 'boolean', description: 'List the whole model catalog.' },
    provider: { type: 'string', value: 'id', description: 'Only models of this provider.' },
    local: { type: 'boolean', description: 'Only models served from localhost / *.local.' },
    ...OUTPUT_OPTIONS,
  },
  examples: [
    'claw models list',
    'claw models list --all --provider openai',
    'claw models list --json',
  ],
  async run(context, args) {
    const mode = outputMode(args)
    const config = await context.config()
    const store = await context.loadStore()
    let catalog: ModelCatalog | undefined
    try {
      catalog = createModelCatalog({ config })
      catalog.list()
    } catch (error) {
      context.out.warn(
        `Model registry unavailable: ${error instanceof Error ? error.message : String(error)}`,
      )
      catalog = undefined
    }
    const provider = stringOption(args, 'provider')
    const rows = buildModelRows({
      config,
      store,
      env: context.env,
      catalog,
      all: flag(args, 'all'),
      ...(provider === undefined ? {} : { provider }),
      local: flag(args, 'local'),
    })
    if (mode === 'json') {
      context.out.json({ count: rows.length, models: rows })
      return
    }
    if (rows.length === 0) {
      context.out.line('No models found.')
      return
    }
    if (mode === 'plain') {
      context.out.line(...rows.map((row) => safe(row.key)))
      return
    }
    context.out.line(...renderModelTable(rows, context.out.styles))
  },
}

function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 3)}...`
}

function yesNo(value: boolean | null): string {
  return value === null ? '-' : value ? 'yes' : 'no'
}

function renderModelTable(rows: readonly ModelRow[], s: Styles): string[] {
  const header = [
    'Model'.padEnd(42),
    'Input'.padEnd(10),
    'Ctx'.padEnd(8),
    'Local'.padEnd(5),
    'Auth'.padEnd(5),
    'Tags',
  ].join(' ')
  const tagColour = (tag: string) =>
    tag === 'default'
      ? s.green(tag)
      : tag === 'missing'
        ? s.red(tag)
        : tag.startsWith('fallback#') || tag.startsWith('img-fallback#')
          ? s.yellow(tag)
          : s.cyan(tag)
  return [
    s.bold(header),
    ...rows.map((row) =>
      [
        s.cyan(truncate(safe(row.key), 42).padEnd(42)),
        (row.input || '-').padEnd(10),
        formatTokenK(row.contextWindow).padEnd(8),
        yesNo(row.local).padEnd(5),
        row.available === false
          ? s.red(yesNo(row.available).padEnd(5))
          : s.green(yesNo(row.available).padEnd(5)),
        row.tags.map((tag) => tagColour(safe(tag))).join(','),
      ]
        .join(' ')
        .trimEnd(),
    ),
  ]
}
