// Write-behind of soft bookkeeping. A success only moves `lastUsed` (and `lastGood`), and resets
// counters and ended windows: no other process needs that at once, so it is kept in memory and
// written with the next write of the store, at most once per second, and on a clean exit. What
// other processes need at once (failures, cooldowns, disables, a success that ends an open window)
// is written before the recording call returns.
//
// The contract: a crash loses at most about a second of `lastUsed` / `lastGood`, never a cooldown.
// A clean exit (the event loop runs dry) writes what is pending; a process that ends otherwise
// (`process.exit()`, a signal handler) calls `flushAuthStores()` or `store.flush()` first.
import { freezeDeep } from './frozen.js'
import { emitProcessWarning, onProcessBeforeExit } from '../runtime.js'
import type { AuthStoreBackend } from './store-backend.js'
import { mergeDeferredSuccess } from '../selection/success-stats.js'
import type { AuthProfileStore } from '../types.js'

/** At most one write-behind write per store in this long. @internal */
export const WRITE_BEHIND_INTERVAL_MS = 1_000

/** @internal */
export interface DeferredSuccess {
  readonly profileId: string
  readonly model: string | undefined
  readonly at: number
}

/** @internal */
export interface DeferredLastGood {
  readonly providerKey: string
  readonly profileId: string
}

/**
 * The soft bookkeeping of one store that is not written yet: the latest success per profile and
 * model, and the latest last-good per provider. Entries are replaced, never changed, so a write
 * can tell which of the entries it wrote are still the latest.
 *
 * @internal
 */
export class PendingBookkeeping {
  private readonly successes = new Map<string, DeferredSuccess>()
  private readonly lastGood = new Map<string, DeferredLastGood>()
  /** Raised on every change, for views built from the pending entries. */
  private version = 0
  /** The last view built by {@link applyTo}: `base` with the entries of `version` applied. */
  private view:
    | {
        readonly base: AuthProfileStore
        readonly version: number
        readonly store: AuthProfileStore
      }
    | undefined

  get size(): number {
    return this.successes.size + this.lastGood.size
  }

  addSuccess(profileId: string, model: string | undefined, at: number): void {
    const entry: DeferredSuccess = { profileId, model, at }
    // Re-inserted, so the entries stay in the order they were recorded in.
    const key = successKey(entry)
    this.successes.delete(key)
    this.successes.set(key, entry)
    this.changed(entry)
  }

  addLastGood(providerKey: string, profileId: string): void {
    const entry: DeferredLastGood = { providerKey, profileId }
    this.lastGood.set(providerKey, entry)
    this.changed(entry)
  }

  /**
   * `base` (a frozen store) as this process sees it: with the pending entries applied, frozen.
   * Cached per base, and moved on by each new entry without rebuilding it from `base`.
   */
  applyTo(base: AuthProfileStore): AuthProfileStore {
    if (this.size === 0) return base
    const { view } = this
    if (view?.base === base && view.version === this.version) return view.store
    const store = { ...base }
    applyDeferred(store, this.entries(), () => true)
    this.view = { base, version: this.version, store: freezeDeep(store) }
    return this.view.store
  }

  /** The entries as they are now (what a write applies), to forget once written. */
  entries(): readonly (DeferredSuccess | DeferredLastGood)[] {
    return [...this.successes.values(), ...this.lastGood.values()]
  }

  /** Forgets `written` entries that no newer entry has replaced since. */
  forget(written: readonly (DeferredSuccess | DeferredLastGood)[]): void {
    for (const entry of written) {
      if ('providerKey' in entry) {
        if (this.lastGood.get(entry.providerKey) === entry) this.lastGood.delete(entry.providerKey)
      } else {
        const key = successKey(entry)
        if (this.successes.get(key) === entry) this.successes.delete(key)
      }
    }
    this.version += 1
  }

  clear(): void {
    this.successes.clear()
    this.lastGood.clear()
    this.version += 1
  }

  private changed(entry: DeferredSuccess | DeferredLastGood): void {
    const { view } = this
    this.version += 1
    if (view === undefined || view.version !== this.version - 1) return
    // The current view moves on by this entry alone (the hot path of a steady success load).
    const store = { ...view.store }
    applyDeferred(store, [entry], () => true)
    this.view = { base: view.base, version: this.version, store: freezeDeep(store) }
  }
}

function successKey(entry: DeferredSuccess): string {
  return entry.model === undefined ? entry.profileId : `${entry.profileId}\u0000${entry.model}`
}

/**
 * Applies `entries` to `store` (its `usageStats` and `lastGood` are replaced, never changed in
 * place, so a frozen snapshot's shallow copy works too). Profiles `known` does not recognise are
 * skipped (a profile removed meanwhile gets no stats back). Returns whether anything changed.
 *
 * @internal
 */
