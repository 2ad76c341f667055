// Deprecated CLI profiles (OpenClaw's doctor step 2): `anthropic:claude-cli` and
// `openai-codex:codex-cli` are no longer synced. Removal deletes them from every store (profiles,
// usage stats, order lists, lastGood) and from the config's `auth.profiles` and `auth.order`.
// It deletes credentials, so it needs `--yes` or a confirmation.
import { removeAuthProfile } from '@claw/auth-profiles'
import { formatConfigPath } from '@claw/model-catalog'
import { dropConfigOrderEntries, rawAuthProfiles } from './config-edit.js'
import type { DoctorCheck, DoctorState, Finding, Repair } from './types.js'

/** Deprecated profile ids and what to use instead. */
export const DEPRECATED_CLI_PROFILES: Readonly<Record<string, string>> = {
  'anthropic:claude-cli':
    'Claude Code credentials are no longer synced; run `claude setup-token`, then `claw models auth setup-token`.',
  'openai-codex:codex-cli':
    'Codex CLI credentials are no longer synced; run `claw models auth login --provider openai-codex`.',
}

const PROMPT = 'Remove deprecated CLI auth profiles now?'

function mentionedInStore(state: DoctorState, profileId: string): string[] {
  return state.agents.flatMap((agent) => {
    const store = agent.store
    if (!store) return []
    const referenced =
      profileId in store.profiles ||
      Object.values(store.order ?? {}).some((ids) => ids.includes(profileId)) ||
      Object.values(store.lastGood ?? {}).includes(profileId) ||
      (store.usageStats !== undefined && profileId in store.usageStats)
    return referenced ? [agent.agentId] : []
  })
}

function mentionedInConfig(state: DoctorState, profileId: string): boolean {
  const auth = state.config?.auth
  return (
    (auth?.profiles !== undefined && profileId in auth.profiles) ||
    Object.values(auth?.order ?? {}).some((ids) => ids.some((id) => id.trim() === profileId))
  )
}

function removal(state: DoctorState, profileId: string, agentIds: readonly string[]): Repair {
  return {
    kind: 'confirm',
    prompt: PROMPT,
    async apply() {
      const lines: string[] = []
      for (const agent of state.agents.filter((entry) => agentIds.includes(entry.agentId))) {
        const fleet = await state.context.fleet()
        const before = await removeAuthProfile({
          ...(fleet
            ? await state.context.storeTarget(agent.agentId)
            : { agentDir: agent.agentDir, mainAgentDir: null }),
          profileId,
          env: state.context.env,
        })
        lines.push(
          before
            ? `Removed profile ${profileId} from ${agent.storePath}`
            : `Removed references to ${profileId} from ${agent.storePath}`,
        )
      }
      if (state.config && mentionedInConfig(state, profileId)) {
        const changes: string[] = []
        await state.context.updateConfig((raw) => {
          const profiles = rawAuthProfiles(raw)
          if (profiles && profileId in profiles) {
            delete profiles[profileId]
            changes.push(formatConfigPath(['auth', 'profiles', profileId]))
          }
          for (const [provider] of dropConfigOrderEntries(raw, (_, id) => id === profileId)) {
            changes.push(formatConfigPath(['auth', 'order', provider]))
          }
        })
        for (const path of changes)
          lines.push(`Removed ${profileId} from ${path} in ${state.configPath}`)
      }
      return lines
    },
  }
}

export const deprecatedCheck: DoctorCheck = {
  area: 'deprecated',
  title: 'Deprecated CLI profiles',
  okMessage: 'No deprecated CLI profiles.',
  run(state) {
    const findings: Finding[] = []
    for (const [profileId, advice] of Object.entries(DEPRECATED_CLI_PROFILES)) {
      const agentIds = mentionedInStore(state, profileId)
      const inConfig = mentionedInConfig(state, profileId)
      if (agentIds.length === 0 && !inConfig) continue
      findings.push({
        id: 'deprecated.cli_profile',
        severity: 'warning',
        message: `${profileId} is deprecated: ${advice}`,
        profileId,
        fix: `claw doctor --fix --yes removes it from ${[...(agentIds.length > 0 ? ['the credential store'] : []), ...(inConfig ? ['the config'] : [])].join(' and ')}.`,
        repair: removal(state, profileId, agentIds),
      })
    }
    return findings
  },
}
