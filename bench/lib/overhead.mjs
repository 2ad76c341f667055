// Rows for "a wrapper vs the bare call" comparisons (claw's AI SDK model vs the AI SDK model,
// createFailoverFetch vs fetch), from timeAsyncInterleaved results.
import { atMost } from './context.mjs'

/**
 * p50/p99 of both sides, then the p50 ratio and the p99 difference, with targets when given
 * (`ratioLimit`: wrapped p50 ≤ ratioLimit × bare p50; `addedP99LimitUs`: wrapped p99 − bare p99).
 */
export function overheadRows(caseName, bare, wrapped, options = {}) {
  const { bareName, wrappedName, ratioLimit, addedP99LimitUs } = options
  const note = `${bare.samples.toLocaleString('en-US')} calls each, interleaved`
  const ratio = {
    name: `${wrappedName} / ${bareName}, ${caseName}`,
    metric: 'p50 ratio',
    value: wrapped.p50 / bare.p50,
    unit: '×',
    note,
  }
  const added = {
    name: `${wrappedName} − ${bareName}, ${caseName}`,
    metric: 'p99 added',
    value: wrapped.p99 - bare.p99,
    unit: 'µs',
  }
  return [
    { name: `${bareName}, ${caseName}`, metric: 'p50', value: bare.p50, unit: 'µs', note },
    { name: `${bareName}, ${caseName}`, metric: 'p99', value: bare.p99, unit: 'µs' },
    { name: `${wrappedName}, ${caseName}`, metric: 'p50', value: wrapped.p50, unit: 'µs' },
    { name: `${wrappedName}, ${caseName}`, metric: 'p99', value: wrapped.p99, unit: 'µs' },
    ratioLimit === undefined ? ratio : atMost(ratio, ratioLimit),
    addedP99LimitUs === undefined ? added : atMost(added, addedP99LimitUs),
  ]
}
