// The resolver: groups refs by provider alias, hands each group to its source (env, file, exec),
// a few providers at a time, and reports every ref's value or error.
import type { AuthProfilesError } from '../../errors.js'
import { resolveEnv, type Env } from '../../runtime.js'
import type { SecretProviderConfig, SecretsConfig } from '../../schemas.js'
import type { SecretRef } from '../../types.js'
import { resolveEnvGroup } from './env-source.js'
import { resolveExecGroup } from './exec-source.js'
import { abortFailure, asFailure, Failure, type Outcome, type Pending } from './failure.js'
import { resolveFileGroup } from './file-source.js'
import { forEachLimited } from './for-each-limited.js'
import { isPlainObject } from './json-value.js'
import { keyOf, refError, validateSecretRef } from './secret-ref.js'

/** How many secret providers `resolveSecretRefs` works on at the same time. @public */
export const SECRET_PROVIDER_CONCURRENCY = 4

/** The provider alias that exists as an env provider when the config does not declare it. @public */
export const DEFAULT_SECRET_PROVIDER = 'default'

/** Options of `resolveSecretRef` and `resolveSecretRefs`. @public */
export interface ResolveSecretRefOptions {
  /**
   * The config's `secrets` slice: `{ providers?: Record<alias, SecretProviderConfig> }`. The alias
   * `default` is an env provider unless configured otherwise.
   */
  readonly secrets?: SecretsConfig | undefined
  /**
   * Environment variables, read by env providers and the source of the variables an exec provider
   * passes to its command (`PATH` and `passEnv`); default `process.env`.
   */
  readonly env?: Env
  /** Aborting stops the work: a running command is killed and the call rejects. */
  readonly signal?: AbortSignal
}

/**
 * The outcome of `resolveSecretRefs`, keyed by `secretRefKey(ref)`: each distinct ref is in
 * exactly one of the two maps.
 *
 * @public
 */
export interface ResolveSecretRefsResult {
  readonly values: Map<string, string>
  /** Per-ref failures, each an `AuthProfilesError` with code `ERR_SECRET_REF`. */
  readonly errors: Map<string, AuthProfilesError>
}

function lookupProvider(
  alias: string,
  secrets: SecretsConfig | undefined,
): SecretProviderConfig | undefined {
  const providers = secrets?.providers
  if (isPlainObject(providers) && Object.hasOwn(providers, alias)) return providers[alias]
  return alias === DEFAULT_SECRET_PROVIDER ? { source: 'env' } : undefined
}

function settleAll(pendings: readonly Pending[], failure: Failure): Map<string, Outcome> {
  return new Map(pendings.map((pending) => [pending.key, { failure }]))
}

/** Resolves every ref of one provider alias; never rejects. */
async function resolveProviderGroup(
  alias: string,
  pendings: readonly Pending[],
  options: ResolveSecretRefOptions,
): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>()
  const { signal } = options
  if (signal?.aborted) return settleAll(pendings, abortFailure(signal))
  const config = lookupProvider(alias, options.secrets)
  if (!isPlainObject(config)) {
    return settleAll(
      pendings,
      new Failure(
        `no secret provider "${alias}" is configured (declare it under secrets.providers.${alias})`,
      ),
    )
  }
  const accepted: Pending[] = []
  for (const pending of pendings) {
    if (pending.ref.source === config.source) accepted.push(pending)
    else {
      outcomes.set(pending.key, {
        failure: new Failure(
          `provider "${alias}" is a ${String(config.source)} provider, but the ref's source is ${pending.ref.source}`,
        ),
      })
    }
  }
  if (accepted.length === 0) return outcomes
  try {
    switch (config.source) {
      case 'env':
        resolveEnvGroup(config, accepted, resolveEnv(options), outcomes)
        break
      case 'file':
        await resolveFileGroup(config, accepted, signal, outcomes)
        break
      case 'exec':
        await resolveExecGroup(alias, config, accepted, resolveEnv(options), signal, outcomes)
        break
      default:
        throw new Failure(`provider "${alias}" has an unsupported source`)
    }
  } catch (error) {
    const failure = asFailure(error)
    for (const pending of accepted) {
      if (!outcomes.has(pending.key)) outcomes.set(pending.key, { failure })
    }
  }
  return outcomes
}

