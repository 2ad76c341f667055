import { getProvider, normalizeProviderId } from '@claw/model-catalog'
import { AuthProfilesError } from '../errors.js'
import { resolveEnv, type Env } from '../runtime.js'

/** Options of the env-key functions. @public */
export interface EnvKeyOptions {
  /** Environment variables; default `process.env`. */
  readonly env?: Env
}

/** An API key or OAuth token found in the environment. @public */
export interface EnvApiKey {
  /** The trimmed value. */
  readonly apiKey: string
  /** `env: <VAR>`, for display. */
  readonly source: string
  /** The variable the value came from. */
  readonly envVar: string
  /** `oauth` for long-lived OAuth token variables (`*_OAUTH_TOKEN`), else `api-key`. */
  readonly mode: 'api-key' | 'oauth'
}

/** Ambient credentials resolved by a vendor credential chain; they hold no key. @public */
export interface AmbientCredentials {
  readonly mode: 'aws-sdk' | 'gcloud-adc'
  /** Where they come from, for display: `env: AWS_PROFILE`, `aws-sdk default chain`, `gcloud adc`. */
  readonly source: string
}

/** @public */
export interface CollectProviderApiKeysOptions extends EnvKeyOptions {
  /** An already-resolved key (say, from a profile); it goes first. */
  readonly primaryApiKey?: string
}

/** Trimmed value, or `undefined` when empty or the strings `undefined` / `null`. */
function cleanValue(value: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined
  const trimmed = value.trim()
  if (trimmed === '' || trimmed === 'undefined' || trimmed === 'null') return undefined
  return trimmed
}

function envValue(env: Env, name: string): string | undefined {
  return Object.hasOwn(env, name) ? cleanValue(env[name]) : undefined
}

/**
 * The provider credential found in the environment, trying the provider's variables in their
 * documented precedence (for example `ANTHROPIC_OAUTH_TOKEN` before `ANTHROPIC_API_KEY`, or
 * `COPILOT_GITHUB_TOKEN` → `GH_TOKEN` → `GITHUB_TOKEN` for `github-copilot`). Values are trimmed
 * and empty ones skipped. Returns `null` for an unknown provider or when no variable is set.
 * Ambient credentials (Bedrock, Vertex) are answered by {@link resolveAmbientCredentials}.
 *
 * @example
 * ```ts
 * resolveEnvApiKey('anthropic', { env: { ANTHROPIC_API_KEY: 'sk-ant-…' } })
 * // { apiKey: 'sk-ant-…', source: 'env: ANTHROPIC_API_KEY', envVar: 'ANTHROPIC_API_KEY', mode: 'api-key' }
 * ```
 * @public
 */
export function resolveEnvApiKey(provider: string, options: EnvKeyOptions = {}): EnvApiKey | null {
  const info = getProvider(provider)
  if (info === undefined) return null
  const env = resolveEnv(options)
  for (const envVar of info.envVars) {
    const raw = Object.hasOwn(env, envVar.name) ? env[envVar.name] : undefined
    const apiKey = typeof raw === 'string' ? raw.trim() : ''
    if (apiKey === '') continue
    return {
      apiKey,
      source: `env: ${envVar.name}`,
      envVar: envVar.name,
      mode: envVar.kind === 'oauth-token' ? 'oauth' : 'api-key',
    }
  }
  return null
}

function isSet(env: Env, name: string): boolean {
  const value = Object.hasOwn(env, name) ? env[name] : undefined
  return typeof value === 'string' && value.trim() !== ''
}

/**
 * Ambient credentials for providers authenticated by a vendor credential chain:
 *
 * - `amazon-bedrock` → always `{ mode: 'aws-sdk' }`, with `source` by precedence
 *   `env: AWS_BEARER_TOKEN_BEDROCK` > `env: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY` (both set)
 *   > `env: AWS_PROFILE` > `aws-sdk default chain`;
 * - `google-vertex` → `{ mode: 'gcloud-adc', source: 'gcloud adc' }` when
 *   `GOOGLE_APPLICATION_CREDENTIALS` is set, else `null`;
 * - any other provider → `null`.
 *
 * Only the presence of variables is checked; nothing is read or validated.
 *
 * @public
 */
