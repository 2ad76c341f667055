// GitHub Copilot's credentials file, and the GitHub token variables of the environment.
import type { Env } from '../../runtime.js'
import type { TokenCredential } from '../../types.js'
import type { ExternalCredentials } from './types.js'
import { isRecord, type Profiles } from './field-reader.js'

const COPILOT_TOKEN_KEYS = ['token', 'oauth_token', 'github_token'] as const
const COPILOT_ENV_KEYS = ['COPILOT_GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_TOKEN'] as const

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

function normalizeHost(host: unknown): string | undefined {
  if (typeof host !== 'string') return undefined
  return host
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
}

/**
 * A GitHub token from Copilot's credentials file, whose format is not documented: a top-level
 * `token` / `oauth_token` / `github_token`, or hosts (an array of `{ host | hostname, oauth_token }`
 * or a map `{ "<host>": { oauth_token } }`, at the top level or under `hosts`), github.com first.
 * Fields of other shapes are ignored rather than rejected.
 */
export function copilotTokenFromJson(root: unknown): string | undefined {
  if (isRecord(root)) {
    for (const key of COPILOT_TOKEN_KEYS) {
      const token = nonEmptyString(root[key])
      if (token) return token
    }
  }
  const hostsValue = isRecord(root) && 'hosts' in root ? root['hosts'] : root
  const hosts: { host: string | undefined; token: string | undefined }[] = []
  if (Array.isArray(hostsValue)) {
    for (const entry of hostsValue) {
      if (!isRecord(entry)) continue
      hosts.push({
        host: normalizeHost(entry['host'] ?? entry['hostname'] ?? entry['domain']),
        token: nonEmptyString(entry['oauth_token']),
      })
    }
  } else if (isRecord(hostsValue)) {
    for (const [host, entry] of Object.entries(hostsValue)) {
      if (!isRecord(entry)) continue
      hosts.push({ host: normalizeHost(host), token: nonEmptyString(entry['oauth_token']) })
    }
  }
  const withToken = hosts.filter((entry) => entry.token !== undefined)
  return (withToken.find((entry) => entry.host === 'github.com') ?? withToken[0])?.token
}

export function copilotProfiles(token: string): Profiles {
  const credential: TokenCredential = { type: 'token', provider: 'github-copilot', token }
  return { 'github-copilot:github': credential }
}

export function copilotFromEnv(env: Env): ExternalCredentials | undefined {
  for (const name of COPILOT_ENV_KEYS) {
    const token = nonEmptyString(env[name])
    if (token) return { source: 'copilot', path: `env:${name}`, profiles: copilotProfiles(token) }
  }
  return undefined
}
