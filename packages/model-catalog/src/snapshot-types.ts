/**
 * Shape of the committed catalog snapshot (`data/catalog.json`), written by
 * `scripts/generate-catalog.ts` and read lazily on first use. Prices are USD per million tokens.
 *
 * @internal
 */
export interface CatalogSnapshot {
  readonly schemaVersion: 1
  /** Where the data came from, for review; no timestamps, so regeneration is reproducible. */
  readonly source: {
    readonly package: string
    readonly version: string
    readonly overrides: string
  }
  /** Sorted by id. */
  readonly providers: readonly SnapshotProvider[]
}

/** @internal */
export interface SnapshotProvider {
  readonly id: string
  readonly name: string
  /** Omitted for providers in the hand-kept registry, whose data is authoritative. */
  readonly api?: string
  readonly baseUrl?: string
  readonly env?: readonly string[]
  /** Sorted by id. */
  readonly models: readonly SnapshotModel[]
}

/** @internal */
export interface SnapshotModel {
  readonly id: string
  readonly name: string
  /** Only when the model's API differs from its provider's. */
  readonly api?: string
  readonly reasoning: boolean
  readonly toolCall: boolean
  readonly input: readonly ('text' | 'image')[]
  readonly cost: {
    readonly input: number
    readonly output: number
    readonly cacheRead: number
    readonly cacheWrite: number
  }
  readonly contextWindow: number
  readonly maxTokens: number
  readonly releaseDate?: string
  readonly knowledge?: string
}
