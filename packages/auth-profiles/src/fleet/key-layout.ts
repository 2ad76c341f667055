/**
 * The Redis key layout of fleet mode. Every key is built here, by {@link keyFor}, which applies the
 * configured prefix exactly once (default `claw:`). No secret ever appears in a key: only agent
 * ids, profile ids, provider ids and model ids.
 *
 * Every key of one agent carries the agent id as its hash tag (`{main}`), so on a Redis Cluster
 * all of an agent's keys live in one hash slot and each Lua script, which touches the keys of one
 * agent only, runs on one node. Scripts receive every key they touch in `KEYS`.
 *
 * | Key | Type | Holds |
 * | --- | --- | --- |
 * | `{prefix}{agentId}:usage:{profileId}` | HASH | `lastUsed`, `lastFailureAt`, `refreshFailedAt`, `errorCount`, `failure:<reason>`, `model:<model>:errorCount`, and the last recorded deadline of each window |
 * | `{prefix}{agentId}:cooldown:{profileId}` | STRING + PX | `{"reason":…,"model"?:…}`; the TTL is the window |
 * | `{prefix}{agentId}:disabled:{profileId}` | STRING + PX | `{"reason":…}`; the TTL is the window |
 * | `{prefix}{agentId}:mcooldown:{profileId}` | HASH + PX | model → `<deadline>\|{"reason":…}`, the deadline in Redis' clock (ms); the key expires with its longest window |
 * | `{prefix}{agentId}:order` | HASH | provider → JSON array of profile ids |
 * | `{prefix}{agentId}:lastgood` | HASH | provider → profile id |
 * | `{prefix}{agentId}:reauth` | SET | profile ids marked `needs_reauth` |
 * | `{prefix}{agentId}:probe:{profileId}` | STRING + PX | holder's random token: the one run probing a profile whose window ended |
 * | `{prefix}{agentId}:mprobe:{profileId}:{model}` | STRING + PX | the same, for a model-scoped window |
 * | `{prefix}{agentId}:creds` | HASH | profile id → encrypted credential (credential backend) |
 * | `{prefix}{agentId}:credver` | HASH | profile id → compare-and-swap counter of its credential |
 * | `{prefix}{agentId}:fleet` | HASH | `credentials`: epoch ms of the agent's first credential ever written to this Redis |
 * | `{prefix}fleet` | HASH | `credentials`: the same for the whole fleet (tells a Redis that lost its data from a new fleet, or a new agent); no agent's key, never touched by a script |
 * | `{prefix}{agentId}:lock:oauth:{provider}:{profileId}` | STRING + PX | refresh lock holder's random token |
 * | `{prefix}{agentId}:fence:oauth:{provider}:{profileId}` | STRING | fencing counter (INCR on acquire) |
 *
 * (`{agentId}` above is literal braces around the agent id: the hash tag.)
 *
 * @packageDocumentation
 */
import { AuthProfilesError } from '../errors.js'

/** The default key prefix of fleet mode. @public */
export const DEFAULT_FLEET_PREFIX = 'claw:'

/**
 * Joins `parts` with `:` behind `prefix`. The only place a prefix is applied.
 *
 * @internal
 */
export function keyFor(prefix: string, ...parts: readonly string[]): string {
  return prefix + parts.join(':')
}

/**
 * The hash tag of an agent's keys: `{agentId}`. Valid agent ids never contain braces (the
 * backends check the id with `assertAgentId` when they are created), so the tag is exactly the
 * agent id.
 *
 * @internal
 */
export function agentTag(agentId: string): string {
  return `{${agentId}}`
}

/**
 * Every key of the layout, bound to one prefix. @internal
 */
export interface FleetKeys {
  readonly prefix: string
  /** HASH of counters, timestamps and recorded window deadlines of one profile. */
  usage(agentId: string, profileId: string): string
  /** Profile-wide cooldown window (PX TTL). */
  cooldown(agentId: string, profileId: string): string
  /** Disabled window (PX TTL). */
  disabled(agentId: string, profileId: string): string
  /** HASH of the model-scoped cooldown windows of one profile (model → deadline and value). */
  modelCooldowns(agentId: string, profileId: string): string
  /** HASH provider → JSON array (order overrides). */
  order(agentId: string): string
  /** HASH provider → profile id. */
  lastGood(agentId: string): string
  /** SET of profile ids marked `needs_reauth`. */
  reauth(agentId: string): string
  /** Probe lease of a profile whose window ended (PX). */
  probe(agentId: string, profileId: string): string
  /** Probe lease of a profile whose window for one model ended (PX). */
  modelProbe(agentId: string, profileId: string, model: string): string
  /** HASH profile id → encrypted credential (credential backend). */
  credentials(agentId: string): string
  /** HASH profile id → compare-and-swap counter of its credential. */
  credentialVersions(agentId: string): string
  /**
   * The name a credential's ciphertext is bound to (its additional authenticated data), so a
   * value copied to another profile or agent fails to decrypt. Not a key of its own.
   */
  credentialName(agentId: string, profileId: string): string
  /**
   * HASH describing what this Redis held for the agent: `credentials` is set (HSETNX, epoch ms) by
   * its first credential write and never removed, so a Redis that lost its data (restart without
   * persistence, FLUSHALL) is told apart from one that never held the agent's credentials.
   */
  agentMarker(agentId: string): string
  /** The fleet-wide marker (see {@link FleetKeys.agentMarker}); not in any agent's hash slot. */
  fleetMarker(): string
  /** OAuth refresh lock of one profile of the agent. */
  refreshLock(agentId: string, provider: string, profileId: string): string
  /** OAuth refresh fencing counter of one profile of the agent. */
  refreshFence(agentId: string, provider: string, profileId: string): string
}

/**
 * The key helper for `prefix` (default {@link DEFAULT_FLEET_PREFIX}).
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ARGUMENT` when `prefix` contains a brace (it would
 *   change the keys' hash tag).
 * @internal
 */
export function createFleetKeys(prefix: string = DEFAULT_FLEET_PREFIX): FleetKeys {
  if (/[{}]/.test(prefix)) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      'The fleet key prefix must not contain "{" or "}": the agent id is the hash tag of its keys.',
    )
  }
  const agent = (agentId: string, ...parts: readonly string[]): string =>
    keyFor(prefix, agentTag(agentId), ...parts)
  return {
    prefix,
    usage: (agentId, profileId) => agent(agentId, 'usage', profileId),
    cooldown: (agentId, profileId) => agent(agentId, 'cooldown', profileId),
    disabled: (agentId, profileId) => agent(agentId, 'disabled', profileId),
    modelCooldowns: (agentId, profileId) => agent(agentId, 'mcooldown', profileId),
    order: (agentId) => agent(agentId, 'order'),
    lastGood: (agentId) => agent(agentId, 'lastgood'),
    reauth: (agentId) => agent(agentId, 'reauth'),
    probe: (agentId, profileId) => agent(agentId, 'probe', profileId),
    modelProbe: (agentId, profileId, model) => agent(agentId, 'mprobe', profileId, model),
    credentials: (agentId) => agent(agentId, 'creds'),
    credentialVersions: (agentId) => agent(agentId, 'credver'),
    credentialName: (agentId, profileId) => agent(agentId, 'cred', profileId),
    agentMarker: (agentId) => agent(agentId, 'fleet'),
    fleetMarker: () => keyFor(prefix, 'fleet'),
    refreshLock: (agentId, provider, profileId) =>
      agent(agentId, 'lock', 'oauth', provider, profileId),
    refreshFence: (agentId, provider, profileId) =>
      agent(agentId, 'fence', 'oauth', provider, profileId),
  }
}
