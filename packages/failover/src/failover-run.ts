// The engine hooks of runWithFailover: resolving a credential for a slot, making the caller's
// call with it (bounded by the time budget, its keys masked in what a failure reports) and
// refreshing an OAuth profile after an auth failure.
import {
  AuthProfilesError,
  collectProviderApiKeys,
  createSecretMasker,
  resolveApiKeyForProfile,
  resolveApiKeyForProvider,
  type AuthProfileStore,
  type AuthStoreBackend,
  type CredentialMode,
  type OAuthRefreshSettings,
  type SecretMasker,
} from '@claw/auth-profiles'
import { resolveProviderBaseUrl } from '@claw/model-catalog'
import type { FallbackCandidate } from './candidates.js'
import { isUserAbortError } from './classify/timeouts.js'
import {
  failedCallOutcome,
  type CallOutcome,
  type CredentialSlot,
  type EngineHooks,
  type FailedCallOutcome,
} from './engine/engine-hooks.js'
import { redactOutcome } from './redact-error.js'
import type { RunWithFailoverOptions } from './run.js'
import type { Clock } from './runtime.js'

interface ReadyCredential {
  readonly apiKey: string | undefined
  readonly baseUrl: string | undefined
  readonly mode: CredentialMode
  readonly source: string
}

/** The state of one `runWithFailover` call, with the engine hooks as its methods. */
export class FailoverRun<T> implements EngineHooks<T> {
  /**
   * What `resolveApiKeyForProfile` and `resolveApiKeyForProvider` get besides the profile or
   * provider and the store.
   */
  private readonly profileOptions: Record<string, unknown>
  /**
   * The credential of the last successful `resolve`: the engine resolves a slot right before its
   * calls (and again after an OAuth refresh), so `call` only ever needs the latest one.
   */
  private ready: ReadyCredential | undefined = undefined
  /** The keys handed to `run` whose call failed, compiled: masked in everything the run reports. */
  private secrets: string[] | undefined = undefined
  private masker: SecretMasker | undefined = undefined
  private readyCandidate: FallbackCandidate | undefined = undefined
  private readySlot: CredentialSlot | undefined = undefined

  constructor(
    private readonly options: RunWithFailoverOptions<T>,
    private readonly clock: Clock,
    /** The end of the time budget (clock ms), shared by the engine and each call's signal. */
    private readonly deadlineAt: number | undefined,
    private readonly backend: AuthStoreBackend,
    /** The OAuth settings refreshes use: the caller's, or its observer's. */
    private readonly oauth: OAuthRefreshSettings | undefined,
  ) {
    const profileOptions: Record<string, unknown> = { config: options.config }
    if (options.env) profileOptions.env = options.env
    if (options.now) profileOptions.now = options.now
    if (options.signal) profileOptions.signal = options.signal
    if (options.fetch) profileOptions.fetch = options.fetch
    if (oauth) profileOptions.oauth = oauth
    this.profileOptions = profileOptions
  }

  private setReady(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
    credential: ReadyCredential,
  ): { readonly ready: true } {
    this.ready = credential
    this.readyCandidate = candidate
    this.readySlot = slot
    return { ready: true }
  }

  private readyFor(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
  ): ReadyCredential | undefined {
    return this.readyCandidate === candidate && this.readySlot === slot ? this.ready : undefined
  }

  async resolve(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
    _store: AuthProfileStore,
  ): Promise<{ readonly skip: string } | { readonly ready: true }> {
    const { options, backend } = this
    try {
      if (slot.profileId) {
        // Tuned (bench row "runWithFailover, 1st call succeeds"): a literal that starts with a
        // spread is much slower to build in V8 than one that starts with a plain property.
        // The handle, not the snapshot: an OAuth refresh is saved through it.
        const resolved = await resolveApiKeyForProfile({
          profileId: slot.profileId,
          ...this.profileOptions,
          store: backend,
        })
        if (!resolved) return { skip: 'no usable credential' }
        return this.setReady(candidate, slot, {
          apiKey: resolved.apiKey,
          baseUrl: resolved.baseUrl,
          mode: resolved.mode,
          source: slot.label,
        })
      }
      if (slot.envKeyIndex !== undefined) {
        const keys = collectProviderApiKeys(
          candidate.provider,
          options.env ? { env: options.env } : {},
        )
        const apiKey = keys[slot.envKeyIndex]
        if (!apiKey) return { skip: 'env key no longer set' }
        return this.setReady(candidate, slot, {
          apiKey,
          baseUrl: undefined,
          mode: 'api-key',
          source: slot.label,
        })
      }
      const resolved = await resolveApiKeyForProvider({
        provider: candidate.provider,
        model: candidate.model,
        ...this.profileOptions,
        store: backend,
      })
      return this.setReady(candidate, slot, {
        apiKey: resolved.apiKey,
        baseUrl: resolved.baseUrl,
        mode: resolved.mode,
        source: resolved.source,
      })
    } catch (error) {
      if (AuthProfilesError.isInstance(error)) return { skip: error.message }
      throw error
    }
  }

