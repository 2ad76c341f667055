// Which credentials `models status --probe` calls, with which model, and why the others are not.
import {
  evaluateProfileEligibility,
  listProfilesForProvider,
  resolveAuthProfileOrder,
  resolveEnvApiKey,
  resolveExplicitOrder,
  type AuthProfileStore,
  type ClawConfig,
  type ProfileEligibilityCode,
} from '@claw/auth-profiles'
import { modelKey, parseModelRef, type ModelCatalog } from '@claw/model-catalog'
import { profileDisplayLabel, providerHasAuth } from './auth-overview.js'
import type { ProbeOptions, ProbeResult } from './probe-summary.js'

const LEGACY_MISSING_LINE = 'Auth profile credentials are missing or expired.'

export interface ProbeTarget {
  readonly provider: string
  readonly model: { readonly provider: string; readonly model: string }
  readonly profileId?: string
  readonly label: string
  readonly source: 'profile' | 'env' | 'models.json'
  readonly mode?: string
}

/** The part of a probe run that decides its targets. */
export interface ProbeTargetOptions {
  readonly providers: readonly string[]
  /** Resolved `provider/model` keys of the configured models, in preference order. */
  readonly candidateKeys: readonly string[]
  readonly store: AuthProfileStore
  readonly config: ClawConfig
  readonly env: Readonly<Record<string, string | undefined>>
  readonly now: () => number
  readonly options: ProbeOptions
}

const MISSING_REASONS: Partial<Record<ProfileEligibilityCode, string>> = {
  expired: 'token credentials are expired.',
  invalid_expires: 'token expires must be a positive Unix ms timestamp.',
  missing_credential: 'no inline credential or SecretRef is configured.',
  unresolved_ref: 'configured SecretRef could not be resolved.',
  needs_reauth: 'the last OAuth refresh failed for good; log in again.',
}

/** The message OpenClaw prints for a credential that cannot be used, with the reason code. */
export function missingCredentialError(code: string): string {
  const reason = MISSING_REASONS[code as ProfileEligibilityCode]
  return reason
    ? `${LEGACY_MISSING_LINE}\n↳ Auth reason [${code}]: ${reason}`
    : `${LEGACY_MISSING_LINE}\n↳ Auth reason [ineligible_profile]: profile is incompatible with provider config.`
}

function eligibilityReasonCode(code: ProfileEligibilityCode): string {
  return code in MISSING_REASONS ? code : 'ineligible_profile'
}

function selectModel(provider: string, candidateKeys: readonly string[], catalog: ModelCatalog) {
  for (const key of candidateKeys) {
    const ref = parseModelRef(key, { defaultProvider: provider })
    if (ref?.provider === provider) return ref
  }
  const first = catalog.list({ provider })[0]
  return first ? { provider: first.provider, model: first.id } : undefined
}

/**
 * What to probe: one target per credential (profiles, else the env key or models.json), and the
 * results of those that cannot be probed (excluded by `auth.order`, ineligible, no model).
 */
export function buildTargets(run: ProbeTargetOptions, catalog: ModelCatalog) {
  const { store, config, env, options } = run
  const filterKey = options.provider?.trim()
    ? parseModelRef(`${options.provider.trim()}/_`, { defaultProvider: '' })?.provider
    : undefined
  const profileFilter = new Set(options.profileIds)
  const targets: ProbeTarget[] = []
  const results: ProbeResult[] = []
  for (const provider of run.providers) {
    if (filterKey && provider !== filterKey) continue
    const model = selectModel(provider, run.candidateKeys, catalog)
    const modelLabel = model ? modelKey(model) : undefined
    const explicitOrder = resolveExplicitOrder(store, provider, config)
    const allowed =
      explicitOrder && explicitOrder.length > 0
        ? new Set(resolveAuthProfileOrder({ store, provider, config, now: run.now }))
        : undefined
    const profileIds = listProfilesForProvider(store, provider).filter(
      (id) => profileFilter.size === 0 || profileFilter.has(id),
    )
    for (const profileId of profileIds) {
      const label = profileDisplayLabel(store, config, profileId)
      const base = {
        provider,
        ...(modelLabel ? { model: modelLabel } : {}),
        profileId,
        label,
        source: 'profile' as const,
        mode: store.profiles[profileId]!.type,
      }
      if (explicitOrder && !explicitOrder.includes(profileId)) {
        results.push({
          ...base,
          status: 'unknown',
          reasonCode: 'excluded_by_auth_order',
          error: 'Excluded by auth.order for this provider.',
        })
      } else if (allowed && !allowed.has(profileId)) {
        const code = eligibilityReasonCode(
          evaluateProfileEligibility({ store, profileId, provider, config, now: run.now }).code,
        )
        results.push({
          ...base,
          status: 'unknown',
          reasonCode: code,
          error: missingCredentialError(code),
        })
      } else if (!model) {
        results.push(noModel(base))
      } else {
        targets.push({ ...base, model })
      }
    }
    if (profileIds.length > 0 || profileFilter.size > 0) continue
    if (!providerHasAuth(provider, { version: 1, profiles: {} }, config, env)) continue
    const envKey = resolveEnvApiKey(provider, { env })
    const source = envKey ? ('env' as const) : ('models.json' as const)
    const base = {
      provider,
      label: source,
      source,
      mode: envKey?.mode === 'oauth' ? 'oauth' : 'api_key',
    }
    if (!model) results.push(noModel(base))
    else targets.push({ ...base, model })
  }
  return { targets, results }
}

function noModel(base: Omit<ProbeResult, 'status'>): ProbeResult {
  const { model: _model, ...rest } = base
  return {
    ...rest,
    status: 'no_model',
    reasonCode: 'no_model',
    error: 'No model available for probe',
  }
}
