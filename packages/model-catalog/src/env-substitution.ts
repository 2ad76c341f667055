import { MAX_CONFIG_DEPTH, formatConfigPath, joinConfigPath } from './config-path.js'
import { ModelCatalogError } from './errors.js'

/** @public */
export interface SubstituteEnvVarsOptions {
  /** The environment to read; pass `process.env` explicitly from the application. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Config path of `value` inside a larger document, used in error messages. */
  readonly pathPrefix?: string
  /** The file `value` was read from (absolute path), named in error messages. */
  readonly source?: string
}

const reference = /\$\$\{|\$\{([^}]*)\}/g
const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Replaces `${VAR}` in every string of a config value with the variable's value, returning a new
 * value (the input is not modified). `$${VAR}` is an escape for a literal `${VAR}`. Values are
 * never logged or put in error messages.
 *
 * @throws {ModelCatalogError} `ERR_ENV_VAR_UNSET` naming the variable and the config path (and the
 *   file, given `source`) when a referenced variable is unset or empty; `ERR_INVALID_CONFIG` for a
 *   malformed reference or nesting deeper than the config limit.
 * @example
 * ```ts
 * substituteEnvVars({ baseUrl: '${API_BASE}/v1' }, { env: { API_BASE: 'https://example.test' } })
 * // { baseUrl: 'https://example.test/v1' }
 * ```
 * @public
 */
export function substituteEnvVars<T>(value: T, options: SubstituteEnvVarsOptions): T {
  return substitute(value, [], options) as T
}

function substitute(
  value: unknown,
  path: PropertyKey[],
  options: SubstituteEnvVarsOptions,
): unknown {
  if (typeof value === 'string') return substituteString(value, path, options)
  if (typeof value !== 'object' || value === null) return value
  if (path.length >= MAX_CONFIG_DEPTH) {
    throw new ModelCatalogError(
      'ERR_INVALID_CONFIG',
      `Config nesting deeper than ${MAX_CONFIG_DEPTH} levels at ${configPath(path, options)}`,
    )
  }
  if (Array.isArray(value))
    return value.map((item, index) => substitute(item, [...path, index], options))
  const result: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(result, key, {
      value: substitute(item, [...path, key], options),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return result
}

function substituteString(
  text: string,
  path: PropertyKey[],
  options: SubstituteEnvVarsOptions,
): string {
  if (!text.includes('${')) return text
  return text.replace(reference, (match, name: string | undefined) => {
    if (match === '$${') return '${'
    if (name === undefined || !variableName.test(name)) {
      throw new ModelCatalogError(
        'ERR_INVALID_CONFIG',
        `Malformed environment variable reference at ${configPath(path, options)} (expected \${NAME})`,
      )
    }
    const resolved = options.env[name]
    if (resolved === undefined || resolved === '') {
      throw new ModelCatalogError(
        'ERR_ENV_VAR_UNSET',
        `Environment variable ${name} is not set (referenced at ${configPath(path, options)})`,
      )
    }
    return resolved
  })
}

/** The config path for messages, with ` in <file>` when the file is known. */
function configPath(path: PropertyKey[], options: SubstituteEnvVarsOptions): string {
  const where = joinConfigPath(options.pathPrefix, formatConfigPath(path))
  return options.source ? `${where} in ${options.source}` : where
}