  async call(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
    attempt: number,
  ): Promise<CallOutcome<T>> {
    const { options, deadlineAt } = this
    const credential = this.readyFor(candidate, slot)
    // With a time budget the call itself is bounded too: the remaining time aborts it.
    const remainingMs =
      deadlineAt === undefined ? undefined : Math.max(0, deadlineAt - this.clock())
    const budget =
      remainingMs === undefined ? undefined : AbortSignal.timeout(Math.max(1, remainingMs))
    const signal =
      budget === undefined
        ? options.signal
        : options.signal
          ? AbortSignal.any([options.signal, budget])
          : budget
    try {
      const value = await options.run({
        provider: candidate.provider,
        model: candidate.model,
        apiKey: credential?.apiKey,
        profileId: slot.profileId,
        baseUrl: credential?.baseUrl ?? resolveProviderBaseUrl(candidate.provider, options.config),
        mode: credential?.mode ?? 'api-key',
        source: credential?.source ?? slot.label,
        attempt,
        signal,
      })
      return { ok: true, value }
    } catch (error) {
      // The keys of this run never leave it: a provider that echoes one in its error gets it
      // masked in every message, and the caller gets a redacted copy of its error back.
      const apiKey = credential?.apiKey
      if (apiKey !== undefined && !this.secrets?.includes(apiKey)) {
        ;(this.secrets ??= []).push(apiKey)
        this.masker = createSecretMasker(this.secrets)
      }
      return redactOutcome(this.failed(error, budget, candidate, slot), this.masker)
    }
  }

  /** What a call that threw amounts to (before redaction). */
  private failed(
    error: unknown,
    budget: AbortSignal | undefined,
    candidate: FallbackCandidate,
    slot: CredentialSlot,
  ): FailedCallOutcome {
    if (this.options.signal?.aborted)
      return { ok: false, reason: null, error, message: 'aborted', aborted: true }
    // The time budget ran out mid-call: that is a timeout, whatever the call threw.
    if (budget?.aborted)
      return { ok: false, reason: 'timeout', error, message: 'call exceeded the time budget' }
    if (isUserAbortError(error))
      return { ok: false, reason: null, error, message: 'aborted', aborted: true }
    return failedCallOutcome(error, {
      provider: candidate.provider,
      model: candidate.model,
      profileId: slot.profileId,
    })
  }

  async refreshAfterAuthFailure(
    candidate: FallbackCandidate,
    slot: CredentialSlot,
    store: AuthProfileStore,
  ): Promise<boolean> {
    const { options, backend } = this
    const profileId = slot.profileId
    if (!profileId || store.profiles[profileId]?.type !== 'oauth') return false
    const credential = this.readyFor(candidate, slot)
    // The refresh machinery loads when a provider first rejects an OAuth token.
    const { refreshOAuthCredential } = await import('@claw/auth-profiles/oauth')
    try {
      const refreshed = await refreshOAuthCredential({
        ...(this.oauth ?? {}),
        profileId,
        backend,
        ...(credential?.apiKey ? { rejectedAccessToken: credential.apiKey } : { force: true }),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.now ? { now: options.now } : {}),
        ...(options.env ? { env: options.env } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      })
      if (refreshed.credential.access === credential?.apiKey) return false
      const again = await this.resolve(candidate, slot, store)
      return 'ready' in again
    } catch {
      return false
    }
  }
}
