// `providerMetadata.claw`: which model and credential answered, the failed attempts before, the
// decision trace and the cost estimate. Plain JSON (the AI SDK's metadata type), never a secret:
// attempts and traces hold profile ids, reasons and redacted messages only.
import type { JSONObject, JSONValue, LanguageModelV4Usage } from '@ai-sdk/provider'
import type { FailoverAttempt, FailoverTraceEntry } from '@claw/failover'
import { estimateCost, type ModelCatalog } from '@claw/model-catalog'

/** What a claw model adds to `providerMetadata` under `claw`. @public */
export interface ClawProviderMetadata {
  /** The provider and model that answered. */
  readonly provider: string
  readonly model: string
  /** The profile whose credential answered (`null` for an env or config key). */
  readonly profileId: string | null
  /** The failed attempts before the answer (empty when the first call succeeded). */
  readonly attempts: readonly FailoverAttempt[]
  /** Every model × credential considered, in order, and what happened. */
  readonly trace: readonly FailoverTraceEntry[]
  /**
   * USD estimate of the call from the catalog's prices (`estimateCost`); absent when the model is
   * not in the catalog or the usage has no token counts.
   */
  readonly cost?: {
    readonly input: number
    readonly output: number
    readonly cacheRead: number
    readonly cacheWrite: number
    readonly total: number
  }
}

/** A copy without `undefined` properties (JSON has none). */
function defined(entry: object): JSONObject {
  const copy: Record<string, JSONValue> = {}
  const record = entry as Record<string, unknown>
  for (const name in record) {
    const value = record[name]
    if (value !== undefined) copy[name] = value as JSONValue
  }
  return copy
}

/** The cost of a call from the AI SDK's usage, when the catalog knows the model. */
function costOf(
  catalog: ModelCatalog,
  provider: string,
  model: string,
  usage: LanguageModelV4Usage | undefined,
): ClawProviderMetadata['cost'] | undefined {
  const input = usage?.inputTokens
  const output = usage?.outputTokens.total
  if (input?.total === undefined && output === undefined) return undefined
  const entry = catalog.find({ provider, model })
  if (entry === undefined) return undefined
  const cacheRead = input?.cacheRead ?? 0
  const cacheWrite = input?.cacheWrite ?? 0
  const noCache = input?.noCache ?? Math.max(0, (input?.total ?? 0) - cacheRead - cacheWrite)
  return estimateCost(entry, { input: noCache, output: output ?? 0, cacheRead, cacheWrite })
}

/** The run's outcome, as `providerMetadata.claw`. */
export function clawMetadata(
  run: {
    readonly provider: string
    readonly model: string
    readonly profileId: string | undefined
    readonly attempts: readonly FailoverAttempt[]
    readonly trace: readonly FailoverTraceEntry[]
  },
  usage: LanguageModelV4Usage | undefined,
  catalog: ModelCatalog,
): JSONObject {
  const metadata: JSONObject = {
    provider: run.provider,
    model: run.model,
    profileId: run.profileId ?? null,
    attempts: run.attempts.map(defined),
    trace: run.trace.map(defined),
  }
  const cost = costOf(catalog, run.provider, run.model, usage)
  if (cost !== undefined) metadata.cost = { ...cost }
  return metadata
}
