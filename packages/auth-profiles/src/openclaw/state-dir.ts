// Over 400 lines: OpenClaw's per-agent merge of the shared and agent stores reads as one piece.
// Reading an OpenClaw (2026.4 and later) state directory: the shared auth store in
// `state/openclaw.sqlite` and each agent's `agents/<id>/agent/openclaw-agent.sqlite`, put together
// per agent the way OpenClaw does (main: shared store with its own state overriding per key;
// other agents: their own store). Only reads; the stores come back in OpenClaw's own terms (see
// `mapping.ts` for what changes on the way into claw).
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { findUnsafeKeys } from '@claw/model-catalog'
import { AuthProfilesError, formatIssues } from '../errors.js'
import { checkAgentId, compareAgentIds, DEFAULT_AGENT_ID } from '../ids.js'
import { mergeStores } from '../store/store-backend.js'
import { parseAuthProfileStoreText, type StoreDiagnostic } from '../store/store-parse.js'
import type { AuthProfileStore } from '../types.js'
import { mapOpenClawUsage } from './mapping.js'
import {
  readSqliteSnapshot,
  type SqliteReaderName,
  type SqliteSnapshot,
} from './sqlite-snapshot.js'

/** The newest schema versions this claw has seen (OpenClaw 2026.9.6): state DB 18, agent DB 23. @public */
export const OPENCLAW_KNOWN_SCHEMA = Object.freeze({ state: 18, agent: 23 })

/** OpenClaw state databases larger than this (512 MiB) are refused. @public */
export const DEFAULT_MAX_OPENCLAW_DATABASE_BYTES = 512 * 1024 * 1024

/** The state DB, relative to the state dir. @public */
export const OPENCLAW_STATE_DATABASE = join('state', 'openclaw.sqlite')

const AGENT_DATABASE = 'openclaw-agent.sqlite'
const STATE_LABEL = 'The OpenClaw state database'
const AGENT_LABEL = 'The OpenClaw agent database'

/** @public */
export interface ReadOpenClawStateOptions {
  /** The OpenClaw state dir (`~/.openclaw`, `$OPENCLAW_STATE_DIR`). */
  readonly stateDir: string
  /** Read only this agent (default: every agent). */
  readonly agentId?: string | undefined
  /**
   * Read databases whose schema is newer than {@link OPENCLAW_KNOWN_SCHEMA} (the tables and columns
   * used are still checked). Off by default: a newer OpenClaw may keep credentials elsewhere.
   */
  readonly allowNewerSchema?: boolean | undefined
  /** Default {@link DEFAULT_MAX_OPENCLAW_DATABASE_BYTES}. */
  readonly maxDatabaseBytes?: number | undefined
  /** Force the SQLite engine (default: node:sqlite when this Node has it, else sql.js). */
  readonly reader?: SqliteReaderName | undefined
}

/** One agent's store as OpenClaw resolves it (credentials, order, lastGood, usage). @public */
export interface OpenClawAgentState {
  readonly agentId: string
  /** The agent's own database, when it has one. */
  readonly database: string | undefined
  readonly store: AuthProfileStore
}

/** @public */
export interface OpenClawState {
  readonly stateDir: string
  /** `state/openclaw.sqlite`. */
  readonly database: string
  /** OpenClaw's version as recorded in the state DB (`2026.9.6`). */
  readonly appVersion: string | undefined
  readonly schemaVersion: number
  /** The engine that read the files. */
  readonly reader: SqliteReaderName
  /** `main` first, then by id. */
  readonly agents: readonly OpenClawAgentState[]
  /**
   * Profile ids OpenClaw's `doctor --fix` renamed when it imported older stores (from its receipt),
   * old id → new id, e.g. `openai-codex:default` → `openai:chatgpt-default`.
   */
  readonly legacyIdMap: Readonly<Record<string, string>>
  /** Entries dropped or fields ignored while reading (never a secret value). */
  readonly diagnostics: readonly StoreDiagnostic[]
}

interface RawStores {
  store: Record<string, unknown> | undefined
  state: Record<string, unknown> | undefined
}

