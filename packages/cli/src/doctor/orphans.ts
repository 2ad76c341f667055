// Orphans: order entries (store `order`, config `auth.order`) naming profiles that do not exist,
// and temp files left by crashed atomic writes of a store. `--fix` removes them (store edits through
// the library's locked update, config edits through `context.updateConfig`; temp files are swept by
// the library under the store lock).
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { DEFAULT_AGENT_ID, updateAuthProfileStore } from '@claw/auth-profiles'
import { formatConfigPath } from '@claw/model-catalog'
import { safe } from '../text.js'
import { dropConfigOrderEntries } from './config-edit.js'
import { pathExists } from '../fs-exists.js'
import { agentSuffix, storedProfileIds } from './state.js'
import type { AgentState, DoctorCheck, DoctorState, Finding, Repair } from './types.js'

const TEMP_FILE = /^\.auth-profiles\.json\..+\.tmp$/

/** Profiles an agent's order may name: its own, plus main's (sub-agents read main's through). */
function knownProfiles(state: DoctorState, agent: AgentState): Set<string> {
  const ids = new Set(Object.keys(agent.store?.profiles ?? {}))
  const main = state.agents.find((entry) => entry.agentId === DEFAULT_AGENT_ID)
  if (agent.agentId !== DEFAULT_AGENT_ID) {
    for (const id of Object.keys(main?.store?.profiles ?? {})) ids.add(id)
  }
  return ids
}

/** Where an agent's order lists live: its store file, or Redis in fleet mode. */
function orderLocation(agent: AgentState): string {
  return 'backend' in agent.storeTarget
    ? `Redis (${agent.storeTarget.backend.location})`
    : agent.storePath
}

function dropStoreOrderEntry(
  state: DoctorState,
  agent: AgentState,
  provider: string,
  profileId: string,
): Repair {
  const path = formatConfigPath(['order', provider])
  return {
    kind: 'safe',
    async apply() {
      const { result } = await updateAuthProfileStore(
        { ...agent.storeTarget, env: state.context.env },
        (store) => {
          const list = store.order?.[provider]
          if (!store.order || !list?.includes(profileId) || profileId in store.profiles)
            return false
          const kept = list.filter((id) => id !== profileId)
          if (kept.length === 0) delete store.order[provider]
          else store.order[provider] = kept
          if (Object.keys(store.order).length === 0) delete store.order
          return true
        },
      )
      return result
        ? [`Removed orphan ${safe(profileId)} from ${safe(path)} in ${orderLocation(agent)}`]
        : []
    },
  }
}

function dropConfigOrderEntry(state: DoctorState, provider: string, profileId: string): Repair {
  const path = formatConfigPath(['auth', 'order', provider])
  return {
    kind: 'safe',
    async apply() {
      let removed = 0
      await state.context.updateConfig((raw) => {
        removed = dropConfigOrderEntries(
          raw,
          (entryProvider, id) => entryProvider === provider && id === profileId,
        ).length
      })
      return removed > 0
        ? [`Removed orphan ${safe(profileId)} from ${safe(path)} in ${state.configPath}`]
        : []
    },
  }
}

async function tempFiles(agentDir: string): Promise<string[]> {
  try {
    return (await readdir(agentDir)).filter((name) => TEMP_FILE.test(name)).sort()
  } catch {
    return []
  }
}

function sweep(state: DoctorState, agent: AgentState, names: readonly string[]): Repair {
  return {
    kind: 'safe',
    async apply() {
      let failure: Error | undefined
      try {
        // The store's lock guarantees no writer is using them; the library sweeps under it.
        await updateAuthProfileStore(
          { agentDir: agent.agentDir, mainAgentDir: null, env: state.context.env },
          () => undefined,
        )
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error))
      }
      const lines: string[] = []
      for (const name of names) {
        const path = join(agent.agentDir, name)
        if (!(await pathExists(path))) lines.push(`Removed orphan temp file ${safe(path)}`)
      }
      if (lines.length === 0 && failure !== undefined) throw failure
      return lines
    },
  }
}

/**
 * When every id of a list is an orphan, routing ignores the list (the provider is not stranded):
 * say so, since removing the entries then changes nothing about which profiles are used.
 */
function ignoredNote(ids: readonly string[], orphans: readonly string[]): string {
  return ids.length > 0 && orphans.length === ids.length
    ? " No profile it lists exists, so claw ignores the list and uses the provider's other profiles."
    : ''
}

export const orphansCheck: DoctorCheck = {
  area: 'orphans',
  title: 'Order lists and temp files',
  okMessage: 'No orphan order entries or temp files.',
  async run(state) {
    const findings: Finding[] = []
    for (const agent of state.agents) {
      const store = agent.store
      if (store) {
        const known = knownProfiles(state, agent)
        for (const [provider, ids] of Object.entries(store.order ?? {})) {
          const orphans = ids.filter((id) => !known.has(id))
          for (const profileId of orphans) {
            const path = formatConfigPath(['order', provider])
            findings.push({
              id: 'orphans.store_order',
              severity: 'warning',
              message: `${safe(path)} in ${orderLocation(agent)}${agentSuffix(agent.agentId)} lists ${safe(profileId)}, which has no profile.${ignoredNote(ids, orphans)}`,
              agentId: agent.agentId,
              profileId,
              file: agent.storePath,
              fix: 'claw doctor --fix removes it (a list that empties is removed).',
              repair: dropStoreOrderEntry(state, agent, provider, profileId),
            })
          }
        }
      }
      const names = await tempFiles(agent.agentDir)
      if (names.length > 0) {
        findings.push({
          id: 'orphans.temp_file',
          severity: 'warning',
          message: `${names.length} orphan temp file(s) from an interrupted write in ${agent.agentDir}: ${names.map(safe).join(', ')}.`,
          agentId: agent.agentId,
          file: agent.agentDir,
          fix: 'claw doctor --fix removes them (under the store lock).',
          repair: sweep(state, agent, names),
        })
      }
    }
    // Config order entries: a profile in some store, or declared as ambient (aws-sdk) credentials.
    if (state.config && state.agents.every((agent) => agent.store !== undefined)) {
      const known = storedProfileIds(state)
      for (const [id, entry] of Object.entries(state.config.auth?.profiles ?? {})) {
        if (entry.mode === 'aws-sdk') known.add(id)
      }
      for (const [provider, ids] of Object.entries(state.config.auth?.order ?? {})) {
        const orphans = ids.map((id) => id.trim()).filter((id) => !known.has(id))
        for (const profileId of orphans) {
          const path = formatConfigPath(['auth', 'order', provider])
          findings.push({
            id: 'orphans.config_order',
            severity: 'warning',
            message: `${safe(path)} in ${state.configPath} lists ${safe(profileId)}, which has no profile.${ignoredNote(ids, orphans)}`,
            profileId,
            file: state.configPath,
            fix: 'claw doctor --fix removes it (a list that empties is removed).',
            repair: dropConfigOrderEntry(state, provider, profileId),
          })
        }
      }
    }
    return findings
  },
}
