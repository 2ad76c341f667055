// Measurement helpers: in-process timing with percentiles, timed child `node` processes, and a
// plain-text table formatter. Everything here is suite-agnostic.

import { spawnSync } from 'node:child_process'

import { percentileSorted, summarize } from './stats.mjs'

const now = process.hrtime.bigint

/** Results are written here so the JIT cannot drop calls whose result is unused. */
const sink = { value: undefined }

/**
 * Median cost (ns) of one `hrtime.bigint()` pair, i.e. the overhead added to every timed sample.
 */
export function timerOverheadNs(pairs = 10_000) {
  const samples = new Float64Array(pairs)
  for (let i = 0; i < pairs; i++) {
    const t0 = now()
    samples[i] = Number(now() - t0)
  }
  samples.sort()
  return percentileSorted(samples, 50)
}

/** Median duration (ns) of `trials` batches of `batch` calls, starting at call index `start`. */
function probeBatch(fn, batch, start, trials = 5) {
  const durations = []
  let i = start
  for (let t = 0; t < trials; t++) {
    const t0 = now()
    for (let j = 0; j < batch; j++) sink.value = fn(i++)
    durations.push(Number(now() - t0))
  }
  durations.sort((a, b) => a - b)
  return durations[Math.floor(trials / 2)]
}

/**
 * Times `fn` in-process and returns per-call statistics in µs.
 *
 * `fn` receives a running call index, so a benchmark can cycle through a mix of inputs
 * (`(i) => parse(inputs[i % inputs.length])`). After `warmup` untimed calls, a batch size K is
 * chosen so that one timed batch takes at least `minBatchNs` (doubling from `cycle`, so K stays a
 * multiple of `cycle` and every batch sees the whole input mix equally often). Each sample is one
 * batch of K calls, timed with `process.hrtime.bigint()`; the measured timer overhead is
 * subtracted and the result divided by K. Percentiles are therefore percentiles of per-batch
 * means: with K = 1 they are true per-call percentiles, with larger K a single slow call (GC
 * pause, deopt) is spread over its batch.
 *
 * @param {(i: number) => unknown} fn
 * @param {{ iterations?: number, warmup?: number, cycle?: number, minBatchNs?: number,
 *   maxBatch?: number }} [options] `iterations` is the total number of timed calls (rounded up
 *   to whole batches).
 * @returns {{ p50: number, p90: number, p99: number, max: number, min: number, mean: number,
 *   opsPerSec: number, batch: number, samples: number, iterations: number,
 *   timerOverheadNs: number }}
 */
export function timeIterations(fn, options = {}) {
  const {
    iterations = 100_000,
    warmup = Math.min(iterations, 10_000),
    cycle = 1,
    minBatchNs = 2_000,
    maxBatch = 4_096,
  } = options
  if (!Number.isInteger(cycle) || cycle < 1) throw new TypeError('cycle must be a positive integer')

  let i = 0
  for (let w = 0; w < warmup; w++) sink.value = fn(i++)

  const overhead = timerOverheadNs()
  let batch = cycle
  while (batch < maxBatch) {
    const duration = probeBatch(fn, batch, i)
    i += batch * 5
    if (duration - overhead >= minBatchNs) break
    batch *= 2
  }

  const samples = Math.max(1, Math.ceil(iterations / batch))
  const perCallNs = new Float64Array(samples)
  let totalNs = 0
  for (let s = 0; s < samples; s++) {
    const t0 = now()
    for (let j = 0; j < batch; j++) sink.value = fn(i++)
    const net = Math.max(0, Number(now() - t0) - overhead)
    totalNs += net
    perCallNs[s] = net / batch
  }
  return summarizeSamples(perCallNs, { totalNs, batch, overhead })
}

