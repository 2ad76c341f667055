// `importOpenClawState`: an OpenClaw state dir's profiles, order, lastGood and usage state, per
// agent, into claw's stores. The import is idempotent (a second run changes nothing) and never
// silently replaces what claw already has: each decision is reported, and `dryRun` reports the
// same decisions without writing.
import { AuthProfilesError } from '../errors.js'
import type { ExternalImportSkip } from '../credentials/external-cli/index.js'
import { decideImport } from '../credentials/external-cli/import-rules.js'
import type { AuthStoreTarget } from '../store/store-backend.js'
import {
  clearProfileFailureState,
  loadAuthProfileStore,
  updateAuthProfileStore,
} from '../store/store.js'
import type { Env } from '../runtime.js'
import type { AuthProfileStore } from '../types.js'
import { mapOpenClawStore } from './mapping.js'
import {
  readOpenClawState,
  type OpenClawState,
  type ReadOpenClawStateOptions,
} from './state-dir.js'
import type { SqliteReaderName } from './sqlite-snapshot.js'

/** @public */
export interface ImportOpenClawStateOptions extends ReadOpenClawStateOptions {
  /** Where agent `<id>`'s claw store lives (`{ agentDir }` or `{ backend }`). */
  readonly target: (agentId: string) => AuthStoreTarget | Promise<AuthStoreTarget>
  /** Report what would change; write nothing. */
  readonly dryRun?: boolean | undefined
  /** For the file backend's `${VAR}`/SecretRef handling; default `process.env`. */
  readonly env?: Env | undefined
}

/**
 * A routing-state entry (`order`, `lastGood`) that claw already has with another value: claw's is
 * kept.
 *
 * @public
 */
export interface OpenClawStateConflict {
  readonly kind: 'order' | 'lastGood'
  readonly provider: string
  /** One line for humans (ids only, never a secret). */
  readonly message: string
}

/** What happened to one agent. @public */
export interface OpenClawAgentImport {
  readonly agentId: string
  /** Profiles written (new, or replacing an older credential). */
  readonly imported: readonly string[]
  /** Profiles left as claw has them, with the reason (`identical` on a re-import). */
  readonly skipped: readonly ExternalImportSkip[]
  /** Profiles whose usage state (cooldowns, counters, last use) was taken from OpenClaw. */
  readonly usageImported: readonly string[]
  /** Providers whose `order` / `lastGood` entry was taken from OpenClaw. */
  readonly orderImported: readonly string[]
  readonly lastGoodImported: readonly string[]
  readonly conflicts: readonly OpenClawStateConflict[]
  /** True when the claw store was changed (always false with `dryRun`). */
  readonly written: boolean
}

/** @public */
export interface OpenClawImportResult {
  readonly stateDir: string
  readonly appVersion: string | undefined
  readonly schemaVersion: number
  readonly reader: SqliteReaderName
  readonly agents: readonly OpenClawAgentImport[]
  /** OpenClaw id → claw id for ChatGPT OAuth profiles, which claw keeps under `openai-codex`. */
  readonly renamed: Readonly<Record<string, string>>
  readonly dryRun: boolean
}

type Decisions = Omit<OpenClawAgentImport, 'agentId' | 'written'>

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((id, index) => id === b[index])
}

/** Applies one agent's OpenClaw store to a claw store in place; returns what it decided. */
function applyAgent(target: AuthProfileStore, source: AuthProfileStore): Decisions {
  const imported: string[] = []
  const skipped: ExternalImportSkip[] = []
  const usageImported: string[] = []
  for (const [profileId, credential] of Object.entries(source.profiles)) {
    const existing = Object.hasOwn(target.profiles, profileId)
      ? target.profiles[profileId]
      : undefined
    const skip = decideImport(profileId, existing, credential)
    const stats = source.usageStats?.[profileId]
    if (skip) {
      skipped.push(skip)
      // The same credential: OpenClaw's usage state is taken only if claw has none of its own.
      if (skip.reason === 'identical' && stats && !target.usageStats?.[profileId]) {
        target.usageStats = { ...target.usageStats, [profileId]: stats }
        usageImported.push(profileId)
      }
      continue
    }
    imported.push(profileId)
    target.profiles[profileId] = { ...credential, generation: (existing?.generation ?? 0) + 1 }
    clearProfileFailureState(target, profileId)
    if (stats) {
      target.usageStats = { ...target.usageStats, [profileId]: stats }
      usageImported.push(profileId)
    }
  }
  const conflicts: OpenClawStateConflict[] = []
  const orderImported: string[] = []
  for (const [provider, ids] of Object.entries(source.order ?? {})) {
    const current = target.order?.[provider]
    if (current === undefined) {
      target.order = { ...target.order, [provider]: [...ids] }
      orderImported.push(provider)
    } else if (!sameList(current, ids)) {
      conflicts.push({
        kind: 'order',
        provider,
        message: `order for ${provider}: claw has [${current.join(', ')}], OpenClaw has [${ids.join(', ')}]; claw's is kept (set it with claw models auth order set)`,
      })
    }
  }
  const lastGoodImported: string[] = []
  for (const [provider, id] of Object.entries(source.lastGood ?? {})) {
    const current = target.lastGood?.[provider]
    if (current === undefined) {
      target.lastGood = { ...target.lastGood, [provider]: id }
      lastGoodImported.push(provider)
    } else if (current !== id) {
      conflicts.push({
        kind: 'lastGood',
        provider,
        message: `last good profile for ${provider}: claw has ${current}, OpenClaw has ${id}; claw's is kept`,
      })
    }
  }
  return { imported, skipped, usageImported, orderImported, lastGoodImported, conflicts }
}

