import {
  assertAgentId,
  checkAgentDirLocation,
  DEFAULT_AGENT_ID,
  resolveAgentDir,
  resolveAuthStoreBackend,
  resolveAuthStorePath,
  resolveStateDir,
  type AuthProfileStore,
  type AuthStoreBackend,
  type ClawConfig,
  type OAuthRefreshSettings,
  type StoreDiagnostic,
} from '@claw/auth-profiles'
import type { RedisFleet } from '@claw/auth-profiles/redis'
import { type ParsedArgs, stringOption } from './command.js'
import { configCacheFile, createConfigValidationCache } from './config-cache.js'
import { loadConfigFile, updateConfigFile, type LoadedConfig } from './config-file.js'
import { invalidStateError, usageError } from './errors.js'
import { Output, type CliIo } from './io.js'
import { cliVersion } from './version.js'

/**
 * Where an agent's store lives for library calls: its agent dir (file mode) or the fleet backend
 * (`state.backend: 'redis'`). Spread it into any store function's options.
 */
export type StoreTarget = { readonly agentDir: string } | { readonly backend: AuthStoreBackend }

/** What a command works with: streams, environment, the state dir and lazy config/store access. */
export class Context {
  readonly out: Output
  readonly env: Readonly<Record<string, string | undefined>>
  readonly now: () => number
  readonly stateDir: string
  readonly agentId: string
  readonly debug: boolean
  private configPromise: Promise<LoadedConfig> | undefined
  private fleetPromise: Promise<RedisFleet | undefined> | undefined
  private readonly backends = new Map<string, Promise<AuthStoreBackend>>()
  private readonly storeDiagnostics = new Map<string, readonly StoreDiagnostic[]>()

  constructor(
    readonly io: CliIo,
    args: ParsedArgs,
  ) {
    this.out = new Output(io)
    this.env = io.env
    this.now = io.now
    this.debug = args.options['debug'] === true
    this.stateDir = resolveStateDir({ env: io.env, homeDir: io.homeDir })
    const agent = stringOption(args, 'agent')?.trim()
    if (agent !== undefined) {
      try {
        assertAgentId(agent)
      } catch {
        throw usageError(
          `Invalid agent id: ${JSON.stringify(agent)}. Use letters, digits, "-" and "_".`,
        )
      }
    }
    this.agentId = agent || DEFAULT_AGENT_ID
  }

  /** The config file, read and validated once per command. */
  loadConfig(): Promise<LoadedConfig> {
    this.configPromise ??= loadConfigFile(
      this.stateDir,
      this.env,
      createConfigValidationCache(
        configCacheFile(this.io.homeDir, this.env),
        cliVersion(),
        this.env,
      ),
    )
    return this.configPromise
  }

  /** The validated config (`{}` when there is no config file). */
  async config(): Promise<ClawConfig> {
    return (await this.loadConfig()).config
  }

  /** Edits the config file (re-read, edited, validated, written with a `.bak`). */
  async updateConfig(edit: (raw: Record<string, unknown>) => void): Promise<void> {
    const { path } = await this.loadConfig()
    await updateConfigFile(path, this.env, edit)
    this.configPromise = undefined
  }

  /**
   * The selected agent's directory (`agents.list[].agentDir` honoured). A default agent dir that
   * a symbolic link sends outside the state dir is an exit-78 error: nobody chose that place.
   */
  async agentDir(agentId: string = this.agentId): Promise<string> {
    const options = {
      stateDir: this.stateDir,
      config: await this.config(),
      env: this.env,
      homeDir: this.io.homeDir,
    }
    const problem = checkAgentDirLocation(agentId, options)
    if (problem !== undefined)
      throw invalidStateError(`${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`)
    return resolveAgentDir(agentId, options)
  }

  /** Path of the selected agent's `auth-profiles.json`. */
  async storePath(agentId: string = this.agentId): Promise<string> {
    return resolveAuthStorePath(await this.agentDir(agentId))
  }

  /**
   * The fleet connection when the config says `state.backend: 'redis'` (created on first use and
   * closed by {@link close}), else `undefined`. `@claw/auth-profiles/redis` is imported only
   * here, so file-mode commands never load it (nor keyv).
   */
  fleet(): Promise<RedisFleet | undefined> {
    this.fleetPromise ??= (async () => {
      const config = await this.config()
      if (config.state?.backend !== 'redis') return undefined
      const { createFleetFromConfig } = await import('@claw/auth-profiles/redis')
      return createFleetFromConfig({
        config,
        env: this.env,
        now: this.now,
        warn: (message) => this.out.warn(`Warning: ${message}`),
      })
    })()
    return this.fleetPromise
  }

  /**
   * Where library store functions find an agent's store: `{ agentDir }` in file mode, `{ backend }`
   * (routing state in Redis over the configured credentials) in fleet mode.
   */
  async storeTarget(agentId: string = this.agentId): Promise<StoreTarget> {
    const fleet = await this.fleet()
    const agentDir = await this.agentDir(agentId)
    if (!fleet) return { agentDir }
    let backend = this.backends.get(agentId)
    if (!backend) {
      backend = (async () => {
        const { fleetStoreBackend } = await import('@claw/auth-profiles/redis')
        return fleetStoreBackend({
          fleet,
          config: await this.config(),
          agentId,
          agentDir,
          env: this.env,
        })
      })()
      this.backends.set(agentId, backend)
    }
    return { backend: await backend }
  }

  /**
   * The store handle of an agent (its file store, or in fleet mode the Redis state backend): what
   * library functions take as `store` to read and record bookkeeping.
   */
  async storeHandle(agentId: string = this.agentId): Promise<AuthStoreBackend> {
    return resolveAuthStoreBackend({ ...(await this.storeTarget(agentId)), env: this.env })
  }

  /**
   * OAuth refresh settings for this config (`auth.oauth` adapters) and, in fleet mode, the
   * multi-host Redis refresh lock.
   */
  async refreshSettings(): Promise<OAuthRefreshSettings> {
    // Loaded on use: the OAuth adapters are not needed by commands that never refresh.
    const { oauthRefreshSettings } = await import('./auth/oauth-settings.js')
    const settings = oauthRefreshSettings(await this.config())
    const fleet = await this.fleet()
    return fleet ? { ...settings, refreshLock: fleet.refreshLock } : settings
  }

  /** Releases what the command opened (the fleet connection). Called by `runCli` at the end. */
  async close(): Promise<void> {
    const fleet = await this.fleetPromise?.catch(() => undefined)
    this.fleetPromise = undefined
    this.backends.clear()
    await fleet?.close()
  }

  /** The selected agent's credential store (corrupt stores are exit-78 errors naming the file). */
  async loadStore(agentId: string = this.agentId): Promise<AuthProfileStore> {
    const backend = await this.storeHandle(agentId)
    try {
      const store = await backend.load()
      this.storeDiagnostics.set(agentId, backend.diagnostics())
      return store
    } catch (error) {
      const code = (error as { code?: unknown }).code
      if (typeof code === 'string' && code.startsWith('ERR_STORE_')) {
        throw invalidStateError((error as Error).message, error)
      }
      throw error
    }
  }

  /**
   * What the last {@link loadStore} of the agent noticed: entries the store keeps but ignores,
   * a newer format, permissions (for a sub-agent, of its own file and the main agent's).
   */
  loadedStoreDiagnostics(agentId: string = this.agentId): readonly StoreDiagnostic[] {
    return this.storeDiagnostics.get(agentId) ?? []
  }
}
