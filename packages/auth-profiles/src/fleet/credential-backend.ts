// Over 400 lines: one backend; its methods share the encryption and key layout.
// Credentials in Redis, encrypted at rest, for fleets whose hosts do not share a disk.
//
// Layout (every key from the key helper, the prefix applied once, the agent id as hash tag):
//   {prefix}{agentId}:creds    HASH profile id → base64(v1 | IV | AES-256-GCM ciphertext | tag),
//                              AAD = the credential's name `{prefix}{agentId}:cred:{profileId}`
//   {prefix}{agentId}:credver  HASH profile id → compare-and-swap counter, +1 on every write or delete
//   {prefix}{agentId}:fleet    HASH; `credentials` (HSETNX by the agent's first write) marks a
//                              Redis that holds the agent's credentials, so an empty one is noticed
//   {prefix}fleet              the same for the whole fleet (set after the commit, outside the
//                              scripts), so an agent without credentials in a live fleet loads empty
//
// `load()` is one Lua script (values and versions in one atomic read); `update()` re-reads, runs
// the updater, and commits only the credentials that changed in one Lua script that first checks
// every version it read (and the fencing counter, when given), retrying on a conflict. The
// routing-state fields of a store (usageStats, order, lastGood) are not kept here: the state
// backend layered on top owns them.
import { setTimeout as sleep } from 'node:timers/promises'
import { AuthProfilesError } from '../errors.js'
import { freezeDeep } from '../store/frozen.js'
import { assertAgentId, describeId } from '../ids.js'
import type { AuthStoreBackend, AuthStoreUpdateOptions } from '../store/store-backend.js'
import { parseAuthProfileStoreText, type StoreDiagnostic } from '../store/store-parse.js'
import type { AuthProfileCredential, AuthProfileStore } from '../types.js'
import { isFleetUnavailable, type FleetConnection } from './connection.js'
import { decryptValue, encryptValue, FLEET_ENCRYPTION_KEY_BYTES } from './encryption.js'
import { defineFleetScript } from './fleet-script.js'

/** Options of {@link createRedisCredentialBackend}. @public */
export interface RedisCredentialBackendOptions {
  readonly agentId: string
  /** The 32-byte AES-256-GCM key (see `resolveFleetEncryptionKey`). */
  readonly encryptionKey: Uint8Array
}

/** Compare-and-swap attempts of one `update()` before it gives up (each re-reads and retries). */
const MAX_CAS_ATTEMPTS = 50

/**
 * KEYS[1] credentials, KEYS[2] versions, KEYS[3] the agent's fleet marker; ARGV[1] now (ms) →
 * 'empty' when Redis has no marker and no credentials of the agent (it lost its data, or never
 * held any), else 'ok', id, ver, value, … (an unmarked Redis that holds credentials is marked).
 */
const LOAD_SCRIPT = defineFleetScript(`
local values = redis.call('HGETALL', KEYS[1])
if redis.call('HEXISTS', KEYS[3], 'credentials') == 0 then
  if #values == 0 then return {'empty'} end
  redis.call('HSETNX', KEYS[3], 'credentials', ARGV[1])
end
local out = {'ok'}
for i = 1, #values, 2 do
  out[#out + 1] = values[i]
  out[#out + 1] = redis.call('HGET', KEYS[2], values[i]) or '0'
  out[#out + 1] = values[i + 1]
end
return out
`)

/**
 * KEYS[1] credentials, KEYS[2] versions, KEYS[3] the agent's fleet marker, KEYS[4] the fence key
 * when ARGV[1] is not ''. ARGV[1] fence value, ARGV[2] now (ms) for the marker, then per entry:
 * profile id, expected version, op ('check' | 'set' | 'del'), value. Returns {'ok'},
 * {'conflict'} or {'fence', current}.
 */
const COMMIT_SCRIPT = defineFleetScript(`
if ARGV[1] ~= '' then
  local current = redis.call('GET', KEYS[4])
  if current ~= ARGV[1] then return {'fence', current or ''} end
end
for k = 3, #ARGV, 4 do
  local version = redis.call('HGET', KEYS[2], ARGV[k]) or '0'
  if version ~= ARGV[k + 1] then return {'conflict'} end
end
for k = 3, #ARGV, 4 do
  local id, op, value = ARGV[k], ARGV[k + 2], ARGV[k + 3]
  if op == 'set' then
    redis.call('HSET', KEYS[1], id, value)
    redis.call('HINCRBY', KEYS[2], id, 1)
    redis.call('HSETNX', KEYS[3], 'credentials', ARGV[2])
  elseif op == 'del' then
    redis.call('HDEL', KEYS[1], id)
    redis.call('HINCRBY', KEYS[2], id, 1)
  end
end
return {'ok'}
`)

