import { assertSafeKeys } from './config-path.js'
import { configError } from './errors.js'
import type { AgentModelConfig, CatalogConfig, ModelsJsonDocument } from './schemas.js'

/** @public */
export interface ParseCatalogConfigOptions {
  /** Where the value came from (a file path), named in the error message. */
  readonly source?: string
  /** Config path of `input` inside a larger document, prefixed to every issue path. */
  readonly pathPrefix?: string
}

/**
 * Validates the `models.*` and `agents.*` slices of a config object. Strict on the objects this
 * package owns (unknown fields are errors, so typos surface) and lenient elsewhere, so the same
 * object can be a whole `claw.json`. Keys that could poison prototypes are rejected before
 * anything is copied. Async because the schemas (and zod) load on first use.
 *
 * @throws {ModelCatalogError} `ERR_INVALID_CONFIG` (or `ERR_UNSAFE_KEY`) whose message lists every
 *   problem as `- <config path>: <message>`; values are never echoed.
 * @example
 * ```ts
 * const config = await parseCatalogConfig(JSON.parse(text), { source: '/home/me/.claw/claw.json' })
 * ```
 * @public
 */
export async function parseCatalogConfig(
  input: unknown,
  options: ParseCatalogConfigOptions = {},
): Promise<CatalogConfig> {
  const label = options.source ? `Invalid config at ${options.source}` : 'Invalid config'
  assertSafeKeys(input, {
    label,
    ...(options.pathPrefix === undefined ? {} : { pathPrefix: options.pathPrefix }),
  })
  const { catalogConfigSchema, zodConfigIssues } = await import('./schemas.js')
  const result = catalogConfigSchema.safeParse(input)
  if (result.success) return result.data
  throw configError(label, zodConfigIssues(result.error, options.pathPrefix), result.error)
}

/**
 * Validates a parsed `models.json` document (`{ providers: { <id>: … } }`).
 *
 * @throws {ModelCatalogError} `ERR_INVALID_CONFIG` / `ERR_UNSAFE_KEY`, naming paths like
 *   `providers.mycorp.baseUrl`.
 * @public
 */
export async function parseModelsJson(
  input: unknown,
  options: Pick<ParseCatalogConfigOptions, 'source'> = {},
): Promise<ModelsJsonDocument> {
  const label = options.source ? `Invalid models.json at ${options.source}` : 'Invalid models.json'
  assertSafeKeys(input, { label })
  const { modelsJsonSchema, zodConfigIssues } = await import('./schemas.js')
  const result = modelsJsonSchema.safeParse(input)
  if (result.success) return result.data
  throw configError(label, zodConfigIssues(result.error), result.error)
}

/**
 * The primary model of a `"<ref>" | { primary }` value, trimmed; `undefined` when unset or blank.
 *
 * @public
 */
export function resolveAgentModelPrimary(value: AgentModelConfig | undefined): string | undefined {
  const raw = typeof value === 'string' ? value : value?.primary
  const trimmed = raw?.trim()
  return trimmed ? trimmed : undefined
}

/**
 * The fallback list of a `"<ref>" | { fallbacks }` value (`[]` for a string or when unset).
 *
 * @public
 */
export function resolveAgentModelFallbacks(value: AgentModelConfig | undefined): readonly string[] {
  if (typeof value === 'string' || value === undefined) return []
  return value.fallbacks ?? []
}
