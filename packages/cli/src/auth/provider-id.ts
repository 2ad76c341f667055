// Validating the `--provider` of the credential commands: a provider claw knows (the catalog's
// registry) or one declared in config (`models.providers`), normalised (`Z.AI` → `zai`).
import type { ClawConfig } from '@claw/auth-profiles'
import { getProvider, normalizeProviderId } from '@claw/model-catalog'
import { usageError } from '../errors.js'
import { safe } from '../text.js'

/** True when `models.providers` declares `provider` (compared after normalisation). */
function configuredProvider(config: ClawConfig, provider: string): boolean {
  return Object.keys(config.models?.providers ?? {}).some(
    (id) => normalizeProviderId(id) === provider,
  )
}

/**
 * The normalised provider id of a `--provider` value. Missing → `Missing --provider <id>.`; a
 * provider that neither the catalog nor `models.providers` knows → an error saying where valid ids
 * are listed.
 */
export function requireKnownProvider(raw: string | undefined, config: ClawConfig): string {
  const trimmed = raw?.trim() ?? ''
  if (trimmed === '') throw usageError('Missing --provider <id>.')
  const provider = normalizeProviderId(trimmed)
  if (getProvider(provider) || configuredProvider(config, provider)) return provider
  throw usageError(
    `Unknown provider "${safe(trimmed)}". Run \`claw models list --all --plain\` to see known provider/model ids, or declare the provider under models.providers in the config.`,
  )
}

/** A `--provider` value that only needs to be present (order commands accept any id). */
export function requireProviderOption(raw: string | undefined): string {
  const trimmed = raw?.trim() ?? ''
  if (trimmed === '') throw usageError('Missing --provider <id>.')
  return normalizeProviderId(trimmed)
}
