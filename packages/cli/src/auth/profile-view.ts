// How `claw models auth list` describes a stored profile: masked credential labels in the
// OpenClaw's style (`sk-…Wx9z`, `token:…`, `OAuth [email]`), expiry health and cooldown state.
import {
  buildAuthHealthSummary,
  maskSecret,
  type AuthHealthStatus,
  type AuthProfileCredential,
  type AuthProfileStore,
  type ClawConfig,
  type SecretRef,
} from '@claw/auth-profiles'
import { formatRemainingShort } from '../format-remaining.js'
import { normalizeProviderId } from '@claw/model-catalog'
import { unusableState } from '../status/auth-overview.js'

/** One profile in `models auth list --json`. */
export interface ProfileView {
  readonly profileId: string
  readonly provider: string
  readonly type: AuthProfileCredential['type']
  /** The credential, masked: `sk-…Wx9z`, `token:…Wx9z`, `OAuth`, `ref(env:NAME)`, `missing`. */
  readonly credential: string
  readonly email: string | null
  /** Expiry health: ok, expiring (within 24 h), expired, missing (no valid expiry), static. */
  readonly status: AuthHealthStatus
  readonly expiresAt: number | null
  readonly remainingMs: number | null
  readonly needsReauth: boolean
  /** Cooldown or disable in force now. */
  readonly unusable: {
    readonly kind: 'cooldown' | 'disabled'
    readonly reason: string | null
    readonly model: string | null
    readonly until: number
    readonly remainingMs: number
  } | null
  /** `auth.profiles[id].mode` in config, or null when the config does not declare it. */
  readonly configMode: string | null
}

function refLabel(ref: SecretRef): string {
  return `ref(${ref.source}:${ref.id})`
}

function secretLabel(value: string | undefined, ref: SecretRef | undefined): string {
  if (typeof value === 'string' && value.trim() !== '') return maskSecret(value)
  return ref ? refLabel(ref) : 'missing'
}

/** The masked credential of a profile. */
export function credentialLabel(credential: AuthProfileCredential): string {
  switch (credential.type) {
    case 'api_key':
      return secretLabel(credential.key, credential.keyRef)
    case 'token':
      return `token:${secretLabel(credential.token, credential.tokenRef)}`
    case 'oauth':
      return 'OAuth'
  }
}

/** Every profile of a store (optionally one provider's), sorted by provider then id. */
export function buildProfileViews(
  store: AuthProfileStore,
  config: ClawConfig,
  now: number,
  provider?: string,
): ProfileView[] {
  const summary = buildAuthHealthSummary({
    store,
    config,
    now: () => now,
    ...(provider === undefined ? {} : { providers: [provider] }),
  })
  return summary.profiles.map((health) => {
    const credential = store.profiles[health.profileId]!
    const state = unusableState(store.usageStats?.[health.profileId], now)
    const email =
      config.auth?.profiles?.[health.profileId]?.email?.trim() || credential.email?.trim() || null
    return {
      profileId: health.profileId,
      provider: normalizeProviderId(credential.provider),
      type: credential.type,
      credential: credentialLabel(credential),
      email,
      status: health.status,
      expiresAt: health.expiresAt ?? null,
      remainingMs: health.remainingMs ?? null,
      needsReauth: health.needsReauth,
      unusable: state
        ? {
            kind: state.kind,
            reason: state.reason ?? null,
            model: state.model ?? null,
            until: state.until,
            remainingMs: state.until - now,
          }
        : null,
      configMode: config.auth?.profiles?.[health.profileId]?.mode ?? null,
    }
  })
}

/** `expires in 5h`, `expired 2d ago`, `no expiry`, `expiry unknown`. */
export function expiryText(view: ProfileView): string {
  if (view.status === 'static') return 'no expiry'
  if (view.remainingMs === null) return 'expiry unknown'
  if (view.needsReauth) return 'needs re-auth'
  return view.remainingMs > 0
    ? `expires in ${formatRemainingShort(view.remainingMs)}`
    : `expired ${formatRemainingShort(-view.remainingMs)} ago`
}

/** `cooldown 5m`, `disabled:billing 5h`, or `ok`. */
export function stateText(view: ProfileView): string {
  if (!view.unusable) return 'ok'
  const kind =
    view.unusable.kind === 'disabled'
      ? `disabled${view.unusable.reason ? `:${view.unusable.reason}` : ''}`
      : 'cooldown'
  return `${kind} ${formatRemainingShort(view.unusable.remainingMs)}`
}
