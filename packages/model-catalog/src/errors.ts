/**
 * Error codes raised by `@claw/model-catalog`. Codes are public API: renaming one is a breaking
 * change.
 *
 * @public
 */
export type ModelCatalogErrorCode =
  | 'ERR_INVALID_MODEL_REF'
  | 'ERR_INVALID_CONFIG'
  | 'ERR_ENV_VAR_UNSET'
  | 'ERR_UNSAFE_KEY'
  | 'ERR_INVALID_USAGE'
  | 'ERR_INVALID_ARGUMENT'

/**
 * One problem found while validating a config value. `path` is a dotted config path such as
 * `models.providers.ollama.models[0].contextWindow`; `message` never contains the offending value.
 *
 * @public
 */
export interface ConfigIssue {
  readonly path: string
  readonly message: string
}

const clawErrorMarker = Symbol.for('claw.error')
const packageMarker = Symbol.for('claw.error.model-catalog')

function hasMarker(value: unknown, marker: symbol): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[marker] === true
  )
}

/**
 * The one error class of `@claw/model-catalog`. Branch on `code`; `issues` is set for config
 * validation errors. Messages never contain secret values.
 *
 * `ModelCatalogError.isInstance(value)` works across duplicate installs of the package, unlike
 * `instanceof`.
 *
 * @public
 */
export class ModelCatalogError extends Error {
  override readonly name = 'ModelCatalogError'
  readonly code: ModelCatalogErrorCode
  /** Validation problems, for `ERR_INVALID_CONFIG` and `ERR_UNSAFE_KEY`. */
  readonly issues: readonly ConfigIssue[]

  constructor(
    code: ModelCatalogErrorCode,
    message: string,
    options?: { cause?: unknown; issues?: readonly ConfigIssue[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.issues = options?.issues ?? []
    Object.defineProperty(this, clawErrorMarker, { value: true })
    Object.defineProperty(this, packageMarker, { value: true })
  }

  /** True for any `ModelCatalogError`, including one thrown by another copy of this package. */
  static isInstance(value: unknown): value is ModelCatalogError {
    return hasMarker(value, packageMarker)
  }
}

/**
 * Renders an untrusted string for an error message: control characters and bidi overrides are
 * escaped, and long input is shortened, so a message stays one readable line.
 *
 * @internal
 */
export function describeInput(raw: string, maxLength = 120): string {
  const shortened = raw.length > maxLength ? `${raw.slice(0, maxLength)}…` : raw
  return JSON.stringify(shortened).replace(
    /[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/**
 * Builds the `ERR_INVALID_CONFIG` error used everywhere in this package: a heading followed by
 * one `- <path>: <message>` line per issue.
 *
 * @internal
 */
export function configError(
  heading: string,
  issues: readonly ConfigIssue[],
  cause?: unknown,
): ModelCatalogError {
  const lines = issues.map((issue) => `- ${issue.path}: ${issue.message}`).join('\n')
  return new ModelCatalogError('ERR_INVALID_CONFIG', `${heading}\n${lines}`, {
    issues,
    ...(cause === undefined ? {} : { cause }),
  })
}
