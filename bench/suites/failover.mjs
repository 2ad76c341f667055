// Benchmarks for @claw/failover (the built dist): cold import, the per-attempt decision overhead
// of runWithFailover, successes through the file store, and planFailover over a large
// candidate × profile grid. See bench/README.md for how rows are measured.

import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clearInterval, setInterval } from 'node:timers'
import { setTimeout as sleep } from 'node:timers/promises'

import { coldImportRows } from '../lib/cold-import.mjs'
import { atMost } from '../lib/context.mjs'
import { timeAsyncInterleaved, timeAsyncIterations } from '../lib/measure.mjs'
import { overheadRows } from '../lib/overhead.mjs'
import { startBenchProviderServer } from '../lib/provider-server.mjs'
import { median } from '../lib/stats.mjs'

export const name = 'failover'
export const packages = ['model-catalog', 'auth-profiles', 'failover']

function openaiStore(m) {
  return m.createMemoryAuthStore({
    version: 1,
    profiles: {
      'openai:a': { type: 'api_key', provider: 'openai', key: 'sk-bench-a-0000000000' },
      'openai:b': { type: 'api_key', provider: 'openai', key: 'sk-bench-b-0000000000' },
      'openai:c': { type: 'api_key', provider: 'openai', key: 'sk-bench-c-0000000000' },
    },
  })
}

function runRows(benchName, stats, { divideBy = 1, limit } = {}) {
  const note = `${stats.samples.toLocaleString('en-US')} runs${divideBy > 1 ? `, run time / ${divideBy}` : ''}`
  const p50 = { name: benchName, metric: 'p50', value: stats.p50 / divideBy, unit: 'µs', note }
  const p99 = { name: benchName, metric: 'p99', value: stats.p99 / divideBy, unit: 'µs' }
  return [p50, limit === undefined ? p99 : atMost(p99, limit, 'p99')]
}

const rateLimited = Object.assign(new Error('429 Too Many Requests: rate limit reached'), {
  status: 429,
  headers: { 'retry-after': '1' },
})

/** Times one success per run, and one classified 429 on `openai:a` followed by a success. */
async function timeRuns(ctx, failover, makeStore) {
  const base = { provider: 'openai', model: 'gpt-5.2', fallbacksOverride: [], env: {} }
  const iterations = ctx.pick(20_000, 2_000)

  const happy = { ...base, store: makeStore(), run: () => Promise.resolve('ok') }
  const first = await failover.runWithFailover(happy)
  if (first.result !== 'ok' || first.attempts.length !== 0) {
    throw new Error('decision overhead: expected a first-call success')
  }
  const success = await timeAsyncIterations(() => failover.runWithFailover(happy), {
    iterations,
  })

  // The clock jumps 10 s per run, so the 1 s cooldown from the 429 has expired and every run
  // takes the same path: openai:a (never successful, so first in the order) fails, the next wins.
  let clock = Date.UTC(2026, 0, 1)
  const failOnce = {
    ...base,
    store: makeStore(),
    now: () => clock,
    run: ({ profileId }) =>
      profileId === 'openai:a' ? Promise.reject(rateLimited) : Promise.resolve('ok'),
  }
  const check = await failover.runWithFailover(failOnce)
  if (check.profileId === 'openai:a' || check.attempts[0]?.reason !== 'rate_limit') {
    throw new Error('decision overhead: expected a rate limit on openai:a, then another profile')
  }
  const rotation = await timeAsyncIterations(
    async () => {
      clock += 10_000
      const outcome = await failover.runWithFailover(failOnce)
      if (outcome.attempts.length !== 1) throw new Error('decision overhead: the 429 path changed')
      return outcome
    },
    { iterations },
  )
  return { success, rotation }
}

/**
 * What runWithFailover adds around the model call (candidates, profile order, key resolution,
 * classification, bookkeeping on the memory store), with a `run` that settles at once. The call it
 * wraps takes 100 ms to 10 s, so p99 ≤ 100 µs keeps the overhead well under 0.1 % of a call.
 */
async function decisionOverhead(ctx, failover, auth) {
  const memory = await timeRuns(ctx, failover, () => openaiStore(auth))
  return [
    ...runRows('runWithFailover, 1st call succeeds (per run)', memory.success, { limit: 100 }),
    ...runRows('runWithFailover, 429 then success (per attempt)', memory.rotation, {
      divideBy: 2,
      limit: 100,
    }),
  ]
}