/**
 * Resolves many refs at once. Refs are grouped by provider alias and at most
 * `SECRET_PROVIDER_CONCURRENCY` (4) providers are worked on at the same time. The refs of one exec
 * provider are answered by ONE command call carrying all their ids (providers with
 * `jsonOnly: false` are called once per id, because a plain-text reply answers a single id); a
 * file provider's file is read once. Partial failures do not throw: each distinct ref, keyed by
 * `secretRefKey(ref)`, ends up in `values` or in `errors`.
 *
 * @public
 */
export async function resolveSecretRefs(
  refs: readonly SecretRef[],
  options: ResolveSecretRefOptions = {},
): Promise<ResolveSecretRefsResult> {
  const values = new Map<string, string>()
  const errors = new Map<string, AuthProfilesError>()
  const groups = new Map<string, Pending[]>()
  const refsByKey = new Map<string, SecretRef>()
  for (const ref of refs) {
    const key = keyOf(ref)
    if (refsByKey.has(key)) continue
    refsByKey.set(key, ref)
    const invalid = validateSecretRef(ref)
    if (invalid !== undefined) {
      errors.set(key, refError(ref, new Failure(`the ref is invalid: ${invalid}`)))
      continue
    }
    const group = groups.get(ref.provider)
    if (group) group.push({ ref, key })
    else groups.set(ref.provider, [{ ref, key }])
  }
  await forEachLimited([...groups], SECRET_PROVIDER_CONCURRENCY, async ([alias, pendings]) => {
    const outcomes = await resolveProviderGroup(alias, pendings, options)
    for (const { ref, key } of pendings) {
      const outcome = outcomes.get(key) ?? { failure: new Failure('the ref was not resolved') }
      if ('value' in outcome) values.set(key, outcome.value)
      else errors.set(key, refError(ref, outcome.failure))
    }
  })
  return { values, errors }
}

/**
 * Resolves one SecretRef to its secret value, trimmed (an empty value counts as unresolved).
 *
 * - `env`: the variable `id` of `options.env`, if the provider's `allowlist` (when set) names it.
 * - `file`: the file at the provider's absolute `path`, which must be a regular file of at most
 *   `maxBytes`, owned by the current user and not accessible to group or others (mode 0600, like
 *   OpenSSH's checks); `id` is a JSON pointer to a string (`json` mode) or `value` (`singleValue`:
 *   the whole file). The type, size and permissions are checked before anything is read.
 * - `exec`: the provider's absolute, non-symlink, executable `command` — owned by the current
 *   user or root and not writable by group or others, nor any directory above it (OpenSSH's
 *   StrictModes), unless the provider sets `allowInsecurePermissions` — run without a shell and
 *   with only `PATH`, the `passEnv` variables and the provider's `env`. It receives
 *   `{"protocolVersion":1,"provider":"<alias>","ids":["<id>"]}` on stdin and answers
 *   `{"protocolVersion":1,"values":{"<id>":"…"},"errors"?:{…}}` on stdout; with `jsonOnly: false`
 *   a plain-text stdout is the value. A command that runs past `timeoutMs` (at most 10 minutes),
 *   writes more than `maxOutputBytes` (at most 16 MiB) or is aborted is killed with its process
 *   group. Once it exited 0, its stdout gets at most 250 ms to end: a background process it left
 *   holding the pipe open neither turns the reply into a failure nor keeps the caller waiting.
 *
 * @throws `AuthProfilesError` with code `ERR_SECRET_REF`, whose message names the provider alias,
 *   source and id and the reason, never the value.
 * @public
 */
export async function resolveSecretRef(
  ref: SecretRef,
  options: ResolveSecretRefOptions = {},
): Promise<string> {
  const key = keyOf(ref)
  const { values, errors } = await resolveSecretRefs([ref], options)
  const value = values.get(key)
  if (value !== undefined) return value
  throw errors.get(key) ?? refError(ref, new Failure('the ref was not resolved'))
}
