// `claw agents add|list|remove`: isolated agents, each with its own credential store
// (`<agentDir>/auth-profiles.json`), configured in `agents.list[]`.
import { chmod, mkdir } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import {
  checkAgentId,
  DEFAULT_AGENT_ID,
  loadAuthProfileStore,
  resolveAuthStorePath,
} from '@claw/auth-profiles'
import { OUTPUT_OPTIONS, outputMode, stringOption, flag, type CommandSpec } from '../command.js'
import type { Context } from '../context.js'
import { CliError, usageError } from '../errors.js'
import { configUpdatedLine } from '../model-config/config-updated.js'
import { agentListEntries, configuredAgentIds } from '../agents/agent-list.js'
import { renderTable, safe } from '../text.js'
import { pathExists } from '../fs-exists.js'

function requireAgentId(raw: string): string {
  const id = raw.trim()
  if (checkAgentId(id) !== undefined) {
    throw usageError(
      `Invalid agent id: ${JSON.stringify(safe(raw))}. Use letters, digits, "-" and "_".`,
    )
  }
  return id
}

/** One row of `agents list`. */
interface AgentRow {
  readonly id: string
  readonly default: boolean
  readonly configured: boolean
  readonly agentDir: string
  readonly storePath: string
  readonly storeExists: boolean
  readonly profileCount: number
}

async function describeAgent(context: Context, id: string, configured: boolean): Promise<AgentRow> {
  const agentDir = await context.agentDir(id)
  const storePath = resolveAuthStorePath(agentDir)
  // Only the agent's own profiles: a sub-agent's read-through of main's profiles is not counted.
  // Credentials kept in Redis (fleet mode) are per agent, without read-through.
  const inRedis = (await context.config()).state?.credentials === 'redis'
  const store = inRedis
    ? await context.loadStore(id)
    : await loadAuthProfileStore({ agentDir, env: context.env, mainAgentDir: null })
  return {
    id,
    default: id === DEFAULT_AGENT_ID,
    configured,
    agentDir,
    storePath,
    storeExists: await pathExists(storePath),
    profileCount: Object.keys(store.profiles).length,
  }
}

const add: CommandSpec = {
  summary: 'Add an isolated agent with its own credential store.',
  description:
    'Adds { id, agentDir? } to agents.list in the config and creates the agent dir (mode 0700). ' +
    'No store file is written: add credentials with `claw models auth … --agent <id>`. The ' +
    'default agent dir is <state>/agents/<id>/agent.',
  positionals: [
    {
      name: 'id',
      description: 'Agent id: letters, digits, "-" and "_" (at most 64).',
      required: true,
    },
  ],
  options: {
    'agent-dir': {
      type: 'string',
      value: 'dir',
      description: 'Keep this agent’s files in <dir> instead of <state>/agents/<id>/agent.',
    },
    json: OUTPUT_OPTIONS['json']!,
  },
  examples: ['claw agents add work', 'claw agents add personal --agent-dir ~/agents/personal'],
  async run(context, args) {
    const id = requireAgentId(args.positionals[0]!)
    const loaded = await context.loadConfig()
    const existing = configuredAgentIds(loaded.config)
    const duplicate = [DEFAULT_AGENT_ID, ...existing].find(
      (other) => other.toLowerCase() === id.toLowerCase(),
    )
    if (duplicate !== undefined) throw usageError(`Agent "${safe(duplicate)}" already exists.`)

    const rawDir = stringOption(args, 'agent-dir')?.trim()
    if (rawDir !== undefined && (rawDir === '' || rawDir.includes('\u0000'))) {
      throw usageError('--agent-dir must be a directory path.')
    }
    // `~/…` is kept as written (expanded when used); relative paths are made absolute now.
    const configuredDir =
      rawDir === undefined || rawDir === '~' || rawDir.startsWith('~/') || isAbsolute(rawDir)
        ? rawDir
        : resolve(rawDir)
    const agentDir =
      configuredDir === undefined
        ? join(context.stateDir, 'agents', id, 'agent')
        : configuredDir.startsWith('~')
          ? join(context.io.homeDir, configuredDir.slice(1))
          : resolve(configuredDir)
    for (const other of [DEFAULT_AGENT_ID, ...existing]) {
      if (checkAgentId(other) !== undefined) continue
      if ((await context.agentDir(other)) === agentDir) {
        throw usageError(`Agent dir ${safe(agentDir)} is already used by agent "${safe(other)}".`)
      }
    }

    try {
      await mkdir(agentDir, { recursive: true, mode: 0o700 })
      await chmod(agentDir, 0o700)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error'
      throw new CliError(`Cannot create agent dir ${safe(agentDir)} (${code}).`, { cause: error })
    }
    await context.updateConfig((document) => {
      const agents = agentListEntries(document)
      agents.push(configuredDir === undefined ? { id } : { id, agentDir: configuredDir })
    })
    const storePath = resolveAuthStorePath(agentDir)
    if (flag(args, 'json')) {
      return context.out.json({ id, agentDir, storePath, configPath: loaded.path })
    }
    context.out.line(
      configUpdatedLine(context, loaded.path),
      `Agent "${safe(id)}" added.`,
      `Agent dir: ${safe(agentDir)}`,
      `Add credentials with: claw models auth paste-api-key --provider <id> --agent ${safe(id)}`,
    )
  },
}

