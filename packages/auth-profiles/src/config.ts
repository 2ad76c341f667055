import { findUnsafeKeys, normalizeProviderId, type CatalogConfig } from '@claw/model-catalog'
import { AuthProfilesError, formatIssues } from './errors.js'
import type { AuthConfig, AuthProfilesConfig } from './schemas.js'

/**
 * The config this package reads: the `auth`, `secrets` and `state` slices (`state`: file or Redis
 * fleet mode, see `StateConfig` and `createFleetFromConfig` in `@claw/auth-profiles/redis`), plus
 * the catalog's `models` and `agents` slices (provider keys, per-agent dirs). Validate with
 * {@link parseAuthProfilesConfig}.
 *
 * @public
 */
export type ClawConfig = CatalogConfig & AuthProfilesConfig

/** How a profile is declared in config (`auth.profiles[id].mode`). @public */
export type ConfiguredProfileMode = 'api_key' | 'oauth' | 'token' | 'aws-sdk'

/**
 * Validates the `auth.*`, `secrets.*` and `state.*` slices of a config object (other keys pass through).
 *
 * @throws {AuthProfilesError} `ERR_INVALID_CONFIG` listing every problem as `- <path>: <message>`;
 *   values are never echoed.
 * @public
 */
export async function parseAuthProfilesConfig(
  input: unknown,
  options: { readonly source?: string } = {},
): Promise<AuthProfilesConfig> {
  const heading = options.source ? `Invalid config at ${options.source}` : 'Invalid config'
  const unsafe = findUnsafeKeys(input)
  if (unsafe.length > 0) {
    throw new AuthProfilesError('ERR_INVALID_CONFIG', `${heading}\n${formatIssues(unsafe)}`, {
      issues: unsafe,
    })
  }
  const { authProfilesConfigSchema, zodIssues } = await import('./schemas.js')
  const result = authProfilesConfigSchema.safeParse(input)
  if (result.success) return result.data
  const issues = zodIssues(result.error)
  throw new AuthProfilesError('ERR_INVALID_CONFIG', `${heading}\n${formatIssues(issues)}`, {
    issues,
    cause: result.error,
    ...(options.source ? { path: options.source } : {}),
  })
}

/** Cooldown settings with defaults applied (`auth.cooldowns`). @public */
export interface CooldownSettings {
  readonly billingBackoffMs: number
  readonly billingMaxMs: number
  readonly failureWindowMs: number
}

const HOUR = 3_600_000

function positiveHours(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback
}

/**
 * `auth.cooldowns` for one provider: billing backoff (default 5 h, or the first
 * `billingBackoffHoursByProvider` entry whose normalised key matches), billing cap (24 h) and
 * failure window (24 h). Values that are not finite numbers above 0 fall back to the defaults.
 *
 * @public
 */
export function resolveCooldownSettings(
  config: { readonly auth?: AuthConfig | undefined } | undefined,
  provider: string,
): CooldownSettings {
  const cooldowns = config?.auth?.cooldowns
  const providerKey = normalizeProviderId(provider)
  let billingHours = positiveHours(cooldowns?.billingBackoffHours, 5)
  for (const [key, hours] of Object.entries(cooldowns?.billingBackoffHoursByProvider ?? {})) {
    if (normalizeProviderId(key) === providerKey) {
      billingHours = positiveHours(hours, billingHours)
      break
    }
  }
  return {
    billingBackoffMs: billingHours * HOUR,
    billingMaxMs: positiveHours(cooldowns?.billingMaxHours, 24) * HOUR,
    failureWindowMs: positiveHours(cooldowns?.failureWindowHours, 24) * HOUR,
  }
}
