import type { ModelCost } from './catalog.js'
import { ModelCatalogError } from './errors.js'

/** Token counts of one call (or a sum of calls). Missing buckets count as 0. @public */
export interface TokenUsage {
  readonly input?: number
  readonly output?: number
  readonly cacheRead?: number
  readonly cacheWrite?: number
}

/** USD per bucket and in total, rounded to 1e-10 USD. @public */
export interface CostBreakdown {
  readonly input: number
  readonly output: number
  readonly cacheRead: number
  readonly cacheWrite: number
  readonly total: number
}

const buckets = ['input', 'output', 'cacheRead', 'cacheWrite'] as const
const precision = 1e10

function round(value: number): number {
  return Math.round(value * precision) / precision
}

/**
 * Estimates the USD cost of a usage record from a model's prices (USD per million tokens).
 * Rounding to 1e-10 USD keeps sums free of floating-point noise.
 *
 * @throws {ModelCatalogError} `ERR_INVALID_USAGE` when a token count is negative or not finite;
 *   `ERR_INVALID_ARGUMENT` when the model has no price data.
 * @example
 * ```ts
 * estimateCost(catalog.find('anthropic/claude-opus-4-5')!, { input: 10_000, output: 2_000 }).total // 0.1
 * ```
 * @public
 */
export function estimateCost(
  model: { readonly cost?: Partial<ModelCost> } | undefined,
  usage: TokenUsage,
): CostBreakdown {
  if (model?.cost === undefined || typeof model.cost !== 'object') {
    throw new ModelCatalogError('ERR_INVALID_ARGUMENT', 'estimateCost needs a model with cost data')
  }
  const prices = model.cost
  const parts = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }
  let total = 0
  for (const bucket of buckets) {
    const tokens = usage[bucket] ?? 0
    if (typeof tokens !== 'number' || !Number.isFinite(tokens) || tokens < 0) {
      throw new ModelCatalogError(
        'ERR_INVALID_USAGE',
        `usage.${bucket} must be a finite, non-negative token count`,
      )
    }
    const price = prices[bucket] ?? 0
    parts[bucket] = round((price * tokens) / 1_000_000)
    total += parts[bucket]
  }
  return { ...parts, total: round(total) }
}

/**
 * True when the model accepts image input.
 *
 * @public
 */
export function modelSupportsVision(
  model: { readonly input?: readonly string[] } | undefined,
): boolean {
  return model?.input?.includes('image') ?? false
}

/** Zero prices. @internal */
export const ZERO_COST: ModelCost = Object.freeze({
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
})

/**
 * Prices from `patch` over `base`, bucket by bucket; absent buckets keep the base price.
 *
 * @internal
 */
export function mergeCost(
  base: ModelCost,
  patch: { readonly [bucket in keyof ModelCost]?: number | undefined } | undefined,
): ModelCost {
  return {
    input: patch?.input ?? base.input,
    output: patch?.output ?? base.output,
    cacheRead: patch?.cacheRead ?? base.cacheRead,
    cacheWrite: patch?.cacheWrite ?? base.cacheWrite,
  }
}
