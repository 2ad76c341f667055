// Benchmarks for @claw/model-catalog (the built dist, not the sources).
//
// Cold start and first use are measured in fresh child processes; steady-state calls in-process
// after warmup. See bench/README.md for what each row means.

import { dirname } from 'node:path'

import { atMost } from '../lib/context.mjs'
import { runNodeJson, spawnTimed, timeIterations } from '../lib/measure.mjs'
import { median } from '../lib/stats.mjs'

export const name = 'model-catalog'
/** Packages whose dist must exist (checked by run.mjs before any suite starts). */
export const packages = ['model-catalog']

const PROBE_KEY = 'anthropic/claude-opus-4-5'
const MB = 2 ** 20

/** Per-call rows (p50, p99 and ops/s) of a timeIterations result. */
function callRows(benchName, stats, { p99Limit } = {}) {
  const note = `K=${stats.batch} calls/sample, ${stats.samples.toLocaleString('en-US')} samples`
  const p99 = { name: benchName, metric: 'p99', value: stats.p99, unit: 'µs' }
  return [
    { name: benchName, metric: 'p50', value: stats.p50, unit: 'µs', note },
    p99Limit === undefined ? p99 : atMost(p99, p99Limit, 'p99'),
    { name: benchName, metric: 'throughput', value: Math.round(stats.opsPerSec), unit: 'ops/s' },
  ]
}

/** 1. Cold `import()` of the catalog vs a bare node start, as a ratio of medians. */
function coldImport(ctx, url) {
  const runs = ctx.pick(21, 5)
  ctx.log(`cold import: ${runs} interleaved runs per command`)
  const packageDir = dirname(dirname(ctx.dist('model-catalog')))
  const [bare, esm, zod, catalog] = spawnTimed(
    [
      { label: 'bare', args: ['-e', ''] },
      { label: 'esm', args: ['--input-type=module', '-e', ''] },
      // zod is the catalog's only runtime dependency; resolved from the package directory.
      { label: 'zod', args: ['--input-type=module', '-e', "await import('zod')"], cwd: packageDir },
      {
        label: 'catalog',
        args: ['--input-type=module', '-e', `await import(${JSON.stringify(url)})`],
      },
    ],
    { runs, warmup: 1, cwd: ctx.repoRoot },
  )
  const ratio = catalog.median / bare.median
  const note = `median of ${runs}`
  return [
    { name: 'cold start', metric: "node -e ''", value: bare.median, unit: 'ms', note },
    {
      name: 'cold start',
      metric: "node --input-type=module -e ''",
      value: esm.median,
      unit: 'ms',
      note,
    },
    { name: 'cold start', metric: "import('zod') only", value: zod.median, unit: 'ms', note },
    {
      name: 'cold start',
      metric: 'import(model-catalog)',
      value: catalog.median,
      unit: 'ms',
      note,
    },
    {
      name: 'cold start',
      metric: 'import / bare node',
      value: ratio,
      unit: '×',
      target: '≤ 2× bare node',
      ok: ratio <= 2,
    },
  ]
}

/** 2. First createModelCatalog().find() in fresh processes (snapshot parse + indexing). */
function firstFind(ctx, url) {
  const runs = ctx.pick(9, 3)
  ctx.log(`first find(): ${runs} child processes`)
  const script = `
const t0 = process.hrtime.bigint()
const m = await import(${JSON.stringify(url)})
const t1 = process.hrtime.bigint()
const catalog = m.createModelCatalog()
const model = catalog.find(${JSON.stringify(PROBE_KEY)})
const t2 = process.hrtime.bigint()
if (!model) throw new Error(${JSON.stringify(`${PROBE_KEY} not found`)})
console.log(JSON.stringify({
  importMs: Number(t1 - t0) / 1e6,
  findMs: Number(t2 - t1) / 1e6,
  models: catalog.list().length,
  providers: catalog.providers().length,
}))`
  const samples = []
  for (let i = 0; i < runs; i++) {
    samples.push(runNodeJson(['--input-type=module', '-e', script], { cwd: ctx.repoRoot }))
  }
  const note = `median of ${runs} processes`
  return [
    {
      name: 'first find()',
      metric: 'createModelCatalog().find()',
      value: median(samples.map((s) => s.findMs)),
      unit: 'ms',
      note,
    },
    {
      name: 'first find()',
      metric: 'in-process import()',
      value: median(samples.map((s) => s.importMs)),
      unit: 'ms',
      note,
    },
    { name: 'first find()', metric: 'models', value: samples[0].models, unit: 'count' },
    { name: 'first find()', metric: 'providers', value: samples[0].providers, unit: 'count' },
  ]
}

