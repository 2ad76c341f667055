// Gathers what the checks read: the config (or its error) and every agent's own credential store
// (or its error). Reading never writes: legacy files are imported in memory only.
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import {
  checkAgentDirLocation,
  checkAgentId,
  DEFAULT_AGENT_ID,
  loadAuthProfileStore,
  resolveAgentDir,
  resolveAuthStorePath,
  type AuthProfileStore,
  type ClawConfig,
  type StoreDiagnostic,
} from '@claw/auth-profiles'
import { resolveConfigPath } from '../config-file.js'
import { pathExists } from '../fs-exists.js'
import type { Context } from '../context.js'
import type { AgentState, AgentStoreTarget, DoctorState } from './types.js'

/** Agent ids to inspect: main, `agents.list[]`, and every valid dir name under `<state>/agents`. */
async function agentIds(stateDir: string, config: ClawConfig | undefined): Promise<string[]> {
  const ids = new Set<string>()
  for (const entry of config?.agents?.list ?? []) {
    const id = entry.id.trim()
    if (checkAgentId(id) === undefined) ids.add(id)
  }
  try {
    for (const entry of await readdir(join(stateDir, 'agents'), { withFileTypes: true })) {
      if (entry.isDirectory() && checkAgentId(entry.name) === undefined) ids.add(entry.name)
    }
  } catch {
    // No agents dir yet.
  }
  ids.delete(DEFAULT_AGENT_ID)
  return [DEFAULT_AGENT_ID, ...[...ids].sort()]
}

/**
 * The agent's own store: its file, or in fleet mode its fleet backend (routing state in Redis, so
 * cooldowns another host recorded are seen and order repairs reach every host). When the fleet
 * cannot be set up (bad `state` settings, missing encryption key) the file is read; the Redis
 * check reports why.
 */
async function agentStoreTarget(
  context: Context,
  agentId: string,
  agentDir: string,
  config: ClawConfig | undefined,
  onDiagnostic: (diagnostic: StoreDiagnostic) => void,
): Promise<AgentStoreTarget> {
  const file = { agentDir, mainAgentDir: null } as const
  if (config?.state?.backend !== 'redis') return file
  try {
    const fleet = await context.fleet()
    if (!fleet) return file
    const { fleetStoreBackend } = await import('@claw/auth-profiles/redis')
    return {
      backend: await fleetStoreBackend({
        fleet,
        config,
        agentId,
        agentDir,
        mainAgentDir: null,
        env: context.env,
        store: { onDiagnostic },
      }),
    }
  } catch {
    return file
  }
}

async function loadAgent(
  context: Context,
  agentId: string,
  stateDir: string,
  config: ClawConfig | undefined,
): Promise<AgentState | undefined> {
  let agentDir: string
  try {
    agentDir = resolveAgentDir(agentId, {
      stateDir,
      config,
      env: context.env,
      homeDir: context.io.homeDir,
    })
  } catch {
    return undefined
  }
  const storePath = resolveAuthStorePath(agentDir)
  const locationProblem = checkAgentDirLocation(agentId, {
    stateDir,
    config,
    env: context.env,
    homeDir: context.io.homeDir,
  })
  if (locationProblem !== undefined) {
    // Not read: whatever sits there is not this state dir's, and repairs must not write to it.
    return {
      agentId,
      agentDir,
      storePath,
      store: undefined,
      storeTarget: { agentDir, mainAgentDir: null },
      storeExists: await pathExists(storePath),
      locationProblem,
      diagnostics: [],
    }
  }
  const diagnostics: AgentState['diagnostics'][number][] = []
  const onDiagnostic = (diagnostic: StoreDiagnostic) => {
    // Permissions and legacy imports have checks of their own.
    if (diagnostic.code === 'insecure_permissions' || diagnostic.code === 'legacy_import') return
    diagnostics.push({ code: diagnostic.code, path: diagnostic.path, message: diagnostic.message })
  }
  const storeTarget = await agentStoreTarget(context, agentId, agentDir, config, onDiagnostic)
  let store: AuthProfileStore | undefined
  let storeError: AgentState['storeError']
  try {
    store = await loadAuthProfileStore({ ...storeTarget, env: context.env, onDiagnostic })
  } catch (error) {
    storeError = error instanceof Error ? error : new Error(String(error))
  }
  return {
    agentId,
    agentDir,
    storePath,
    store,
    storeTarget,
    storeExists: await pathExists(storePath),
    ...(storeError ? { storeError } : {}),
    diagnostics,
  }
}

/** Reads the config and every agent's store, recording errors instead of throwing. */
export async function gatherDoctorState(context: Context): Promise<DoctorState> {
  const stateDir = context.stateDir
  let configPath = resolveConfigPath(stateDir, context.env)
  let configExists = await pathExists(configPath)
  let config: ClawConfig | undefined
  let rawConfig: Record<string, unknown> | undefined
  let configError: Error | undefined
  try {
    const loaded = await context.loadConfig()
    configPath = loaded.path
    configExists = loaded.exists
    config = loaded.config
    rawConfig = loaded.raw
  } catch (error) {
    configError = error instanceof Error ? error : new Error(String(error))
  }
  const agents: AgentState[] = []
  for (const agentId of await agentIds(stateDir, config)) {
    const agent = await loadAgent(context, agentId, stateDir, config)
    if (agent) agents.push(agent)
  }
  return {
    context,
    stateDir,
    configPath,
    configExists,
    config,
    rawConfig,
    ...(configError ? { configError } : {}),
    agents,
    now: context.now(),
  }
}

/** Every profile id stored in any agent's own store. */
export function storedProfileIds(state: DoctorState): Set<string> {
  const ids = new Set<string>()
  for (const agent of state.agents) {
    for (const id of Object.keys(agent.store?.profiles ?? {})) ids.add(id)
  }
  return ids
}

/** ` (agent <id>)` for agents other than main, for human-readable messages. */
export function agentSuffix(agentId: string): string {
  return agentId === DEFAULT_AGENT_ID ? '' : ` (agent ${agentId})`
}
