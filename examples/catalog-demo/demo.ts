// A tour of @claw/model-catalog against a sample config: refs, aliases, the allowlist, the
// built-in catalog and cost estimates. Run it with `pnpm demo` (or `bash scripts/dev.sh demo`).
import { readFileSync } from 'node:fs'
import {
  buildAllowedModelSet,
  buildModelAliasIndex,
  createModelCatalog,
  estimateCost,
  modelKey,
  modelSupportsVision,
  parseCatalogConfig,
  parseModelSelection,
  resolveConfiguredFallbacks,
  resolveConfiguredModelRef,
  resolveModelRefFromString,
  type CatalogModel,
} from '@claw/model-catalog'

const configPath = new URL('./claw.json', import.meta.url)
const config = await parseCatalogConfig(JSON.parse(readFileSync(configPath, 'utf8')), {
  source: 'examples/catalog-demo/claw.json',
})
const defaultProvider = 'anthropic'
const catalog = createModelCatalog({ config })
const aliasIndex = buildModelAliasIndex({ config, defaultProvider })
const primary = resolveConfiguredModelRef({ config, warn: (message) => console.warn(message) })
const fallbacks = resolveConfiguredFallbacks({ config })
const allowed = buildAllowedModelSet({ config, catalog, defaultModel: primary })

const heading = (text: string) => console.log(`\n${text}\n${'-'.repeat(text.length)}`)
const usd = (value: number) => `$${value.toFixed(4)}`
const tokens = (value: number) =>
  value >= 1_000_000
    ? `${(value / 1_000_000).toFixed(value % 1_000_000 ? 2 : 0)}M`
    : `${Math.round(value / 1000)}k`

console.log('claw model catalog demo')
console.log(`config: examples/catalog-demo/claw.json`)
console.log(
  `built-in catalog: ${catalog.list().length} models across ${
    catalog.providers().filter((provider) => provider.modelCount > 0).length
  } providers`,
)

heading('Configured models')
console.log(`primary    ${modelKey(primary)}`)
console.log(`fallbacks  ${fallbacks.join(', ')}`)
console.log(
  `aliases    ${[...aliasIndex.byAlias.values()].map((entry) => `${entry.alias} → ${modelKey(entry.ref)}`).join(', ')}`,
)

heading('Resolving what a user types')
for (const raw of [
  'opus',
  'GPT-mini',
  'opus-4.5',
  'Z.AI/glm-4.5',
  'openrouter/moonshotai/kimi-k2',
  'sonnet@anthropic:work',
  'anthropic/',
]) {
  const selection = parseModelSelection(raw)
  const resolved =
    selection && resolveModelRefFromString(selection.model, { defaultProvider, aliasIndex })
  if (!resolved) {
    console.log(`${JSON.stringify(raw).padEnd(34)} invalid model reference`)
    continue
  }
  const key = modelKey(resolved.ref)
  const notes = [
    resolved.alias ? `alias ${resolved.alias}` : undefined,
    selection?.profileId ? `auth profile ${selection.profileId}` : undefined,
    allowed.has(key) ? 'allowed' : 'not in the allowlist',
    catalog.find(key) ? undefined : 'not in the catalog',
  ].filter(Boolean)
  console.log(`${JSON.stringify(raw).padEnd(34)} → ${key.padEnd(32)} ${notes.join(', ')}`)
}

heading('Allowlisted models')
const rows: CatalogModel[] = [...allowed.keys].flatMap((key) => catalog.find(key) ?? [])
console.log(
  `${'model'.padEnd(30)} ${'context'.padStart(8)} ${'max out'.padStart(8)} ${'in $/M'.padStart(8)} ${'out $/M'.padStart(8)}  vision`,
)
for (const model of rows) {
  console.log(
    `${model.key.padEnd(30)} ${tokens(model.contextWindow).padStart(8)} ${tokens(model.maxTokens).padStart(8)} ${model.cost.input.toFixed(2).padStart(8)} ${model.cost.output.toFixed(2).padStart(8)}  ${modelSupportsVision(model) ? 'yes' : 'no'}`,
  )
}

heading('Cost of one call: 12k input tokens (8k of them cache reads), 2k output tokens')
const usage = { input: 4_000, cacheRead: 8_000, output: 2_000 }
for (const model of rows) {
  const cost = estimateCost(model, usage)
  console.log(
    `${model.key.padEnd(30)} ${usd(cost.total).padStart(9)}  (input ${usd(cost.input)}, cache ${usd(cost.cacheRead)}, output ${usd(cost.output)})`,
  )
}
