import {
  isProfileInCooldown,
  resolveAuthProfileOrder,
  type AuthProfileStore,
  type ClawConfig,
} from '@claw/auth-profiles'
import { normalizeProviderId } from '@claw/model-catalog'
import { resolveClock, type Clock } from './runtime.js'

/**
 * Who pinned a session's auth profile: `auto` (the router chose it; only a preference that may
 * rotate) or `user` (`/model …@profile`; locked until a new session).
 *
 * @public
 */
export type SessionAuthProfileSource = 'auto' | 'user'

/**
 * The auth-related fields of a chat session entry, named as OpenClaw's session entries name them.
 * Other fields of your session object are carried through unchanged.
 *
 * @public
 */
export interface SessionAuthState {
  /** The pinned profile id. */
  readonly authProfileOverride?: string
  /** Who pinned it. Missing on old entries: see {@link resolveSessionAuthProfileOverride}. */
  readonly authProfileOverrideSource?: SessionAuthProfileSource
  /** The session's `compactionCount` when the profile was pinned. */
  readonly authProfileOverrideCompactionCount?: number
  /** Incremented by conversation compaction. */
  readonly compactionCount?: number
}

/** @public */
export interface ComputeSessionAuthProfileOverrideOptions<
  S extends SessionAuthState = SessionAuthState,
> {
  /** The session entry; without one nothing is resolved and nothing changes. */
  readonly session: S | undefined
  /** The auth store; without one nothing is resolved and nothing changes. */
  readonly store: AuthProfileStore | undefined
  readonly config?: ClawConfig | undefined
  /** The provider the session is about to call (compared after normalisation). */
  readonly provider: string
  /** True on the first turn of a session (`/new`, `/reset`): rotates even a user pin. */
  readonly isNewSession?: boolean | undefined
  /**
   * The model about to be used, so that model-scoped cooldowns of that model count (and those of
   * other models do not). Omit it to look at profile-wide cooldowns only, as OpenClaw does.
   */
  readonly model?: string | undefined
  /** Clock (epoch ms); defaults to the wall clock. Read once per call. */
  readonly now?: Clock | undefined
}

/** @public */
export interface ResolveSessionAuthProfileOverrideOptions<
  S extends SessionAuthState = SessionAuthState,
> extends ComputeSessionAuthProfileOverrideOptions<S> {
  /** Called (and awaited) with the updated entry, only when it changed. */
  readonly persist?: ((entry: S) => void | Promise<void>) | undefined
}

