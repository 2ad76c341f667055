import { normalizeProviderId } from '@claw/model-catalog'
import type { ClawConfig } from './config.js'
import { resolveProfileUnusableUntil } from './cooldowns.js'
import { resolveClock, type Clock } from './runtime.js'
import type { AuthProfileCredential, AuthProfileStore } from './types.js'

/**
 * Why a profile can or cannot be used. `excluded_by_auth_order` is reported by callers that
 * compare against an explicit order (probes, route plans).
 *
 * @public
 */
export type ProfileEligibilityCode =
  | 'ok'
  | 'missing_credential'
  | 'invalid_expires'
  | 'expired'
  | 'unresolved_ref'
  | 'ineligible_profile'
  | 'excluded_by_auth_order'
  | 'needs_reauth'

/** @public */
export interface ProfileEligibility {
  readonly eligible: boolean
  readonly code: ProfileEligibilityCode
  /** A short explanation for people (never contains a secret). */
  readonly detail: string
}

/** Largest `expires` accepted as a timestamp (the maximum JavaScript date). */
const MAX_TIMESTAMP = 8.64e15

/**
 * Profile ids whose provider (normalised) is `provider`, in store order.
 *
 * @public
 */
export function listProfilesForProvider(store: AuthProfileStore, provider: string): string[] {
  const providerKey = normalizeProviderId(provider)
  return Object.keys(store.profiles).filter(
    (profileId) => normalizeProviderId(store.profiles[profileId]?.provider ?? '') === providerKey,
  )
}

/** Whether a config `auth.profiles[id].mode` accepts a stored credential type. @internal */
export function modeAcceptsType(mode: string, type: AuthProfileCredential['type']): boolean {
  return mode === type || (mode === 'oauth' && type === 'token')
}

function ineligible(code: ProfileEligibilityCode, detail: string): ProfileEligibility {
  return { eligible: false, code, detail }
}

const OK: ProfileEligibility = Object.freeze({ eligible: true, code: 'ok', detail: 'usable' })

/** @public */
export interface EvaluateProfileEligibilityOptions {
  readonly store: AuthProfileStore
  readonly profileId: string
  /** The provider the profile is wanted for (compared after normalisation). */
  readonly provider: string
  readonly config?: ClawConfig | undefined
  readonly now?: Clock
}

/**
 * Whether a profile may be used for a provider, with a reason code. A profile is ineligible when
 * it is not in the store, belongs to another provider, contradicts its config entry
 * (`auth.profiles[id]`: other provider, or a mode other than its type — mode `oauth` accepts a
 * stored `token`), has an empty key/token, an expired or malformed token expiry, an OAuth pair
 * with neither token, or is marked as needing re-auth. An OAuth profile whose access token expired
 * but which has a refresh token stays eligible (it will be refreshed). Cooldowns are not
 * eligibility: see {@link isProfileInCooldown}.
 *
 * @public
 */
export function evaluateProfileEligibility(
  options: EvaluateProfileEligibilityOptions,
): ProfileEligibility {
  const credential = options.store.profiles[options.profileId]
  if (!credential) return ineligible('missing_credential', 'not in the auth store')
  const providerKey = normalizeProviderId(options.provider)
  if (normalizeProviderId(credential.provider) !== providerKey) {
    return ineligible(
      'ineligible_profile',
      `stored for provider ${normalizeProviderId(credential.provider)}`,
    )
  }
  const configured = options.config?.auth?.profiles?.[options.profileId]
  if (configured) {
    if (normalizeProviderId(configured.provider) !== providerKey) {
      return ineligible(
        'ineligible_profile',
        `configured for provider ${normalizeProviderId(configured.provider)}`,
      )
    }
    if (!modeAcceptsType(configured.mode, credential.type)) {
      return ineligible(
        'ineligible_profile',
        `configured mode ${configured.mode} does not match stored type ${credential.type}`,
      )
    }
  }
  if (credential.status === 'needs_reauth') return ineligible('needs_reauth', 'needs a new login')
  switch (credential.type) {
    case 'api_key':
      if (credential.keyRef) return OK
      return (credential.key ?? '').trim() === ''
        ? ineligible('missing_credential', 'empty API key')
        : OK
    case 'token': {
      if (!credential.tokenRef && (credential.token ?? '').trim() === '') {
        return ineligible('missing_credential', 'empty token')
      }
      const expires = credential.expires
      if (expires === undefined) return OK
      if (!(Number.isFinite(expires) && expires > 0 && expires <= MAX_TIMESTAMP)) {
        return ineligible('invalid_expires', 'token expiry is not a valid timestamp')
      }
      return resolveClock(options)() >= expires ? ineligible('expired', 'token expired') : OK
    }
    case 'oauth':
      return credential.access === '' && credential.refresh === ''
        ? ineligible(
            'missing_credential',
            'OAuth profile has neither an access nor a refresh token',
          )
        : OK
  }
}

