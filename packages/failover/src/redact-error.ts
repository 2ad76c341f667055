// What a failover run hands back after a failed attempt — the error it throws (and its causes),
// attempt and trace messages — must not carry the credentials the run used, even when a provider
// echoes one in its error ("401 Incorrect API key provided: <key>") and the key has no known
// prefix. Strings are masked with a SecretMasker; an error that shows a secret anywhere a logger
// looks (message, stack, own properties, causes, nested data) is replaced by a redacted copy, and
// returned as it is otherwise.
import { inspect } from 'node:util'
import { type AuthProfileStore, type SecretMasker } from '@claw/auth-profiles'
import type { FailedCallOutcome } from './engine/engine-hooks.js'

/** How deep the search and the copy follow nested objects. */
const MAX_DEPTH = 8
/**
 * What `util.inspect` is asked to show of a value the search cannot walk (a class instance): more
 * than loggers print (hidden properties, getters), so that nothing a caller can reach is missed.
 */
const INSPECT_OPTIONS = {
  depth: MAX_DEPTH,
  showHidden: true,
  getters: true,
  maxArrayLength: 1_000,
  maxStringLength: Number.POSITIVE_INFINITY,
  breakLength: Number.POSITIVE_INFINITY,
} as const

/** Errors, arrays, maps, sets and plain objects: walked and copied property by property. */
function isWalkable(value: object): boolean {
  if (
    value instanceof Error ||
    Array.isArray(value) ||
    value instanceof Map ||
    value instanceof Set
  )
    return true
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** What `util.inspect` or `JSON.stringify` print of `value` shows a secret. */
function printedShows(value: unknown, masker: SecretMasker): boolean {
  let text: string
  try {
    text = `${inspect(value, INSPECT_OPTIONS)}\n${JSON.stringify(value) ?? ''}`
  } catch {
    // A value that cannot be printed is not printed by a logger either.
    return false
  }
  return masker.shows(text)
}

/** Reads an own property (a getter is called; one that throws reads as `undefined`). */
function ownValue(value: object, key: PropertyKey): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(value, key)
  if (descriptor === undefined) return undefined
  if ('value' in descriptor) return descriptor.value
  try {
    return descriptor.get?.call(value)
  } catch {
    return undefined
  }
}

/**
 * Whether a secret shows anywhere in `value`: its strings, own properties of errors and plain
 * data (hidden ones included: message, stack, cause), map and set entries, and what a class
 * instance prints. Cheap when nothing does: no `util.inspect` for errors and plain data.
 */
function shows(value: unknown, masker: SecretMasker, depth: number, seen: Set<object>): boolean {
  if (typeof value === 'string') return masker.shows(value)
  if (typeof value !== 'object' || value === null || seen.has(value)) return false
  seen.add(value)
  if (!isWalkable(value) || depth >= MAX_DEPTH) return printedShows(value, masker)
  if (value instanceof Map || value instanceof Set) {
    for (const entry of value.entries()) {
      if (shows(entry, masker, depth + 1, seen)) return true
    }
  }
  for (const key of Reflect.ownKeys(value)) {
    if (shows(ownValue(value, key), masker, depth + 1, seen)) return true
  }
  return false
}

/** A copy of `value` with its strings masked (see {@link redactError}). */
function copy(
  value: unknown,
  masker: SecretMasker,
  depth: number,
  copies: Map<object, unknown>,
): unknown {
  if (typeof value === 'string') return masker.mask(value)
  if (typeof value !== 'object' || value === null) return value
  const known = copies.get(value)
  if (known !== undefined) return known
  if (!isWalkable(value) || depth >= MAX_DEPTH) {
    // A class instance (Headers, a Response, a Buffer) cannot be copied faithfully: kept when it
    // shows no secret, left out otherwise.
    if (!shows(value, masker, depth, new Set())) return value
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name
    return `[${typeof name === 'string' ? name : 'Object'} redacted]`
  }
  if (value instanceof Map) {
    const result = new Map<unknown, unknown>()
    copies.set(value, result)
    for (const [key, entry] of value) {
      result.set(copy(key, masker, depth + 1, copies), copy(entry, masker, depth + 1, copies))
    }
    return result
  }
  if (value instanceof Set) {
    const result = new Set<unknown>()
    copies.set(value, result)
    for (const entry of value) result.add(copy(entry, masker, depth + 1, copies))
    return result
  }
  // Errors, arrays and plain objects: the same prototype (so `instanceof`, the `isInstance`
  // markers and codes keep working), every own property copied as data, strings masked.
  const result = (
    Array.isArray(value) ? [] : Object.create(Object.getPrototypeOf(value) as object | null)
  ) as object
  copies.set(value, result)
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)
    if (descriptor === undefined || (Array.isArray(value) && key === 'length')) continue
    Object.defineProperty(result, key, {
      value: copy(ownValue(value, key), masker, depth + 1, copies),
      enumerable: descriptor.enumerable ?? false,
      writable: true,
      configurable: true,
    })
  }
  return result
}

/**
 * `error` when nothing in it shows a secret of `masker` (what `util.inspect`, `console.error` or
 * `JSON.stringify` would print: message, stack, own properties, the `cause` chain, nested data);
 * otherwise a redacted copy: same prototype and properties, every string masked, class instances
 * that show a secret left out. Identity is kept whenever there is nothing to hide.
 *
 * @internal
 */
export function redactError<T>(error: T, masker: SecretMasker): T {
  if (typeof error === 'string') return masker.mask(error) as T
  if (!shows(error, masker, 0, new Set())) return error
  const redacted = copy(error, masker, 0, new Map())
  if (!shows(redacted, masker, 0, new Set()) && !printedShows(redacted, masker)) {
    return redacted as T
  }
  // Something the copy could not reach (a custom inspection, a toJSON) still shows a secret:
  // keep only the masked message.
  const { message, name } = error as { message?: unknown; name?: unknown }
  const fallback = new Error(masker.mask(typeof message === 'string' ? message : ''))
  fallback.name = typeof name === 'string' ? name : 'Error'
  return fallback as T
}

/**
 * A failed call's outcome with the secrets masked in its message and code, and its error replaced
 * by {@link redactError}'s copy when it shows one; as it is without a masker (no secrets).
 *
 * @internal
 */
export function redactOutcome(
  outcome: FailedCallOutcome,
  masker: SecretMasker | undefined,
): FailedCallOutcome {
  if (masker === undefined) return outcome
  return {
    ...outcome,
    error: redactError(outcome.error, masker),
    message: masker.mask(outcome.message),
    ...(outcome.code === undefined ? {} : { code: masker.mask(outcome.code) }),
  }
}

/**
 * Every credential value a store holds (keys, tokens, OAuth access and refresh tokens): what a
 * model-only run, whose callback picks its own credentials, masks.
 *
 * @internal
 */
export function storeSecrets(store: AuthProfileStore): string[] {
  const secrets: string[] = []
  for (const credential of Object.values(store.profiles)) {
    const values =
      credential.type === 'api_key'
        ? [credential.key]
        : credential.type === 'token'
          ? [credential.token]
          : [credential.access, credential.refresh]
    for (const value of values) {
      if (typeof value === 'string' && value.trim() !== '') secrets.push(value)
    }
  }
  return secrets
}
