import { substituteEnvVars } from '@claw/model-catalog'
import { AuthProfilesError } from '../errors.js'
import type { Env } from '../runtime.js'

/** @internal */
export interface StoredSecretOptions {
  readonly env: Env
  /** Where the value is stored, for errors: `profiles["openai:work"].key`. */
  readonly where: string
  readonly profileId?: string | undefined
}

/**
 * A stored key or token as it is sent: trimmed, with `${VAR}` templates (a key pasted as
 * `${OPENAI_API_KEY}`, or written so by hand) resolved from `env`. `''` means "no secret": a blank
 * value is never sent, and neither is an unresolved template.
 *
 * @throws {AuthProfilesError} `ERR_SECRET_REF` naming the variable when a template refers to an
 *   unset or empty one (never the value).
 * @internal
 */
export function resolveStoredSecret(
  value: string | undefined,
  options: StoredSecretOptions,
): string {
  const trimmed = (value ?? '').trim()
  if (!trimmed.includes('${')) return trimmed
  try {
    return substituteEnvVars(trimmed, { env: options.env, pathPrefix: options.where }).trim()
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'the template could not be resolved'
    throw new AuthProfilesError(
      'ERR_SECRET_REF',
      `${reason}. The stored value is an environment template; set the variable or store the key itself.`,
      { cause: error, ...(options.profileId ? { profileId: options.profileId } : {}) },
    )
  }
}
