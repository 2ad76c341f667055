// Benchmarks for @claw/ai-sdk (the built dist): what a claw model adds to the AI SDK model it
// wraps, against the same fake provider on loopback (a child process), per `doGenerate` call.
// Healthy: one key that answers. First key 429: the bare side makes the two calls a caller would
// (the rate-limited key, then the next one); claw makes them itself and records the cooldown.
// The AI SDK 7 needs Node >= 22: under older Node the suite reports that instead of numbers.

import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import { timeAsyncInterleaved } from '../lib/measure.mjs'
import { overheadRows } from '../lib/overhead.mjs'
import { startBenchProviderServer } from '../lib/provider-server.mjs'

export const name = 'ai-sdk'
export const packages = ['model-catalog', 'auth-profiles', 'failover', 'ai-sdk']

const KEYS = { ok: 'sk-bench-ai-sdk-ok-0000000000', limited: 'sk-bench-ai-sdk-429-000000000' }
const nodeMajor = Number(process.versions.node.split('.')[0])

/** An AI SDK provider package, resolved from packages/ai-sdk (its dev dependency). */
async function importFromAiSdk(ctx, specifier) {
  const require = createRequire(join(ctx.repoRoot, 'packages', 'ai-sdk', 'package.json'))
  return import(pathToFileURL(require.resolve(specifier)).href)
}

const callOptions = {
  prompt: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
  maxOutputTokens: 16,
}

export async function run(ctx) {
  if (nodeMajor < 22) {
    return [
      {
        name: 'claw AI SDK model vs bare AI SDK model',
        metric: 'skipped',
        value: 0,
        unit: '',
        note: `the AI SDK 7 needs Node >= 22 (this is ${process.version}); run pnpm bench ai-sdk under Node 22+`,
      },
    ]
  }
  const [{ createClaw }, auth, { createOpenAI }] = await Promise.all([
    import(ctx.distUrl('ai-sdk')),
    import(ctx.distUrl('auth-profiles')),
    importFromAiSdk(ctx, '@ai-sdk/openai'),
  ])
  const server = await startBenchProviderServer(ctx, {
    [KEYS.ok]: 'ok',
    [KEYS.limited]: 'rateLimit',
  })
  try {
    const baseURL = `${server.url}/v1`
    const config = { models: { providers: { openai: { baseUrl: baseURL } } } }
    const bare = createOpenAI({ apiKey: KEYS.ok, baseURL })('gpt-5.2')
    const bareLimited = createOpenAI({ apiKey: KEYS.limited, baseURL })('gpt-5.2')
    const profile = (key) => ({ type: 'api_key', provider: 'openai', key })
    const healthy = createClaw({
      store: auth.createMemoryAuthStore({ version: 1, profiles: { 'openai:a': profile(KEYS.ok) } }),
      config,
      providers: { openai: createOpenAI },
      env: {},
    })('openai/gpt-5.2', { fallbacks: [] })
    // The clock jumps an hour per call, so the 429's cooldown has always expired and every call
    // takes the same path: openai:a (never successful, so first in the order) fails, openai:b wins.
    let clock = Date.UTC(2026, 0, 1)
    const rotating = createClaw({
      store: auth.createMemoryAuthStore({
        version: 1,
        profiles: { 'openai:a': profile(KEYS.limited), 'openai:b': profile(KEYS.ok) },
      }),
      config,
      providers: { openai: createOpenAI },
      env: {},
      now: () => clock,
      minRetryGapMs: 0,
    })('openai/gpt-5.2', { fallbacks: [] })

    const first = await rotating.doGenerate(callOptions)
    const meta = first.providerMetadata?.claw
    if (meta?.profileId !== 'openai:b' || meta.attempts[0]?.reason !== 'rate_limit') {
      throw new Error('ai-sdk bench: expected a rate limit on openai:a, then openai:b')
    }
    const iterations = ctx.pick(2_000, 200)
    const [bareHealthy, clawHealthy] = await timeAsyncInterleaved(
      [() => bare.doGenerate(callOptions), () => healthy.doGenerate(callOptions)],
      { iterations },
    )
    const [bare429, claw429] = await timeAsyncInterleaved(
      [
        () => bareLimited.doGenerate(callOptions).catch(() => bare.doGenerate(callOptions)),
        () => {
          clock += 3_600_000
          return rotating.doGenerate(callOptions)
        },
      ],
      { iterations },
    )
    const names = { bareName: 'bare @ai-sdk/openai model', wrappedName: "claw('openai/gpt-5.2')" }
    return [
      ...overheadRows('healthy (doGenerate)', bareHealthy, clawHealthy, {
        ...names,
        ratioLimit: 1.05,
        addedP99LimitUs: 500,
      }),
      ...overheadRows('first key 429 (two calls)', bare429, claw429, names),
    ]
  } finally {
    await server.stop()
  }
}