/** Identifies one version of a file: an atomic write replaces the inode. */
function fileVersion(file) {
  const stats = statSync(file, { bigint: true, throwIfNoEntry: false })
  return stats === undefined ? 'missing' : `${stats.ino}:${stats.mtimeNs}`
}

/**
 * Successes through the file store (`openAuthStore({ agentDir })`). Their bookkeeping (lastUsed,
 * lastGood) is written behind, so a successful run costs no store IO: its time, 200 at once, and
 * how often the file is rewritten under a sustained success load (≈ one write a second).
 */
async function fileStoreSuccess(ctx, failover, auth) {
  const dir = mkdtempSync(join(tmpdir(), 'claw-bench-file-store-'))
  try {
    const agentDir = join(dir, 'agent')
    const store = auth.openAuthStore({ agentDir })
    for (const id of ['a', 'b', 'c']) {
      await auth.upsertAuthProfile({
        store,
        profileId: `openai:${id}`,
        credential: { type: 'api_key', provider: 'openai', key: `sk-bench-${id}-0000000000` },
      })
    }
    const happy = {
      provider: 'openai',
      model: 'gpt-5.2',
      fallbacksOverride: [],
      env: {},
      store,
      run: () => Promise.resolve('ok'),
    }
    const success = await timeAsyncIterations(() => failover.runWithFailover(happy), {
      iterations: ctx.pick(20_000, 2_000),
    })

    await auth.flushAuthStores()
    const concurrentMs = []
    for (let round = 0; round < ctx.pick(21, 5); round++) {
      const started = performance.now()
      await Promise.all(Array.from({ length: 200 }, () => failover.runWithFailover(happy)))
      concurrentMs.push(performance.now() - started)
    }

    // A steady stream of successes (one about every millisecond) while the file is watched.
    await auth.flushAuthStores()
    const file = join(agentDir, 'auth-profiles.json')
    let version = fileVersion(file)
    let writes = 0
    const watcher = setInterval(() => {
      const next = fileVersion(file)
      if (next !== version) writes += 1
      version = next
    }, 5)
    const durationMs = ctx.pick(5_000, 2_500)
    const started = performance.now()
    let runs = 0
    while (performance.now() - started < durationMs) {
      await failover.runWithFailover(happy)
      runs += 1
      await sleep(1)
    }
    const elapsedS = (performance.now() - started) / 1_000
    clearInterval(watcher)
    await auth.flushAuthStores()

    const fileName = 'runWithFailover, file store, success (per run)'
    return [
      ...runRows(fileName, success, { limit: 500 }).map((row) =>
        row.metric === 'p50' ? atMost(row, 50, 'p50') : row,
      ),
      atMost(
        {
          name: 'runWithFailover, file store, 200 concurrent successes',
          metric: 'median',
          value: median(concurrentMs),
          unit: 'ms',
          note: `${concurrentMs.length} rounds`,
        },
        50,
      ),
      atMost(
        {
          name: 'runWithFailover, file store, sustained successes',
          metric: 'store writes',
          value: writes / elapsedS,
          unit: '/s',
          note: `${runs.toLocaleString('en-US')} runs in ${elapsedS.toFixed(1)} s`,
        },
        2,
      ),
    ]
  } finally {
    await auth.flushAuthStores().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
}

const PROVIDERS = [
  'anthropic',
  'openai',
  'google',
  'mistral',
  'groq',
  'xai',
  'deepseek',
  'together',
  'fireworks',
  'cerebras',
]

/** 10 candidates on 10 providers, 10 profiles each, half of them cooling down. */
function largeGrid() {
  const models = PROVIDERS.map((provider, index) => `${provider}/bench-model-${index}`)
  const config = {
    agents: { defaults: { model: { primary: models[0], fallbacks: models.slice(1) } } },
  }
  const until = Date.now() + 86_400_000
  const profiles = {}
  const usageStats = {}
  for (const provider of PROVIDERS) {
    for (let index = 0; index < 10; index++) {
      const id = `${provider}:p${index}`
      profiles[id] = { type: 'api_key', provider, key: `sk-bench-${provider}-${index}-000000` }
      usageStats[id] =
        index % 2 === 0 ? { lastUsed: index, cooldownUntil: until } : { lastUsed: index }
    }
  }
  return { config, store: { version: 1, profiles, usageStats } }
}

async function planning(ctx, failover) {
  const { config, store } = largeGrid()
  const iterations = ctx.pick(2_000, 200)
  const plain = { config, store, env: {} }
  // Every usable profile fails with a rate limit: the plan walks all 10 candidates × 10 profiles.
  const simulate = Object.fromEntries(Object.keys(store.profiles).map((id) => [id, 'rate_limit']))
  const walk = { ...plain, simulate, maxAttempts: 1_000 }

  const chosen = await failover.planFailover(plain)
  if (chosen.chosen?.profileId !== 'anthropic:p1') {
    throw new Error(`planFailover: expected anthropic:p1, got ${chosen.chosen?.profileId}`)
  }
  const walked = await failover.planFailover(walk)
  const failed = walked.trace.filter((entry) => entry.outcome === 'failed').length
  if (walked.chosen !== undefined || failed !== 50) {
    throw new Error(`planFailover: expected 50 simulated failures and no choice, got ${failed}`)
  }

  const first = await timeAsyncIterations(() => failover.planFailover(plain), { iterations })
  const all = await timeAsyncIterations(() => failover.planFailover(walk), { iterations })
  const ms = (benchName, stats, note) => [
    { name: benchName, metric: 'p50', value: stats.p50 / 1_000, unit: 'ms', note },
    { name: benchName, metric: 'p99', value: stats.p99 / 1_000, unit: 'ms' },
  ]
  return [
    ...ms(
      'planFailover 10×10, half cooling, first usable',
      first,
      `${first.samples.toLocaleString('en-US')} plans`,
    ),
    ...ms(
      'planFailover 10×10, half cooling, all fail',
      all,
      `${failed} simulated calls + 50 skips per plan`,
    ),
  ]
}

const FETCH_KEYS = { ok: 'sk-bench-fetch-ok-00000000000', limited: 'sk-bench-fetch-429-0000000000' }

/**
 * Times `fns` interleaved in `rounds` rounds and gives, per function, the median of the rounds'
 * p50 and p99: the tail of one round is mostly the machine's (GC, other processes), and a burst
 * in one round no longer decides a p99 difference, while an overhead every round shows still does.
 */
async function interleavedRounds(fns, { iterations, rounds }) {
  const perRound = Math.ceil(iterations / rounds)
  const results = []
  for (let round = 0; round < rounds; round += 1) {
    const warmup = round === 0 ? Math.min(perRound, 500) : 20
    results.push(await timeAsyncInterleaved(fns, { iterations: perRound, warmup }))
  }
  return fns.map((_fn, index) => ({
    p50: median(results.map((result) => result[index].p50)),
    p99: median(results.map((result) => result[index].p99)),
    samples: perRound * rounds,
  }))
}

/**
 * What createFailoverFetch adds to a plain `fetch` of a chat completion from the fake provider on
 * loopback (a child process), reading the JSON answer. Healthy: one key that answers. First key
 * 429: the plain side makes the two requests a caller would; the failover fetch makes them itself
 * and records the cooldown.
 */
async function failoverFetchOverhead(ctx, failover, auth) {
  const server = await startBenchProviderServer(ctx, {
    [FETCH_KEYS.ok]: 'ok',
    [FETCH_KEYS.limited]: 'rateLimit',
  })
  try {
    const url = `${server.url}/v1/chat/completions`
    const body = JSON.stringify({ model: 'gpt-5.2', messages: [{ role: 'user', content: 'Hi' }] })
    const plain = (key) =>
      fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      })
    const viaFetch = (send) =>
      send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    const profile = (key) => ({ type: 'api_key', provider: 'openai', key })
    const healthy = failover.createFailoverFetch({
      provider: 'openai',
      store: auth.createMemoryAuthStore({
        version: 1,
        profiles: { 'openai:a': profile(FETCH_KEYS.ok) },
      }),
      env: {},
    })
    // The clock jumps an hour per request, so the 429's cooldown has always expired and every
    // request takes the same path: openai:a fails, openai:b answers.
    let clock = Date.UTC(2026, 0, 1)
    const rotating = failover.createFailoverFetch({
      provider: 'openai',
      store: auth.createMemoryAuthStore({
        version: 1,
        profiles: { 'openai:a': profile(FETCH_KEYS.limited), 'openai:b': profile(FETCH_KEYS.ok) },
      }),
      env: {},
      now: () => clock,
      minRetryGapMs: 0,
    })
    const check = await viaFetch(rotating)
    const result = failover.getFailoverFetchResult(check)
    if (check.status !== 200 || result?.profileId !== 'openai:b' || result.calls !== 2) {
      throw new Error('failover fetch bench: expected a 429 on openai:a, then openai:b')
    }
    await check.json()
    const iterations = ctx.pick(2_000, 200)
    const [plainHealthy, wrappedHealthy] = await interleavedRounds(
      [
        () => plain(FETCH_KEYS.ok).then((response) => response.json()),
        () => viaFetch(healthy).then((response) => response.json()),
      ],
      { iterations: ctx.pick(4_000, 200), rounds: ctx.pick(8, 1) },
    )
    const [plain429, wrapped429] = await timeAsyncInterleaved(
      [
        () =>
          plain(FETCH_KEYS.limited)
            .then((response) => response.text())
            .then(() => plain(FETCH_KEYS.ok))
            .then((response) => response.json()),
        () => {
          clock += 3_600_000
          return viaFetch(rotating).then((response) => response.json())
        },
      ],
      { iterations },
    )
    const names = { bareName: 'plain fetch', wrappedName: 'createFailoverFetch' }
    return [
      ...overheadRows('healthy (chat completion)', plainHealthy, wrappedHealthy, {
        ...names,
        ratioLimit: 1.05,
        addedP99LimitUs: 500,
      }),
      ...overheadRows('first key 429 (two requests)', plain429, wrapped429, names),
    ]
  } finally {
    await server.stop()
  }
}

