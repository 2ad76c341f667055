import type { Attributes, ObservableCounter, ObservableResult } from '@opentelemetry/api'

/**
 * A monotonic count per attribute set, kept in a map and reported through an observable counter
 * when metrics are collected. Used for the per-attempt counters instead of `Counter.add`, whose
 * attribute hashing on every call cost about 1 µs per attempt (bench row "telemetry on − off").
 * The attribute sets are few: providers × models × reasons of the configuration.
 */
export class RunCounts {
  private readonly counts = new Map<string, { readonly attributes: Attributes; value: number }>()

  constructor(instrument: ObservableCounter) {
    instrument.addCallback((result: ObservableResult) => {
      for (const { attributes, value } of this.counts.values()) result.observe(value, attributes)
    })
  }

  /** Adds one to the count of `key`; false (nothing counted) when `key` is new: then {@link start}. */
  increment(key: string): boolean {
    const entry = this.counts.get(key)
    if (entry === undefined) return false
    entry.value += 1
    return true
  }

  /** Counts the first occurrence of a new `key`, with the attributes it is reported with. */
  start(key: string, attributes: Attributes): void {
    this.counts.set(key, { attributes, value: 1 })
  }
}