interface SchemaMeta {
  readonly role: string
  readonly schemaVersion: number
  readonly appVersion: string | undefined
  readonly agentId: string | undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function invalid(file: string, message: string): AuthProfilesError {
  return new AuthProfilesError('ERR_STORE_INVALID', `${file}: ${message} Nothing was imported.`, {
    path: file,
  })
}

/** The tables and columns read must exist, and each table must pass SQLite's quick check. */
function checkTables(
  snapshot: SqliteSnapshot,
  tables: Readonly<Record<string, readonly string[]>>,
  optional: ReadonlySet<string> = new Set(),
): Set<string> {
  const present = new Set<string>()
  for (const [table, columns] of Object.entries(tables)) {
    const found = new Set(
      snapshot.all('SELECT name FROM pragma_table_info(?)', [table]).map((row) => row['name']),
    )
    if (found.size === 0) {
      if (optional.has(table)) continue
      throw invalid(
        snapshot.file,
        `not an OpenClaw database this claw can read (no table ${table}).`,
      )
    }
    const missing = columns.filter((column) => !found.has(column))
    if (missing.length > 0) {
      throw invalid(
        snapshot.file,
        `table ${table} has no column ${missing.join(', ')}: written by an OpenClaw this claw does not know.`,
      )
    }
    const check = snapshot.all(`PRAGMA quick_check(${table})`).map((row) => row['quick_check'])
    if (check.length !== 1 || check[0] !== 'ok') {
      throw invalid(snapshot.file, `table ${table} is damaged (SQLite quick_check failed).`)
    }
    present.add(table)
  }
  return present
}

function readSchemaMeta(snapshot: SqliteSnapshot, role: 'global' | 'agent'): SchemaMeta {
  checkTables(snapshot, { schema_meta: ['meta_key', 'role', 'schema_version', 'app_version'] })
  const columns =
    role === 'agent'
      ? 'role, schema_version, app_version, agent_id'
      : 'role, schema_version, app_version'
  const row = snapshot.all(`SELECT ${columns} FROM schema_meta WHERE meta_key = 'primary'`)[0]
  if (!row) throw invalid(snapshot.file, 'the schema_meta row "primary" is missing.')
  const version = row['schema_version']
  if (row['role'] !== role || typeof version !== 'number' || !Number.isInteger(version)) {
    throw invalid(
      snapshot.file,
      `schema_meta says role ${JSON.stringify(row['role'])}, schema ${JSON.stringify(version)}; expected an OpenClaw ${role === 'global' ? 'state' : 'agent'} database.`,
    )
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
  return {
    role,
    schemaVersion: version,
    appVersion: text(row['app_version']),
    agentId: text(row['agent_id']),
  }
}

function checkSchemaVersion(
  file: string,
  meta: SchemaMeta,
  known: number,
  options: ReadOpenClawStateOptions,
): void {
  if (meta.schemaVersion <= known || options.allowNewerSchema) return
  throw new AuthProfilesError(
    'ERR_STORE_UNSUPPORTED_VERSION',
    `${file} was written by a newer OpenClaw (${meta.appVersion ?? 'unknown version'}, schema ${meta.schemaVersion}; this claw knows schema ${known} from OpenClaw 2026.9). It may keep credentials where this claw does not look, so nothing was imported. Upgrade claw, or pass --allow-newer-schema to read it anyway (the tables used are still checked).`,
    { path: file },
  )
}

/** A JSON cell: parsed, free of prototype-poisoning keys, an object. */
function jsonCell(file: string, where: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'string') throw invalid(file, `${where} is not text.`)
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    // The engine's message may quote the cell (a secret): name the cell only.
    throw invalid(file, `${where} is not valid JSON.`)
  }
  const unsafe = findUnsafeKeys(parsed)
  if (unsafe.length > 0) throw invalid(file, `${where} has unsafe keys:\n${formatIssues(unsafe)}`)
  if (!isRecord(parsed)) throw invalid(file, `${where} is not a JSON object.`)
  return parsed
}