/**
 * One probe per expiry, not a herd: 50 workers loop `runWithFailover` over real HTTP against the
 * fake provider on loopback (a child process), where key A always answers 429 with a retry hint
 * and key B succeeds. A never succeeds, so when its window ends it is first in every run's order;
 * with half-open probes one run probes it and the others keep to B. The row counts the calls to A
 * made after A's first window ended, per window that ended (the first burst, before any window, is
 * not counted). Before probes every expiry sent all 50 in-flight runs to A. The full run uses
 * `Retry-After: 2`; `--quick` uses `retry-after-ms: 400` to stay short (the same mechanism with
 * more expiries per second).
 */
async function probeHerd(ctx, failover, auth) {
  const WORKERS = 50
  const retry = ctx.quick ? { format: 'ms', ms: 400 } : { format: 'seconds', seconds: 2 }
  const durationMs = ctx.quick ? 3_000 : 8_500
  const keys = { a: 'sk-bench-limited-000000', b: 'sk-bench-healthy-000000' }
  const server = await startBenchProviderServer(ctx, {
    // The 429 takes a little while, as a real one does: runs deciding meanwhile all see A free.
    [keys.a]: ['rateLimit', retry, { delayMs: 20 }],
    [keys.b]: ['latency', 20],
  })
  try {
    const backend = auth.createMemoryAuthStore({
      version: 1,
      profiles: {
        'openai:a': { type: 'api_key', provider: 'openai', key: keys.a },
        'openai:b': { type: 'api_key', provider: 'openai', key: keys.b },
      },
    })
    const testing = await import(
      ctx.distUrl('failover').replace(/\/index\.js$/, '/testing/index.js')
    )
    const send = testing.chatCompletionsCall(`${server.url}/v1/chat/completions`)
    const callsToA = []
    /** A's windows as recorded: [recorded at, until] (a retry hint may extend an active one). */
    const windows = []
    const call = (context) => {
      if (context.profileId === 'openai:a') callsToA.push(Date.now())
      return send(context)
    }
    const onEvent = (event) => {
      if (event.type === 'cooldown_entered' && event.profileId === 'openai:a')
        windows.push([Date.now(), event.until])
    }
    const end = Date.now() + durationMs
    let runs = 0
    let failed = 0
    const worker = async () => {
      while (Date.now() < end) {
        runs += 1
        try {
          await failover.runWithFailover({
            store: backend,
            provider: 'openai',
            model: 'gpt-5.2',
            fallbacksOverride: [],
            env: {},
            minRetryGapMs: 0,
            run: call,
            onEvent,
          })
        } catch {
          failed += 1
        }
      }
    }
    await Promise.all(Array.from({ length: WORKERS }, worker))
    // Overlapping windows are one ([recorded, until]); each gap between two of them is an expiry,
    // and the calls to A in that gap are what the expiry let through.
    const merged = []
    for (const [at, until] of windows.sort((x, y) => x[0] - y[0])) {
      const last = merged[merged.length - 1]
      if (last !== undefined && at <= last[1]) last[1] = Math.max(last[1], until)
      else merged.push([at, until])
    }
    const expiries = merged.length - 1
    if (expiries < 1) {
      throw new Error(`probe herd: expected A's window to end during the run, saw no expiry`)
    }
    const afterFirst = callsToA.filter(
      (at) => at >= merged[0][1] && at < merged[merged.length - 1][0],
    ).length
    return [
      atMost(
        {
          name: 'requests to the limited key per expiry, 50-way concurrency (429 + retry hint)',
          metric: 'calls',
          value: afterFirst / expiries,
          unit: 'calls',
          note: `${runs} runs (${failed} failed), ${expiries} expiries, ${afterFirst} calls to A in them; ${ctx.quick ? 'retry-after-ms: 400' : 'Retry-After: 2'}`,
        },
        1,
        'per expiry (before probes: 50)',
      ),
    ]
  } finally {
    await server.stop()
  }
}

