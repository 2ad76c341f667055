// Loads hand out deep-frozen snapshots: callers share the cache's object by reference (no copy per
// load), and a caller that tries to change one gets a TypeError instead of silently changing what
// the next load returns.

/**
 * Freezes `value` and everything reachable from it, stopping at objects that are already frozen
 * (snapshots share their unchanged parts with the previous version, which are frozen already, so
 * freezing a new version costs only its new parts). Returns `value`.
 *
 * @internal
 */
export function freezeDeep<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value
  Object.freeze(value)
  for (const key in value) {
    if (Object.hasOwn(value, key)) freezeDeep((value as Record<string, unknown>)[key])
  }
  return value
}
