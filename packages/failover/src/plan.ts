import {
  collectProviderApiKeys,
  resolveAmbientCredentials,
  resolveEnvApiKey,
  isAuthStoreBackend,
  probeLeasesFor,
  resolveProfileProbation,
  type AuthProfileStore,
  type ProbeLeases,
} from '@claw/auth-profiles'
import { normalizeProviderId } from '@claw/model-catalog'
import { runEngine } from './engine/engine.js'
import { describeProbation } from './engine/probes.js'
import { FailoverError, FailoverSummaryError, type FailoverAttempt } from './errors.js'
import type { FailoverReason } from './reasons.js'
import { openStoreForReading, runStoreHandle } from './store-handle.js'
import { resolveClock, resolveEnv } from './runtime.js'
import type { FailoverTargetOptions } from './target-options.js'
import type { FailoverTraceEntry } from './trace.js'

/** @public */
export interface PlanFailoverOptions extends FailoverTargetOptions {
  /**
   * Pretend these credentials fail with these reasons (keys: profile ids, or `env key #N` /
   * `env or config` labels), e.g. `{ 'anthropic:work': 'rate_limit' }`, to see what would happen next.
   */
  readonly simulate?: Readonly<Record<string, FailoverReason>> | undefined
  /**
   * Where to look for probes other runs hold (default: those of the store handle, see
   * `probeLeasesFor`). A plan never takes a lease: it reports `probing` for a credential another
   * run probes now, and `probe: true` on the credential it would probe itself.
   */
  readonly probeLeases?: ProbeLeases | undefined
}

/** @public */
export interface FailoverPlan {
  /** The candidate and credential a run would use now, if any. */
  readonly chosen:
    | {
        readonly provider: string
        readonly model: string
        readonly profileId?: string
        readonly credential: string
      }
    | undefined
  /** Every candidate × credential considered, in order, with why it was skipped or what happened. */
  readonly trace: readonly FailoverTraceEntry[]
  /** Simulated failures and skipped candidates. */
  readonly attempts: readonly FailoverAttempt[]
  /** Why nothing would be chosen (the error a run would throw), without secrets. */
  readonly error?: {
    readonly message: string
    readonly reason?: FailoverReason
    readonly retryAfterMs?: number
  }
}

/**
 * What `runWithFailover` would do now, without calling anything: the same candidates, order,
 * skips and policy, driven by the given clock and store (copied: nothing is persisted), with no
 * key resolution beyond "is there a credential" — no secrets are read into the plan, no OAuth
 * refresh, no SecretRef command runs. `simulate` makes chosen credentials fail with a reason so you
 * can ask "and if that one is rate-limited?".
 *
 * @public
 */
export async function planFailover(options: PlanFailoverOptions = {}): Promise<FailoverPlan> {
  // Simulated failures are recorded in a private memory copy: nothing is persisted.
  const { backend, store } = await openStoreForReading(options, 'planFailover')
  // The probes other runs hold are those of the caller's handle, not of the private copy.
  const leases = peekOnly(options.probeLeases ?? handleLeases(options))
  const env = resolveEnv(options)
  const collected: FailoverTraceEntry[] = []
  try {
    const engine = await runEngine<undefined>(
      {
        trace: collected,
        config: options.config,
        backend,
        store,
        provider: options.provider,
        model: options.model,
        fallbacksOverride: options.fallbacksOverride,
        agentId: options.agentId,
        sessionProfile: options.sessionProfile,
        env,
        maxAttempts: options.maxAttempts,
        minRetryGapMs: 0,
        now: options.now,
        sleep: () => Promise.resolve(),
        probeLeases: leases,
        waitForProbes: false,
      },
      {
        resolve(candidate, slot) {
          if (slot.profileId) return Promise.resolve({ ready: true })
          if (slot.envKeyIndex !== undefined) {
            return Promise.resolve(
              collectProviderApiKeys(candidate.provider, { env })[slot.envKeyIndex]
                ? { ready: true }
                : { skip: 'env key not set' },
            )
          }
          const hasEnv = resolveEnvApiKey(candidate.provider, { env }) !== null
          const providers = options.config?.models?.providers ?? {}
          const hasConfigKey = Object.entries(providers).some(
            ([id, entry]) =>
              normalizeProviderId(id) === candidate.provider && entry.apiKey !== undefined,
          )
          const ambient = resolveAmbientCredentials(candidate.provider, { env }) !== null
          return Promise.resolve(
            hasEnv || hasConfigKey || ambient
              ? { ready: true }
              : { skip: `No API key found for provider "${candidate.provider}".` },
          )
        },
        call(_candidate, slot) {
          const reason = options.simulate?.[slot.profileId ?? slot.label]
          if (!reason) return Promise.resolve({ ok: true, value: undefined })
          const error = new FailoverError(reason, `simulated ${reason}`)
          return Promise.resolve({
            ok: false,
            reason,
            error,
            message: `simulated ${reason}`,
            status: error.status,
          })
        },
      },
    )
    const trace = engine.trace.map((entry, index) =>
      index === engine.trace.length - 1 && entry.outcome === 'succeeded'
        ? { ...entry, outcome: 'chosen' as const, detail: chosenDetail(entry, store, options) }
        : entry,
    )
    return {
      chosen: {
        provider: engine.candidate.provider,
        model: engine.candidate.model,
        ...(engine.slot.profileId ? { profileId: engine.slot.profileId } : {}),
        credential: engine.slot.label,
      },
      trace,
      attempts: engine.attempts,
    }
  } catch (error) {
    const summary = FailoverSummaryError.isInstance(error) ? error : undefined
    const failover = FailoverError.isInstance(error) ? error : undefined
    return {
      chosen: undefined,
      trace: collected,
      attempts: summary?.attempts ?? [],
      error: {
        message: error instanceof Error ? error.message : String(error),
        ...(failover ? { reason: failover.reason } : {}),
        ...(failover?.retryAfterMs === undefined ? {} : { retryAfterMs: failover.retryAfterMs }),
      },
    }
  }
}

/** The probe leases of the handle a run would use (none for loaded store data: no run uses it). */
function handleLeases(options: PlanFailoverOptions): ProbeLeases | undefined {
  if (options.store !== undefined && !isAuthStoreBackend(options.store)) return undefined
  return probeLeasesFor(runStoreHandle(options, 'planFailover'))
}

/** Leases a plan may look at but never take: `held` stays `held`, anything else "would probe". */
function peekOnly(leases: ProbeLeases | undefined): ProbeLeases | undefined {
  if (leases === undefined) return undefined
  return {
    async acquire(request) {
      if (await leases.held(request)) return { status: 'held' }
      return { status: 'acquired', release: () => Promise.resolve() }
    },
    held: (request) => leases.held(request),
  }
}

/** `would be used`, or for a probe, which window ended (read from the store as it was). */
function chosenDetail(
  entry: FailoverTraceEntry,
  store: AuthProfileStore,
  options: PlanFailoverOptions,
): string {
  if (!entry.probe || entry.profileId === undefined) return 'would be used'
  const probation = resolveProfileProbation(store.usageStats?.[entry.profileId], {
    model: entry.model,
    now: resolveClock(options)(),
  })
  return probation === undefined
    ? 'would probe it'
    : `would probe it: ${describeProbation(probation)}; other runs keep to the remaining credentials until it succeeds`
}