interface Entry {
  readonly version: string
  readonly value: string
  readonly credential: AuthProfileCredential
  /** `JSON.stringify(credential)`, to tell what an updater changed. */
  readonly json: string
}

interface Snapshot {
  readonly entries: ReadonlyMap<string, Entry>
  readonly store: AuthProfileStore
  readonly diagnostics: readonly StoreDiagnostic[]
  /** Redis holds no credentials of the agent and no fleet marker (see LOAD_SCRIPT). */
  readonly empty?: boolean
}

const NO_CREDENTIALS: Snapshot = Object.freeze({
  entries: new Map<string, Entry>(),
  store: Object.freeze({ version: 1 as const, profiles: Object.freeze({}) }),
  diagnostics: [],
})
const EMPTY_SNAPSHOT: Snapshot = Object.freeze({ ...NO_CREDENTIALS, empty: true })

interface Operation {
  readonly profileId: string
  readonly expected: string
  readonly op: 'check' | 'set' | 'del'
  readonly value: string
}

async function parseProfiles(
  profiles: Record<string, unknown>,
  location: string,
): Promise<{ store: AuthProfileStore; diagnostics: readonly StoreDiagnostic[] }> {
  return parseAuthProfileStoreText(JSON.stringify({ version: 1, profiles }), location)
}

/**
 * A credential store in Redis ({@link AuthStoreBackend} of kind `'redis'`): each profile's
 * credential encrypted with AES-256-GCM (the Redis key name as additional data), written with
 * compare-and-swap on a per-profile version counter, and checked against the refresh lock's fencing
 * counter when `update` is given `{ fence }`. It holds profiles only; routing state belongs to the
 * state backend layered on top (`fleet.stateBackend({ credentials })`).
 *
 * While Redis is unavailable, `load()` serves the last credentials it read (decrypted in memory
 * only) and `update()` fails with a retryable `AuthProfilesError` (`ERR_STORE_WRITE`).
 *
 * A Redis without the agent's credentials and without the fleet marker (`{prefix}{agentId}:fleet`, set by
 * the first credential write) has lost its data or never held any: `load()` then fails with
 * `ERR_FLEET_EMPTY` — or, when this backend read credentials earlier, keeps serving those with one
 * warning — rather than report an empty store. `update()` still works (adding the first
 * credential of a new fleet sets the marker).
 *
 * @throws {AuthProfilesError} from `load`: `ERR_STORE_INVALID` when a value cannot be decrypted
 *   (wrong key, tampered value: the message names the profile, never the value); `ERR_FLEET_EMPTY`
 *   (see above).
 * @internal
 */
