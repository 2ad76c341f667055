// Over 400 lines: spans, metrics and gauges of one telemetry object share the exporters' setup.
// `@claw/failover/telemetry` against the OpenTelemetry SDK's in-memory exporters, on real runs:
// calls over HTTP to the loopback fake provider, OAuth refreshes at the real token server fixture,
// a fleet on a real redis-server. Every span and metric is scanned for the canary secrets.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base'
import {
  createFileAuthStore,
  createOAuthProviderRegistry,
  type AuthStoreBackend,
} from '@claw/auth-profiles'
import { createRedisFleet } from '@claw/auth-profiles/redis'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  createMemoryAuthStore,
  findCanaries,
  oauthCredential,
} from '@claw/auth-profiles/testing'
import {
  createFailoverFetch,
  runWithFailover,
  type FailoverCallContext,
  type FailoverEvent,
} from '@claw/failover'
import { createClawTelemetry } from '@claw/failover/telemetry'
import { behave, startProviderServer, type ProviderServer } from '@claw/failover/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { tokenEndpointAdapter } from '../../auth-profiles/test/fixtures/token-endpoint-adapter.ts'
import {
  startTokenServer,
  type TokenServer,
} from '../../auth-profiles/test/fixtures/token-server.ts'
import { startRedisServer, type RedisServer } from '../../../test-support/redis-server.ts'
import { openaiProfiles } from './fixtures/openai-profiles.ts'

const MODEL = 'gpt-5.2'
const HOUR = 3_600_000

let provider: ProviderServer
const contextManager = new AsyncLocalStorageContextManager()

beforeAll(async () => {
  provider = await startProviderServer()
  context.setGlobalContextManager(contextManager.enable())
})
afterAll(async () => {
  context.disable()
  await provider.close()
})
beforeEach(() => {
  provider.reset()
})

/** An SDK tracer and meter provider writing to in-memory exporters, and readers of both. */
function sdk() {
  const spanExporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spanExporter)],
  })
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const telemetry = createClawTelemetry({ tracerProvider, meterProvider })
  return {
    telemetry,
    tracerProvider,
    spans: (): ReadableSpan[] => spanExporter.getFinishedSpans(),
    /** Collects now and returns every metric by name. */
    async metrics(): Promise<Map<string, MetricData>> {
      await reader.forceFlush()
      const latest = metricExporter.getMetrics().at(-1)
      metricExporter.reset()
      const byName = new Map<string, MetricData>()
      for (const scope of latest?.scopeMetrics ?? [])
        for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric)
      return byName
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()])
    },
  }
}

/** `[attributes, value]` of each data point of a metric (histograms: their count). */
function points(metrics: Map<string, MetricData>, name: string): [object, number][] {
  const metric = metrics.get(name)
  if (!metric) return []
  return metric.dataPoints.map((point) => [
    point.attributes,
    typeof point.value === 'number' ? point.value : (point.value as { count: number }).count,
  ])
}

/** Everything exported, as text, for the canary scan. */
function exported(spans: readonly ReadableSpan[], metrics: Map<string, MetricData>): string {
  const spanText = spans.map((span) => ({
    name: span.name,
    attributes: span.attributes,
    events: span.events,
    status: span.status,
  }))
  return JSON.stringify({ spanText, metrics: [...metrics.values()] })
}

