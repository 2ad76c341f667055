// OpenClaw plugin-sdk auth and model helpers under their OpenClaw names and call shapes, as thin
// adapters over claw's API, so plugin code ports by changing an import. Differences that cannot be
// hidden are listed in the package README ("OpenClaw plugin code"): loads are asynchronous here,
// and the store a plugin holds is its own mutable copy — changes reach the disk only through the
// bookkeeping helpers (`markAuthProfile*` with an `agentDir`), each a locked read-modify-write.
import {
  buildModelAliasIndex as buildClawModelAliasIndex,
  normalizeProviderId,
  resolveModelRefFromString as resolveClawModelRefFromString,
  type ModelAliasIndex,
  type ResolvedModelRef,
} from '@claw/model-catalog'
import type { ClawConfig } from '../config.js'
import { isProfileInCooldown as isClawProfileInCooldown } from '../selection/cooldowns.js'
import { resolveEnvApiKey as resolveClawEnvApiKey } from '../credentials/env-keys.js'
import { DEFAULT_AGENT_ID } from '../ids.js'
import { resolveApiKeyForProfile as resolveClawApiKeyForProfile } from '../credentials/resolve-api-key.js'
import { resolveAuthProfileOrder as resolveClawAuthProfileOrder } from '../selection/order.js'
import { resolveAgentDir } from '../store/paths.js'
import type { Env } from '../runtime.js'
import { createMemoryAuthStore } from '../store/memory-store.js'
import type { AuthStoreBackend } from '../store/store-backend.js'
import { loadAuthProfileStore, openAuthStore } from '../store/store.js'
import type { AuthProfileFailureReason, AuthProfileStore } from '../types.js'
import {
  markAuthProfileFailure as markClawFailure,
  markAuthProfileGood as markClawGood,
  markAuthProfileUsed as markClawUsed,
} from '../selection/bookkeeping.js'
import { mapOpenClawReason } from './mapping.js'

/**
 * OpenClaw's config object (`cfg`). claw reads the keys both products share (`auth.*`,
 * `agents.defaults.*`, `models.*`); the rest is ignored.
 *
 * @public
 */
export type OpenClawConfig = ClawConfig

/** @public */
export interface EnsureAuthProfileStoreOptions {
  /** Default `process.env` (for `CLAW_STATE_DIR` and `${VAR}` references). */
  readonly env?: Env
  readonly homeDir?: string
}

/**
 * The store of an agent dir (default: claw's main agent, `<state>/agents/main/agent`), with the
 * main agent's profiles underneath for a sub-agent. OpenClaw's helper is synchronous; this one
 * returns a Promise. The result is the caller's own mutable copy: editing it changes nothing on
 * disk (as in OpenClaw, where only a save writes), and the bookkeeping helpers below persist
 * through a locked update and refresh the copy.
 *
 * @example
 * ```ts
 * const store = await ensureAuthProfileStore(agentDir)
 * ```
 * @public
 */
export async function ensureAuthProfileStore(
  agentDir?: string,
  options: EnsureAuthProfileStoreOptions = {},
): Promise<AuthProfileStore> {
  const dir = agentDir ?? resolveAgentDir(DEFAULT_AGENT_ID, options)
  const store = await loadAuthProfileStore({
    agentDir: dir,
    ...(options.env === undefined ? {} : { env: options.env }),
  })
  return structuredClone(store)
}

/** @public */
export interface OpenClawOrderParams {
  readonly cfg?: OpenClawConfig | undefined
  readonly store: AuthProfileStore
  readonly provider: string
  readonly preferredProfile?: string | undefined
}

/**
 * The order to try a provider's profiles in (claw's `resolveAuthProfileOrder` with `cfg` as the
 * config): explicit order (store, then `auth.order`) with unusable profiles moved to the end, else
 * round-robin by type and least recent use; `preferredProfile` first when usable.
 *
 * @public
 */
export function resolveAuthProfileOrder(params: OpenClawOrderParams): string[] {
  return resolveClawAuthProfileOrder({
    store: params.store,
    provider: params.provider,
    config: params.cfg,
    preferredProfile: params.preferredProfile,
  })
}

/** @public */
export interface OpenClawApiKeyParams {
  readonly cfg?: OpenClawConfig | undefined
  readonly store: AuthProfileStore
  readonly profileId: string
  /** Where a refreshed OAuth credential is written (the agent dir the store came from). */
  readonly agentDir?: string | undefined
}

/** @public */
export interface OpenClawResolvedApiKey {
  readonly apiKey: string
  readonly provider: string
  readonly email?: string
}

/**
 * The key of one profile (`{ apiKey, provider, email? }`), or `null` when the profile is unknown,
 * contradicts its `cfg.auth.profiles` entry, is empty or an expired static token. An OAuth token
 * near expiry is refreshed under claw's refresh lock and written to `agentDir`'s store.
 *
 * @public
 */
export async function resolveApiKeyForProfile(
  params: OpenClawApiKeyParams,
): Promise<OpenClawResolvedApiKey | null> {
  const resolved = await resolveClawApiKeyForProfile({
    store: params.store,
    profileId: params.profileId,
    config: params.cfg,
    agentDir: params.agentDir,
  })
  if (!resolved) return null
  return {
    apiKey: resolved.apiKey,
    provider: resolved.provider,
    ...(resolved.email === undefined ? {} : { email: resolved.email }),
  }
}

