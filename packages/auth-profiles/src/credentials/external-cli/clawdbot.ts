// A Clawdbot/OpenClaw state dir: every agent's auth-profiles.json, merged.
import type { BigIntStats } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { AuthProfilesError } from '../../errors.js'
import { assertAgentId, checkAgentId, compareAgentIds } from '../../ids.js'
import { expiresOf } from './import-rules.js'
import { loadAuthProfileStore } from '../../store/store.js'
import type { AuthProfileCredential, AuthProfileStore } from '../../types.js'
import type {
  ExternalCredentials,
  ExternalCredentialsCache,
  ReadExternalCredentialsOptions,
} from './types.js'
import { errnoCode, MAX_EXTERNAL_CREDENTIALS_BYTES, signatureOf } from './read-source-file.js'
import type { Profiles } from './field-reader.js'
import { cacheGet, cacheKey, cacheSet } from './external-credentials-cache.js'

/** Agents ids under `<stateDir>/agents` with a store file, `main` first, then by name. */
async function clawdbotStoreFiles(
  stateDir: string,
  agentId: string | undefined,
): Promise<{ agentId: string; agentDir: string; stats: BigIntStats }[] | undefined> {
  const agentsDir = join(stateDir, 'agents')
  let ids: string[]
  if (agentId !== undefined) {
    assertAgentId(agentId)
    ids = [agentId]
  } else {
    try {
      const entries = await readdir(agentsDir, { withFileTypes: true })
      ids = entries
        .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
        .map((entry) => entry.name)
        .filter((name) => checkAgentId(name) === undefined)
    } catch (error) {
      const code = errnoCode(error)
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
      throw new AuthProfilesError('ERR_STORE_READ', `Could not list ${agentsDir} (${code}).`, {
        path: agentsDir,
        cause: error,
      })
    }
    ids.sort(compareAgentIds)
  }
  const files: { agentId: string; agentDir: string; stats: BigIntStats }[] = []
  for (const id of ids) {
    const agentDir = join(agentsDir, id, 'agent')
    try {
      files.push({
        agentId: id,
        agentDir,
        stats: await stat(join(agentDir, 'auth-profiles.json'), { bigint: true }),
      })
    } catch (error) {
      const code = errnoCode(error)
      if (code === 'ENOENT' || code === 'ENOTDIR') continue
      throw new AuthProfilesError(
        'ERR_STORE_READ',
        `Could not inspect ${join(agentDir, 'auth-profiles.json')} (${code}).`,
        { path: join(agentDir, 'auth-profiles.json'), cause: error },
      )
    }
  }
  return files.length > 0 ? files : undefined
}

/** Which of two credentials for the same id to keep: oauth over token, then the later expiry. */
function preferred(a: AuthProfileCredential, b: AuthProfileCredential): AuthProfileCredential {
  if (a.type === 'oauth' && b.type !== 'oauth') return a
  if (b.type === 'oauth' && a.type !== 'oauth') return b
  return expiresOf(b) > expiresOf(a) ? b : a
}

export async function readClawdbot(
  stateDir: string,
  options: ReadExternalCredentialsOptions,
  cache: ExternalCredentialsCache | undefined,
  now: number,
  ttlMs: number,
): Promise<ExternalCredentials | undefined> {
  const files = await clawdbotStoreFiles(stateDir, options.agentId)
  if (!files) return undefined
  const key = cacheKey('clawdbot', stateDir, options.agentId)
  const signature = files.map((file) => `${file.agentId}=${signatureOf(file.stats)}`).join(',')
  const cached = cacheGet(cache, key, signature, now, ttlMs)
  if (cached) return cached
  const profiles: Profiles = {}
  for (const file of files) {
    let store: AuthProfileStore
    try {
      store = await loadAuthProfileStore({
        agentDir: file.agentDir,
        mainAgentDir: null,
        followSymlinks: true,
        maxBytes: MAX_EXTERNAL_CREDENTIALS_BYTES,
        legacyOAuthPath: join(stateDir, 'credentials', 'oauth.json'),
        ...(options.env === undefined ? {} : { env: options.env }),
      })
    } catch (error) {
      if (AuthProfilesError.isInstance(error) && error.code !== 'ERR_STORE_READ') {
        throw new AuthProfilesError('ERR_INVALID_ARGUMENT', error.message, {
          ...(error.path === undefined ? {} : { path: error.path }),
          issues: error.issues,
          cause: error,
        })
      }
      throw error
    }
    for (const [profileId, stored] of Object.entries(store.profiles)) {
      const { generation: _generation, status: _status, ...credential } = stored
      const incoming = credential as AuthProfileCredential
      const previous = profiles[profileId]
      profiles[profileId] = previous ? preferred(previous, incoming) : incoming
    }
  }
  const value: ExternalCredentials = { source: 'clawdbot', path: stateDir, profiles }
  cacheSet(cache, key, signature, now, value)
  return value
}