/** OpenTelemetry exporters that drop everything at once (counting spans): the SDK's cost, no I/O. */
const dropSpans = {
  exported: 0,
  export(spans, done) {
    this.exported += spans.length
    done({ code: 0 })
  },
  shutdown: async () => {},
}
const dropMetrics = {
  export: (_metrics, done) => done({ code: 0 }),
  forceFlush: async () => {},
  shutdown: async () => {},
}

/**
 * What `telemetry: createClawTelemetry()` adds to a run, with the real OpenTelemetry SDK (a
 * batching span processor and a metric reader, exporters that drop): telemetry on and off,
 * interleaved, on the success path and on a 429 then success (2 attempts, a cooldown).
 */
async function telemetryOverhead(ctx, failover, auth) {
  const { createClawTelemetry } = await import(
    new URL('./telemetry/index.js', ctx.distUrl('failover')).href
  )
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base')
  const { MeterProvider, PeriodicExportingMetricReader } =
    await import('@opentelemetry/sdk-metrics')
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(dropSpans)],
  })
  const meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({ exporter: dropMetrics, exportIntervalMillis: 1_000 }),
    ],
  })
  const telemetry = createClawTelemetry({ tracerProvider, meterProvider })
  const base = { provider: 'openai', model: 'gpt-5.2', fallbacksOverride: [], env: {} }
  const iterations = ctx.pick(10_000, 1_000)
  // The SDK's code must be optimised before it is measured, also in a --quick run (cheap: µs each).
  const warmup = 5_000
  try {
    const store = openaiStore(auth)
    const success = { ...base, store, run: () => Promise.resolve('ok') }
    const traced = { ...success, telemetry }
    const [off, on] = await timeAsyncInterleaved(
      [() => failover.runWithFailover(success), () => failover.runWithFailover(traced)],
      { iterations, warmup },
    )
    let clock = Date.UTC(2026, 0, 1)
    const failing = {
      ...base,
      store: openaiStore(auth),
      now: () => clock,
      run: ({ profileId }) =>
        profileId === 'openai:a' ? Promise.reject(rateLimited) : Promise.resolve('ok'),
    }
    const failingTraced = { ...failing, telemetry }
    const [off429, on429] = await timeAsyncInterleaved(
      [
        () => {
          clock += 10_000
          return failover.runWithFailover(failing)
        },
        () => {
          clock += 10_000
          return failover.runWithFailover(failingTraced)
        },
      ],
      { iterations, warmup },
    )
    await tracerProvider.forceFlush()
    if (dropSpans.exported < iterations) throw new Error('telemetry bench: the runs made no spans')
    const note = `${off.samples.toLocaleString('en-US')} runs each, interleaved`
    const added = (name, without, withTelemetry, divideBy = 1) => ({
      name,
      metric: 'p50 added',
      value: (withTelemetry.p50 - without.p50) / divideBy,
      unit: 'µs',
      note,
    })
    return [
      {
        name: 'runWithFailover, telemetry off, success',
        metric: 'p50',
        value: off.p50,
        unit: 'µs',
      },
      { name: 'runWithFailover, telemetry on, success', metric: 'p50', value: on.p50, unit: 'µs' },
      atMost(added('telemetry on − off, success (per run)', off, on), 5),
      added('telemetry on − off, 429 then success (per run)', off429, on429),
      // Two calls, a cooldown: the span gets three events.
      atMost(added('telemetry on − off, 429 then success (per attempt)', off429, on429, 2), 5),
    ]
  } finally {
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()])
  }
}

export async function run(ctx) {
  const url = ctx.distUrl('failover')
  const rows = [...coldImportRows(ctx, url, 'failover', 1.5)]
  const failover = await import(url)
  const auth = await import(ctx.distUrl('auth-profiles'))
  rows.push(
    ...(await decisionOverhead(ctx, failover, auth)),
    ...(await fileStoreSuccess(ctx, failover, auth)),
    ...(await planning(ctx, failover)),
    ...(await failoverFetchOverhead(ctx, failover, auth)),
    ...(await probeHerd(ctx, failover, auth)),
    ...(await telemetryOverhead(ctx, failover, auth)),
  )
  return rows
}