/**
 * True while the profile's cooldown or disable window is running at `now` (epoch ms, default the
 * clock). A model-scoped cooldown does not count here, as in OpenClaw's helper without a model.
 *
 * @public
 */
export function isProfileInCooldown(
  store: AuthProfileStore,
  profileId: string,
  now?: number,
): boolean {
  return isClawProfileInCooldown(store, profileId, now === undefined ? {} : { now })
}

/** @public */
export interface OpenClawFailureParams {
  readonly store: AuthProfileStore
  readonly profileId: string
  /** OpenClaw's reasons; `session_expired` counts as `auth`, `unclassified` and the like as `unknown`. */
  readonly reason: string
  readonly cfg?: OpenClawConfig | undefined
  /** Persist to this agent dir's store (locked update). Without it only `store` changes. */
  readonly agentDir?: string | undefined
  /** The model that failed (OpenClaw's `modelId`): rate limits then cool down only that model. */
  readonly modelId?: string | undefined
}

/**
 * Records a failure on the caller's `store` and, with `agentDir`, in the store on disk (claw's
 * cooldown ladder and billing backoff). Like OpenClaw's, it does not throw when writing fails.
 *
 * @public
 */
export async function markAuthProfileFailure(params: OpenClawFailureParams): Promise<void> {
  await recordOpenClawStyle(params, 'usageStats', (store) =>
    markClawFailure({
      store,
      profileId: params.profileId,
      reason: mapOpenClawReason(params.reason) as AuthProfileFailureReason,
      config: params.cfg,
      model: params.modelId,
    }),
  )
}

/** @public */
export interface OpenClawUsedParams {
  readonly store: AuthProfileStore
  readonly profileId: string
  readonly agentDir?: string | undefined
}

/**
 * Records a successful use (round-robin key; counters and windows cleared). @public
 */
export async function markAuthProfileUsed(params: OpenClawUsedParams): Promise<void> {
  await recordOpenClawStyle(params, 'usageStats', (store) =>
    markClawUsed({ store, profileId: params.profileId }),
  )
}

/** @public */
export interface OpenClawGoodParams extends OpenClawUsedParams {
  readonly provider: string
}

/** Records the profile as the provider's last good one. @public */
export async function markAuthProfileGood(params: OpenClawGoodParams): Promise<void> {
  await recordOpenClawStyle(params, 'lastGood', (store) =>
    markClawGood({ store, provider: params.provider, profileId: params.profileId }),
  )
}

/**
 * Records a change the way OpenClaw's helpers do: through the agent dir's store when one is given
 * (a locked update, written at once), else on a memory store over the caller's copy only (OpenClaw's helpers
 * without an agent dir change just the object they are given). The caller's copy then takes the
 * recorded `section`, as its own mutable copy.
 */
async function recordOpenClawStyle(
  params: { readonly store: AuthProfileStore; readonly agentDir?: string | undefined },
  section: 'usageStats' | 'lastGood',
  record: (store: AuthStoreBackend) => Promise<unknown>,
): Promise<void> {
  const handle =
    params.agentDir === undefined
      ? createMemoryAuthStore(params.store)
      : openAuthStore({ agentDir: params.agentDir })
  await record(handle)
  // OpenClaw's helpers write the file before they return; claw holds a success back otherwise.
  await handle.flush?.()
  const fresh = (await handle.load())[section]
  if (fresh === undefined) delete params.store[section]
  else params.store[section] = structuredClone(fresh) as never
}

/** @public */
export interface OpenClawEnvApiKey {
  readonly apiKey: string
  /** `env: <VAR>`. */
  readonly source: string
}

/**
 * A provider's key from the environment (`ANTHROPIC_OAUTH_TOKEN` before `ANTHROPIC_API_KEY`, …),
 * trimmed, or `null`. `env` defaults to `process.env`.
 *
 * @public
 */
export function resolveEnvApiKey(provider: string, env?: Env): OpenClawEnvApiKey | null {
  const found = resolveClawEnvApiKey(provider, env === undefined ? {} : { env })
  return found ? { apiKey: found.apiKey, source: found.source } : null
}

/** @public */
export interface OpenClawAliasIndexParams {
  readonly cfg?: OpenClawConfig | undefined
  readonly defaultProvider: string
}

/**
 * The alias index of `cfg.agents.defaults.models` (`byAlias`: lowercased alias → `{ alias, ref }`,
 * `byKey`: `provider/model` → aliases).
 *
 * @public
 */
export function buildModelAliasIndex(params: OpenClawAliasIndexParams): ModelAliasIndex {
  return buildClawModelAliasIndex({ config: params.cfg, defaultProvider: params.defaultProvider })
}

/** @public */
export interface OpenClawModelRefParams {
  readonly raw: string
  readonly defaultProvider: string
  readonly aliasIndex?: ModelAliasIndex | undefined
}

/**
 * `raw` as a model ref: an alias (no `/`, case-insensitive) gives `{ ref, alias }`, anything else
 * is parsed against `defaultProvider`; `null` when it does not parse.
 *
 * @public
 */
export function resolveModelRefFromString(params: OpenClawModelRefParams): ResolvedModelRef | null {
  return resolveClawModelRefFromString(params.raw, {
    defaultProvider: params.defaultProvider,
    aliasIndex: params.aliasIndex,
  })
}

export { normalizeProviderId }
