// The rules every import follows when a profile id already exists in the target store: an API
// key is never overwritten, OAuth is never downgraded to a static token, a credential that
// expires later is kept, identical values are left alone, an id of another provider is skipped.
import { normalizeProviderId } from '@claw/model-catalog'
import type { ExternalImportSkip, ExternalImportSkipReason } from './types.js'
import { describeId } from '../../ids.js'
import type { AuthProfileCredential } from '../../types.js'

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The credential's expiry (epoch ms), 0 for none. @internal */
export function expiresOf(credential: AuthProfileCredential): number {
  if (credential.type === 'api_key') return 0
  const expires = credential.expires
  return typeof expires === 'number' && Number.isFinite(expires) && expires > 0 ? expires : 0
}

/** Stable JSON (sorted keys) of a credential without its bookkeeping fields. @internal */
export function comparable(credential: AuthProfileCredential): string {
  const { generation: _generation, status: _status, ...rest } = credential
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys)
    if (!isRecord(value)) return value
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    )
  }
  return JSON.stringify(sortKeys(rest))
}

/** Why `incoming` must not replace `existing`, or `undefined` when it may. @internal */
export function decideImport(
  profileId: string,
  existing: AuthProfileCredential | undefined,
  incoming: AuthProfileCredential,
): ExternalImportSkip | undefined {
  if (!existing) return undefined
  const skip = (reason: ExternalImportSkipReason, message: string): ExternalImportSkip => ({
    profileId,
    reason,
    message: `${profileId}: ${message}`,
  })
  if (normalizeProviderId(existing.provider) !== normalizeProviderId(incoming.provider)) {
    return skip(
      'other_provider',
      `a profile with this id exists for provider ${describeId(existing.provider)}, not ${describeId(incoming.provider)}`,
    )
  }
  if (existing.type === incoming.type && comparable(existing) === comparable(incoming)) {
    return skip('identical', 'the stored credential is already up to date')
  }
  if (existing.type === 'api_key') {
    return skip('api_key', 'the stored API key profile is never overwritten by an import')
  }
  if (existing.type === 'token' && existing.tokenRef !== undefined) {
    return skip('secret_ref', 'the stored profile reads its secret through a SecretRef')
  }
  if (existing.type === 'oauth' && incoming.type !== 'oauth') {
    return skip('downgrade', 'the stored OAuth credential is not replaced by a static token')
  }
  if (existing.type === incoming.type) {
    const stored = expiresOf(existing)
    const offered = expiresOf(incoming)
    if (existing.status !== 'needs_reauth' && stored > 0 && offered > 0 && stored > offered) {
      return skip('fresher', 'the stored credential expires later than the source copy')
    }
  }
  return undefined
}
