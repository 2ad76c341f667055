import { freezeDeep } from './frozen.js'
import type { AuthStoreBackend, AuthStoreUpdateResult, AuthStoreUpdater } from './store-backend.js'
import { setAsideUnusableProfiles, type StoreDiagnostic } from './store-parse.js'
import { storeFileShape } from './store-serialize.js'
import type { AuthProfileStore } from '../types.js'

/** A memory store: the file backend's interface without a file. @public */
export interface MemoryAuthStore extends AuthStoreBackend {
  readonly kind: 'memory'
  /** A deep copy of the current contents. */
  snapshot(): AuthProfileStore
}

/**
 * A credential store in memory with the same interface as the file backend: `load()`, and
 * `update()` serialised like a lock (one updater at a time, each on a fresh copy). For embedders
 * that keep credentials elsewhere, and for tests. Profiles of `initial` that claw cannot use (an
 * unknown credential type, an id claw refuses, no provider) are set aside like the file backend
 * does: never routed, reported by `diagnostics()` until an update writes a profile of that id.
 *
 * @example
 * ```ts
 * const backend = createMemoryAuthStore({ version: 1, profiles: { 'openai:default': { type: 'api_key', provider: 'openai', key } } })
 * await resolveApiKeyForProvider({ provider: 'openai', backend })
 * ```
 * @public
 */
export function createMemoryAuthStore(initial?: AuthProfileStore): MemoryAuthStore {
  const usable = initial
    ? setAsideUnusableProfiles(initial, 'memory:')
    : { store: undefined, diagnostics: [] }
  let ignored: readonly StoreDiagnostic[] = usable.diagnostics
  // What `load()` hands out: deep-frozen, so callers share it by reference and cannot change it.
  let current: AuthProfileStore = freezeDeep(
    usable.store ? structuredClone(usable.store) : { version: 1, profiles: {} },
  )
  // `current` as written, i.e. `JSON.parse(serialize(current))`, private and never mutated:
  // updates start from a copy of it and compare against it. Its unchanged parts are shared
  // between versions, so an update costs one copy and one walk, not a parse and a stringify.
  let written = JSON.parse(serialize(current)) as JsonObject
  let queue: Promise<unknown> = Promise.resolve()

  /** Runs `task` after every update queued before it (one at a time, like a lock). */
  function enqueue<R>(task: () => R | Promise<R>): Promise<R> {
    const next = queue.then(task, task)
    queue = next.catch(ignore)
    return next
  }

  /** The end of an update: `store` (the updater's copy) becomes current when it wrote something. */
  function commit<T>(store: AuthProfileStore, result: T): AuthStoreUpdateResult<T> {
    let next = mergeJson(storeFileShape(store), written, 0)
    if (next === NOT_PLAIN) {
      // Values JSON changes or rejects (undefined in arrays, NaN, class instances, cycles…):
      // let JSON itself decide, exactly.
      const after = serialize(store)
      next = after === JSON.stringify(written) ? written : (JSON.parse(after) as Json)
    }
    const changed = next !== written
    if (changed) {
      // A frozen copy: the updater may have put the caller's own objects into `store`.
      current = freezeDeep(structuredClone(store))
      written = next as JsonObject
      if (ignored.length > 0)
        ignored = ignored.filter((entry) => !Object.hasOwn(store.profiles, entry.profileId ?? ''))
    }
    return { store: current, result, written: changed }
  }

  function runUpdater<T>(updater: AuthStoreUpdater<T>): Promise<AuthStoreUpdateResult<T>> {
    return enqueue(() => {
      const store = cloneJson(written) as unknown as AuthProfileStore
      const result = updater(store)
      // A synchronous updater (the bookkeeping ones) commits without another microtask.
      return isPromiseLike(result)
        ? Promise.resolve(result).then((settled) => commit(store, settled))
        : commit(store, result)
    })
  }

  /**
   * {@link updateStoreEntry}: what `update` would do for an updater that only replaces
   * `store[section][key]`, copying only that entry. The rest of the new version is shared with
   * the previous one (`written` with `written`, `current` with `current`).
   */
  function runEntryUpdate<V>(
    section: EntrySection,
    key: string,
    change: EntryChange<V>,
  ): Promise<AuthStoreUpdateResult<boolean>> {
    return enqueue(() => {
      const writtenSection = written[section] as JsonObject | undefined
      const before =
        writtenSection !== undefined && Object.hasOwn(writtenSection, key)
          ? writtenSection[key]
          : undefined
      const entry = (before === undefined ? undefined : cloneJson(before)) as V | undefined
      const next = change(entry, written as unknown as AuthProfileStore)
      if (next === undefined || next === entry)
        return { store: current, result: false, written: false }
      const merged = mergeJson(next, before, 2)
      if (merged === NOT_PLAIN) {
        // Not plain JSON data: the full update decides exactly what JSON makes of it.
        return commit(withSectionEntry(cloneJson(written) as never, section, key, next), true)
      }
      if (merged === before) return { store: current, result: true, written: false }
      written = writtenWithEntry(written, section, key, merged)
      current = freezeDeep(withSectionEntry(current, section, key, next))
      return { store: current, result: true, written: true }
    })
  }

  const backend: MemoryAuthStore = {
    kind: 'memory',
    location: 'memory:',
    diagnostics: () => ignored,
    load: () => Promise.resolve(current),
    // Nothing is held back: a memory store's updates are complete when they return.
    flush: () => Promise.resolve(),
    snapshot: () => structuredClone(current),
    update: runUpdater,
  }
  entryUpdaters.set(backend, runEntryUpdate)
  return backend
}