function readStateDatabase(
  snapshot: SqliteSnapshot,
  options: ReadOpenClawStateOptions,
): { meta: SchemaMeta; shared: RawStores | undefined; legacyIdMap: Record<string, string> } {
  const meta = readSchemaMeta(snapshot, 'global')
  checkSchemaVersion(snapshot.file, meta, OPENCLAW_KNOWN_SCHEMA.state, options)
  const present = checkTables(
    snapshot,
    {
      config_machine_state: ['state_key', 'value_json'],
      migration_runs: ['id', 'status', 'report_json'],
    },
    new Set(['migration_runs']),
  )
  const cell = (key: string) => {
    const row = snapshot.all('SELECT value_json FROM config_machine_state WHERE state_key = ?', [
      key,
    ])[0]
    return row === undefined
      ? undefined
      : jsonCell(snapshot.file, `config_machine_state "${key}"`, row['value_json'])
  }
  const location = cell('auth.sharedStore')?.['location']
  const shared =
    location === 'state-db'
      ? { store: cell('authProfiles.store'), state: cell('authProfiles.state') }
      : undefined
  const legacyIdMap: Record<string, string> = {}
  if (present.has('migration_runs')) {
    const rows = snapshot.all(
      "SELECT report_json FROM migration_runs WHERE id LIKE 'auth-profile-sqlite-alias-map:%' AND status = 'completed' ORDER BY started_at",
    )
    for (const row of rows) {
      const report = jsonCell(snapshot.file, 'migration_runs (alias map)', row['report_json'])
      const mappings = Array.isArray(report['mappings']) ? report['mappings'] : []
      for (const mapping of mappings) {
        if (
          isRecord(mapping) &&
          typeof mapping['from'] === 'string' &&
          typeof mapping['to'] === 'string'
        ) {
          legacyIdMap[mapping['from']] = mapping['to']
        }
      }
    }
  }
  return { meta, shared, legacyIdMap }
}

function readAgentDatabase(
  snapshot: SqliteSnapshot,
  agentId: string,
  options: ReadOpenClawStateOptions,
): RawStores {
  const meta = readSchemaMeta(snapshot, 'agent')
  checkSchemaVersion(snapshot.file, meta, OPENCLAW_KNOWN_SCHEMA.agent, options)
  if (meta.agentId !== undefined && meta.agentId !== agentId) {
    throw invalid(
      snapshot.file,
      `schema_meta names agent ${JSON.stringify(meta.agentId)}, but the file is in the directory of agent ${agentId}.`,
    )
  }
  checkTables(snapshot, {
    auth_profile_store: ['store_key', 'store_json'],
    auth_profile_state: ['state_key', 'state_json'],
  })
  const storeRow = snapshot.all(
    "SELECT store_json FROM auth_profile_store WHERE store_key = 'primary'",
  )[0]
  const stateRow = snapshot.all(
    "SELECT state_json FROM auth_profile_state WHERE state_key = 'primary'",
  )[0]
  return {
    store:
      storeRow && jsonCell(snapshot.file, 'auth_profile_store "primary"', storeRow['store_json']),
    state:
      stateRow && jsonCell(snapshot.file, 'auth_profile_state "primary"', stateRow['state_json']),
  }
}

/** OpenClaw's store and state rows as one v1 store, checked by claw's own store parser. */
async function toStore(
  raw: RawStores,
  file: string,
  diagnostics: StoreDiagnostic[],
): Promise<AuthProfileStore> {
  const storeVersion = raw.store?.['version'] ?? 1
  const stateVersion = raw.state?.['version'] ?? 1
  if (storeVersion !== 1 || stateVersion !== 1) {
    throw new AuthProfilesError(
      'ERR_STORE_UNSUPPORTED_VERSION',
      `${file} holds an auth store of version ${JSON.stringify(storeVersion)} (state ${JSON.stringify(stateVersion)}); this claw reads version 1. Nothing was imported.`,
      { path: file },
    )
  }
  const usage = raw.state?.['usageStats']
  const combined = {
    version: 1,
    profiles: raw.store?.['profiles'] ?? {},
    ...(raw.state?.['order'] === undefined ? {} : { order: raw.state['order'] }),
    ...(raw.state?.['lastGood'] === undefined ? {} : { lastGood: raw.state['lastGood'] }),
    ...(usage === undefined
      ? {}
      : {
          usageStats: isRecord(usage)
            ? Object.fromEntries(
                Object.entries(usage).map(([id, entry]) => [
                  id,
                  isRecord(entry) ? mapOpenClawUsage(entry) : entry,
                ]),
              )
            : usage,
        }),
  }
  const parsed = await parseAuthProfileStoreText(JSON.stringify(combined), file)
  diagnostics.push(...parsed.diagnostics)
  return parsed.store
}