function findByProvider<T>(
  map: Readonly<Record<string, T>> | undefined,
  providerKey: string,
): T | undefined {
  if (!map) return undefined
  for (const [key, value] of Object.entries(map)) {
    if (normalizeProviderId(key) === providerKey) return value
  }
  return undefined
}

/** The explicit order for a provider: the store's override, else config `auth.order`. @public */
export function resolveExplicitOrder(
  store: AuthProfileStore,
  provider: string,
  config?: ClawConfig,
): readonly string[] | undefined {
  const providerKey = normalizeProviderId(provider)
  return (
    findByProvider(store.order, providerKey) ?? findByProvider(config?.auth?.order, providerKey)
  )
}

const typeScore: Record<AuthProfileCredential['type'], number> = { oauth: 0, token: 1, api_key: 2 }

/** @public */
export interface ResolveAuthProfileOrderOptions {
  readonly store: AuthProfileStore
  readonly provider: string
  readonly config?: ClawConfig | undefined
  /** Moved to the front when it is eligible (never added otherwise). */
  readonly preferredProfile?: string | undefined
  /** The model about to be used: model-scoped cooldowns of other models are ignored. */
  readonly model?: string | undefined
  readonly now?: Clock
}

/**
 * The order in which a provider's profiles should be tried (reference §2.3):
 *
 * 1. Base list: the store's `order` for the provider, else config `auth.order`, else the
 *    config `auth.profiles` ids of the provider, else every stored profile of the provider.
 * 2. Ineligible profiles are dropped (see {@link evaluateProfileEligibility}); duplicates removed.
 * 3. With an explicit order its sequence is kept; otherwise profiles go round-robin: OAuth, then
 *    tokens, then API keys, each oldest `lastUsed` first. `lastGood` is deliberately ignored.
 * 4. Profiles unusable now (cooldown or disabled) go to the end, soonest-usable first.
 * 5. `preferredProfile` moves to the front.
 *
 * @public
 */
export function resolveAuthProfileOrder(options: ResolveAuthProfileOrderOptions): string[] {
  const { store, config } = options
  const providerKey = normalizeProviderId(options.provider)
  const explicitOrder = resolveExplicitOrder(store, providerKey, config)
  const configuredProfiles: string[] = []
  const configured = config?.auth?.profiles
  if (configured) {
    for (const [profileId, entry] of Object.entries(configured)) {
      if (normalizeProviderId(entry.provider) === providerKey) configuredProfiles.push(profileId)
    }
  }
  const base =
    explicitOrder ??
    (configuredProfiles.length > 0
      ? configuredProfiles
      : listProfilesForProvider(store, providerKey))
  const nowMs = resolveClock(options)()
  const clock = () => nowMs
  const seen = new Set<string>()
  const eligible: string[] = []
  for (const profileId of base) {
    if (seen.has(profileId)) continue
    seen.add(profileId)
    if (
      evaluateProfileEligibility({ store, profileId, provider: providerKey, config, now: clock })
        .eligible
    ) {
      eligible.push(profileId)
    }
  }
  const available: { profileId: string; score: number; lastUsed: number; position: number }[] = []
  const unusable: { profileId: string; until: number }[] = []
  for (const profileId of eligible) {
    const stats = store.usageStats?.[profileId]
    const until = resolveProfileUnusableUntil(stats, { model: options.model })
    if (until !== undefined && nowMs < until) unusable.push({ profileId, until })
    else {
      available.push({
        profileId,
        score: typeScore[store.profiles[profileId]?.type ?? 'api_key'],
        lastUsed: stats?.lastUsed ?? 0,
        position: available.length,
      })
    }
  }
  // Sort keys are read once per profile, not once per comparison.
  if (!(explicitOrder && explicitOrder.length > 0)) {
    available.sort(
      (a, b) => a.score - b.score || a.lastUsed - b.lastUsed || a.position - b.position,
    )
  }
  unusable.sort((a, b) => a.until - b.until)
  const order: string[] = []
  for (const entry of available) order.push(entry.profileId)
  for (const entry of unusable) order.push(entry.profileId)
  const preferred = options.preferredProfile
  if (preferred !== undefined) {
    const index = order.indexOf(preferred)
    if (index > 0) {
      order.splice(index, 1)
      order.unshift(preferred)
    }
  }
  return order
}
