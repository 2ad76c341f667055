import {
  assertAgentId,
  DEFAULT_AGENT_ID,
  loadAuthProfileStore,
  resolveAgentDir,
  resolveAuthStorePath,
  resolveStateDir,
  type AuthProfileStore,
  type ClawConfig,
} from '@claw/auth-profiles'
import { type ParsedArgs, stringOption } from './command.js'
import { configCacheFile, createConfigValidationCache } from './config-cache.js'
import { loadConfigFile, updateConfigFile, type LoadedConfig } from './config-file.js'
import { invalidStateError, usageError } from './errors.js'
import { Output, type CliIo } from './io.js'
import { cliVersion } from './version.js'

/** What a command works with: streams, environment, the state dir and lazy config/store access. */
export class Context {
  readonly out: Output
  readonly env: Readonly<Record<string, string | undefined>>
  readonly now: () => number
  readonly stateDir: string
  readonly agentId: string
  readonly debug: boolean
  private configPromise: Promise<LoadedConfig> | undefined

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

  /** The selected agent's directory (`agents.list[].agentDir` honoured). */
  async agentDir(agentId: string = this.agentId): Promise<string> {
    return resolveAgentDir(agentId, {
      stateDir: this.stateDir,
      config: await this.config(),
      env: this.env,
      homeDir: this.io.homeDir,
    })
  }

  /** Path of the selected agent's `auth-profiles.json`. */
  async storePath(agentId: string = this.agentId): Promise<string> {
    return resolveAuthStorePath(await this.agentDir(agentId))
  }

  /** The selected agent's credential store (corrupt stores are exit-78 errors naming the file). */
  async loadStore(agentId: string = this.agentId): Promise<AuthProfileStore> {
    const agentDir = await this.agentDir(agentId)
    try {
      return await loadAuthProfileStore({ agentDir, env: this.env })
    } catch (error) {
      const code = (error as { code?: unknown }).code
      if (typeof code === 'string' && code.startsWith('ERR_STORE_')) {
        throw invalidStateError((error as Error).message, error)
      }
      throw error
    }
  }
}
