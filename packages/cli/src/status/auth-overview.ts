// The auth side of `models status` and the "Auth" column of `models list`: per provider, which
// credentials exist (stored profiles, env vars, a config key) and which one is effective. Secrets
// are only ever shown masked.
import {
  listProfilesForProvider,
  maskSecret,
  resolveAmbientCredentials,
  resolveEnvApiKey,
  resolveProfileUnusableUntilForDisplay,
  type AuthProfileStore,
  type ClawConfig,
  type ProfileUsageStats,
  type SecretRef,
  type UsageLimitWindow,
} from '@claw/auth-profiles'
import { formatRemainingShort } from '../format-remaining.js'
import { getProvider, normalizeProviderId } from '@claw/model-catalog'
import { safe } from '../text.js'

type Env = Readonly<Record<string, string | undefined>>

/** One provider in the auth overview (OpenClaw's `ProviderAuthOverview`, so JSON consumers keep working). */
export interface ProviderAuthOverview {
  readonly provider: string
  readonly effective: {
    readonly kind: 'profiles' | 'env' | 'models.json' | 'missing'
    readonly detail: string
  }
  readonly profiles: {
    readonly count: number
    readonly oauth: number
    readonly token: number
    readonly apiKey: number
    readonly labels: readonly string[]
  }
  readonly env?: { readonly value: string; readonly source: string }
  readonly modelsJson?: { readonly value: string; readonly source: string }
}

/** A profile that cannot be used right now. */
export interface UnusableProfile {
  readonly profileId: string
  readonly provider?: string
  readonly kind: 'cooldown' | 'disabled'
  readonly reason?: string
  /** Set when only this model is cooling down. */
  readonly model?: string
  readonly until: number
  readonly remainingMs: number
  /** The used-up subscription window behind the cooldown (Claude / ChatGPT plans). */
  readonly usageLimit?: UsageLimitWindow
}

/** Providers whose env credentials `models status` looks for even when nothing else names them. */
export const ENV_DETECTED_PROVIDERS: readonly string[] = [
  'anthropic',
  'github-copilot',
  'google-vertex',
  'openai',
  'google',
  'groq',
  'cerebras',
  'xai',
  'openrouter',
  'zai',
  'mistral',
  'synthetic',
]

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/

function refLabel(ref: SecretRef): string {
  return `ref(${ref.source}:${ref.id})`
}

/** A config key as shown: env var names as `marker(NAME)`, refs as `ref(…)`, literals masked. */
function configKeyLabel(value: string | SecretRef): string {
  if (typeof value !== 'string') return refLabel(value)
  const trimmed = value.trim()
  return ENV_NAME.test(trimmed) ? `marker(${trimmed})` : maskSecret(trimmed)
}

/** `models.providers.<id>` for a provider (exact id first, then by normalised id). */
export function configuredProvider(config: ClawConfig, provider: string) {
  const providers = config.models?.providers ?? {}
  if (Object.hasOwn(providers, provider)) return { id: provider, entry: providers[provider]! }
  for (const [id, entry] of Object.entries(providers)) {
    if (normalizeProviderId(id) === provider) return { id, entry }
  }
  return undefined
}

/** The config key of a provider, and whether it can produce a key now. */
function configKey(config: ClawConfig, provider: string, env: Env) {
  const configured = configuredProvider(config, provider)
  const raw = configured?.entry.apiKey
  if (configured === undefined || raw === undefined) return undefined
  let usable: boolean
  if (typeof raw !== 'string') usable = true
  else {
    const trimmed = raw.trim()
    usable = ENV_NAME.test(trimmed) ? Boolean(env[trimmed]?.trim()) : trimmed !== ''
  }
  return {
    value: configKeyLabel(raw),
    source: `config: models.providers.${configured.id}.apiKey`,
    usable,
  }
}

/** Env credentials of a provider: an API key / OAuth token variable, or ambient credentials. */
function envCredential(provider: string, env: Env) {
  const key = resolveEnvApiKey(provider, { env })
  if (key) {
    const oauth = key.source.includes('OAUTH_TOKEN') || key.source.toLowerCase().includes('oauth')
    return { value: oauth ? 'OAuth (env)' : maskSecret(key.apiKey), source: key.source }
  }
  const ambient = resolveAmbientCredentials(provider, { env })
  // The AWS default chain is always "there"; count it only when the environment names it.
  if (ambient && ambient.source !== 'aws-sdk default chain') {
    return { value: ambient.mode, source: ambient.source }
  }
  return undefined
}

/** Whether a provider has any credential: a stored profile, an env credential or a config key. */
export function providerHasAuth(
  provider: string,
  store: AuthProfileStore,
  config: ClawConfig,
  env: Env,
): boolean {
  const id = normalizeProviderId(provider)
  return (
    listProfilesForProvider(store, id).length > 0 ||
    envCredential(id, env) !== undefined ||
    configKey(config, id, env)?.usable === true
  )
}

interface UnusableState {
  readonly kind: 'cooldown' | 'disabled'
  readonly reason?: string
  readonly model?: string
  readonly until: number
  readonly usageLimit?: UsageLimitWindow
}

