// What changes when an OpenClaw 2026.x store moves into claw. OpenClaw 2026.9 retired the
// `openai-codex` provider and keeps ChatGPT sign-in (Codex OAuth) credentials under `openai`, next
// to OpenAI API keys. claw keeps them apart: `openai` is the API-key provider (api.openai.com) and
// `openai-codex` the ChatGPT OAuth provider (its own endpoint and token refresh). So an `openai`
// OAuth profile becomes an `openai-codex` profile, and the ids that point at it (order, lastGood,
// usage) follow. Failure reasons and subscription blocks claw does not have are translated
// (`mapOpenClawUsage`, applied while the rows are read).
import { normalizeProviderId } from '@claw/model-catalog'
import type { AuthProfileCredential, AuthProfileStore, ProfileUsageStats } from '../types.js'

/** claw's provider for ChatGPT sign-in (Codex OAuth) credentials. */
const CODEX_PROVIDER = 'openai-codex'

/** OpenClaw failure reasons claw has no name for, and the claw reason they count as. */
const REASONS: Readonly<Record<string, string>> = {
  session_expired: 'auth',
  empty_response: 'unknown',
  no_error_details: 'unknown',
  unclassified: 'unknown',
  not_found: 'model_not_found',
}

/** @public */
export interface OpenClawStoreMapping {
  readonly store: AuthProfileStore
  /** Profile ids that changed, OpenClaw id → claw id. */
  readonly renamed: Readonly<Record<string, string>>
}

function isCodexOAuth(credential: AuthProfileCredential): boolean {
  return credential.type === 'oauth' && normalizeProviderId(credential.provider) === 'openai'
}

/**
 * The claw id of an OpenClaw ChatGPT OAuth profile: the id it had before OpenClaw's doctor renamed
 * it (`openai-codex:default`), else `openai-codex:<name>`; the OpenClaw id when that is taken.
 */
function codexId(
  profileId: string,
  legacyIdMap: Readonly<Record<string, string>>,
  taken: ReadonlySet<string>,
): string {
  const legacy = Object.entries(legacyIdMap).find(
    ([from, to]) => to === profileId && from.startsWith(`${CODEX_PROVIDER}:`),
  )?.[0]
  const colon = profileId.indexOf(':')
  const candidate =
    legacy ?? `${CODEX_PROVIDER}:${colon < 0 ? profileId : profileId.slice(colon + 1)}`
  return taken.has(candidate) ? profileId : candidate
}

/** An OpenClaw failure reason in claw's terms (unknown names pass through). @internal */
export function mapOpenClawReason(reason: unknown): unknown {
  return typeof reason === 'string' && Object.hasOwn(REASONS, reason) ? REASONS[reason] : reason
}

/**
 * One raw OpenClaw usage entry in claw's terms, before claw's store parser sees it: reasons claw
 * has no name for are translated, and a subscription block (`blockedUntil`, learned from provider
 * reset headers) becomes a cooldown — on the model when OpenClaw recorded one — so claw honours
 * the window OpenClaw learned.
 *
 * @internal
 */
export function mapOpenClawUsage(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const {
    blockedUntil,
    blockedReason: _reason,
    blockedSource: _source,
    blockedModel,
    blockedScope: _scope,
    ...rest
  } = raw
  const out: Record<string, unknown> = { ...rest }
  for (const key of ['cooldownReason', 'disabledReason']) {
    if (out[key] !== undefined) out[key] = mapOpenClawReason(out[key])
  }
  const failureCounts = raw['failureCounts']
  if (
    typeof failureCounts === 'object' &&
    failureCounts !== null &&
    !Array.isArray(failureCounts)
  ) {
    const counts: Record<string, unknown> = {}
    for (const [reason, count] of Object.entries(failureCounts)) {
      const mapped = mapOpenClawReason(reason) as string
      const previous = counts[mapped]
      counts[mapped] =
        typeof previous === 'number' && typeof count === 'number' ? previous + count : count
    }
    out['failureCounts'] = counts
  }
  if (typeof blockedUntil !== 'number' || !Number.isFinite(blockedUntil) || blockedUntil <= 0) {
    return out
  }
  if (typeof blockedModel === 'string' && blockedModel.trim() !== '') {
    const model = blockedModel.includes('/')
      ? blockedModel.slice(blockedModel.indexOf('/') + 1)
      : blockedModel
    const existing = out['modelCooldowns']
    const cooldowns: Record<string, unknown> =
      typeof existing === 'object' && existing !== null ? { ...existing } : {}
    const current = cooldowns[model] as { until?: unknown } | undefined
    if (typeof current?.until !== 'number' || current.until < blockedUntil) {
      cooldowns[model] = { until: blockedUntil, reason: 'rate_limit' }
    }
    out['modelCooldowns'] = cooldowns
  } else if (typeof out['cooldownUntil'] !== 'number' || out['cooldownUntil'] < blockedUntil) {
    out['cooldownUntil'] = blockedUntil
    out['cooldownReason'] = 'rate_limit'
  }
  return out
}

/**
 * Maps one agent's OpenClaw store to claw's model (see the module comment); everything else is
 * kept as stored, including fields claw does not use (`chatgptPlanType`, `lastProbeAt`).
 *
 * @public
 */
export function mapOpenClawStore(
  store: AuthProfileStore,
  legacyIdMap: Readonly<Record<string, string>> = {},
): OpenClawStoreMapping {
  const renamed: Record<string, string> = {}
  const taken = new Set(Object.keys(store.profiles))
  const profiles: Record<string, AuthProfileCredential> = {}
  for (const [profileId, credential] of Object.entries(store.profiles)) {
    if (!isCodexOAuth(credential)) {
      profiles[profileId] = credential
      continue
    }
    const id = codexId(profileId, legacyIdMap, taken)
    if (id !== profileId) {
      renamed[profileId] = id
      taken.add(id)
    }
    profiles[id] = { ...credential, provider: CODEX_PROVIDER }
  }
  const rename = (id: string) => renamed[id] ?? id
  const movedToCodex = (id: string) => {
    const credential = profiles[rename(id)]
    return credential !== undefined && credential.provider === CODEX_PROVIDER
  }
  const out: AuthProfileStore = { version: 1, profiles }
  if (store.order) {
    const order: Record<string, string[]> = {}
    for (const [provider, ids] of Object.entries(store.order)) {
      const isOpenAI = normalizeProviderId(provider) === 'openai'
      const stay = isOpenAI ? ids.filter((id) => !movedToCodex(id)) : ids
      if (stay.length > 0) order[provider] = stay.map(rename)
      if (isOpenAI) {
        const codex = ids.filter(movedToCodex).map(rename)
        if (codex.length > 0) order[CODEX_PROVIDER] = [...(order[CODEX_PROVIDER] ?? []), ...codex]
      }
    }
    out.order = order
  }
  if (store.lastGood) {
    const lastGood: Record<string, string> = {}
    for (const [provider, id] of Object.entries(store.lastGood)) {
      const moved = normalizeProviderId(provider) === 'openai' && movedToCodex(id)
      lastGood[moved ? CODEX_PROVIDER : provider] = rename(id)
    }
    out.lastGood = lastGood
  }
  if (store.usageStats) {
    const usageStats: Record<string, ProfileUsageStats> = {}
    for (const [id, stats] of Object.entries(store.usageStats)) usageStats[rename(id)] = stats
    out.usageStats = usageStats
  }
  return { store: out, renamed }
}
