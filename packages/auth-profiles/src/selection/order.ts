import { normalizeProviderId } from '@claw/model-catalog'
import type { ClawConfig } from '../config.js'
import { isCooldownBypassProvider, resolveProfileUnusableUntil } from './cooldowns.js'
import { DEFAULT_REFRESH_SKEW_MS } from '../oauth/refresh-skew.js'
import { resolveClock, type Clock } from '../runtime.js'
import type { AuthProfileCredential, AuthProfileStore } from '../types.js'

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
  // A loop, not `Object.keys().filter()`: this runs on every failover run, and the key list and
  // callback were a good part of what a run allocates.
  const ids: string[] = []
  for (const profileId in store.profiles) {
    if (!Object.hasOwn(store.profiles, profileId)) continue
    if (normalizeProviderId(store.profiles[profileId]?.provider ?? '') === providerKey)
      ids.push(profileId)
  }
  return ids
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
  return profileEligibility(
    options.store,
    options.profileId,
    options.provider,
    options.config,
    () => resolveClock(options)(),
  )
}

/**
 * {@link evaluateProfileEligibility} without an options object; `now` is read for tokens only.
 * Key resolution applies the same rule, so the order and the keys never disagree.
 *
 * @internal
 */
export function profileEligibility(
  store: AuthProfileStore,
  profileId: string,
  provider: string,
  config: ClawConfig | undefined,
  now: () => number,
): ProfileEligibility {
  const credential = store.profiles[profileId]
  if (!credential) return ineligible('missing_credential', 'not in the auth store')
  const providerKey = normalizeProviderId(provider)
  if (normalizeProviderId(credential.provider) !== providerKey) {
    return ineligible(
      'ineligible_profile',
      `stored for provider ${normalizeProviderId(credential.provider)}`,
    )
  }
  const configured = config?.auth?.profiles?.[profileId]
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
      return now() >= expires ? ineligible('expired', 'token expired') : OK
    }
    case 'oauth':
      // Blank (whitespace-only) tokens count as missing: neither is ever sent.
      return credential.access.trim() === '' && credential.refresh.trim() === ''
        ? ineligible(
            'missing_credential',
            'OAuth profile has neither an access nor a refresh token',
          )
        : OK
  }
}

/** The first entry of `map` whose key normalises to `providerKey`, with that key. */
function findByProvider<T>(
  map: Readonly<Record<string, T>> | undefined,
  providerKey: string,
): { readonly key: string; readonly value: T } | undefined {
  if (!map) return undefined
  for (const key in map) {
    if (Object.hasOwn(map, key) && normalizeProviderId(key) === providerKey)
      return { key, value: map[key] as T }
  }
  return undefined
}

/**
 * Something the order resolution noticed and worked around. `orphan_order`: an explicit order
 * (`path` `order.<provider>` in the store, or `auth.order.<provider>` in config) names no stored
 * profile of the provider, so it is ignored rather than leaving the provider without credentials.
 *
 * @public
 */
export interface OrderDiagnostic {
  readonly code: 'orphan_order'
  /** Normalised provider id. */
  readonly provider: string
  readonly path: string
  /** The ids the ignored list names. */
  readonly profileIds: readonly string[]
  /** For people (profile ids only, never a secret). */
  readonly message: string
}

/** Whether `ids` names at least one stored profile of the provider. */
function namesStoredProfile(
  store: AuthProfileStore,
  ids: readonly string[],
  providerKey: string,
): boolean {
  for (const profileId of ids) {
    const credential = Object.hasOwn(store.profiles, profileId)
      ? store.profiles[profileId]
      : undefined
    if (credential && normalizeProviderId(credential.provider) === providerKey) return true
  }
  return false
}

function orphanDiagnostic(
  providerKey: string,
  path: string,
  ids: readonly string[],
): OrderDiagnostic {
  return {
    code: 'orphan_order',
    provider: providerKey,
    path,
    profileIds: [...ids],
    message: `${path} lists no stored ${providerKey} profile (${ids.join(', ')}): it is ignored and the provider's other profiles are used.`,
  }
}

/**
 * The explicit order of a provider, `onOrphan` told about each list skipped on the way. An empty
 * list is kept (it deliberately allows nothing); a non-empty list that names no stored profile of
 * the provider is skipped, so a provider whose profiles were renamed or replaced is not stranded.
 */
function explicitOrderOf(
  store: AuthProfileStore,
  providerKey: string,
  config: ClawConfig | undefined,
  onOrphan: ((diagnostic: OrderDiagnostic) => void) | undefined,
): readonly string[] | undefined {
  const stored = findByProvider(store.order, providerKey)
  if (stored && (stored.value.length === 0 || namesStoredProfile(store, stored.value, providerKey)))
    return stored.value
  if (stored) onOrphan?.(orphanDiagnostic(providerKey, `order.${stored.key}`, stored.value))
  const configured = findByProvider(config?.auth?.order, providerKey)
  if (
    configured &&
    (configured.value.length === 0 || namesStoredProfile(store, configured.value, providerKey))
  )
    return configured.value
  if (configured)
    onOrphan?.(orphanDiagnostic(providerKey, `auth.order.${configured.key}`, configured.value))
  return undefined
}