/** Why and until when a profile is unusable now (the latest deadline wins), or undefined. */
export function unusableState(
  stats: ProfileUsageStats | undefined,
  now: number,
): UnusableState | undefined {
  const until = resolveProfileUnusableUntilForDisplay(stats)
  if (until === undefined || now >= until || stats === undefined) return undefined
  if (typeof stats.disabledUntil === 'number' && now < stats.disabledUntil) {
    return {
      kind: 'disabled',
      ...(stats.disabledReason ? { reason: stats.disabledReason } : {}),
      until,
    }
  }
  const modelEntry = Object.entries(stats.modelCooldowns ?? {}).find(
    ([, entry]) => entry.until === until,
  )
  if (modelEntry && stats.cooldownUntil !== until) {
    return { kind: 'cooldown', reason: modelEntry[1].reason, model: modelEntry[0], until }
  }
  return {
    kind: 'cooldown',
    ...(stats.cooldownReason ? { reason: stats.cooldownReason } : {}),
    ...(stats.cooldownModel ? { model: stats.cooldownModel } : {}),
    until,
    ...(stats.usageLimit && stats.cooldownUntil === until ? { usageLimit: stats.usageLimit } : {}),
  }
}

/**
 * ` [cooldown 5m]` / ` [disabled:billing 5h]` / ` [usage limit 7d (100%), resets in 3d]`, or ''
 * when the profile is usable.
 */
function unusableSuffix(store: AuthProfileStore, profileId: string, now: number): string {
  const state = unusableState(store.usageStats?.[profileId], now)
  if (!state) return ''
  if (state.usageLimit) {
    const { window, usedPercent } = state.usageLimit
    const used = usedPercent === undefined ? '' : ` (${Math.round(usedPercent)}%)`
    return ` [usage limit ${safe(window)}${used}, resets in ${formatRemainingShort(state.until - now)}]`
  }
  const kind =
    state.kind === 'disabled' ? `disabled${state.reason ? `:${state.reason}` : ''}` : 'cooldown'
  return ` [${kind} ${formatRemainingShort(state.until - now)}]`
}

/** The display label of a profile: `id (email)` when an email is known. */
export function profileDisplayLabel(
  store: AuthProfileStore,
  config: ClawConfig,
  profileId: string,
): string {
  const configured = config.auth?.profiles?.[profileId]?.email?.trim()
  const email = configured || store.profiles[profileId]?.email?.trim()
  return email ? `${profileId} (${email})` : profileId
}

function profileLabel(
  store: AuthProfileStore,
  config: ClawConfig,
  profileId: string,
  now: number,
): string {
  const profile = store.profiles[profileId]
  if (!profile) return `${profileId}=missing`
  let base: string
  if (profile.type === 'api_key') {
    base = `${profileId}=${secretLabel(profile.key, profile.keyRef)}`
  } else if (profile.type === 'token') {
    base = `${profileId}=token:${secretLabel(profile.token, profile.tokenRef)}`
  } else {
    const display = profileDisplayLabel(store, config, profileId)
    const suffix = display === profileId ? '' : display.slice(profileId.length).trim()
    base = `${profileId}=OAuth${suffix ? ` ${suffix}` : ''}`
  }
  return `${base}${unusableSuffix(store, profileId, now)}`
}

function secretLabel(value: string | undefined, ref: SecretRef | undefined): string {
  if (typeof value === 'string' && value.trim() !== '') return maskSecret(value)
  return ref ? refLabel(ref) : 'missing'
}

/** The auth overview of one provider (listed only when it has some credential). */
export function providerAuthOverview(options: {
  readonly provider: string
  readonly store: AuthProfileStore
  readonly config: ClawConfig
  readonly env: Env
  readonly storePath: string
  readonly now: number
}): ProviderAuthOverview {
  const { provider, store, config, env, now } = options
  const profileIds = listProfilesForProvider(store, provider)
  const count = (type: string) =>
    profileIds.filter((id) => store.profiles[id]?.type === type).length
  const envKey = envCredential(provider, env)
  const custom = configKey(config, provider, env)
  const effective: ProviderAuthOverview['effective'] =
    profileIds.length > 0
      ? { kind: 'profiles', detail: options.storePath }
      : envKey
        ? { kind: 'env', detail: envKey.value }
        : custom?.usable
          ? { kind: 'models.json', detail: custom.value }
          : { kind: 'missing', detail: 'missing' }
  return {
    provider,
    effective,
    profiles: {
      count: profileIds.length,
      oauth: count('oauth'),
      token: count('token'),
      apiKey: count('api_key'),
      labels: profileIds.map((id) => profileLabel(store, config, id, now)),
    },
    ...(envKey ? { env: envKey } : {}),
    ...(custom ? { modelsJson: { value: custom.value, source: custom.source } } : {}),
  }
}

/** Profiles in cooldown or disabled now, soonest usable first. */
export function listUnusableProfiles(store: AuthProfileStore, now: number): UnusableProfile[] {
  const out: UnusableProfile[] = []
  for (const [profileId, stats] of Object.entries(store.usageStats ?? {})) {
    const state = unusableState(stats, now)
    if (!state) continue
    const provider = store.profiles[profileId]?.provider
    out.push({
      profileId,
      ...(provider ? { provider: normalizeProviderId(provider) } : {}),
      ...state,
      remainingMs: state.until - now,
    })
  }
  return out.sort((a, b) => a.remainingMs - b.remainingMs)
}

/** How to add credentials for a provider that has none (the "Missing auth" hint). */
export function missingAuthHint(provider: string): string {
  if (provider === 'anthropic') {
    return 'Run `claude setup-token`, then `claw models auth setup-token` or `claw onboard`.'
  }
  const info = getProvider(provider)
  const envVar = info?.envVars.find((entry) => entry.kind === 'api-key')?.name
  const login = info?.authModes.includes('oauth')
    ? `\`claw models auth login --provider ${provider}\``
    : `\`claw models auth paste-api-key --provider ${provider}\``
  return `Run ${login}, \`claw onboard\`, or set ${envVar ?? 'an API key env var'}.`
}