/** The model call: a plain fetch to the fake provider; a non-2xx answer throws with the key in it. */
async function callProvider(call: FailoverCallContext): Promise<string> {
  const response = await fetch(provider.endpoint, {
    method: 'POST',
    headers: { authorization: `Bearer ${call.apiKey ?? ''}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: call.model, messages: [{ role: 'user', content: 'hi' }] }),
    signal: call.signal ?? null,
  })
  const text = await response.text()
  if (!response.ok) {
    // A careless host puts the key it used in the error: telemetry must not repeat it.
    throw Object.assign(new Error(`${response.status} with key ${call.apiKey ?? ''}: ${text}`), {
      status: response.status,
      headers: response.headers,
    })
  }
  return text
}

const base = { provider: 'openai', model: MODEL, fallbacksOverride: [], env: {} } as const

describe('a failover run', () => {
  it('is one span with an event per attempt, and attempt and cooldown metrics', async () => {
    const otel = sdk()
    const { keys, store } = openaiProfiles()
    provider.setBehaviour(keys.a, behave.rateLimit({ format: 'seconds', seconds: 30 }))
    provider.setBehaviour(keys.b, behave.ok())
    const hostTracer = otel.tracerProvider.getTracer('host')
    const events: FailoverEvent[] = []

    const result = await runWithFailover({
      ...base,
      store,
      telemetry: otel.telemetry,
      onEvent: (event) => void events.push(event),
      run: (call) =>
        // The host's own span for the call: a child of the run's span.
        hostTracer.startActiveSpan(`chat ${call.model}`, async (span) => {
          try {
            return await callProvider(call)
          } finally {
            span.end()
          }
        }),
    })
    expect(result.profileId).toBe('openai:b')
    // The caller's own listener still hears everything.
    expect(events.map((event) => event.type)).toEqual([
      'attempt_started',
      'attempt_failed',
      'cooldown_entered',
      'attempt_started',
      'attempt_succeeded',
    ])

    const spans = otel.spans()
    const run = spans.find((span) => span.name === 'claw.failover')
    expect(run).toBeDefined()
    expect(run!.kind).toBe(SpanKind.INTERNAL)
    expect(run!.status.code).toBe(SpanStatusCode.UNSET)
    expect(run!.attributes).toEqual({
      'claw.failover.requested_model': MODEL,
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': MODEL,
      'claw.auth.profile.id': 'openai:b',
      'claw.failover.attempts': 2,
    })
    const calls = spans.filter((span) => span.name === `chat ${MODEL}`)
    expect(calls).toHaveLength(2)
    for (const call of calls) {
      expect(call.parentSpanContext?.spanId).toBe(run!.spanContext().spanId)
      expect(call.spanContext().traceId).toBe(run!.spanContext().traceId)
    }
    expect(run!.events.map((event) => [event.name, event.attributes])).toEqual([
      [
        'claw.failover.attempt',
        {
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': MODEL,
          'claw.failover.outcome': 'failure',
          'error.type': 'rate_limit',
          'claw.failover.attempt': 1,
          'claw.auth.profile.id': 'openai:a',
          'http.response.status_code': 429,
          'claw.failover.will_retry': false,
        },
      ],
      [
        'claw.auth.cooldown',
        {
          'gen_ai.provider.name': 'openai',
          'claw.auth.profile.id': 'openai:a',
          'claw.auth.cooldown.reason': 'rate_limit',
          'claw.auth.cooldown.scope': 'model',
          'gen_ai.request.model': MODEL,
          'claw.auth.cooldown.until': expect.any(Number) as number,
        },
      ],
      [
        'claw.failover.attempt',
        {
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': MODEL,
          'claw.failover.outcome': 'success',
          'claw.failover.attempt': 2,
          'claw.auth.profile.id': 'openai:b',
        },
      ],
    ])

    const metrics = await otel.metrics()
    expect(points(metrics, 'claw.failover.attempts')).toEqual([
      [
        {
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': MODEL,
          'claw.failover.outcome': 'failure',
          'error.type': 'rate_limit',
        },
        1,
      ],
      [
        {
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': MODEL,
          'claw.failover.outcome': 'success',
        },
        1,
      ],
    ])
    expect(points(metrics, 'claw.auth.cooldowns')).toEqual([
      [
        {
          'gen_ai.provider.name': 'openai',
          'claw.auth.profile.id': 'openai:a',
          'claw.auth.cooldown.reason': 'rate_limit',
          'claw.auth.cooldown.scope': 'model',
        },
        1,
      ],
    ])
    expect(findCanaries(exported(spans, metrics), [keys.a, keys.b])).toEqual([])
    await otel.shutdown()
  })

  it('a failed run ends its span with an error status and the last reason as error.type', async () => {
    const otel = sdk()
    const { keys, store } = openaiProfiles()
    provider.setBehaviour(keys.a, behave.unauthorized())
    provider.setBehaviour(keys.b, behave.unauthorized())
    await expect(
      runWithFailover({ ...base, store, telemetry: otel.telemetry, run: callProvider }),
    ).rejects.toThrow()
    const [run] = otel.spans()
    expect(run!.status).toEqual({ code: SpanStatusCode.ERROR })
    expect(run!.attributes['error.type']).toBe('auth')
    expect(run!.attributes['claw.failover.attempts']).toBe(2)
    expect(run!.events.filter((event) => event.name === 'claw.failover.attempt')).toHaveLength(2)
    const metrics = await otel.metrics()
    expect(points(metrics, 'claw.auth.cooldowns').map(([attributes]) => attributes)).toEqual([
      {
        'gen_ai.provider.name': 'openai',
        'claw.auth.profile.id': 'openai:a',
        'claw.auth.cooldown.reason': 'auth',
        'claw.auth.cooldown.scope': 'profile',
      },
      {
        'gen_ai.provider.name': 'openai',
        'claw.auth.profile.id': 'openai:b',
        'claw.auth.cooldown.reason': 'auth',
        'claw.auth.cooldown.scope': 'profile',
      },
    ])
    expect(findCanaries(exported(otel.spans(), metrics), [keys.a, keys.b])).toEqual([])

    // No call possible (both profiles cooling down): the error's class names the failure.
    await runWithFailover({ ...base, store, telemetry: otel.telemetry, run: callProvider }).catch(
      () => undefined,
    )
    const last = otel.spans().at(-1)!
    expect(last.attributes['error.type']).toBe('FailoverSummaryError')
    expect(last.attributes['claw.failover.attempts']).toBe(0)
    await otel.shutdown()
  })

  it('createFailoverFetch passes its telemetry to the run of each request', async () => {
    const otel = sdk()
    const { keys, store } = openaiProfiles()
    provider.setBehaviour(keys.a, behave.rateLimit({ format: 'seconds', seconds: 30 }))
    provider.setBehaviour(keys.b, behave.ok())
    const failoverFetch = createFailoverFetch({
      provider: 'openai',
      store,
      env: {},
      minRetryGapMs: 0,
      telemetry: otel.telemetry,
    })
    const response = await failoverFetch(provider.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(response.status).toBe(200)
    const [run] = otel.spans()
    expect(run!.name).toBe('claw.failover')
    expect(run!.attributes['claw.auth.profile.id']).toBe('openai:b')
    expect(run!.events.filter((event) => event.name === 'claw.failover.attempt')).toHaveLength(2)
    expect(findCanaries(exported(otel.spans(), await otel.metrics()), [keys.a, keys.b])).toEqual([])
    await otel.shutdown()
  })

  it('without telemetry, a run gets the options exactly as given', async () => {
    const { keys, store } = openaiProfiles()
    provider.setBehaviour(keys.a, behave.ok())
    const onEvent = (): void => undefined
    let active: unknown = 'unset'
    await runWithFailover({
      ...base,
      store,
      onEvent,
      run: async (call) => {
        active = trace.getActiveSpan()
        return callProvider(call)
      },
    })
    expect(active).toBeUndefined()
  })
})

describe('OAuth refreshes', () => {
  let tokens: TokenServer
  let root: string

  beforeAll(async () => {
    tokens = await startTokenServer()
  })
  afterAll(async () => {
    await tokens.close()
  })
  beforeEach(async () => {
    await tokens.reset()
    root = mkdtempSync(join(tmpdir(), 'claw-telemetry-'))
  })
  afterEach(() => {
    rmSync(root, { recursive: true, force: true })
  })

  it('a run that refreshes an expired token records the refresh, its duration and the lock wait', async () => {
    const otel = sdk()
    const agentDir = join(root, 'state', 'agents', 'main', 'agent')
    const backend = createFileAuthStore({ agentDir })
    const refreshToken = await tokens.seed()
    const expired = oauthCredential('test-oauth', Date.now() - HOUR, { refresh: refreshToken })
    await backend.update((store) => {
      store.profiles['test-oauth:me'] = expired
    })
    let usedToken: string | undefined
    await runWithFailover({
      provider: 'test-oauth',
      model: 'test-model',
      fallbacksOverride: [],
      env: {},
      store: backend,
      oauth: {
        providers: createOAuthProviderRegistry([tokenEndpointAdapter(tokens.tokenEndpoint)]),
        allowInsecureRequests: true,
      },
      telemetry: otel.telemetry,
      run: (call) => {
        usedToken = call.apiKey
        return Promise.resolve('ok')
      },
    })
    const { issued } = await tokens.stats()
    expect(issued).toContain(usedToken)

    const metrics = await otel.metrics()
    const subject = {
      'gen_ai.provider.name': 'test-oauth',
      'claw.auth.profile.id': 'test-oauth:me',
    }
    expect(points(metrics, 'claw.oauth.refreshes')).toEqual([
      [{ ...subject, 'claw.oauth.refresh.outcome': 'refreshed' }, 1],
    ])
    expect(points(metrics, 'claw.oauth.refresh.duration')).toEqual([
      [{ ...subject, 'claw.oauth.refresh.outcome': 'refreshed' }, 1],
    ])
    expect(points(metrics, 'claw.oauth.refresh_lock.wait_time')).toEqual([[subject, 1]])
    expect(metrics.get('claw.oauth.refresh.duration')?.descriptor.unit).toBe('s')
    // The run's span tells the refresh happened in it.
    const [run] = otel.spans()
    expect(run!.events.map((event) => event.name)).toContain('claw.oauth.refresh')
    expect(
      findCanaries(exported(otel.spans(), metrics), [
        ...issued,
        refreshToken,
        expired.access,
        usedToken ?? '',
      ]),
    ).toEqual([])

    // A rejected refresh token: the refresh is counted as needing a new login.
    otel.telemetry.onRefresh({
      profileId: 'test-oauth:me',
      provider: 'TEST-OAUTH',
      outcome: 'reauth_required',
      durationMs: 12,
      errorCode: 'ERR_REAUTH_REQUIRED',
    })
    const after = await otel.metrics()
    expect(points(after, 'claw.oauth.refreshes')).toContainEqual([
      {
        ...subject,
        'claw.oauth.refresh.outcome': 'reauth_required',
        'error.type': 'ERR_REAUTH_REQUIRED',
      },
      1,
    ])
    await otel.shutdown()
  })
})

describe('credential gauges', () => {
  it('report expiring credentials, re-auth needs and billing-disabled profiles per provider', async () => {
    const otel = sdk()
    const now = Date.UTC(2026, 0, 1)
    const store = createMemoryAuthStore(
      buildAuthProfileStore({
        profiles: {
          'anthropic:soon': oauthCredential('anthropic', now + 2 * HOUR),
          'anthropic:dead': oauthCredential('anthropic', now + 48 * HOUR, {
            status: 'needs_reauth',
          }),
          'openai:billing': apiKeyCredential('openai'),
          'openai:ok': apiKeyCredential('openai'),
        },
        usageStats: { 'openai:billing': { disabledUntil: now + HOUR, disabledReason: 'billing' } },
      }),
    )
    const stop = otel.telemetry.observeCredentials({ store, agentId: 'main', now: () => now })
    const metrics = await otel.metrics()
    const anthropic = { 'claw.agent.id': 'main', 'gen_ai.provider.name': 'anthropic' }
    const openai = { 'claw.agent.id': 'main', 'gen_ai.provider.name': 'openai' }
    expect(points(metrics, 'claw.auth.credentials.expiring')).toEqual([
      [{ ...anthropic, 'claw.auth.credential.refreshable': true }, 1],
      [{ ...anthropic, 'claw.auth.credential.refreshable': false }, 0],
      [{ ...openai, 'claw.auth.credential.refreshable': true }, 0],
      [{ ...openai, 'claw.auth.credential.refreshable': false }, 0],
    ])
    expect(points(metrics, 'claw.auth.credentials.reauth_required')).toEqual([
      [anthropic, 1],
      [openai, 0],
    ])
    expect(points(metrics, 'claw.auth.profiles.disabled')).toEqual([
      [{ ...anthropic, 'claw.auth.disabled.reason': 'billing' }, 0],
      [{ ...anthropic, 'claw.auth.disabled.reason': 'auth_permanent' }, 0],
      [{ ...openai, 'claw.auth.disabled.reason': 'billing' }, 1],
      [{ ...openai, 'claw.auth.disabled.reason': 'auth_permanent' }, 0],
    ])
    const secrets = Object.values((await store.load()).profiles).flatMap((credential) =>
      credential.type === 'oauth' ? [credential.access, credential.refresh] : [],
    )
    expect(findCanaries(JSON.stringify([...metrics.values()]), secrets)).toEqual([])
    stop()
    await otel.shutdown()
  })
})

describe('the fleet', () => {
  let redis: RedisServer

  beforeAll(async () => {
    redis = await startRedisServer()
  })
  afterAll(async () => {
    await redis.dispose()
  })

  it('records Redis call latency, the circuit state and its transitions', async () => {
    const otel = sdk()
    const fleet = createRedisFleet({ url: redis.url, warn: () => undefined })
    const stop = otel.telemetry.observeFleet(fleet)
    const { keys, store: credentials } = openaiProfiles()
    const backend: AuthStoreBackend = fleet.stateBackend({ agentId: 'main', credentials })
    provider.setBehaviour(keys.a, behave.ok())
    const options = { ...base, store: backend, telemetry: otel.telemetry, run: callProvider }
    try {
      await runWithFailover(options)
      let metrics = await otel.metrics()
      const prefix = { 'claw.redis.prefix': 'claw:' }
      expect(points(metrics, 'claw.redis.circuit.open')).toEqual([[prefix, 0]])
      const [calls] = points(metrics, 'db.client.operation.duration')
      expect(calls?.[0]).toEqual({ 'db.system.name': 'redis', ...prefix })
      expect(calls?.[1]).toBeGreaterThan(0)
      expect(metrics.get('db.client.operation.duration')?.descriptor.unit).toBe('s')

      await redis.kill()
      // Runs go on with local state; the circuit opens.
      await runWithFailover(options)
      await runWithFailover(options)
      metrics = await otel.metrics()
      expect(points(metrics, 'claw.redis.circuit.open')).toEqual([[prefix, 1]])
      expect(points(metrics, 'claw.redis.circuit.transitions')).toEqual([
        [
          {
            ...prefix,
            'claw.redis.circuit.state': 'open',
            'error.type': expect.any(String) as string,
          },
          1,
        ],
      ])

      await redis.start()
      const deadline = Date.now() + 8_000
      while (fleet.status() !== 'connected' && Date.now() < deadline) await sleep(50)
      metrics = await otel.metrics()
      expect(points(metrics, 'claw.redis.circuit.open')).toEqual([[prefix, 0]])
      expect(points(metrics, 'claw.redis.circuit.transitions')).toContainEqual([
        { ...prefix, 'claw.redis.circuit.state': 'closed' },
        1,
      ])
      expect(exported([], metrics)).not.toContain(redis.socketPath)
    } finally {
      stop()
      await fleet.close()
      await otel.shutdown()
    }
  })
})

/** The bare (package) specifiers imported by the module graph of a source file, type imports aside. */
function packagesImportedFrom(entry: string): Set<string> {
  const packages = new Set<string>()
  const seen = new Set<string>()
  const queue = [entry]
  while (queue.length > 0) {
    const file = queue.pop() as string
    if (seen.has(file)) continue
    seen.add(file)
    const source = readFileSync(file, 'utf8')
    const statements =
      /^(?:import|export)(?!\s+type\b)[^'";]*?from\s+'([^']+)'|import\('([^']+)'\)/gm
    for (const match of source.matchAll(statements)) {
      const specifier = (match[1] ?? match[2]) as string
      if (specifier.startsWith('.'))
        queue.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
      else packages.add(specifier)
    }
  }
  return packages
}

describe('zero cost when absent', () => {
  const src = fileURLToPath(new URL('../src/', import.meta.url))

  it('the package entry never loads @opentelemetry/api; the telemetry entry does', () => {
    const main = [...packagesImportedFrom(join(src, 'index.ts'))]
    expect(main).toContain('@claw/auth-profiles')
    expect(main.filter((name) => name.startsWith('@opentelemetry/'))).toEqual([])
    expect(packagesImportedFrom(join(src, 'telemetry', 'index.ts'))).toContain('@opentelemetry/api')
  })
})