export function applyDeferred(
  store: AuthProfileStore,
  entries: readonly (DeferredSuccess | DeferredLastGood)[],
  known: (profileId: string) => boolean,
): boolean {
  let changed = false
  for (const entry of entries) {
    if (!known(entry.profileId)) continue
    if ('providerKey' in entry) {
      if (store.lastGood?.[entry.providerKey] === entry.profileId) continue
      store.lastGood = { ...store.lastGood, [entry.providerKey]: entry.profileId }
    } else {
      const current = store.usageStats?.[entry.profileId]
      const next = mergeDeferredSuccess(current, entry.at, entry.model)
      if (next === current) continue
      store.usageStats = { ...store.usageStats, [entry.profileId]: next }
    }
    changed = true
  }
  return changed
}

/**
 * How a backend takes soft bookkeeping: recorded now, written behind. Backends without one (the
 * memory store, custom backends) write it like any other update.
 *
 * @internal
 */
export interface WriteBehind {
  /** Records a success (the next load of the backend shows it). */
  deferSuccess(profileId: string, model: string | undefined, at: number): void
  deferLastGood(providerKey: string, profileId: string): void
}

const writeBehinds = new WeakMap<AuthStoreBackend, WriteBehind>()

/** @internal */
export function registerWriteBehind(backend: AuthStoreBackend, writeBehind: WriteBehind): void {
  writeBehinds.set(backend, writeBehind)
}

/** The backend's write-behind, if it has one. @internal */
export function writeBehindOf(backend: AuthStoreBackend): WriteBehind | undefined {
  return writeBehinds.get(backend)
}

/** What a {@link WriteBehindSchedule} writes: the soft bookkeeping one store holds back. @internal */
export interface WriteBehindTarget {
  /** Whether anything is held back. */
  hasPending(): boolean
  /** Writes what is held back (and forgets what it wrote). */
  write(): Promise<void>
  /** Forgets what is held back without writing it (the process is ending and the write failed). */
  drop(): void
}

/**
 * When a store's held-back bookkeeping is written: a second after the first entry (then a second
 * after each write while entries keep coming), on `flush()`, and on a clean exit. One write at a
 * time; the timer never keeps the process alive; a failed background write is tried again a
 * second later.
 *
 * @internal
 */
export class WriteBehindSchedule {
  private timer: ReturnType<typeof setTimeout> | undefined
  private flushing: Promise<void> | undefined
  /** This schedule's entry in the process's set of stores with pending bookkeeping. */
  private readonly flushForExit = (final: boolean): Promise<void> => this.flush(final)

  constructor(private readonly target: WriteBehindTarget) {}

  /** Called after an entry is held back. */
  schedule(): void {
    trackPending(this.flushForExit)
    if (this.timer !== undefined || this.flushing !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.flush(false).catch(() => undefined)
    }, WRITE_BEHIND_INTERVAL_MS)
    this.timer.unref()
  }

  /** Writes what is held back now. `final` (the process is ending): a failure drops it. */
  async flush(final = false): Promise<void> {
    while (this.flushing !== undefined) await this.flushing.catch(() => undefined)
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    if (!this.target.hasPending()) {
      untrackPending(this.flushForExit)
      return
    }
    const run = this.target.write()
    this.flushing = run
    try {
      await run
    } catch (error) {
      if (final) this.target.drop()
      throw error
    } finally {
      this.flushing = undefined
      if (!this.target.hasPending()) untrackPending(this.flushForExit)
      else if (!final) this.schedule()
    }
  }
}

/** Stores with soft bookkeeping pending: how to write it now (`final`: the process is ending). */
const pendingFlushes = new Set<(final: boolean) => Promise<void>>()
let exitHookInstalled = false

/**
 * Marks a store as holding pending soft bookkeeping until `flush` has written it. A clean exit
 * writes what is pending; nothing here keeps the process alive (timers are unref'd).
 */
function trackPending(flush: (final: boolean) => Promise<void>): void {
  pendingFlushes.add(flush)
  if (!exitHookInstalled) {
    exitHookInstalled = true
    // `beforeExit` comes when the event loop has run dry: the write keeps it alive until done,
    // then the event comes again with nothing left to write, and the process exits.
    onProcessBeforeExit(() => {
      if (pendingFlushes.size === 0) return
      flushPending(true).catch((error: unknown) => {
        // Only the code: the process is ending, and what was lost is at most `lastUsed`.
        const code = (error as { code?: unknown } | undefined)?.code
        emitProcessWarning(
          `claw could not write the usage bookkeeping held back for its credential store before exiting (${typeof code === 'string' ? code : 'unknown error'}).`,
          'ClawStoreWarning',
        )
      })
    })
  }
}

function untrackPending(flush: (final: boolean) => Promise<void>): void {
  pendingFlushes.delete(flush)
}

async function flushPending(final: boolean): Promise<void> {
  const flushes = [...pendingFlushes]
  const results = await Promise.allSettled(flushes.map((flush) => flush(final)))
  const failed = results.find((result) => result.status === 'rejected')
  if (failed) throw failed.reason
}

/**
 * Writes the soft bookkeeping (`lastUsed`, `lastGood`, counters reset by a success) that every
 * store of this process holds back. A clean exit does this by itself; call it before
 * `process.exit()` or in a signal handler. Failures, cooldowns and disables never wait: they are
 * written before the call that records them returns.
 *
 * @throws the first write error (the other stores are still written).
 * @public
 */
export function flushAuthStores(): Promise<void> {
  return flushPending(false)
}