export function resolveAmbientCredentials(
  provider: string,
  options: EnvKeyOptions = {},
): AmbientCredentials | null {
  const id = normalizeProviderId(provider)
  const env = resolveEnv(options)
  if (id === 'amazon-bedrock') {
    if (isSet(env, 'AWS_BEARER_TOKEN_BEDROCK')) {
      return { mode: 'aws-sdk', source: 'env: AWS_BEARER_TOKEN_BEDROCK' }
    }
    if (isSet(env, 'AWS_ACCESS_KEY_ID') && isSet(env, 'AWS_SECRET_ACCESS_KEY')) {
      return { mode: 'aws-sdk', source: 'env: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY' }
    }
    if (isSet(env, 'AWS_PROFILE')) return { mode: 'aws-sdk', source: 'env: AWS_PROFILE' }
    return { mode: 'aws-sdk', source: 'aws-sdk default chain' }
  }
  if (id === 'google-vertex') {
    return isSet(env, 'GOOGLE_APPLICATION_CREDENTIALS')
      ? { mode: 'gcloud-adc', source: 'gcloud adc' }
      : null
  }
  return null
}

/**
 * The env-var stem for key rotation: the provider's `keyRotation.envBase` (`GEMINI` for `google`
 * and `google-vertex`), else the normalised id upper-cased with `-` → `_`
 * (`vercel-ai-gateway` → `VERCEL_AI_GATEWAY`).
 */
function keyRotationBase(id: string): {
  readonly base: string
  readonly fallbackEnvVars: readonly string[]
} {
  const rotation = getProvider(id)?.keyRotation
  return {
    base: rotation?.envBase ?? id.toUpperCase().replace(/-/g, '_'),
    fallbackEnvVars: rotation?.fallbackEnvVars ?? [],
  }
}

/**
 * All API keys configured for a provider in the environment, for rotation on rate limits, in
 * priority order (`BASE` is the provider's rotation stem: `GEMINI` for Google, else the
 * upper-cased id with `-` → `_`):
 *
 * 1. `CLAW_LIVE_<BASE>_KEY`: when set, it is the **only** key returned (not even `primaryApiKey`
 *    is added);
 * 2. `primaryApiKey`, when given;
 * 3. the lists `<BASE>_API_KEYS`, then `CLAW_LIVE_<BASE>_KEYS` (split on whitespace, commas or
 *    semicolons);
 * 4. `<BASE>_API_KEY`;
 * 5. every variable whose name starts with `<BASE>_API_KEY_`, in the env object's enumeration order;
 * 6. the provider's fallback variables (`GOOGLE_API_KEY` for Google).
 *
 * Values are trimmed; empty values and the strings `undefined` / `null` are ignored; duplicates
 * keep their first position.
 *
 * @throws `AuthProfilesError` `ERR_INVALID_ARGUMENT` for an empty provider id.
 * @example
 * ```ts
 * collectProviderApiKeys('openai', { env: { OPENAI_API_KEYS: 'k1, k2', OPENAI_API_KEY: 'k1' } })
 * // ['k1', 'k2']
 * ```
 * @public
 */
export function collectProviderApiKeys(
  provider: string,
  options: CollectProviderApiKeysOptions = {},
): string[] {
  const id = normalizeProviderId(provider)
  if (id === '') {
    throw new AuthProfilesError('ERR_INVALID_ARGUMENT', 'The provider id must not be empty.')
  }
  const env = resolveEnv(options)
  const { base, fallbackEnvVars } = keyRotationBase(id)

  const liveKey = envValue(env, `CLAW_LIVE_${base}_KEY`)
  if (liveKey !== undefined) return [liveKey]

  const keys: string[] = []
  const seen = new Set<string>()
  const add = (value: string | undefined): void => {
    const key = cleanValue(value)
    if (key === undefined || seen.has(key)) return
    seen.add(key)
    keys.push(key)
  }
  const addList = (name: string): void => {
    const list = envValue(env, name)
    if (list !== undefined) for (const item of list.split(/[\s,;]+/)) add(item)
  }

  add(options.primaryApiKey)
  addList(`${base}_API_KEYS`)
  addList(`CLAW_LIVE_${base}_KEYS`)
  add(envValue(env, `${base}_API_KEY`))
  const numberedPrefix = `${base}_API_KEY_`
  for (const name of Object.keys(env)) {
    if (name.startsWith(numberedPrefix)) add(env[name])
  }
  for (const name of fallbackEnvVars) add(envValue(env, name))
  return keys
}
