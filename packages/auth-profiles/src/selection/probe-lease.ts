// Probe leases: after a cooldown or disable window ends, exactly one run probes the credential
// (see probation.ts). A lease names the credential (and, for a model-scoped window, the model) and
// lives for a bounded time, so a run that crashes or hangs while probing only delays the next probe.
import type { AuthStoreBackend } from '../store/store-backend.js'

/** Which probe a run wants to make. @public */
export interface ProbeRequest {
  readonly profileId: string
  /** Set when only a model-scoped window ended: the lease covers that model only. */
  readonly model?: string | undefined
  /** How long the lease lives at most (released earlier when the probe ends). */
  readonly ttlMs: number
  /** The caller's clock reading (epoch ms). */
  readonly now: number
}

/**
 * The answer to {@link ProbeLeases.acquire}:
 *
 * - `acquired`: this run probes; call `release()` once the outcome is recorded (a success or the
 *   next window), so the others see it at once;
 * - `held`: another run is probing: keep to the other credentials (or wait for its outcome);
 * - `closed`: the shared state says the probe already succeeded: use the credential, no lease;
 * - `cooling`: the shared state says a new window started (the probe failed): skip it.
 *
 * Leases held in process memory only answer `acquired` or `held`.
 *
 * @public
 */
export type ProbeLeaseResult =
  | { readonly status: 'acquired'; release(): Promise<void> }
  | { readonly status: 'held' | 'closed' | 'cooling' }

/**
 * Where probe leases live: in this process for file and memory stores (one probe per process),
 * in Redis for the fleet state backend (one probe per fleet, `SET NX PX`).
 *
 * @public
 */
export interface ProbeLeases {
  acquire(request: ProbeRequest): Promise<ProbeLeaseResult>
  /** Whether another run holds the lease now (takes nothing; for plans and waiters). */
  held(request: ProbeRequest): Promise<boolean>
}

/** Default lifetime of a probe lease: long enough for a slow model call, short enough to recover. @public */
export const DEFAULT_PROBE_LEASE_MS = 30_000

interface Lease {
  readonly token: symbol
  readonly expiresAt: number
}

type LeaseTable = Map<string, Lease>

function leaseName(request: ProbeRequest): string {
  return request.model === undefined
    ? request.profileId
    : `${request.profileId}\u0000${request.model}`
}

const HELD = Object.freeze({ status: 'held' } as const)

/**
 * Probe leases in this process's memory, in `table`. Exported for backends that fall back to
 * local state (the Redis state backend while Redis is unavailable).
 *
 * @internal
 */
export function localProbeLeases(table: LeaseTable): ProbeLeases {
  return {
    acquire(request) {
      const name = leaseName(request)
      const current = table.get(name)
      if (current !== undefined && current.expiresAt > request.now) return Promise.resolve(HELD)
      const token = Symbol(name)
      table.set(name, { token, expiresAt: request.now + Math.max(0, request.ttlMs) })
      return Promise.resolve({
        status: 'acquired',
        release() {
          if (table.get(name)?.token === token) table.delete(name)
          return Promise.resolve()
        },
      })
    },
    held(request) {
      const current = table.get(leaseName(request))
      return Promise.resolve(current !== undefined && current.expiresAt > request.now)
    },
  }
}

/** Lease tables by store file path: every backend object of one file shares them. */
const byLocation = new Map<string, ProbeLeases>()
/** Lease tables of memory stores, by identity. */
const byBackend = new WeakMap<AuthStoreBackend, ProbeLeases>()

/**
 * The probe leases of a store handle: the backend's own (`backend.probeLeases`, e.g. Redis) when
 * it has them, else leases in this process keyed by the store file's path (file backends: every
 * handle of one file shares them) or by the handle itself (memory backends).
 *
 * @public
 */
export function probeLeasesFor(store: AuthStoreBackend): ProbeLeases {
  if (store.probeLeases) return store.probeLeases
  if (store.kind === 'file') {
    let leases = byLocation.get(store.location)
    if (leases === undefined) {
      leases = localProbeLeases(new Map())
      byLocation.set(store.location, leases)
    }
    return leases
  }
  let leases = byBackend.get(store)
  if (leases === undefined) {
    leases = localProbeLeases(new Map())
    byBackend.set(store, leases)
  }
  return leases
}
