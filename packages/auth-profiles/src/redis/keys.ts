/**
 * The Redis key layout of fleet mode. Every key is built here, by {@link keyFor}, which applies the
 * configured prefix exactly once (default `claw:`). No secret ever appears in a key: only agent
 * ids, profile ids, provider ids and model ids.
 *
 * | Key | Type | Holds |
 * | --- | --- | --- |
 * | `{prefix}{agentId}:usage:{profileId}` | HASH | `lastUsed`, `lastFailureAt`, `refreshFailedAt`, `errorCount`, `failure:<reason>`, `model:<model>:errorCount` |
 * | `{prefix}{agentId}:cooldown:{profileId}` | STRING + PX | `{"reason":…,"model"?:…}`; the TTL is the window |
 * | `{prefix}{agentId}:disabled:{profileId}` | STRING + PX | `{"reason":…}`; the TTL is the window |
 * | `{prefix}{agentId}:mcooldown:{profileId}:{model}` | STRING + PX | `{"reason":…}`; model-scoped window |
 * | `{prefix}{agentId}:order` | HASH | provider → JSON array of profile ids |
 * | `{prefix}{agentId}:lastgood` | HASH | provider → profile id |
 * | `{prefix}{agentId}:reauth` | SET | profile ids marked `needs_reauth` |
 * | `{prefix}{agentId}:probe:{profileId}` | STRING + PX | holder's random token: the one run probing a profile whose window ended |
 * | `{prefix}{agentId}:mprobe:{profileId}:{model}` | STRING + PX | the same, for a model-scoped window |
 * | `{prefix}{agentId}:cred:{profileId}` | STRING | encrypted credential (credential backend) |
 * | `{prefix}{agentId}:credver:{profileId}` | STRING | compare-and-swap counter of the credential |
 * | `{prefix}{agentId}:creds` | SET | profile ids with a credential (credential backend) |
 * | `{prefix}fleet` | HASH | `credentials`: epoch ms of the first credential ever written to this Redis (the marker that tells an empty Redis from a new fleet) |
 * | `{prefix}lock:oauth:{provider}:{profileId}` | STRING + PX | refresh lock holder's random token |
 * | `{prefix}fence:oauth:{provider}:{profileId}` | STRING | fencing counter (INCR on acquire) |
 *
 * @packageDocumentation
 */

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
 * Every key of the layout, bound to one prefix. @internal
 */
export interface FleetKeys {
  readonly prefix: string
  /** HASH of counters and timestamps of one profile. */
  usage(agentId: string, profileId: string): string
  /** Profile-wide cooldown window (PX TTL). */
  cooldown(agentId: string, profileId: string): string
  /** Disabled window (PX TTL). */
  disabled(agentId: string, profileId: string): string
  /** Model-scoped cooldown window (PX TTL). */
  modelCooldown(agentId: string, profileId: string, model: string): string
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
  /** Encrypted credential (credential backend). */
  credential(agentId: string, profileId: string): string
  /** Compare-and-swap counter of a credential. */
  credentialVersion(agentId: string, profileId: string): string
  /** SET of the profile ids that have a credential (credential backend). */
  credentialIndex(agentId: string): string
  /**
   * HASH describing the fleet's Redis: `credentials` is set (HSETNX, epoch ms) by the first
   * credential write and never removed, so a Redis that lost its data (restart without
   * persistence, FLUSHALL) is told apart from one that never held credentials.
   */
  fleetMarker(): string
  /** OAuth refresh lock. */
  refreshLock(provider: string, profileId: string): string
  /** OAuth refresh fencing counter. */
  refreshFence(provider: string, profileId: string): string
}

/**
 * The key helper for `prefix` (default {@link DEFAULT_FLEET_PREFIX}).
 *
 * @internal
 */
export function createFleetKeys(prefix: string = DEFAULT_FLEET_PREFIX): FleetKeys {
  return {
    prefix,
    usage: (agentId, profileId) => keyFor(prefix, agentId, 'usage', profileId),
    cooldown: (agentId, profileId) => keyFor(prefix, agentId, 'cooldown', profileId),
    disabled: (agentId, profileId) => keyFor(prefix, agentId, 'disabled', profileId),
    modelCooldown: (agentId, profileId, model) =>
      keyFor(prefix, agentId, 'mcooldown', profileId, model),
    order: (agentId) => keyFor(prefix, agentId, 'order'),
    lastGood: (agentId) => keyFor(prefix, agentId, 'lastgood'),
    reauth: (agentId) => keyFor(prefix, agentId, 'reauth'),
    probe: (agentId, profileId) => keyFor(prefix, agentId, 'probe', profileId),
    modelProbe: (agentId, profileId, model) => keyFor(prefix, agentId, 'mprobe', profileId, model),
    credential: (agentId, profileId) => keyFor(prefix, agentId, 'cred', profileId),
    credentialVersion: (agentId, profileId) => keyFor(prefix, agentId, 'credver', profileId),
    credentialIndex: (agentId) => keyFor(prefix, agentId, 'creds'),
    fleetMarker: () => keyFor(prefix, 'fleet'),
    refreshLock: (provider, profileId) => keyFor(prefix, 'lock', 'oauth', provider, profileId),
    refreshFence: (provider, profileId) => keyFor(prefix, 'fence', 'oauth', provider, profileId),
  }
}
