import type { AuthProfileStore, AuthStoreBackend, ClawConfig } from '@claw/auth-profiles'
import type { Clock } from './runtime.js'

/**
 * What to run against: the config, the credential store, the model and its fallbacks. Shared by
 * `runWithFailover` and `planFailover`, so a plan describes exactly what a run would do.
 *
 * @public
 */
export interface FailoverTargetOptions {
  readonly config?: ClawConfig | undefined
  /**
   * The store handle (`openAuthStore({ agentDir })`, `createMemoryAuthStore(…)`, a fleet backend):
   * cooldowns and usage are recorded through it. Or omit it and pass `agentDir` (its file store).
   * `runWithFailover` refuses loaded store data (`ERR_INVALID_ARGUMENT`): what it recorded there
   * would be lost; `planFailover` accepts it (a plan records nothing).
   */
  readonly store?: AuthStoreBackend | AuthProfileStore | undefined
  readonly agentDir?: string | undefined
  readonly mainAgentDir?: string | null | undefined
  /** The requested model's provider and id (default: the configured primary). */
  readonly provider?: string | undefined
  readonly model?: string | undefined
  /** Replaces the configured fallbacks (`[]`: none). */
  readonly fallbacksOverride?: readonly string[] | undefined
  readonly agentId?: string | undefined
  /** A session's pinned profile. `source: 'user'` locks it: it is used even in cooldown and never rotated. */
  readonly sessionProfile?:
    { readonly profileId: string; readonly source?: 'auto' | 'user' } | undefined
  /** At most this many calls per run (default 6). */
  readonly maxAttempts?: number | undefined
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  readonly now?: Clock | undefined
}
