// JSON helpers shared by the file source and the exec protocol. A parse error is never kept:
// V8's messages quote the input, which may be a secret.

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function jsonKind(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

export function parseJson(text: string): { ok: true; document: unknown } | { ok: false } {
  try {
    return { ok: true, document: JSON.parse(text) as unknown }
  } catch {
    return { ok: false }
  }
}