/** @public */
export interface SessionAuthProfileOverrideResult<S extends SessionAuthState = SessionAuthState> {
  /** The profile to use for this turn; `undefined` means "no profile preference". */
  readonly profileId: string | undefined
  /** Its source (pass it to the runner: a `user` profile is locked). */
  readonly source: SessionAuthProfileSource | undefined
  /** Whether `session` differs from the entry passed in (and should be persisted). */
  readonly changed: boolean
  /** The updated entry: a new object when `changed`, else the one passed in. */
  readonly session: S
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

function clearOverride<S extends SessionAuthState>(session: S): S {
  const next: Mutable<S> = { ...session }
  delete next.authProfileOverride
  delete next.authProfileOverrideSource
  delete next.authProfileOverrideCompactionCount
  return next
}

function finiteCount(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/**
 * The synchronous core of {@link resolveSessionAuthProfileOverride}: computes the profile and the
 * updated session entry without persisting anything. Same rules, same result.
 *
 * @public
 */
export function computeSessionAuthProfileOverride<S extends SessionAuthState>(
  options: ComputeSessionAuthProfileOverrideOptions<S>,
): SessionAuthProfileOverrideResult<S> {
  const { session, store, config, provider } = options

  // 1. Nothing to work with: report what is stored, change nothing.
  if (session === undefined || store === undefined || provider.trim() === '') {
    return {
      profileId: session?.authProfileOverride,
      source: session?.authProfileOverrideSource,
      changed: false,
      session: session ?? ({} as S),
    }
  }

  const nowMs = resolveClock(options)()
  const clock: Clock = () => nowMs
  const providerKey = normalizeProviderId(provider)
  const order = resolveAuthProfileOrder({
    store,
    provider: providerKey,
    config,
    model: options.model,
    now: clock,
  })

  // 2. Clear an invalid pin: unknown profile, another provider, or left out of a non-empty order.
  let entry: S = session
  let changed = false
  const pinned = session.authProfileOverride
  if (pinned !== undefined) {
    const credential = store.profiles[pinned]
    const invalid =
      credential === undefined ||
      normalizeProviderId(credential.provider) !== providerKey ||
      (order.length > 0 && !order.includes(pinned))
    if (invalid) {
      entry = clearOverride(session)
      changed = true
    }
  }

  // 3. No usable profile for the provider.
  if (order.length === 0) {
    return { profileId: undefined, source: undefined, changed, session: entry }
  }

  const inCooldown = (profileId: string): boolean =>
    isProfileInCooldown(store, profileId, { now: nowMs, model: options.model })
  // 4. Helpers.
  const pickFirstAvailable = (): string =>
    order.find((profileId) => !inCooldown(profileId)) ?? (order[0] as string)
  const pickNextAvailable = (current: string): string => {
    const start = order.indexOf(current)
    for (let step = 1; step <= order.length; step += 1) {
      const candidate = order[(start + step) % order.length] as string
      if (!inCooldown(candidate)) return candidate
    }
    return current
  }

  const current = entry.authProfileOverride
  const compactionCount = finiteCount(entry.compactionCount) ?? 0
  const storedMarker = finiteCount(entry.authProfileOverrideCompactionCount)
  // 5. Source inference for entries written before the source field existed.
  const source: SessionAuthProfileSource | undefined =
    entry.authProfileOverrideSource ??
    (storedMarker !== undefined ? 'auto' : current !== undefined ? 'user' : undefined)

  // 6. A user pin is locked until the session is new.
  if (source === 'user' && current !== undefined && options.isNewSession !== true) {
    return { profileId: current, source: 'user', changed, session: entry }
  }

  // 7. Choose the profile.
  let next: string
  if (options.isNewSession === true) {
    next = current !== undefined ? pickNextAvailable(current) : pickFirstAvailable()
  } else if (current !== undefined && compactionCount > (storedMarker ?? compactionCount)) {
    next = pickNextAvailable(current)
  } else if (current === undefined || inCooldown(current)) {
    next = pickFirstAvailable()
  } else {
    next = current
  }

  // 8. Persist when the profile changed or the stored source/marker are stale.
  const stale =
    next !== current ||
    entry.authProfileOverrideSource !== 'auto' ||
    storedMarker !== compactionCount
  if (stale) {
    entry = {
      ...entry,
      authProfileOverride: next,
      authProfileOverrideSource: 'auto',
      authProfileOverrideCompactionCount: compactionCount,
    }
    changed = true
  }
  return { profileId: next, source: 'auto', changed, session: entry }
}

/**
 * Keeps one auth profile per chat session (so provider-side caches stay warm) instead of rotating
 * on every message:
 *
 * 1. Without a session entry or a store, the stored override is returned unchanged.
 * 2. A pinned profile that is missing from the store, belongs to another provider (normalised, so
 *    `z.ai` ≡ `zai`) or is absent from a non-empty profile order is cleared (all three
 *    override fields).
 * 3. When the provider has no usable profile, the result is `undefined`.
 * 4. The source is the stored one, else `auto` when a compaction marker exists, else `user` when
 *    a profile is pinned.
 * 5. A `user` pin is kept unless the session is new.
 * 6. Otherwise: a new session rotates to the next available profile (cyclically, skipping
 *    cooldowns; the first available one when nothing is pinned); a compaction since the pin
 *    rotates likewise; nothing pinned or a pinned profile in cooldown re-picks the first
 *    available one; else the pin stays.
 * 7. The entry is updated (source `auto`, marker = the current `compactionCount`) when the
 *    profile changed or the stored source/marker were stale.
 *
 * The function is pure: it returns the updated entry and calls `persist` only when it changed.
 *
 * @example
 * ```ts
 * const { profileId, source, session } = await resolveSessionAuthProfileOverride({
 *   session: entry,
 *   store,
 *   provider: 'anthropic',
 *   persist: (next) => sessions.save(key, next),
 * })
 * ```
 * @public
 */
export async function resolveSessionAuthProfileOverride<S extends SessionAuthState>(
  options: ResolveSessionAuthProfileOverrideOptions<S>,
): Promise<SessionAuthProfileOverrideResult<S>> {
  const result = computeSessionAuthProfileOverride(options)
  if (result.changed && options.persist) await options.persist(result.session)
  return result
}