/** The store sections whose entries {@link updateStoreEntry} replaces one at a time. @internal */
export type EntrySection = 'usageStats' | 'lastGood'

/**
 * The new value of one entry, from a private copy of the stored one (`undefined` when absent).
 * Returning the copy itself or `undefined` leaves the store alone. `store` is the rest of the
 * stored data, read-only.
 *
 * @internal
 */
export type EntryChange<V> = (entry: V | undefined, store: AuthProfileStore) => V | undefined

type EntryUpdater = (
  section: EntrySection,
  key: string,
  change: EntryChange<unknown>,
) => Promise<AuthStoreUpdateResult<boolean>>

const entryUpdaters = new WeakMap<AuthStoreBackend, EntryUpdater>()

/**
 * `backend.update()` for a change of `store[section][key]` alone, when the backend has a cheaper
 * way to make it (the memory store copies that entry only, not the whole store); `undefined`
 * otherwise. The result is what `update` returns for an updater that assigns the new entry
 * (`result`: whether `change` returned a new value).
 *
 * @internal
 */
export function updateStoreEntry<V>(
  backend: AuthStoreBackend,
  section: EntrySection,
  key: string,
  change: EntryChange<V>,
): Promise<AuthStoreUpdateResult<boolean>> | undefined {
  return entryUpdaters.get(backend)?.(section, key, change as unknown as EntryChange<unknown>)
}

/** A copy of `store` (same key order) whose `section` is a copy with `key` set to `value`. */
function withSectionEntry(
  store: AuthProfileStore,
  section: EntrySection,
  key: string,
  value: unknown,
): AuthProfileStore {
  return { ...store, [section]: { ...store[section], [key]: value } }
}

/**
 * `storeFileShape(withSectionEntry(written, section, key, value))` for a written store (whose keys
 * are those of storeFileShape), without the intermediate copy.
 */
function writtenWithEntry(
  written: JsonObject,
  section: EntrySection,
  key: string,
  value: Json,
): JsonObject {
  const store = written as unknown as AuthProfileStore
  const entries = { ...(written[section] as JsonObject | undefined), [key]: value }
  return storeFileShape({
    version: store.version,
    profiles: store.profiles,
    order: store.order,
    lastGood: section === 'lastGood' ? (entries as AuthProfileStore['lastGood']) : store.lastGood,
    usageStats:
      section === 'usageStats' ? (entries as AuthProfileStore['usageStats']) : store.usageStats,
  } as AuthProfileStore) as JsonObject
}

