// Builds the `models status` document (the `--json` shape) from the config, the store and the
// environment. Rendering for people is in render-status.ts.
import {
  buildAuthHealthSummary,
  DEFAULT_OAUTH_WARN_MS,
  type AuthHealthSummary,
  type AuthProfileStore,
  type ClawConfig,
  type StoreDiagnostic,
} from '@claw/auth-profiles'
import { authHealthExitCode } from './health-exit-code.js'
import { normalizeProviderId } from '@claw/model-catalog'
import {
  ENV_DETECTED_PROVIDERS,
  listUnusableProfiles,
  providerAuthOverview,
  providerHasAuth,
  type ProviderAuthOverview,
  type UnusableProfile,
} from './auth-overview.js'
import { ignoredEntryViews, type IgnoredEntryView } from '../auth/ignored-entries.js'
import type { ModelConfigSummary } from './model-config.js'
import type { AuthProbeSummary } from './probe-summary.js'
import { compareText } from '../text.js'

type Env = Readonly<Record<string, string | undefined>>

export interface AuthStatusReport {
  readonly storePath: string
  readonly shellEnvFallback: { readonly enabled: boolean; readonly appliedKeys: readonly string[] }
  readonly providersWithOAuth: readonly string[]
  readonly missingProvidersInUse: readonly string[]
  readonly providers: readonly ProviderAuthOverview[]
  readonly unusableProfiles: readonly UnusableProfile[]
  /** Store entries claw cannot use (kept unchanged in the file, never routed to), with why. */
  readonly ignoredEntries: readonly IgnoredEntryView[]
  readonly oauth: {
    readonly warnAfterMs: number
    readonly profiles: AuthHealthSummary['profiles']
    readonly providers: AuthHealthSummary['providers']
  }
  probes?: AuthProbeSummary
}

export interface AuthStatusInput {
  readonly models: ModelConfigSummary
  readonly store: AuthProfileStore
  readonly config: ClawConfig
  readonly env: Env
  readonly storePath: string
  /** What loading the store noticed (the ignored entries are reported). */
  readonly storeDiagnostics: readonly StoreDiagnostic[]
  readonly now: number
}

/** Every provider worth a look: store, config, model refs and env-detected ones (sorted). */
export function statusProviders(input: AuthStatusInput): string[] {
  const { store, config, env } = input
  const fromEnv = ENV_DETECTED_PROVIDERS.filter((provider) =>
    providerHasAuth(provider, { version: 1, profiles: {} }, {}, env),
  )
  const all = [
    ...Object.values(store.profiles).map((profile) => profile.provider),
    ...Object.keys(config.models?.providers ?? {}),
    ...input.models.providersFromModels,
    ...fromEnv,
  ]
    .map((provider) => normalizeProviderId(provider))
    .filter((provider) => provider !== '')
  return [...new Set(all)].sort(compareText)
}

/** The `auth` section of `models status`, and the `--check` exit code. */
export function buildAuthStatus(input: AuthStatusInput): {
  readonly auth: AuthStatusReport
  readonly checkCode: 0 | 1 | 2
  readonly providers: readonly string[]
} {
  const { store, config, env, now } = input
  const providers = statusProviders(input)
  const overviews = providers
    .map((provider) =>
      providerAuthOverview({ provider, store, config, env, storePath: input.storePath, now }),
    )
    .filter(
      (entry) =>
        entry.profiles.count > 0 || entry.env !== undefined || entry.modelsJson !== undefined,
    )
  const withAuth = new Set(
    overviews.filter((entry) => entry.effective.kind !== 'missing').map((entry) => entry.provider),
  )
  const missingProvidersInUse = input.models.providersInUse
    .map((provider) => normalizeProviderId(provider))
    .filter((provider) => !withAuth.has(provider))
    .sort(compareText)
  const providersWithOAuth = overviews
    .filter(
      (entry) =>
        entry.profiles.oauth > 0 || entry.profiles.token > 0 || entry.env?.value === 'OAuth (env)',
    )
    .map((entry) => {
      const count =
        entry.profiles.oauth + entry.profiles.token + (entry.env?.value === 'OAuth (env)' ? 1 : 0)
      return `${entry.provider} (${count})`
    })
  const health = buildAuthHealthSummary({
    store,
    config,
    providers,
    now: () => now,
    warnAfterMs: DEFAULT_OAUTH_WARN_MS,
  })
  const checkCode = authHealthExitCode(health, {
    providersInUse: input.models.providersInUse,
    hasAuth: (provider) => withAuth.has(provider),
  })
  const shellEnv = (config as { env?: { shellEnv?: { enabled?: unknown } } }).env?.shellEnv
  return {
    providers,
    checkCode,
    auth: {
      storePath: input.storePath,
      shellEnvFallback: { enabled: shellEnv?.enabled === true, appliedKeys: [] },
      providersWithOAuth,
      missingProvidersInUse,
      providers: overviews,
      unusableProfiles: listUnusableProfiles(store, now),
      ignoredEntries: ignoredEntryViews(input.storeDiagnostics),
      oauth: {
        warnAfterMs: health.warnAfterMs,
        profiles: health.profiles,
        providers: health.providers,
      },
    },
  }
}