async function importAgent(
  target: AuthStoreTarget,
  source: AuthProfileStore,
  options: ImportOpenClawStateOptions,
): Promise<Omit<OpenClawAgentImport, 'agentId'>> {
  // Main's profiles are the base of every sub-agent's view, not part of its own store: the import
  // compares with and writes to the agent's own file only.
  const own = {
    ...target,
    ...('agentDir' in target ? { mainAgentDir: null } : {}),
    ...(options.env === undefined ? {} : { env: options.env }),
  }
  if (options.dryRun) {
    const store = structuredClone(await loadAuthProfileStore(own))
    return { ...applyAgent(store, source), written: false }
  }
  const { result, written } = await updateAuthProfileStore(own, (store) =>
    applyAgent(store, source),
  )
  return { ...result, written }
}

/**
 * Imports an OpenClaw state dir (see {@link readOpenClawState}) into claw's stores, agent by
 * agent (`target(agentId)` says where each one lives). Per profile the rules of every claw
 * import apply: an API key is never overwritten, OAuth is never downgraded to a token, a
 * credential that expires later is kept, identical values are skipped (so a second import
 * changes nothing), an id held by another provider is skipped. An imported profile brings its
 * usage state (cooldowns, failure counters, last use); `order` and `lastGood` entries are taken
 * for providers claw has none for, and differing ones are reported as conflicts, claw's kept.
 * ChatGPT OAuth profiles move to claw's `openai-codex` provider (see `renamed`).
 *
 * The OpenClaw dir is only read. Each agent's claw store is changed in one locked write.
 *
 * @throws {AuthProfilesError} the read errors of {@link readOpenClawState};
 *   `ERR_NO_CREDENTIALS` when the dir holds no profiles; the claw store's load/write errors.
 * @example
 * ```ts
 * const result = await importOpenClawState({
 *   stateDir: '/home/me/.openclaw',
 *   target: (agentId) => ({ agentDir: resolveAgentDir(agentId) }),
 * })
 * ```
 * @public
 */
export async function importOpenClawState(
  options: ImportOpenClawStateOptions,
): Promise<OpenClawImportResult> {
  const state: OpenClawState = await readOpenClawState(options)
  if (state.agents.every((agent) => Object.keys(agent.store.profiles).length === 0)) {
    throw new AuthProfilesError(
      'ERR_NO_CREDENTIALS',
      options.agentId === undefined
        ? `The OpenClaw state dir ${state.stateDir} holds no auth profiles to import.`
        : `The OpenClaw state dir ${state.stateDir} holds no auth profiles for agent ${options.agentId}.`,
      { path: state.database },
    )
  }
  const renamed: Record<string, string> = {}
  const agents: OpenClawAgentImport[] = []
  for (const agent of state.agents) {
    const mapped = mapOpenClawStore(agent.store, state.legacyIdMap)
    Object.assign(renamed, mapped.renamed)
    const done = await importAgent(await options.target(agent.agentId), mapped.store, options)
    agents.push({ agentId: agent.agentId, ...done })
  }
  return {
    stateDir: state.stateDir,
    appVersion: state.appVersion,
    schemaVersion: state.schemaVersion,
    reader: state.reader,
    agents,
    renamed,
    dryRun: options.dryRun === true,
  }
}
