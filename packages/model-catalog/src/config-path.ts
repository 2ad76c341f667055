import { ModelCatalogError, type ConfigIssue } from './errors.js'

const identifier = /^[A-Za-z_$][\w$]*$/

/**
 * Formats a path of keys as a config path: `models.providers.ollama.models[0].contextWindow`,
 * with non-identifier keys quoted: `agents.defaults.models["anthropic/claude-opus-4-5"]`.
 *
 * @public
 */
export function formatConfigPath(segments: readonly PropertyKey[]): string {
  let path = ''
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`
    else if (typeof segment === 'symbol') path += '[symbol]'
    else if (identifier.test(segment)) path += path === '' ? segment : `.${segment}`
    else path += `[${JSON.stringify(segment)}]`
  }
  return path === '' ? '(root)' : path
}

/** Joins a config path prefix and a relative path. @internal */
export function joinConfigPath(prefix: string | undefined, relative: string): string {
  if (!prefix) return relative
  if (relative === '(root)') return prefix
  return relative.startsWith('[') ? `${prefix}${relative}` : `${prefix}.${relative}`
}

const unsafeKeys = new Set(['__proto__', 'prototype'])

function isUnsafeKey(key: string, value: unknown): boolean {
  // `constructor` is only a pollution vector when it carries an object (`constructor.prototype`).
  return (
    unsafeKeys.has(key) || (key === 'constructor' && typeof value === 'object' && value !== null)
  )
}

/** How deep a config value may nest; deeper input is rejected rather than recursed into. @public */
export const MAX_CONFIG_DEPTH = 64

/**
 * Finds keys that could poison prototypes when an object is copied or merged (`__proto__`,
 * `prototype`, and `constructor` holding an object) and nesting deeper than {@link MAX_CONFIG_DEPTH}. Iterative, so
 * hostile nesting cannot overflow the stack. Run it on untrusted JSON before copying or merging.
 *
 * @public
 */
export function findUnsafeKeys(value: unknown, maxDepth = MAX_CONFIG_DEPTH): ConfigIssue[] {
  const issues: ConfigIssue[] = []
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value, path: [] }]
  while (stack.length > 0) {
    const current = stack.pop()
    if (current === undefined) break
    if (typeof current.value !== 'object' || current.value === null) continue
    if (current.path.length >= maxDepth) {
      issues.push({
        path: formatConfigPath(current.path),
        message: `nesting deeper than ${maxDepth} levels`,
      })
      continue
    }
    if (Array.isArray(current.value)) {
      current.value.forEach((item, index) =>
        stack.push({ value: item, path: [...current.path, index] }),
      )
      continue
    }
    for (const key of Object.keys(current.value)) {
      if (isUnsafeKey(key, (current.value as Record<string, unknown>)[key])) {
        issues.push({
          path: formatConfigPath([...current.path, key]),
          message: 'key is not allowed (prototype pollution guard)',
        })
        continue
      }
      stack.push({
        value: (current.value as Record<string, unknown>)[key],
        path: [...current.path, key],
      })
    }
  }
  return issues
}

/**
 * Throws when {@link findUnsafeKeys} finds anything.
 *
 * @throws {ModelCatalogError} `ERR_UNSAFE_KEY` with one issue per offending path.
 * @internal
 */
export function assertSafeKeys(
  value: unknown,
  options: { label: string; pathPrefix?: string },
): void {
  const found = findUnsafeKeys(value)
  if (found.length === 0) return
  const issues = found.map((issue) => ({
    path: joinConfigPath(options.pathPrefix, issue.path),
    message: issue.message,
  }))
  throw new ModelCatalogError(
    'ERR_UNSAFE_KEY',
    `${options.label} contains unsafe keys:\n${issues.map((issue) => `- ${issue.path}: ${issue.message}`).join('\n')}`,
    { issues },
  )
}
