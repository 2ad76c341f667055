// Importing a source's credentials into a claw store, by the import rules.
import { AuthProfilesError } from '../../errors.js'
import { checkProfileId, describeId } from '../../ids.js'
import { decideImport } from './import-rules.js'
import {
  clearProfileFailureState,
  resolveAuthStoreBackend,
  updateAuthProfileStore,
  type AuthStoreOptions,
} from '../../store/store.js'
import type { AuthProfileCredential, AuthProfileStore } from '../../types.js'
import type {
  ExternalImportResult,
  ExternalImportSkip,
  ReadExternalCredentialsOptions,
} from './types.js'
import { sourceInfo } from './external-cli-sources.js'
import { resolveSourcePath } from './resolve-external-cli-path.js'
import { readExternalCredentials } from './read-external-credentials.js'

/** @public */
export type ImportExternalCredentialsOptions = AuthStoreOptions &
  Omit<ReadExternalCredentialsOptions, 'env'> & {
    /** Report what would be imported without writing anything. */
    readonly dryRun?: boolean
    /**
     * Prepended to the name part of every target id: `work-` turns `anthropic:claude-cli` into
     * `anthropic:work-claude-cli` (ids without a `:` get the prefix in front).
     */
    readonly profileIdPrefix?: string
  }

function targetId(profileId: string, prefix: string | undefined): string {
  if (!prefix) return profileId
  const colon = profileId.indexOf(':')
  const id =
    colon < 0
      ? `${prefix}${profileId}`
      : `${profileId.slice(0, colon + 1)}${prefix}${profileId.slice(colon + 1)}`
  const problem = checkProfileId(id)
  if (problem) {
    throw new AuthProfilesError(
      'ERR_INVALID_ID',
      `profileIdPrefix ${describeId(prefix)} gives the invalid profile id ${describeId(id)}: ${problem}.`,
    )
  }
  return id
}

/** Applies the import rules to `store` in place; returns the ids imported and skipped. */
function applyImport(
  store: AuthProfileStore,
  incoming: readonly (readonly [string, AuthProfileCredential])[],
  mutate: boolean,
): { imported: string[]; skipped: ExternalImportSkip[] } {
  const imported: string[] = []
  const skipped: ExternalImportSkip[] = []
  for (const [profileId, credential] of incoming) {
    const existing = Object.hasOwn(store.profiles, profileId)
      ? store.profiles[profileId]
      : undefined
    const skip = decideImport(profileId, existing, credential)
    if (skip) {
      skipped.push(skip)
      continue
    }
    imported.push(profileId)
    if (!mutate) continue
    store.profiles[profileId] = { ...credential, generation: (existing?.generation ?? 0) + 1 }
    clearProfileFailureState(store, profileId)
  }
  return { imported, skipped }
}

/**
 * Imports a source's credentials (see {@link readExternalCredentials}) into a claw store in one
 * locked read-modify-write, never touching the source file. Rules, per profile:
 *
 * - an `api_key` profile, or a `token` profile using a `tokenRef`, is never overwritten;
 * - `oauth` is never downgraded to `token`; `token` is upgraded to `oauth` when the source has a
 *   refresh token (even if the stored token expires later);
 * - a stored credential that expires later than the source copy is kept, unless it is marked
 *   `needs_reauth`;
 * - identical values are skipped; an id held by another provider is skipped;
 * - an imported profile gets `generation` = stored + 1 (so a refresh still in flight for the old
 *   credential loses its compare-and-swap) and its cooldown/disable state is cleared.
 *
 * `dryRun` reads the store (no lock, no write) and reports the same decisions.
 *
 * @throws {AuthProfilesError} `ERR_NO_CREDENTIALS` when the source file is absent or holds no
 *   login; the read errors of {@link readExternalCredentials}; `ERR_INVALID_ID` for a
 *   `profileIdPrefix` that gives an invalid id; the store's load and write errors.
 * @example
 * ```ts
 * const { imported, skipped } = await importExternalCredentials({
 *   source: 'codex-cli',
 *   agentDir: resolveAgentDir('main'),
 * })
 * ```
 * @public
 */
export async function importExternalCredentials(
  options: ImportExternalCredentialsOptions,
): Promise<ExternalImportResult> {
  const info = sourceInfo(options.source)
  const found = await readExternalCredentials(options)
  if (!found || Object.keys(found.profiles).length === 0) {
    const where = found?.path ?? (await resolveSourcePath(options))
    throw new AuthProfilesError(
      'ERR_NO_CREDENTIALS',
      found
        ? `${where} holds no ${info.label} credentials to import.`
        : `No ${info.label} credentials found at ${where}.`,
      { ...(where.startsWith('env:') ? {} : { path: where }) },
    )
  }
  const incoming = Object.entries(found.profiles).map(
    ([profileId, credential]) =>
      [targetId(profileId, options.profileIdPrefix), credential] as const,
  )
  if (options.dryRun) {
    const backend =
      'backend' in options
        ? options.backend
        : resolveAuthStoreBackend({ ...options, mainAgentDir: null })
    const store = structuredClone(await backend.load())
    return {
      source: found.source,
      path: found.path,
      ...applyImport(store, incoming, false),
      written: false,
    }
  }
  const { result, written } = await updateAuthProfileStore(options, (store) =>
    applyImport(store, incoming, true),
  )
  return { source: found.source, path: found.path, ...result, written }
}
