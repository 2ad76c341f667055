import type { AuthHealthSummary, AuthProfileHealth } from '@claw/auth-profiles'
import { normalizeProviderId } from '@claw/model-catalog'

export interface HealthExitCodeOptions {
  /**
   * Providers the configuration uses (default model, fallbacks, image model and its fallbacks).
   * Each must have auth, or the exit code is 1.
   */
  readonly providersInUse?: readonly string[]
  /**
   * Whether a provider has auth outside the store (an env key, a `models.json` key, ambient
   * credentials). Called with the normalised provider id for in-use providers without stored
   * profiles in the summary. Without it, only stored profiles count.
   */
  readonly hasAuth?: (provider: string) => boolean
}

/** Profiles whose status can change with time (OAuth, tokens with an expiry). */
function canExpire(profile: AuthProfileHealth): boolean {
  return profile.type === 'oauth' || (profile.type === 'token' && profile.status !== 'static')
}

/**
 * The exit code of `models status --check`: `1` when an OAuth or expiring-token profile is
 * `expired` or `missing`, or an in-use provider has no auth (no profile in `summary`, and
 * `hasAuth` does not say otherwise); `2` when one is `expiring`; `0` otherwise.
 */
export function authHealthExitCode(
  summary: AuthHealthSummary,
  options: HealthExitCodeOptions = {},
): 0 | 1 | 2 {
  const expiring = summary.profiles.filter(canExpire)
  if (expiring.some((profile) => profile.status === 'expired' || profile.status === 'missing')) {
    return 1
  }
  const withProfiles = new Set(summary.profiles.map((profile) => profile.provider))
  const missing = (options.providersInUse ?? [])
    .map(normalizeProviderId)
    .filter((provider) => provider !== '' && !withProfiles.has(provider))
  if (missing.some((provider) => options.hasAuth?.(provider) !== true)) return 1
  return expiring.some((profile) => profile.status === 'expiring') ? 2 : 0
}
