import type { Attributes, BatchObservableCallback } from '@opentelemetry/api'
import { buildCredentialAlerts, type AuthStoreBackend } from '@claw/auth-profiles'
import { normalizeProviderId } from '@claw/model-catalog'
import type { Clock } from '../runtime.js'
import type { Instruments } from './instruments.js'
import { ATTR, genAiProviderName } from './names.js'

/** Options of `ClawTelemetry.observeCredentials`. @public */
export interface ObserveCredentialsOptions {
  /** The store to read at each collection (`store.load()`). */
  readonly store: AuthStoreBackend
  /** Labels the series (`claw.agent.id`) when several stores are observed. */
  readonly agentId?: string
  /** The `expiring` window in milliseconds; default 24 hours. */
  readonly warnAfterMs?: number
  readonly now?: Clock
}

/** The reasons a profile is disabled for (a series each, also at 0). */
const DISABLED_REASONS = ['billing', 'auth_permanent'] as const

/**
 * Registers the credential gauges over a store: they read it when metrics are collected (never on
 * a request path) and report, per provider of the store (0 included, so series stay continuous),
 * credentials expiring within the window (refreshable or not), credentials needing a new login,
 * and profiles disabled by reason. A store that cannot be read reports nothing that time.
 */
export function observeCredentials(
  instruments: Instruments,
  options: ObserveCredentialsOptions,
): () => void {
  const label: Attributes = options.agentId === undefined ? {} : { [ATTR.agentId]: options.agentId }
  const observables = [instruments.expiring, instruments.reauthRequired, instruments.disabled]
  const callback: BatchObservableCallback = async (result) => {
    let store
    try {
      store = await options.store.load()
    } catch {
      return
    }
    const alerts = buildCredentialAlerts({
      store,
      ...(options.now ? { now: options.now } : {}),
      ...(options.warnAfterMs === undefined ? {} : { warnAfterMs: options.warnAfterMs }),
    })
    const providers = new Set(
      Object.values(store.profiles).map((credential) => normalizeProviderId(credential.provider)),
    )
    for (const provider of providers) {
      const attributes: Attributes = { ...label, [ATTR.provider]: genAiProviderName(provider) }
      for (const refreshable of [true, false]) {
        const count = alerts.expiring.filter(
          (alert) => alert.provider === provider && alert.refreshable === refreshable,
        ).length
        result.observe(instruments.expiring, count, {
          ...attributes,
          [ATTR.refreshable]: refreshable,
        })
      }
      result.observe(
        instruments.reauthRequired,
        alerts.reauthRequired.filter((alert) => alert.provider === provider).length,
        attributes,
      )
      const disabled = alerts.disabled.filter((alert) => alert.provider === provider)
      const reasons = new Set<string>([
        ...DISABLED_REASONS,
        ...disabled.map((alert) => alert.reason),
      ])
      for (const reason of reasons) {
        result.observe(
          instruments.disabled,
          disabled.filter((alert) => alert.reason === reason).length,
          { ...attributes, [ATTR.disabledReason]: reason },
        )
      }
    }
  }
  instruments.meter.addBatchObservableCallback(callback, observables)
  return () => instruments.meter.removeBatchObservableCallback(callback, observables)
}