/** Agent ids that have a database under `agents/`, main first. */
async function agentDatabases(stateDir: string): Promise<string[]> {
  const agentsDir = join(stateDir, 'agents')
  let names: string[]
  try {
    names = (await readdir(agentsDir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && checkAgentId(entry.name) === undefined)
      .map((entry) => entry.name)
  } catch {
    return []
  }
  const found: string[] = []
  for (const name of names) {
    try {
      const files = await readdir(join(agentsDir, name, 'agent'))
      if (files.includes(AGENT_DATABASE)) found.push(name)
    } catch {
      // No agent dir: not an agent.
    }
  }
  return found.sort(compareAgentIds)
}

/**
 * Reads an OpenClaw state dir (2026.4 and later, SQLite) and returns each agent's store as
 * OpenClaw resolves it: the main agent's credentials and state come from the shared store
 * (`state/openclaw.sqlite`) with the main agent's own database overriding order, lastGood and
 * usage per key; every other agent has its own store (OpenClaw shows main's profiles underneath,
 * as claw's read-through does). Nothing is written anywhere: databases are opened read-only and
 * immutable, and a database with a pending write-ahead log (OpenClaw running) is refused.
 *
 * @throws {AuthProfilesError} `ERR_NO_CREDENTIALS` when there is no `state/openclaw.sqlite`;
 *   `ERR_STORE_INVALID` for a damaged or foreign database (naming the file and table);
 *   `ERR_STORE_UNSUPPORTED_VERSION` for a newer schema; `ERR_STORE_BUSY` when OpenClaw is writing;
 *   `ERR_STORE_READ`/`ERR_STORE_TOO_LARGE`/`ERR_STORE_NOT_REGULAR_FILE` for the file itself.
 * @example
 * ```ts
 * const state = await readOpenClawState({ stateDir: '/home/me/.openclaw' })
 * for (const agent of state.agents) console.log(agent.agentId, Object.keys(agent.store.profiles))
 * ```
 * @public
 */
export async function readOpenClawState(options: ReadOpenClawStateOptions): Promise<OpenClawState> {
  const stateDir = options.stateDir
  const database = join(stateDir, OPENCLAW_STATE_DATABASE)
  const sqlite = {
    reader: options.reader,
    maxBytes: options.maxDatabaseBytes ?? DEFAULT_MAX_OPENCLAW_DATABASE_BYTES,
  }
  if (options.agentId !== undefined && checkAgentId(options.agentId) !== undefined) {
    throw new AuthProfilesError(
      'ERR_INVALID_ID',
      `Invalid agent id ${JSON.stringify(options.agentId)}.`,
    )
  }
  let reader: SqliteReaderName | undefined
  let state
  try {
    state = await readSqliteSnapshot(database, { ...sqlite, label: STATE_LABEL }, (snapshot) => {
      reader = snapshot.reader
      return readStateDatabase(snapshot, options)
    })
  } catch (error) {
    if (AuthProfilesError.isInstance(error) && error.code === 'ERR_STORE_READ') {
      const cause = (error.cause as NodeJS.ErrnoException | undefined)?.code
      if (cause === 'ENOENT' || cause === 'ENOTDIR') {
        throw new AuthProfilesError(
          'ERR_NO_CREDENTIALS',
          `No OpenClaw state database at ${database}: ${stateDir} is not an OpenClaw 2026.4+ state dir. (Older Clawdbot/OpenClaw dirs keep auth-profiles.json files; import those with --from clawdbot.)`,
          { path: database, cause: error },
        )
      }
    }
    throw error
  }
  const diagnostics: StoreDiagnostic[] = []
  const withDatabase = await agentDatabases(stateDir)
  const ids = withDatabase.includes(DEFAULT_AGENT_ID)
    ? withDatabase
    : [DEFAULT_AGENT_ID, ...withDatabase]
  const wanted = options.agentId === undefined ? ids : ids.filter((id) => id === options.agentId)
  const agents: OpenClawAgentState[] = []
  for (const agentId of wanted) {
    const file = join(stateDir, 'agents', agentId, 'agent', AGENT_DATABASE)
    const own: RawStores = withDatabase.includes(agentId)
      ? await readSqliteSnapshot(file, { ...sqlite, label: AGENT_LABEL }, (snapshot) =>
          readAgentDatabase(snapshot, agentId, options),
        )
      : { store: undefined, state: undefined }
    const hasOwn = own.store !== undefined || own.state !== undefined
    let store: AuthProfileStore
    if (agentId === DEFAULT_AGENT_ID && state.shared) {
      const shared = await toStore(state.shared, database, diagnostics)
      store = mergeStores(shared, await toStore(own, file, diagnostics))
    } else {
      // `legacy-main` (or no marker): the main agent's own database is the shared store.
      store = await toStore(own, file, diagnostics)
    }
    agents.push({ agentId, database: hasOwn ? file : undefined, store })
  }
  return {
    stateDir,
    database,
    appVersion: state.meta.appVersion,
    schemaVersion: state.meta.schemaVersion,
    reader: reader ?? 'node:sqlite',
    agents,
    legacyIdMap: state.legacyIdMap,
    diagnostics,
  }
}