/** Percentiles (µs) and throughput of per-call samples in ns; sorts `perCallNs` in place. */
function summarizeSamples(perCallNs, { totalNs, batch, overhead }) {
  perCallNs.sort()
  const samples = perCallNs.length
  const calls = samples * batch
  const meanNs = totalNs / calls
  return {
    p50: percentileSorted(perCallNs, 50) / 1e3,
    p90: percentileSorted(perCallNs, 90) / 1e3,
    p99: percentileSorted(perCallNs, 99) / 1e3,
    max: perCallNs[samples - 1] / 1e3,
    min: perCallNs[0] / 1e3,
    mean: meanNs / 1e3,
    opsPerSec: meanNs > 0 ? 1e9 / meanNs : Number.POSITIVE_INFINITY,
    batch,
    samples,
    iterations: calls,
    timerOverheadNs: overhead,
  }
}

function normalizeCommands(commands) {
  // A single command may be given as a plain args array: spawnTimed(['-e', ''], ...).
  const list = commands.length > 0 && typeof commands[0] === 'string' ? [commands] : commands
  return list.map((command, index) =>
    Array.isArray(command)
      ? { label: command.join(' ') || `command ${index + 1}`, args: command }
      : { label: command.label ?? command.args.join(' '), args: command.args, cwd: command.cwd },
  )
}

/**
 * The environment child processes get by default: PATH, HOME, TMPDIR and the locale, nothing
 * else. Inherited NODE_OPTIONS or NODE_EXTRA_CA_CERTS (which costs tens of ms per start) would
 * change both sides of a cold-start ratio and hide a regression.
 */
export function benchEnv(extra = {}) {
  const env = {}
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL']) {
    if (process.env[name] !== undefined) env[name] = process.env[name]
  }
  return { ...env, ...extra }
}

function spawnNode(args, { cwd, env, captureStdout }) {
  const result = spawnSync(process.execPath, args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  })
  if (result.error) throw result.error
  if (result.status !== 0) {
    const stderr = (result.stderr ?? '').trim()
    throw new Error(
      `child node ${args.join(' ')} exited with ${result.status ?? result.signal}` +
        (stderr ? `:\n${stderr}` : ''),
    )
  }
  return result
}

/**
 * Times complete child `node` processes (spawn to exit, wall clock, in ms). With several commands
 * the runs are interleaved round-robin and the starting command rotates every round
 * (A B, B A, A B, ...), so slow drift of the machine (thermal, other load, file cache) affects all
 * commands alike. `warmup` untimed rounds come first.
 *
 * @param {string[] | Array<string[] | { label?: string, args: string[], cwd?: string }>} commands
 *   node argument lists (not including the node binary), or one argument list; a command's own
 *   `cwd` overrides `options.cwd`
 * @param {{ runs?: number, warmup?: number, cwd?: string, env?: NodeJS.ProcessEnv }} [options]
 *   `env` defaults to {@link benchEnv}
 * @returns {Array<{ label: string, args: string[], median: number, mean: number, min: number,
 *   max: number, runs: number, samples: number[] }>}
 */
export function spawnTimed(commands, options = {}) {
  const { runs = 15, warmup = 1, cwd, env = benchEnv() } = options
  const list = normalizeCommands(commands)
  const samples = list.map(() => [])
  for (let round = 0; round < warmup + runs; round++) {
    for (let k = 0; k < list.length; k++) {
      const index = (k + round) % list.length
      const t0 = now()
      const command = list[index]
      spawnNode(command.args, { cwd: command.cwd ?? cwd, env, captureStdout: false })
      const ms = Number(now() - t0) / 1e6
      if (round >= warmup) samples[index].push(ms)
    }
  }
  return list.map((command, index) => ({
    label: command.label,
    args: command.args,
    ...summarize(samples[index]),
    samples: samples[index],
  }))
}

/**
 * Runs a child `node` with `args` and parses the last non-empty line of its stdout as JSON.
 * Throws (with the child's stderr) when the child fails.
 */
export function runNodeJson(args, { cwd, env = benchEnv() } = {}) {
  const result = spawnNode(args, { cwd, env, captureStdout: true })
  const lines = result.stdout.trim().split('\n')
  const last = lines[lines.length - 1] ?? ''
  try {
    return JSON.parse(last)
  } catch {
    throw new Error(
      `child node ${args.join(' ')} did not print JSON; stdout was:\n${result.stdout}`,
    )
  }
}

