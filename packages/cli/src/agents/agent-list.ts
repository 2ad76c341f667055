// `agents.list[]` in the config: reading the configured ids and editing the raw list.
import type { ClawConfig } from '@claw/auth-profiles'

/** The ids of `agents.list[]` (trimmed, first occurrence of each, in config order). */
export function configuredAgentIds(config: ClawConfig): string[] {
  const ids: string[] = []
  for (const entry of config.agents?.list ?? []) {
    const id = entry.id.trim()
    if (!ids.includes(id)) ids.push(id)
  }
  return ids
}

/** `raw.agents.list` of a raw config document, created when missing. */
export function agentListEntries(raw: Record<string, unknown>): Record<string, unknown>[] {
  const agents = raw['agents']
  const container =
    typeof agents === 'object' && agents !== null && !Array.isArray(agents)
      ? (agents as Record<string, unknown>)
      : (raw['agents'] = {} as Record<string, unknown>)
  if (!Array.isArray(container['list'])) container['list'] = []
  return container['list'] as Record<string, unknown>[]
}
