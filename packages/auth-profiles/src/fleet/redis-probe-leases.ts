// Probe leases of the Redis state backend: one probe per fleet after a window ends. The lease is
// `SET {agent}:probe:{profileId} <random token> NX PX ttl`, taken in the same script that checks the
// shared routing state, so a run whose view is a few milliseconds old never probes a credential
// another host already probed: the script answers `closed` (the probe succeeded: the ended window
// is gone) or `cooling` (it failed: a new window is open). Release is compare-and-delete. Every key
// is under the agent's prefix.
import { randomBytes } from 'node:crypto'
import type { ProbeLeaseResult, ProbeLeases, ProbeRequest } from '../selection/probe-lease.js'
import { isFleetUnavailable, type FleetConnection } from './connection.js'
import { defineFleetScript } from './fleet-script.js'

/**
 * KEYS[1] the probe lease, KEYS[2] the usage hash, KEYS[3] the model-cooldown hash (when ARGV[3]
 * names a model), then the windows that would block the credential; ARGV[1] token, ARGV[2] ttl,
 * ARGV[3] the model or '', ARGV[4…] the usage fields recording the ended window.
 */
const ACQUIRE_PROBE_SCRIPT = defineFleetScript(`
local first = 3
if ARGV[3] ~= '' then
  first = 4
  local entry = redis.call('HGET', KEYS[3], ARGV[3])
  if entry then
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local deadline = tonumber(string.match(entry, '^(%d+)|'))
    if deadline ~= nil and deadline > now then return 'cooling' end
  end
end
for i = first, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return 'cooling' end
end
local recorded = false
for i = 4, #ARGV do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 1 then recorded = true end
end
if not recorded then return 'closed' end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'acquired' end
return 'held'
`)

/** KEYS[1] the probe lease; ARGV[1] token → 1 when deleted, 0 when it is someone else's (or gone). */
const RELEASE_PROBE_SCRIPT = defineFleetScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

/** @internal */
export interface RedisProbeLeasesOptions {
  readonly agentId: string
  /** Leases used while Redis is unavailable (this process's, for the credentials store). */
  readonly fallback: ProbeLeases
}

/**
 * The fleet's probe leases ({@link ProbeLeases}) for one agent.
 *
 * @internal
 */
export function createRedisProbeLeases(
  connection: FleetConnection,
  options: RedisProbeLeasesOptions,
): ProbeLeases {
  const { keys } = connection
  const { agentId, fallback } = options

  /** The lease key, and the windows and recorded deadlines that decide `cooling` and `closed`. */
  function layout(request: ProbeRequest): { keys: string[]; model: string; fields: string[] } {
    const { profileId, model } = request
    const windows = [keys.cooldown(agentId, profileId), keys.disabled(agentId, profileId)]
    if (model === undefined) {
      return {
        keys: [keys.probe(agentId, profileId), keys.usage(agentId, profileId), ...windows],
        model: '',
        fields: ['cooldownUntil', 'disabledUntil'],
      }
    }
    return {
      keys: [
        keys.modelProbe(agentId, profileId, model),
        keys.usage(agentId, profileId),
        keys.modelCooldowns(agentId, profileId),
        ...windows,
      ],
      model,
      // A model's probation is about its own ended window; the profile-wide ones only block.
      fields: [`model:${model}:until`],
    }
  }

  async function acquire(request: ProbeRequest): Promise<ProbeLeaseResult> {
    if (!connection.available()) return fallback.acquire(request)
    const { keys: leaseKeys, model, fields } = layout(request)
    const token = randomBytes(16).toString('hex')
    const ttl = String(Math.max(1, Math.ceil(request.ttlMs)))
    try {
      const reply = await connection.eval(ACQUIRE_PROBE_SCRIPT, leaseKeys, [
        token,
        ttl,
        model,
        ...fields,
      ])
      if (reply !== 'acquired') {
        return { status: reply === 'held' || reply === 'cooling' ? reply : 'closed' }
      }
      const lease = leaseKeys[0] as string
      return {
        status: 'acquired',
        async release() {
          try {
            await connection.eval(RELEASE_PROBE_SCRIPT, [lease], [token])
          } catch (error) {
            // Redis went away: the lease ends with its TTL.
            if (!isFleetUnavailable(error)) throw error
          }
        },
      }
    } catch (error) {
      if (isFleetUnavailable(error)) return fallback.acquire(request)
      throw error
    }
  }

  async function held(request: ProbeRequest): Promise<boolean> {
    if (!connection.available()) return fallback.held(request)
    const lease = layout(request).keys[0] as string
    try {
      return (await connection.run((client) => client.exists(lease))) === 1
    } catch (error) {
      if (isFleetUnavailable(error)) return fallback.held(request)
      throw error
    }
  }

  return { acquire, held }
}
