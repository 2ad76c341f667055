// Fleet mode (`state.backend: "redis"`): is the shared Redis reachable, and can credentials kept
// in it be decrypted? Nothing here runs in file mode. Messages name `state.url`, never the URL
// (it may hold a password).
import type { ClawConfig } from '@claw/auth-profiles'
import type { DoctorCheck, DoctorState, Finding } from './types.js'

const URL_FIX =
  'Start Redis, or point state.url (usually "${REDIS_URL}") at it; until then each host uses its local state.'
const AUTH_FIX =
  'Put the password (and the ACL user, if any) in state.url, usually through "${REDIS_URL}": redis://:PASSWORD@host:6379, rediss://USER:PASSWORD@host:6380 or unix://:PASSWORD@/path/redis.sock (percent-encode special characters). An ACL user needs scripting (EVAL, EVALSHA), the string, hash and set commands on the prefix\'s keys and, on a Redis Cluster, CLUSTER INFO.'
const EMPTY_FIX =
  'Restore Redis from a backup (and keep its data across restarts: appendonly yes), or add the credentials again with `claw models auth paste-api-key` / `claw models auth login`. A new fleet starts with its first credential.'

function formatLatency(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : String(Math.round(ms))
}

async function connection(state: DoctorState, config: ClawConfig): Promise<Finding> {
  const prefix = config.state?.prefix ?? 'claw:'
  let fleet
  try {
    fleet = await state.context.fleet()
  } catch (error) {
    // An unusable state.url (e.g. a `${VAR}` resolving to a non-Redis URL); the message names the path.
    return {
      id: 'redis.unreachable',
      severity: 'error',
      message: `Fleet mode is on but Redis cannot be used: ${(error as Error).message}`,
      fix: URL_FIX,
    }
  }
  if (!fleet) {
    return {
      id: 'redis.unreachable',
      severity: 'error',
      message: 'Fleet mode is on but no Redis connection could be made.',
      fix: URL_FIX,
    }
  }
  const ping = await fleet.ping()
  if (ping.ok) {
    return {
      id: 'redis.connected',
      severity: 'info',
      message: `Redis at state.url answered PING in ${formatLatency(ping.latencyMs)} ms (prefix ${prefix}).`,
    }
  }
  if (/^(?:authentication failed|not permitted)\b/.test(ping.error)) {
    return {
      id: 'redis.auth_failed',
      severity: 'error',
      message: `Redis at state.url refused claw: ${ping.error}; routing state is not shared (each host uses its local state).`,
      fix: AUTH_FIX,
    }
  }
  return {
    id: 'redis.unreachable',
    severity: 'error',
    message: `Redis at state.url did not answer PING (${ping.error}); routing state is not shared.`,
    fix: URL_FIX,
  }
}

/** Credentials kept in Redis, and Redis has lost them (or never held any): one error per agent. */
function emptyFleet(state: DoctorState): Finding[] {
  return state.agents
    .filter((agent) => agent.storeError?.code === 'ERR_FLEET_EMPTY')
    .map((agent) => ({
      id: 'redis.fleet_empty',
      severity: 'error' as const,
      message: agent.storeError?.message ?? '',
      agentId: agent.agentId,
      fix: EMPTY_FIX,
    }))
}

async function encryptionKey(state: DoctorState, config: ClawConfig): Promise<Finding | undefined> {
  const settings = config.state
  if (settings?.credentials !== 'redis') return undefined
  const { FLEET_ENCRYPTION_KEY_ENV, resolveFleetEncryptionKey } =
    await import('@claw/auth-profiles/redis')
  const configured =
    settings.encryptionKey !== undefined ||
    (state.context.env[FLEET_ENCRYPTION_KEY_ENV]?.trim() ?? '') !== ''
  if (!configured) {
    return {
      id: 'redis.encryption_key_missing',
      severity: 'warning',
      message: `Credentials are kept in Redis (state.credentials "redis") but no encryption key is configured: commands that read credentials will fail.`,
      fix: `Set ${FLEET_ENCRYPTION_KEY_ENV} to \`openssl rand -base64 32\` (the same on every host), or point state.encryptionKey at a SecretRef.`,
    }
  }
  try {
    await resolveFleetEncryptionKey({
      env: state.context.env,
      ...(settings.encryptionKey ? { secretRef: settings.encryptionKey } : {}),
      ...(config.secrets ? { secrets: config.secrets } : {}),
    })
    return undefined
  } catch (error) {
    // The library's messages name the key's source, never its value.
    return {
      id: 'redis.encryption_key_invalid',
      severity: 'error',
      message: (error as Error).message,
      fix: `Use the base64 encoding of 32 random bytes (\`openssl rand -base64 32\`), the same on every host.`,
    }
  }
}

export const redisCheck: DoctorCheck = {
  area: 'redis',
  title: 'Fleet state (Redis)',
  okMessage: 'File mode: routing state is kept in each agent store (no Redis).',
  async run(state) {
    const config = state.config
    // Without a valid config the config check reports the problem; file mode needs no check.
    if (config?.state?.backend !== 'redis') return []
    const findings = [await connection(state, config)]
    const key = await encryptionKey(state, config)
    if (key) findings.push(key)
    findings.push(...emptyFleet(state))
    return findings
  },
}
