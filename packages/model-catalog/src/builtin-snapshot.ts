import catalogText from '../data/catalog.json?raw'
import type { CatalogSnapshot } from './snapshot-types.js'

let snapshot: CatalogSnapshot | undefined

/**
 * The built-in catalog snapshot, parsed on first use (the text ships with the module; parsing
 * and indexing wait until something asks for a model).
 *
 * @internal
 */
export function loadBuiltinSnapshot(): CatalogSnapshot {
  snapshot ??= JSON.parse(catalogText) as CatalogSnapshot
  return snapshot
}
