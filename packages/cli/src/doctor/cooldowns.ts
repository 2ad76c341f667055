// Auth profile cooldowns (OpenClaw's doctor step 3): one line per profile that cannot be used now.
import { resolveProfileUnusableUntilForDisplay, type ProfileUsageStats } from '@claw/auth-profiles'
import { formatRemainingShort } from '../format-remaining.js'
import { safe } from '../text.js'
import { agentSuffix } from './state.js'
import type { DoctorCheck, Finding } from './types.js'

function active(value: number | undefined, now: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > now
}

function disabledAdvice(reason: string): string {
  if (reason === 'billing') return 'Top up credits (provider billing) or switch provider.'
  if (reason === 'auth' || reason === 'auth_permanent') return 'Re-auth or switch provider.'
  return 'Wait for it to expire or switch provider.'
}

/** Model ids whose model-scoped cooldown is active, when the profile-wide one is not. */
function modelsOnly(stats: ProfileUsageStats, now: number): string[] {
  const profileWide = active(stats.cooldownUntil, now) && stats.cooldownModel === undefined
  if (profileWide) return []
  const models = Object.entries(stats.modelCooldowns ?? {})
    .filter(([, entry]) => active(entry.until, now))
    .map(([model]) => model)
  if (active(stats.cooldownUntil, now) && stats.cooldownModel !== undefined)
    models.push(stats.cooldownModel)
  return [...new Set(models)].sort()
}

export const cooldownsCheck: DoctorCheck = {
  area: 'cooldowns',
  title: 'Cooldowns',
  okMessage: 'No profile is cooling down or disabled.',
  run(state) {
    const findings: Finding[] = []
    const now = state.now
    for (const agent of state.agents) {
      const store = agent.store
      if (!store) continue
      for (const profileId of Object.keys(store.profiles).sort()) {
        const stats = store.usageStats?.[profileId]
        const until = resolveProfileUnusableUntilForDisplay(stats)
        if (!stats || until === undefined || until <= now) continue
        const id = `${safe(profileId)}${agentSuffix(agent.agentId)}`
        const common = {
          agentId: agent.agentId,
          profileId,
          file: agent.storePath,
          fix: `claw models auth clear-cooldown ${safe(profileId)}${agent.agentId === 'main' ? '' : ` --agent ${agent.agentId}`} makes it usable again now.`,
        }
        if (active(stats.disabledUntil, now)) {
          const reason = stats.disabledReason ?? 'unknown'
          findings.push({
            id: 'cooldowns.disabled',
            severity: 'warning',
            message: `${id}: disabled:${reason} (${formatRemainingShort(stats.disabledUntil - now)}) — ${disabledAdvice(reason)}`,
            ...common,
          })
          continue
        }
        const models = modelsOnly(stats, now)
        const scope = models.length > 0 ? ` for ${models.map(safe).join(', ')}` : ''
        findings.push({
          id: 'cooldowns.cooldown',
          severity: 'info',
          message: `${id}: cooldown${scope} (${formatRemainingShort(until - now)}) — Wait for cooldown or switch provider.`,
          ...common,
        })
      }
    }
    return findings
  },
}