/** 6. Heap / RSS growth from loading the module and building the index (child, after gc()). */
function memory(ctx, url) {
  const runs = ctx.pick(5, 3)
  ctx.log(`memory: ${runs} child processes`)
  const script = `
gc()
const m0 = process.memoryUsage()
const m = await import(${JSON.stringify(url)})
gc()
const m1 = process.memoryUsage()
const catalog = m.createModelCatalog()
const model = catalog.find(${JSON.stringify(PROBE_KEY)})
gc()
const m2 = process.memoryUsage()
if (!model || catalog.list().length === 0) throw new Error('catalog is empty')
console.log(JSON.stringify({
  heapImport: m1.heapUsed - m0.heapUsed,
  heapFind: m2.heapUsed - m0.heapUsed,
  rssFind: m2.rss - m0.rss,
}))`
  const samples = []
  for (let i = 0; i < runs; i++) {
    samples.push(
      runNodeJson(['--expose-gc', '--input-type=module', '-e', script], { cwd: ctx.repoRoot }),
    )
  }
  const mb = (key) => median(samples.map((s) => s[key])) / MB
  const note = `after gc(), median of ${runs}`
  return [
    {
      name: 'memory',
      metric: 'heapUsed Δ after import',
      value: mb('heapImport'),
      unit: 'MB',
      note,
    },
    {
      name: 'memory',
      metric: 'heapUsed Δ after first find',
      value: mb('heapFind'),
      unit: 'MB',
      note,
    },
    { name: 'memory', metric: 'rss Δ after first find', value: mb('rssFind'), unit: 'MB', note },
  ]
}

/** 3. Warm find() over hits, case-insensitive hits and misses. */
function warmFind(ctx, m) {
  const catalog = m.createModelCatalog()
  const keys = [
    ['anthropic/claude-opus-4-5', true],
    ['openai/gpt-5', true],
    ['Anthropic/Claude-Opus-4-5', true],
    ['OpenRouter/moonshotai/kimi-k2', true],
    ['anthropic/no-such-model', false],
    ['unknown-provider/some-model', false],
  ]
  for (const [key, hit] of keys) {
    if (Boolean(catalog.find(key)) !== hit) {
      throw new Error(`find(${JSON.stringify(key)}) should ${hit ? 'hit' : 'miss'}: fix the mix`)
    }
  }
  ctx.log('warm find()')
  const stats = timeIterations((i) => catalog.find(keys[i % keys.length][0]), {
    iterations: ctx.pick(300_000, 30_000),
    warmup: ctx.pick(50_000, 10_000),
    cycle: keys.length,
  })
  return callRows('find() warm, 4 hit / 2 miss', stats, { p99Limit: 50 })
}

/** 4. parseModelRef over the documented input shapes. */
function parseRefs(ctx, m) {
  const options = { defaultProvider: 'anthropic' }
  const inputs = [
    ['anthropic/claude-opus-4-5', 'anthropic/claude-opus-4-5'],
    ['opus-4.5', 'anthropic/claude-opus-4-5'],
    ['openrouter/moonshotai/kimi-k2', 'openrouter/moonshotai/kimi-k2'],
    ['Z.AI/glm-4.7', 'zai/glm-4.7'],
    ['', null],
  ]
  for (const [raw, expected] of inputs) {
    const ref = m.parseModelRef(raw, options)
    const got = ref ? `${ref.provider}/${ref.model}` : null
    if (got !== expected) throw new Error(`parseModelRef(${JSON.stringify(raw)}) gave ${got}`)
  }
  ctx.log('parseModelRef')
  const stats = timeIterations((i) => m.parseModelRef(inputs[i % inputs.length][0], options), {
    iterations: ctx.pick(500_000, 50_000),
    warmup: ctx.pick(50_000, 10_000),
    cycle: inputs.length,
  })
  return callRows('parseModelRef, 5-input mix', stats, { p99Limit: 5 })
}

