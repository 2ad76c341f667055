// Bookkeeping a fleet host recorded locally while Redis was unreachable, kept so it can be merged
// into Redis once Redis answers again, with the rules concurrent writers follow there: counters
// add, timestamps and windows keep the larger (a longer window wins), order and last-good
// overrides take the host's latest value, re-auth markers are added. What would take state away
// from the fleet (a counter reset by a success, a window cleared, a marker removed) is not
// replayed: other hosts kept recording while this one was cut off.
import type { RoutingOp } from './routing-diff.js'

interface JournalWindow {
  readonly key: string
  readonly field: string | undefined
  readonly value: string
  readonly until: number
}

/** The outage journal of one state backend. @internal */
export interface OutageJournal {
  /** Nothing recorded (or everything already merged). */
  readonly empty: boolean
  /** Folds the operations of one local update, made at `now`, into the journal. */
  record(ops: readonly RoutingOp[], now: number): void
  /**
   * The operations that merge the journal into Redis at `now` (windows that have ended by then
   * are left out), and empties it. Give them back with {@link OutageJournal.restore} when the
   * write fails, so they are merged exactly once.
   */
  take(now: number): { ops: RoutingOp[]; restore(): void }
}

/**
 * A new, empty journal. `isMapKey(key)` tells the hashes whose fields are overrides (order,
 * last-good) from those whose `hset` fields are counters (usage).
 *
 * @internal
 */
export function createOutageJournal(isMapKey: (key: string) => boolean): OutageJournal {
  let counters = new Map<string, Map<string, number>>()
  let maxima = new Map<string, Map<string, number>>()
  let windows = new Map<string, JournalWindow>()
  let overrides = new Map<string, Map<string, string | undefined>>()
  let members = new Map<string, Set<string>>()

  const fields = <V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> => {
    let entry = map.get(key)
    if (entry === undefined) map.set(key, (entry = new Map<string, V>()))
    return entry
  }
  const add = (key: string, field: string, delta: number): void => {
    const entry = fields(counters, key)
    entry.set(field, (entry.get(field) ?? 0) + delta)
  }
  const window = (next: JournalWindow): void => {
    const id = `${next.key}\u0000${next.field ?? ''}`
    const known = windows.get(id)
    if (known === undefined || known.until < next.until) windows.set(id, next)
  }

  function recordOne(op: RoutingOp, now: number): void {
    const [name, key] = op as [string, string, ...(string | number)[]]
    switch (name) {
      case 'incr':
        if (Number(op[3]) > 0) add(key, String(op[2]), Number(op[3]))
        return
      case 'hset':
        if (isMapKey(key)) fields(overrides, key).set(String(op[2]), String(op[3]))
        // A counter set to a number: the host restarted it locally (its window had ended) and
        // counted from there; those counts add to the fleet's.
        else if (Number(op[3]) > 0) add(key, String(op[2]), Number(op[3]))
        return
      case 'hdel':
        if (isMapKey(key))
          for (const field of op.slice(2)) fields(overrides, key).set(String(field), undefined)
        return
      case 'max': {
        const entry = fields(maxima, key)
        const value = Number(op[3])
        if (!((entry.get(String(op[2])) ?? -Infinity) >= value)) entry.set(String(op[2]), value)
        return
      }
      case 'win':
        window({ key, field: undefined, value: String(op[2]), until: now + Number(op[3]) })
        return
      case 'hwin':
        window({ key, field: String(op[2]), value: String(op[3]), until: now + Number(op[4]) })
        return
      case 'sadd': {
        let set = members.get(key)
        if (set === undefined) members.set(key, (set = new Set()))
        set.add(String(op[2]))
        return
      }
      default:
      // del, gone, hgone, srem: clears are not replayed (see the module comment)
    }
  }

  function replay(now: number): RoutingOp[] {
    const ops: RoutingOp[] = []
    for (const [key, entry] of counters)
      for (const [f, delta] of entry) ops.push(['incr', key, f, delta])
    for (const [key, entry] of maxima)
      for (const [f, value] of entry) ops.push(['max', key, f, value])
    for (const { key, field, value, until } of windows.values()) {
      const ttl = Math.ceil(until - now)
      if (ttl <= 0) continue
      ops.push(field === undefined ? ['win', key, value, ttl] : ['hwin', key, field, value, ttl])
    }
    for (const [key, entry] of overrides) {
      for (const [f, value] of entry)
        ops.push(value === undefined ? ['hdel', key, f] : ['hset', key, f, value])
    }
    for (const [key, set] of members) for (const member of set) ops.push(['sadd', key, member])
    return ops
  }

  const journal: OutageJournal = {
    get empty() {
      return (
        counters.size === 0 &&
        maxima.size === 0 &&
        windows.size === 0 &&
        overrides.size === 0 &&
        members.size === 0
      )
    },
    record(ops, now) {
      for (const op of ops) recordOne(op, now)
    },
    take(now) {
      const taken = { counters, maxima, windows, overrides, members }
      const ops = replay(now)
      counters = new Map()
      maxima = new Map()
      windows = new Map()
      overrides = new Map()
      members = new Map()
      return {
        ops,
        restore() {
          // Put the taken entries back under whatever was recorded since (both are kept).
          for (const [key, entry] of taken.counters) for (const [f, d] of entry) add(key, f, d)
          for (const [key, entry] of taken.maxima) {
            for (const [f, value] of entry) recordOne(['max', key, f, value], now)
          }
          for (const each of taken.windows.values()) window(each)
          for (const [key, entry] of taken.overrides) {
            const current = fields(overrides, key)
            for (const [f, value] of entry) if (!current.has(f)) current.set(f, value)
          }
          for (const [key, set] of taken.members) {
            for (const member of set) recordOne(['sadd', key, member], now)
          }
        },
      }
    },
  }
  return journal
}
