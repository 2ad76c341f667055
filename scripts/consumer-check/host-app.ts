// A small host app, type-checked by scripts/check-consumer.mjs against the packed packages in a
// fresh strict project (never run): the calls an embedder writes in the first week, through the
// public entries only. Every subpath is also imported by the generated `entries.ts`.
import {
  AuthProfilesError,
  createFileAuthStore,
  isAuthProfilesError,
  markAuthProfileFailure,
  openAuthStore,
  resolveAgentDir,
  resolveApiKeyForProvider,
  type AuthStoreBackend,
  type ClawConfig,
} from '@claw/auth-profiles'
import { createRedisFleet, type RedisFleetOptions } from '@claw/auth-profiles/redis'
import { authProfileStoreSchema } from '@claw/auth-profiles/schemas'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  createFakeClock,
  createMemoryAuthStore,
} from '@claw/auth-profiles/testing'
import { EXIT_CODES, runCli, type CliIo } from '@claw/cli'
import {
  FailoverSummaryError,
  planFailover,
  runWithFailover,
  type FailoverCallContext,
  type FailoverTraceEntry,
} from '@claw/failover'
import { rateLimited } from '@claw/failover/testing'
import {
  createModelCatalog,
  estimateCost,
  ModelCatalogError,
  resolveConfiguredModelRef,
} from '@claw/model-catalog'
import { modelsConfigSchema } from '@claw/model-catalog/schemas'

const config: ClawConfig = {
  agents: {
    defaults: { model: { primary: 'anthropic/claude-sonnet-4-5', fallbacks: ['openai/gpt-5.2'] } },
  },
}

export async function callModel(
  prompt: string,
  signal?: AbortSignal,
): Promise<{ text: string; trace: readonly FailoverTraceEntry[] }> {
  const store: AuthStoreBackend = openAuthStore({ agentDir: resolveAgentDir('main') })
  const { source } = await resolveApiKeyForProvider({ provider: 'anthropic', store, config })
  if (source === '') throw new Error('unreachable')
  const { result, trace } = await runWithFailover({
    config,
    store,
    signal,
    deadlineMs: 60_000,
    onEvent: (event) => void event.type,
    run: async ({ provider, model, apiKey, baseUrl, signal }: FailoverCallContext) => {
      const response = await fetch(`${baseUrl ?? 'https://api.anthropic.com'}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey ?? '', 'content-type': 'application/json' },
        body: JSON.stringify({ model, provider, messages: [{ role: 'user', content: prompt }] }),
        signal: signal ?? null,
      })
      if (!response.ok) {
        const { status, headers } = response
        throw Object.assign(new Error(await response.text()), { status, headers })
      }
      return (await response.json()) as { content: { text: string }[] }
    },
  }).catch((error: unknown) => {
    if (FailoverSummaryError.isInstance(error)) console.error(error.retryAfterMs, error.attempts)
    throw error
  })
  return { text: result.content[0]?.text ?? '', trace }
}

export async function recordFailure(store: AuthStoreBackend): Promise<boolean> {
  try {
    const outcome = await markAuthProfileFailure({
      store,
      profileId: 'anthropic:work',
      reason: 'rate_limit',
      model: 'claude-sonnet-4-5',
      retryAfterMs: 30_000,
    })
    return outcome.changed
  } catch (error) {
    if (isAuthProfilesError(error, 'ERR_LOCK_TIMEOUT')) return false
    if (AuthProfilesError.isInstance(error)) throw new Error(error.code)
    throw error
  }
}

export async function explain(): Promise<string> {
  const plan = await planFailover({ config, agentDir: resolveAgentDir('main') })
  return JSON.stringify(plan)
}

export function price(): number | undefined {
  const catalog = createModelCatalog({ config })
  const primary = resolveConfiguredModelRef({ config })
  const model = catalog.find(`${primary.provider}/${primary.model}`)
  try {
    return model ? estimateCost(model, { input: 1_000, output: 100 }).total : undefined
  } catch (error) {
    if (ModelCatalogError.isInstance(error)) return undefined
    throw error
  }
}

export async function testSetup(): Promise<string | undefined> {
  const clock = createFakeClock()
  const key = canarySecret()
  const store = createMemoryAuthStore(
    buildAuthProfileStore({ profiles: { 'openai:a': apiKeyCredential('openai', key) } }),
  )
  const outcome = await runWithFailover({
    config,
    store,
    env: {},
    now: clock.now,
    sleep: (ms) => {
      clock.advance(ms)
      return Promise.resolve()
    },
    run: () => Promise.reject(rateLimited({ retryAfterMs: 1_000 })),
  }).catch(() => undefined)
  return outcome?.profileId
}

export function fleet(options: RedisFleetOptions): AuthStoreBackend {
  return createRedisFleet(options).stateBackend({
    agentId: 'main',
    credentials: createFileAuthStore({ agentDir: resolveAgentDir('main') }),
  })
}

export function validate(value: unknown): boolean {
  return authProfileStoreSchema.safeParse(value).success && modelsConfigSchema.safeParse({}).success
}

export async function cli(io: CliIo): Promise<boolean> {
  return (await runCli(['models', 'status', '--json'], io)) === EXIT_CODES.ok
}