/** Human formatting of a measured value: thousands separators for large, 3 digits for small. */
export function formatValue(value) {
  if (typeof value !== 'number') return String(value)
  if (!Number.isFinite(value)) return String(value)
  if (Number.isInteger(value)) return value.toLocaleString('en-US')
  const abs = Math.abs(value)
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US')
  if (abs >= 100) return value.toFixed(1)
  if (abs >= 10) return value.toFixed(2)
  return value.toFixed(3)
}

/** `ok` / `MISSED` for rows with a target, empty otherwise. */
export function formatStatus(row) {
  if (row.target === undefined) return ''
  return row.ok ? 'ok' : 'MISSED'
}

/**
 * Formats result rows (`{ name, metric, value, unit, target?, ok?, note? }`) as an aligned
 * plain-text table.
 */
export function formatTable(rows) {
  const columns = [
    { title: 'benchmark', get: (row) => row.name },
    { title: 'metric', get: (row) => row.metric },
    { title: 'value', get: (row) => formatValue(row.value), right: true },
    { title: 'unit', get: (row) => row.unit ?? '' },
    { title: 'target', get: (row) => row.target ?? '' },
    { title: 'status', get: formatStatus },
    { title: 'note', get: (row) => row.note ?? '' },
  ].filter((column) => column.title !== 'note' || rows.some((row) => row.note))
  const cells = rows.map((row) => columns.map((column) => String(column.get(row))))
  const widths = columns.map((column, c) =>
    Math.max(column.title.length, ...cells.map((line) => line[c].length)),
  )
  const render = (line) =>
    line
      .map((cell, c) => (columns[c].right ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd()
  const header = render(columns.map((column) => column.title))
  const rule = widths.map((width) => '-'.repeat(width)).join('  ')
  return [header, rule, ...cells.map(render)].join('\n')
}

/**
 * Times an async function call by call (each `await fn(i)` measured on its own, timer overhead
 * subtracted). For async APIs, whose per-call cost includes the promise machinery callers pay.
 * Returns the same shape as `timeIterations` (batch is always 1).
 */
export async function timeAsyncIterations(fn, options = {}) {
  const { iterations = 20_000, warmup = Math.min(iterations, 2_000) } = options
  let i = 0
  for (let w = 0; w < warmup; w++) sink.value = await fn(i++)
  const overhead = timerOverheadNs()
  const perCallNs = new Float64Array(iterations)
  let totalNs = 0
  for (let s = 0; s < iterations; s++) {
    const t0 = now()
    sink.value = await fn(i++)
    const net = Math.max(0, Number(now() - t0) - overhead)
    totalNs += net
    perCallNs[s] = net
  }
  return summarizeSamples(perCallNs, { totalNs, batch: 1, overhead })
}

/**
 * Times several async functions call by call, interleaved (A B, B A, A B, …), so drift of a busy
 * machine affects all of them alike; for comparisons such as "claw vs the bare SDK call". Each
 * function gets `warmup` untimed calls first. Returns one `timeAsyncIterations`-shaped result per
 * function, in µs.
 */
export async function timeAsyncInterleaved(fns, options = {}) {
  const { iterations = 2_000, warmup = Math.min(iterations, 500) } = options
  let i = 0
  for (let w = 0; w < warmup; w++) for (const fn of fns) sink.value = await fn(i++)
  const overhead = timerOverheadNs()
  const samples = fns.map(() => new Float64Array(iterations))
  const totals = fns.map(() => 0)
  for (let s = 0; s < iterations; s++) {
    for (let k = 0; k < fns.length; k++) {
      const index = (k + s) % fns.length
      const t0 = now()
      sink.value = await fns[index](i++)
      const net = Math.max(0, Number(now() - t0) - overhead)
      totals[index] += net
      samples[index][s] = net
    }
  }
  return samples.map((perCallNs, index) =>
    summarizeSamples(perCallNs, { totalNs: totals[index], batch: 1, overhead }),
  )
}
