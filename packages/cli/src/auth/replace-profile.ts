// Storing a secret under a profile id that already holds a credential: a terminal user is asked
// first (a typo in --profile-id should not silently overwrite a working key), and a script is told
// afterwards what it replaced.
import type { AuthProfileCredential } from '@claw/auth-profiles'
import type { Context } from '../context.js'
import { CliError } from '../errors.js'
import { ask } from '../secret-input.js'
import { safe } from '../text.js'
import { credentialLabel } from './profile-view.js'

/** The credential a new secret would replace, after the user agreed to replace it. */
export interface Replacing {
  readonly profileId: string
  readonly previous: AuthProfileCredential | undefined
}

/**
 * Looks up `profileId` before the secret is read. On a terminal (and without `yes`) an existing
 * profile is replaced only after a `y` answer; anything else cancels with exit 1, nothing written.
 */
export async function confirmReplace(
  context: Context,
  profileId: string,
  yes: boolean,
): Promise<Replacing> {
  const previous = await storedCredential(context, profileId)
  if (previous && context.io.stdin.isTTY && !yes) {
    const answer = await ask(
      context.io,
      `Auth profile ${safe(profileId)} already holds ${describe(previous)}. Replace it? [y/N] `,
    )
    if (!/^y(es)?$/i.test(answer)) {
      throw new CliError(`Kept auth profile ${safe(profileId)}; nothing changed.`)
    }
  }
  return { profileId, previous }
}

/**
 * The credential stored under `profileId`, if any. A Redis credential fleet with no credentials
 * and no fleet marker has nothing to replace: storing the first credential is how a new fleet (or
 * one that lost its data) gets one, and that write is allowed (it sets the marker).
 */
async function storedCredential(
  context: Context,
  profileId: string,
): Promise<AuthProfileCredential | undefined> {
  try {
    return (await context.loadStore()).profiles[profileId]
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_FLEET_EMPTY') return undefined
    throw error
  }
}

/** After the write: says what was replaced (on stderr, so the confirmation line stays as it was). */
export function reportReplaced(
  context: Context,
  replacing: Replacing,
  stored: AuthProfileCredential,
): void {
  const { previous, profileId } = replacing
  if (!previous) return
  const id = safe(profileId)
  context.out.warn(
    sameSecret(previous, stored)
      ? `Auth profile ${id} already held this ${stored.type === 'api_key' ? 'key' : 'token'}; stored it again.`
      : `Replaced ${describe(previous)} in auth profile ${id}.`,
  )
}

function describe(credential: AuthProfileCredential): string {
  return `${credential.type === 'token' ? 'a' : 'an'} ${credential.type} credential (${safe(credential.provider)}, ${credentialLabel(credential)})`
}

function sameSecret(a: AuthProfileCredential, b: AuthProfileCredential): boolean {
  if (a.type === 'api_key' && b.type === 'api_key') return a.key === b.key
  if (a.type === 'token' && b.type === 'token') return a.token === b.token
  return false
}
