// The `alerts` section of `claw doctor --json` and `claw models status --json`: what needs an
// operator (credentials expiring within 24 h, credentials needing a new login, profiles disabled
// for billing), one shape for both, so a cron job can alert without OpenTelemetry. The same
// computation feeds the telemetry gauges (`buildCredentialAlerts`).
import {
  buildCredentialAlerts,
  DEFAULT_OAUTH_WARN_MS,
  type AuthProfileStore,
  type CredentialAlerts,
} from '@claw/auth-profiles'

type WithAgent<T> = T & { readonly agentId: string }

export interface AlertsJson {
  readonly warnAfterMs: number
  readonly expiring: readonly WithAgent<CredentialAlerts['expiring'][number]>[]
  readonly reauthRequired: readonly WithAgent<CredentialAlerts['reauthRequired'][number]>[]
  readonly disabled: readonly WithAgent<CredentialAlerts['disabled'][number]>[]
}

/** The alerts of each agent's store (agents whose store could not be read are left out). */
export function alertsJson(
  agents: readonly { readonly agentId: string; readonly store: AuthProfileStore | undefined }[],
  now: number,
): AlertsJson {
  const expiring: AlertsJson['expiring'][number][] = []
  const reauthRequired: AlertsJson['reauthRequired'][number][] = []
  const disabled: AlertsJson['disabled'][number][] = []
  for (const { agentId, store } of agents) {
    if (!store) continue
    const alerts = buildCredentialAlerts({ store, now: () => now })
    expiring.push(...alerts.expiring.map((alert) => ({ agentId, ...alert })))
    reauthRequired.push(...alerts.reauthRequired.map((alert) => ({ agentId, ...alert })))
    disabled.push(...alerts.disabled.map((alert) => ({ agentId, ...alert })))
  }
  return {
    warnAfterMs: DEFAULT_OAUTH_WARN_MS,
    expiring,
    reauthRequired,
    disabled,
  }
}