/**
 * The explicit order for a provider: the store's override, else config `auth.order`. A list that
 * names no stored profile of the provider is skipped (see {@link findOrphanOrders}).
 *
 * @public
 */
export function resolveExplicitOrder(
  store: AuthProfileStore,
  provider: string,
  config?: ClawConfig,
): readonly string[] | undefined {
  return explicitOrderOf(store, normalizeProviderId(provider), config, undefined)
}

/**
 * The explicit orders of a provider that {@link resolveAuthProfileOrder} ignores because none of
 * their ids is a stored profile of the provider (usually empty).
 *
 * @public
 */
export function findOrphanOrders(
  store: AuthProfileStore,
  provider: string,
  config?: ClawConfig,
): OrderDiagnostic[] {
  const found: OrderDiagnostic[] = []
  explicitOrderOf(store, normalizeProviderId(provider), config, (diagnostic) =>
    found.push(diagnostic),
  )
  return found
}

/**
 * Type rank: OAuth, then tokens, then API keys. Among OAuth profiles one whose access token is
 * still valid (beyond the refresh skew) ranks before one that must be refreshed first.
 */
const typeScore: Record<AuthProfileCredential['type'], number> = { oauth: 0, token: 1, api_key: 2 }
const OAUTH_NEEDS_REFRESH_SCORE = 0.5

function rankScore(credential: AuthProfileCredential | undefined, now: number): number {
  if (credential === undefined) return typeScore.api_key
  if (
    credential.type === 'oauth' &&
    (credential.access.trim() === '' || now >= credential.expires - DEFAULT_REFRESH_SKEW_MS)
  )
    return OAUTH_NEEDS_REFRESH_SCORE
  return typeScore[credential.type]
}

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
  /** Told when an explicit order is ignored because it names no stored profile (`orphan_order`). */
  readonly onDiagnostic?: ((diagnostic: OrderDiagnostic) => void) | undefined
}

/** A profile and its sort keys (read once per profile, not once per comparison). */
interface RankedProfile {
  readonly profileId: string
  /** Credential type rank (OAuth first); 0 for unusable profiles. */
  readonly score: number
  /** `lastUsed` for available profiles, the end of the cooldown for unusable ones. */
  readonly time: number
}

/** Rank first, then time; `Array.prototype.sort` is stable, so ties keep the base order. */
function compareRanked(a: RankedProfile, b: RankedProfile): number {
  return a.score - b.score || a.time - b.time
}

/**
 * The order in which a provider's profiles should be tried:
 *
 * 1. Base list: the store's `order` for the provider, else config `auth.order`, else the
 *    config `auth.profiles` ids of the provider, else every stored profile of the provider. An
 *    explicit order none of whose ids is a stored profile of the provider is skipped and reported
 *    through `onDiagnostic` (`orphan_order`), so the provider is never stranded by stale ids.
 * 2. Ineligible profiles are dropped (see {@link evaluateProfileEligibility}); duplicates removed.
 * 3. With an explicit order its sequence is kept; otherwise profiles go round-robin: OAuth, then
 *    tokens, then API keys, each oldest `lastUsed` first — except that an OAuth profile whose
 *    access token is still valid comes before one that must be refreshed first (it saves a token
 *    round trip on the request path). `lastGood` is deliberately ignored.
 * 4. Profiles unusable now (cooldown or disabled) go to the end, soonest-usable first; profiles of
 *    cooldown-bypass providers (see {@link isCooldownBypassProvider}) are never moved.
 * 5. `preferredProfile` moves to the front.
 *
 * @public
 */
export function resolveAuthProfileOrder(options: ResolveAuthProfileOrderOptions): string[] {
  const { store, config } = options
  const providerKey = normalizeProviderId(options.provider)
  const explicitOrder = explicitOrderOf(store, providerKey, config, options.onDiagnostic)
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
  const available: RankedProfile[] = []
  const unusable: RankedProfile[] = []
  // With an explicit order its sequence is kept.
  const sortAvailable = !(explicitOrder && explicitOrder.length > 0)
  const unusableOptions = { model: options.model }
  const bypass = isCooldownBypassProvider(providerKey, config)
  for (const profileId of base) {
    if (seen.has(profileId)) continue
    seen.add(profileId)
    if (!profileEligibility(store, profileId, providerKey, config, clock).eligible) continue
    const stats = store.usageStats?.[profileId]
    const until = bypass ? undefined : resolveProfileUnusableUntil(stats, unusableOptions)
    if (until !== undefined && nowMs < until) {
      unusable.push({ profileId, score: 0, time: until })
    } else {
      available.push({
        profileId,
        score: rankScore(store.profiles[profileId], nowMs),
        time: stats?.lastUsed ?? 0,
      })
    }
  }
  if (sortAvailable) available.sort(compareRanked)
  unusable.sort(compareRanked)
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