export function createRedisCredentialBackend(
  connection: FleetConnection,
  options: RedisCredentialBackendOptions,
): AuthStoreBackend {
  const { agentId } = options
  assertAgentId(agentId)
  const encryptionKey = Uint8Array.from(options.encryptionKey)
  if (encryptionKey.length !== FLEET_ENCRYPTION_KEY_BYTES) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      `The fleet encryption key must be ${FLEET_ENCRYPTION_KEY_BYTES} bytes (got ${encryptionKey.length}).`,
    )
  }
  const { keys } = connection
  const credentialsKey = keys.credentials(agentId)
  const versionsKey = keys.credentialVersions(agentId)
  const markerKey = keys.agentMarker(agentId)
  const fleetMarkerKey = keys.fleetMarker()
  const location = `redis:${credentialsKey}`

  let last: Snapshot | undefined
  let queue: Promise<unknown> = Promise.resolve()

  const unavailable = (what: 'read' | 'write', cause: unknown): AuthProfilesError =>
    what === 'read'
      ? new AuthProfilesError(
          'ERR_STORE_READ',
          `Redis is unavailable and the credentials of agent ${agentId} have not been read yet; try again shortly.`,
          { retryable: true, cause },
        )
      : new AuthProfilesError(
          'ERR_STORE_WRITE',
          `Redis is unavailable: the credentials of agent ${agentId} cannot be changed until it returns (nothing was written); try again shortly.`,
          { retryable: true, cause },
        )

  const failed = (what: 'read' | 'write', cause: unknown): AuthProfilesError => {
    const name = (cause as { name?: unknown } | undefined)?.name
    return new AuthProfilesError(
      what === 'read' ? 'ERR_STORE_READ' : 'ERR_STORE_WRITE',
      `Redis refused to ${what} the credentials of agent ${agentId} (${typeof name === 'string' ? name : 'error'}).`,
      { cause },
    )
  }

  async function read(): Promise<Snapshot> {
    let reply: unknown
    try {
      reply = await connection.eval(
        LOAD_SCRIPT,
        [credentialsKey, versionsKey, markerKey],
        [String(connection.now())],
      )
    } catch (error) {
      if (isFleetUnavailable(error)) throw unavailable('read', error)
      throw failed('read', error)
    }
    const [status, ...flat] = (reply as unknown[]).map(String)
    if (status === 'empty') {
      // No credentials of this agent, ever: a new agent of a fleet that holds others' credentials
      // loads empty; with no fleet marker either, Redis lost its data (or the fleet is new).
      const fleetMarked = await connection
        .run((client) => client.hExists(fleetMarkerKey, 'credentials'))
        .catch((error: unknown) => {
          throw isFleetUnavailable(error) ? unavailable('read', error) : failed('read', error)
        })
      return Number(fleetMarked) === 1 ? NO_CREDENTIALS : EMPTY_SNAPSHOT
    }
    const previous = last
    const raw = new Map<string, { version: string; value: string }>()
    for (let index = 0; index + 2 < flat.length; index += 3) {
      raw.set(flat[index]!, { version: flat[index + 1]!, value: flat[index + 2]! })
    }
    // Unchanged values reuse the previous snapshot's decrypted credential.
    if (
      previous &&
      previous.entries.size === raw.size &&
      [...raw].every(([id, { value }]) => previous.entries.get(id)?.value === value)
    ) {
      return previous
    }
    const decoded: Record<string, unknown> = {}
    for (const [profileId, { value }] of raw) {
      const known = previous?.entries.get(profileId)
      if (known?.value === value) {
        decoded[profileId] = known.credential
        continue
      }
      const plaintext = decryptValue(
        encryptionKey,
        keys.credentialName(agentId, profileId),
        value,
        profileId,
      )
      try {
        decoded[profileId] = JSON.parse(plaintext) as unknown
      } catch {
        throw new AuthProfilesError(
          'ERR_STORE_INVALID',
          `The credential of profile ${describeId(profileId)} in Redis decrypted to invalid JSON.`,
          { profileId },
        )
      }
    }
    const parsed = await parseProfiles(decoded, location)
    const entries = new Map<string, Entry>()
    for (const [profileId, credential] of Object.entries(parsed.store.profiles)) {
      const stored = raw.get(profileId)
      if (!stored) continue
      entries.set(profileId, { ...stored, credential, json: JSON.stringify(credential) })
    }
    // Entries the parser leaves out (claw cannot use them) are kept: `json: ''` marks them.
    for (const [profileId, stored] of raw) {
      if (!entries.has(profileId)) {
        entries.set(profileId, {
          ...stored,
          credential: decoded[profileId] as AuthProfileCredential,
          json: '',
        })
      }
    }
    return {
      entries,
      store: freezeDeep({ version: 1, profiles: parsed.store.profiles }),
      diagnostics: parsed.diagnostics,
    }
  }

  let emptyWarned = false
  const emptyMessage = (): string =>
    `Redis holds no credentials for agent ${agentId} and no fleet marker (${fleetMarkerKey}): it has lost its data (restarted without persistence, or flushed) or never held credentials. Restore it from a backup, or add the credentials again (claw models auth paste-api-key, claw models auth login); a new fleet starts with its first credential.`

  async function load(): Promise<AuthProfileStore> {
    let snapshot: Snapshot
    try {
      snapshot = await read()
    } catch (error) {
      const unavailableNow = AuthProfilesError.isInstance(error) && error.retryable
      if (unavailableNow && last) return last.store
      throw error
    }
    if (snapshot.empty) {
      // Never route as if no profile existed: keep serving what was read before (warning once),
      // or fail.
      if (last && !last.empty) {
        if (!emptyWarned) {
          emptyWarned = true
          connection.warn(
            `${emptyMessage()} Serving the ${last.entries.size} credential(s) read earlier from memory.`,
          )
        }
        return last.store
      }
      throw new AuthProfilesError('ERR_FLEET_EMPTY', emptyMessage())
    }
    emptyWarned = false
    last = snapshot
    return last.store
  }

  function operationsFor(snapshot: Snapshot, next: AuthProfileStore): Operation[] {
    const operations: Operation[] = []
    const ids = new Set([...snapshot.entries.keys(), ...Object.keys(next.profiles)])
    for (const profileId of ids) {
      const before = snapshot.entries.get(profileId)
      const expected = before?.version ?? '0'
      const credential = Object.hasOwn(next.profiles, profileId)
        ? next.profiles[profileId]
        : undefined
      if (credential === undefined) {
        // An entry claw cannot use is not in the store an updater sees, so its absence there
        // means nothing: it is kept as it is.
        if (before?.json === '') continue
        operations.push({ profileId, expected, op: before ? 'del' : 'check', value: '' })
        continue
      }
      const json = JSON.stringify(credential)
      if (before && json === before.json) {
        operations.push({ profileId, expected, op: 'check', value: '' })
        continue
      }
      operations.push({
        profileId,
        expected,
        op: 'set',
        value: encryptValue(encryptionKey, keys.credentialName(agentId, profileId), json),
      })
    }
    return operations
  }

  async function commit(
    operations: readonly Operation[],
    fence: AuthStoreUpdateOptions['fence'],
  ): Promise<'ok' | 'conflict'> {
    const commandKeys = [credentialsKey, versionsKey, markerKey]
    if (fence) commandKeys.push(fence.key)
    const args = [fence ? String(fence.value) : '', String(connection.now())]
    for (const operation of operations) {
      args.push(operation.profileId, operation.expected, operation.op, operation.value)
    }
    let reply: unknown
    try {
      reply = await connection.eval(COMMIT_SCRIPT, commandKeys, args)
    } catch (error) {
      if (isFleetUnavailable(error)) throw unavailable('write', error)
      throw failed('write', error)
    }
    const [status] = (reply as unknown[]).map(String)
    if (status === 'fence') {
      throw new AuthProfilesError(
        'ERR_LOCK_COMPROMISED',
        `The refresh lock was taken over by another holder while this one was committing (its fencing token ${String(fence?.value)} is stale); nothing was written.`,
        { retryable: true },
      )
    }
    if (status !== 'ok') return 'conflict'
    if (operations.some((operation) => operation.op === 'set')) {
      // The fleet-wide marker lives outside the agent's hash slot, so outside the script; it only
      // ever goes from unset to set, and a lost write is repeated by the next commit.
      const at = String(connection.now())
      await connection
        .run((client) => client.hSetNX(fleetMarkerKey, 'credentials', at))
        .catch(() => undefined)
    }
    return 'ok'
  }

  async function updateOnce<T>(
    updater: (store: AuthProfileStore) => T | Promise<T>,
    updateOptions: AuthStoreUpdateOptions | undefined,
  ): Promise<{ store: AuthProfileStore; result: T; written: boolean }> {
    for (let attempt = 1; ; attempt += 1) {
      let snapshot: Snapshot
      try {
        snapshot = await read()
      } catch (error) {
        if (
          AuthProfilesError.isInstance(error) &&
          error.code === 'ERR_STORE_READ' &&
          error.retryable
        )
          throw unavailable('write', error)
        throw error
      }
      // An empty Redis does not replace credentials read before (load() keeps serving them).
      if (!snapshot.empty || !last) last = snapshot
      const draft: AuthProfileStore = structuredClone(snapshot.store)
      const result = await updater(draft)
      const operations = operationsFor(snapshot, draft)
      if (operations.every((operation) => operation.op === 'check')) {
        return { store: snapshot.store, result, written: false }
      }
      if ((await commit(operations, updateOptions?.fence)) === 'ok') {
        const store = freezeDeep<AuthProfileStore>(
          structuredClone({ version: 1, profiles: draft.profiles }),
        )
        return { store, result, written: true }
      }
      if (attempt >= MAX_CAS_ATTEMPTS) {
        throw new AuthProfilesError(
          'ERR_STORE_WRITE',
          `The credentials of agent ${agentId} kept changing under ${MAX_CAS_ATTEMPTS} attempts to update them; nothing was written.`,
          { retryable: true },
        )
      }
      await sleep(Math.random() * Math.min(100, 5 * attempt))
    }
  }

  return {
    kind: 'redis',
    agentId,
    location,
    load,
    diagnostics: () => last?.diagnostics ?? [],
    update(updater, updateOptions) {
      const run = () => updateOnce(updater, updateOptions)
      const next = queue.then(run, run)
      queue = next.catch(() => undefined)
      return next
    },
  }
}
