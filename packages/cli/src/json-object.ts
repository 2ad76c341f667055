// Small helpers for editing parsed JSON documents (config files) in place.

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `parent[key]` as an object, created (replacing a non-object value) when needed. */
export function childObject(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = parent[key]
  if (isRecord(existing)) return existing
  const created: Record<string, unknown> = {}
  parent[key] = created
  return created
}