const list: CommandSpec = {
  summary: 'List agents.',
  description:
    'The main agent is always listed, as the default. Profiles counts the agent’s own store; ' +
    'agents in the default layout also read the main agent’s profiles.',
  options: OUTPUT_OPTIONS,
  examples: ['claw agents list', 'claw agents list --json'],
  async run(context, args) {
    const mode = outputMode(args)
    const config = await context.config()
    const configured = configuredAgentIds(config).filter((id) => {
      const problem = checkAgentId(id)
      if (problem) context.out.warn(`Skipping agents.list entry "${safe(id)}": the id ${problem}.`)
      return problem === undefined
    })
    const ids = [DEFAULT_AGENT_ID, ...configured.filter((id) => id !== DEFAULT_AGENT_ID)]
    const rows: AgentRow[] = []
    for (const id of ids) rows.push(await describeAgent(context, id, configured.includes(id)))
    if (mode === 'json') {
      return context.out.json({ defaultAgentId: DEFAULT_AGENT_ID, agents: rows })
    }
    if (mode === 'plain') return context.out.line(...rows.map((row) => safe(row.id)))
    const { styles } = context.out
    const name = (row: AgentRow) => `${safe(row.id)}${row.default ? ' (default)' : ''}`
    const profiles = (row: AgentRow) =>
      `${row.profileCount} profile${row.profileCount === 1 ? '' : 's'}`
    const store = (row: AgentRow) =>
      `${safe(row.storePath)}${row.storeExists ? '' : ' (no store yet)'}`
    context.out.line(styles.bold(`Agents (${rows.length}):`))
    if (context.out.stdoutIsTTY) {
      return context.out.line(
        renderTable(
          [{ header: 'Agent' }, { header: 'Profiles' }, { header: 'Store' }],
          rows.map((row) => [name(row), String(row.profileCount), store(row)]),
        ),
      )
    }
    for (const row of rows) context.out.line(`- ${name(row)}: ${profiles(row)}, ${store(row)}`)
  },
}

const remove: CommandSpec = {
  summary: 'Remove an agent from the config (its files are kept).',
  description:
    'Removes the agent’s agents.list entry. Its agent dir and credential store are left on ' +
    'disk; delete them yourself once you no longer need them. The main agent cannot be removed.',
  positionals: [{ name: 'id', description: 'The agent to remove.', required: true }],
  examples: ['claw agents remove work'],
  async run(context, args) {
    const id = requireAgentId(args.positionals[0]!)
    if (id === DEFAULT_AGENT_ID) {
      throw usageError(`The default agent "${DEFAULT_AGENT_ID}" cannot be removed.`)
    }
    const loaded = await context.loadConfig()
    if (!configuredAgentIds(loaded.config).includes(id)) {
      throw usageError(`Agent not found: ${safe(id)}`)
    }
    const agentDir = await context.agentDir(id)
    await context.updateConfig((document) => {
      const agents = agentListEntries(document)
      const kept = agents.filter((entry) => String(entry['id']).trim() !== id)
      agents.splice(0, agents.length, ...kept)
    })
    context.out.line(
      configUpdatedLine(context, loaded.path),
      `Removed agent "${safe(id)}" from the config. Its files were kept in ${safe(agentDir)}.`,
    )
  },
}

export const agentCommands = { add, list, remove }
