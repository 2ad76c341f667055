// The SecretRef itself: its syntax, its key, and how errors describe it (never its value).
import { AuthProfilesError } from '../../errors.js'
import type { SecretRef } from '../../types.js'
import type { Failure } from './failure.js'
import { isPlainObject } from './json-value.js'

/** The only id a `singleValue` file provider accepts: the whole file is the secret. @public */
export const SINGLE_VALUE_SECRET_ID = 'value'

const PROVIDER_ALIAS = /^[a-z][a-z0-9_-]{0,63}$/
const ENV_ID = /^[A-Z][A-Z0-9_]{0,127}$/
const EXEC_ID = /^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$/
const MAX_FILE_ID_LENGTH = 512
const REF_FIELDS = new Set(['source', 'provider', 'id'])

function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

/** True for an absolute RFC 6901 JSON pointer (`/a/b`, `~0` and `~1` escapes only). */
export function isJsonPointer(id: string): boolean {
  return id.startsWith('/') && !/~(?![01])/.test(id)
}

/**
 * Why `ref` is not a valid SecretRef, or `undefined` when it is. Checks the shape and the id syntax
 * of its source: `provider` matches `^[a-z][a-z0-9_-]{0,63}$`; env ids are variable names
 * (`^[A-Z][A-Z0-9_]{0,127}$`); file ids are absolute JSON pointers (`/a/b`, with RFC 6901 `~0` and
 * `~1` escapes) or `value` for `singleValue` providers; exec ids match
 * `^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$` and have no `.` or `..` path segment. Whether the id fits
 * the provider's mode is checked when resolving. The reason never quotes field values.
 *
 * @public
 */
export function validateSecretRef(ref: unknown): string | undefined {
  if (!isPlainObject(ref)) return 'a secret ref must be an object { source, provider, id }'
  for (const field of Object.keys(ref)) {
    if (!REF_FIELDS.has(field)) {
      return `unknown field ${JSON.stringify(truncate(field, 64))} (a secret ref has only source, provider and id)`
    }
  }
  const { source, provider, id } = ref
  if (source !== 'env' && source !== 'file' && source !== 'exec') {
    return 'source must be "env", "file" or "exec"'
  }
  if (typeof provider !== 'string' || !PROVIDER_ALIAS.test(provider)) {
    return 'provider must be an alias matching ^[a-z][a-z0-9_-]{0,63}$'
  }
  if (typeof id !== 'string' || id === '') return 'id must be a non-empty string'
  switch (source) {
    case 'env':
      return ENV_ID.test(id)
        ? undefined
        : 'env ids must be environment variable names matching ^[A-Z][A-Z0-9_]{0,127}$'
    case 'file':
      if (id.length > MAX_FILE_ID_LENGTH) {
        return `file ids must be at most ${MAX_FILE_ID_LENGTH} characters`
      }
      if (hasControlCharacter(id)) return 'file ids must not contain control characters'
      if (id === SINGLE_VALUE_SECRET_ID) return undefined
      if (!id.startsWith('/')) {
        return `file ids must be absolute JSON pointers such as /providers/openai/apiKey, or "${SINGLE_VALUE_SECRET_ID}" for singleValue providers`
      }
      return isJsonPointer(id)
        ? undefined
        : 'file ids must be valid JSON pointers: "~" may only appear as ~0 or ~1'
    case 'exec':
      if (!EXEC_ID.test(id)) return 'exec ids must match ^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$'
      return id.split('/').some((segment) => segment === '.' || segment === '..')
        ? 'exec ids must not contain "." or ".." path segments'
        : undefined
  }
}

/**
 * The key `resolveSecretRefs` uses for a ref: `${source}:${provider}:${id}`.
 *
 * @public
 */
export function secretRefKey(ref: SecretRef): string {
  return `${String(ref.source)}:${String(ref.provider)}:${String(ref.id)}`
}

/** `secretRefKey`, tolerant of values that are not refs at all (untyped callers). */
export function keyOf(ref: unknown): string {
  return isPlainObject(ref) ? secretRefKey(ref as unknown as SecretRef) : `invalid:${typeof ref}`
}

function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value
}

function quoteField(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(truncate(value, 160)) : `(${typeof value})`
}

function describeRef(ref: unknown): string {
  const fields = isPlainObject(ref) ? ref : {}
  const source = fields['source']
  return `provider ${quoteField(fields['provider'])}, source ${typeof source === 'string' ? quoteField(source) : '(missing)'}, id ${quoteField(fields['id'])}`
}

export function refError(ref: unknown, failure: Failure): AuthProfilesError {
  const { cause, path } = failure.details
  return new AuthProfilesError(
    'ERR_SECRET_REF',
    `Could not resolve secret ref (${describeRef(ref)}): ${failure.reason}.`,
    { ...(cause === undefined ? {} : { cause }), ...(path === undefined ? {} : { path }) },
  )
}
