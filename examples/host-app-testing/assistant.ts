// A host app's model layer: `ask()` sends one prompt through runWithFailover. Everything that
// touches the outside world (the store, the model call, the clock) is a parameter, so tests can
// run it with a memory store and a fake model — see assistant.test.ts.
import type { AuthStoreBackend, ClawConfig } from '@claw/auth-profiles'
import { runWithFailover, type FailoverCallContext } from '@claw/failover'

/** The app's model call: any client works (fetch, a vendor SDK, …). */
export type ModelCall = (context: FailoverCallContext, prompt: string) => Promise<string>

export interface AssistantDeps {
  readonly config: ClawConfig
  /** Production: `openAuthStore({ agentDir })`; tests pass `createMemoryAuthStore(…)`. */
  readonly store: AuthStoreBackend
  readonly call: ModelCall
  readonly now?: () => number
}

export interface Answer {
  readonly text: string
  readonly servedBy: string
  /** Credentials that failed first, for the app's logs (ids and reasons, never secrets). */
  readonly failures: readonly string[]
}

export async function ask(deps: AssistantDeps, prompt: string): Promise<Answer> {
  const outcome = await runWithFailover({
    config: deps.config,
    store: deps.store,
    env: {},
    ...(deps.now ? { now: deps.now } : {}),
    // Tests should not wait out retry gaps; production keeps the default.
    minRetryGapMs: 0,
    run: (context) => deps.call(context, prompt),
  })
  return {
    text: outcome.result,
    servedBy: `${outcome.provider}/${outcome.model} (${outcome.profileId ?? 'env'})`,
    failures: outcome.attempts.map(
      (attempt) => `${attempt.profileId ?? attempt.provider}: ${attempt.reason}`,
    ),
  }
}