/** 5. resolveModelRefFromString against an index of 200 aliases (+ building that index). */
function resolveAliases(ctx, m) {
  const providers = ['anthropic', 'openai', 'google', 'openrouter']
  const models = {}
  for (let i = 0; i < 200; i++) {
    models[`${providers[i % providers.length]}/bench-model-${i}`] = { alias: `bench-${i}` }
  }
  const config = { agents: { defaults: { models } } }
  const defaultProvider = 'anthropic'
  const aliasIndex = m.buildModelAliasIndex({ config, defaultProvider })
  if (aliasIndex.byAlias.size !== 200) {
    throw new Error(`expected 200 aliases, the index has ${aliasIndex.byAlias.size}`)
  }
  const options = { defaultProvider, aliasIndex }
  const inputs = [
    ['bench-17', 'openai/bench-model-17', true],
    ['BENCH-150', 'google/bench-model-150', true],
    ['openai/gpt-5', 'openai/gpt-5', false],
    ['opus-4.5', 'anthropic/claude-opus-4-5', false],
    ['not-an-alias', 'anthropic/not-an-alias', false],
  ]
  for (const [raw, expected, viaAlias] of inputs) {
    const resolved = m.resolveModelRefFromString(raw, options)
    const got = resolved ? `${resolved.ref.provider}/${resolved.ref.model}` : null
    if (got !== expected || (resolved?.alias !== undefined) !== viaAlias) {
      throw new Error(`resolveModelRefFromString(${JSON.stringify(raw)}) gave ${got}`)
    }
  }
  ctx.log('resolveModelRefFromString (200 aliases)')
  const stats = timeIterations(
    (i) => m.resolveModelRefFromString(inputs[i % inputs.length][0], options),
    {
      iterations: ctx.pick(300_000, 30_000),
      warmup: ctx.pick(50_000, 10_000),
      cycle: inputs.length,
    },
  )
  ctx.log('buildModelAliasIndex (200 aliases)')
  const build = timeIterations(() => m.buildModelAliasIndex({ config, defaultProvider }), {
    iterations: ctx.pick(2_000, 200),
    warmup: ctx.pick(200, 50),
  })
  return [
    ...callRows('resolveModelRefFromString, 200 aliases', stats),
    {
      name: 'buildModelAliasIndex, 200 aliases',
      metric: 'p50',
      value: build.p50,
      unit: 'µs',
      note: `K=${build.batch} calls/sample, ${build.samples.toLocaleString('en-US')} samples`,
    },
  ]
}

/** Extra: estimateCost on a catalog model (no target). */
function costs(ctx, m) {
  const model = m.createModelCatalog().find(PROBE_KEY)
  const usages = [
    { input: 10_000, output: 2_000 },
    { input: 1_200, output: 350, cacheRead: 50_000, cacheWrite: 4_000 },
    { output: 1 },
  ]
  ctx.log('estimateCost')
  const stats = timeIterations((i) => m.estimateCost(model, usages[i % usages.length]), {
    iterations: ctx.pick(300_000, 30_000),
    warmup: ctx.pick(50_000, 10_000),
    cycle: usages.length,
  })
  return callRows('estimateCost', stats)
}

export async function run(ctx) {
  const url = ctx.distUrl('model-catalog')
  // Child-process measurements first, before this process has loaded anything.
  const rows = [...coldImport(ctx, url), ...firstFind(ctx, url), ...memory(ctx, url)]
  const m = await import(url)
  rows.push(...warmFind(ctx, m), ...parseRefs(ctx, m), ...resolveAliases(ctx, m), ...costs(ctx, m))
  return rows
}
