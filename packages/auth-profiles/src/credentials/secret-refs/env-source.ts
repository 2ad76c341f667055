// The env source: a variable of the environment, if the provider's allowlist names it.
import type { Env } from '../../runtime.js'
import type { SecretProviderConfig } from '../../schemas.js'
import { asFailure, Failure, nonEmpty, type Outcome, type Pending } from './failure.js'

type EnvProviderConfig = Extract<SecretProviderConfig, { source: 'env' }>

function resolveEnvRef(id: string, config: EnvProviderConfig, env: Env): string {
  const allowlist: unknown = config.allowlist
  if (allowlist !== undefined && !(Array.isArray(allowlist) && allowlist.includes(id))) {
    throw new Failure(`environment variable ${id} is not in the provider's allowlist`)
  }
  const value = env[id]
  if (value === undefined) throw new Failure(`environment variable ${id} is not set`)
  return nonEmpty(value, `environment variable ${id}`)
}

export function resolveEnvGroup(
  config: EnvProviderConfig,
  pendings: readonly Pending[],
  env: Env,
  outcomes: Map<string, Outcome>,
): void {
  for (const { ref, key } of pendings) {
    try {
      outcomes.set(key, { value: resolveEnvRef(ref.id, config, env) })
    } catch (error) {
      outcomes.set(key, { failure: asFailure(error) })
    }
  }
}