function ignore(): undefined {
  return undefined
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/** Compact: the memory store only compares and copies with it, nobody reads it. */
function serialize(store: AuthProfileStore): string {
  return JSON.stringify(storeFileShape(store))
}

type Json = null | boolean | number | string | Json[] | JsonObject
type JsonObject = { [key: string]: Json }

/** Deep copy of JSON data (as produced by `JSON.parse`, which may create own `__proto__` keys). */
function cloneJson(value: Json): Json {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(cloneJson)
  const copy: { [key: string]: Json } = {}
  for (const key in value) {
    const child = cloneJson(value[key] as Json)
    if (key === '__proto__') {
      Object.defineProperty(copy, key, {
        value: child,
        writable: true,
        enumerable: true,
        configurable: true,
      })
    } else copy[key] = child
  }
  return copy
}

const NOT_PLAIN = Symbol('not plain JSON data')
/** Deeper than any store: treated as a cycle, for JSON.stringify to report. */
const MAX_DEPTH = 64

/** Whether JSON.stringify leaves out an object property with this value. */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol'
}

/**
 * `JSON.parse(JSON.stringify(value))`, reusing `previous` and its parts wherever they are equal
 * (so the result is `previous` itself when nothing changed), or {@link NOT_PLAIN} when `value`
 * holds anything but plain objects, arrays, strings, finite numbers, booleans and null (then the
 * round trip may change it, and only JSON itself can tell).
 */
function mergeJson(
  value: unknown,
  previous: Json | undefined,
  depth: number,
): Json | typeof NOT_PLAIN {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number')
    return Number.isFinite(value) && !Object.is(value, -0) ? value : NOT_PLAIN
  if (typeof value !== 'object' || depth > MAX_DEPTH) return NOT_PLAIN
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_PLAIN
    const before = Array.isArray(previous) ? previous : undefined
    // Allocated at the first difference only.
    let out: Json[] | undefined = before === undefined ? [] : undefined
    for (let index = 0; index < value.length; index += 1) {
      const item: unknown = value[index]
      if (omitted(item)) return NOT_PLAIN
      const previousItem = out === undefined ? before?.[index] : undefined
      const merged = mergeJson(item, previousItem, depth + 1)
      if (merged === NOT_PLAIN) return NOT_PLAIN
      if (out === undefined && (index >= (before?.length ?? 0) || merged !== previousItem))
        out = before?.slice(0, index) ?? []
      out?.push(merged)
    }
    if (out === undefined && before?.length === value.length) return before
    return out ?? (before?.slice(0, value.length) as Json[])
  }
  const prototype: unknown = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) return NOT_PLAIN
  const record = value as Record<string, unknown>
  const before =
    typeof previous === 'object' && previous !== null && !Array.isArray(previous)
      ? previous
      : undefined
  const beforeKeys = before ? keysOf(before) : []
  // Allocated at the first difference only (key order counts, as it does for JSON.stringify).
  let out: { [key: string]: Json } | undefined = before === undefined ? {} : undefined
  let count = 0
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue
    if (key === '__proto__' || key === 'toJSON') return NOT_PLAIN
    const child = record[key]
    if (omitted(child)) continue
    const sameKey = out === undefined && beforeKeys[count] === key
    const previousChild = sameKey ? before?.[key] : undefined
    const merged = mergeJson(child, previousChild, depth + 1)
    if (merged === NOT_PLAIN) return NOT_PLAIN
    if (out === undefined && (!sameKey || merged !== previousChild))
      out = pick(before, beforeKeys, count)
    if (out !== undefined) out[key] = merged
    count += 1
  }
  if (out === undefined && count === beforeKeys.length) return before as { [key: string]: Json }
  return out ?? pick(before, beforeKeys, count)
}

/** The key list of a written object, kept on it (written objects never change). */
const KEYS = Symbol('keys')

function keysOf(written: { readonly [key: string]: Json }): readonly string[] {
  const holder = written as { [KEYS]?: readonly string[] }
  return (holder[KEYS] ??= Object.keys(written))
}

/** A new object with the first `count` of `keys` from `source`. */
function pick(
  source: { readonly [key: string]: Json } | undefined,
  keys: readonly string[],
  count: number,
): { [key: string]: Json } {
  const out: { [key: string]: Json } = {}
  for (let index = 0; index < count; index += 1) {
    const key = keys[index] as string
    out[key] = source?.[key] as Json
  }
  return out
}
