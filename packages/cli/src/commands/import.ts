// `claw import --from claude-cli|codex-cli|qwen-cli|copilot|clawdbot [path]`: copy credentials that
// other tools stored into claw's stores, never overwriting a profile that is newer or an API key.
import { readdir } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import {
  checkAgentId,
  compareAgentIds,
  isAuthProfilesError,
  migrateLegacyAuthStore,
  type ExternalCliSourceId,
  type ExternalImportResult,
} from '@claw/auth-profiles'
import {
  EXTERNAL_CLI_SOURCES,
  importExternalCredentials,
  readExternalCredentials,
  resolveExternalCliPath,
} from '@claw/auth-profiles/external-cli'
import {
  AGENT_OPTION,
  flag,
  OUTPUT_OPTIONS,
  outputMode,
  stringOption,
  type CommandSpec,
} from '../command.js'
import type { Context } from '../context.js'
import { CliError, usageError } from '../errors.js'
import { safe } from '../text.js'
import { pathExists } from '../fs-exists.js'
import { importOpenClaw, printOpenClawImport } from './import-openclaw.js'

/** `openclaw` (an OpenClaw 2026.4+ SQLite state dir) is handled by `import-openclaw.ts`. */
const OPENCLAW = 'openclaw' as const
const SOURCE_IDS: readonly (ExternalCliSourceId | typeof OPENCLAW)[] = [
  ...EXTERNAL_CLI_SOURCES.map((source) => source.id),
  OPENCLAW,
]

/** One agent's import (external CLIs: the selected agent; clawdbot: every old agent). */
interface AgentImport {
  readonly agentId: string
  readonly agentDir: string
  readonly imported: readonly string[]
  readonly skipped: ExternalImportResult['skipped']
  readonly written: boolean
}

function requireSource(raw: string | undefined): ExternalCliSourceId | typeof OPENCLAW {
  const value = raw?.trim() ?? ''
  if (value === '') throw usageError(`Missing --from <source>. Sources: ${SOURCE_IDS.join(', ')}.`)
  const found = SOURCE_IDS.find((id) => id === value.toLowerCase())
  if (!found) {
    throw usageError(`Unknown import source "${safe(value)}". Sources: ${SOURCE_IDS.join(', ')}.`)
  }
  return found
}

function expand(path: string, homeDir: string): string {
  const expanded =
    path === '~' ? homeDir : path.startsWith('~/') ? join(homeDir, path.slice(2)) : path
  return isAbsolute(expanded) ? expanded : resolve(expanded)
}

/** A clean error for a library failure about the source (a missing or malformed file). */
function sourceError(error: unknown): never {
  if (isAuthProfilesError(error) && error.code === 'ERR_NO_CREDENTIALS') {
    throw new CliError(error.message, { cause: error })
  }
  throw error
}

async function importInto(
  context: Context,
  source: ExternalCliSourceId,
  agentId: string,
  options: { path?: string | undefined; dryRun: boolean; clawdbotAgent?: string },
): Promise<{ path: string; result: AgentImport }> {
  const agentDir = await context.agentDir(agentId)
  const result = await importExternalCredentials({
    source,
    ...(await context.storeTarget(agentId)),
    env: context.env,
    homeDir: context.io.homeDir,
    now: context.now,
    cache: false,
    dryRun: options.dryRun,
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.clawdbotAgent === undefined ? {} : { agentId: options.clawdbotAgent }),
  })
  return {
    path: result.path,
    result: {
      agentId,
      agentDir,
      imported: result.imported,
      skipped: result.skipped,
      written: result.written,
    },
  }
}

interface ClawdbotImport {
  readonly path: string
  readonly agents: AgentImport[]
  readonly legacyMigrated: string[]
  readonly legacyPending: string[]
}

/** The old state dir: the argument, else the library's default lookup. */
async function clawdbotStateDir(context: Context, raw: string | undefined): Promise<string> {
  if (raw !== undefined) return expand(raw, context.io.homeDir)
  const found = await readExternalCredentials({
    source: 'clawdbot',
    env: context.env,
    homeDir: context.io.homeDir,
    cache: false,
  })
  return (
    found?.path ??
    resolveExternalCliPath({ source: 'clawdbot', env: context.env, homeDir: context.io.homeDir })
  )
}

/**
 * Imports every agent store of an old Clawdbot/OpenClaw state dir into the agent with the same id
 * here (`--agent` limits it to one agent). A legacy agent that only has `auth.json` is migrated to
 * `auth-profiles.json` in place first (what Clawdbot itself does on start), then imported.
 */
async function importClawdbot(
  context: Context,
  raw: string | undefined,
  onlyAgent: string | undefined,
  dryRun: boolean,
): Promise<ClawdbotImport> {
  const stateDir = await clawdbotStateDir(context, raw)
  const agentsDir = join(stateDir, 'agents')
  let names: string[]
  try {
    names = (await readdir(agentsDir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && checkAgentId(entry.name) === undefined)
      .map((entry) => entry.name)
      .sort(compareAgentIds)
  } catch {
    throw new CliError(`No Clawdbot/OpenClaw credentials found at ${safe(stateDir)}.`)
  }
  if (onlyAgent !== undefined) names = names.filter((name) => name === onlyAgent)
  const out: ClawdbotImport = { path: stateDir, agents: [], legacyMigrated: [], legacyPending: [] }
  for (const agentId of names) {
    const sourceDir = join(agentsDir, agentId, 'agent')
    const hasStore = await pathExists(join(sourceDir, 'auth-profiles.json'))
    if (!hasStore && (await pathExists(join(sourceDir, 'auth.json')))) {
      if (dryRun) {
        out.legacyPending.push(sourceDir)
        continue
      }
      if (
        await migrateLegacyAuthStore({ agentDir: sourceDir, mainAgentDir: null, env: context.env })
      ) {
        out.legacyMigrated.push(sourceDir)
      }
    } else if (!hasStore) {
      continue
    }
    try {
      const { result } = await importInto(context, 'clawdbot', agentId, {
        path: stateDir,
        dryRun,
        clawdbotAgent: agentId,
      })
      out.agents.push(result)
    } catch (error) {
      if (isAuthProfilesError(error) && error.code === 'ERR_NO_CREDENTIALS') continue
      throw error
    }
  }
  if (out.agents.length === 0 && out.legacyPending.length === 0) {
    throw new CliError(
      onlyAgent === undefined
        ? `No Clawdbot/OpenClaw credentials found at ${safe(stateDir)}.`
        : `No credentials for agent ${safe(onlyAgent)} found at ${safe(stateDir)}.`,
    )
  }
  return out
}

function printHuman(
  context: Context,
  label: string,
  path: string,
  agents: readonly AgentImport[],
  dryRun: boolean,
  legacy: { migrated: readonly string[]; pending: readonly string[] },
): void {
  for (const dir of legacy.migrated) {
    context.out.line(`Migrated legacy auth.json to auth-profiles.json in ${safe(dir)}.`)
  }
  for (const dir of legacy.pending) {
    context.out.line(`Would migrate legacy auth.json in ${safe(dir)} (not imported in a dry run).`)
  }
  const verb = dryRun ? 'Would import' : 'Imported'
  for (const agent of agents) {
    const into = `agent ${safe(agent.agentId)}`
    if (agent.imported.length === 0) {
      context.out.line(`Nothing to import from ${label} (${safe(path)}) into ${into}.`)
    } else {
      context.out.line(
        `${verb} ${agent.imported.length} profile${agent.imported.length === 1 ? '' : 's'} from ${label} (${safe(path)}) into ${into}:`,
        ...agent.imported.map((id) => `- ${safe(id)}`),
      )
    }
    if (agent.skipped.length > 0) {
      context.out.line(
        `Skipped ${agent.skipped.length}:`,
        ...agent.skipped.map((skip) => `- ${safe(skip.message)}`),
      )
    }
  }
}

export const importCommand: CommandSpec = {
  summary:
    'Import credentials from Claude Code, Codex, Qwen, an OpenClaw or an old Clawdbot state dir.',
  description:
    'Sources: claude-cli (~/.claude/.credentials.json), codex-cli (~/.codex/auth.json), qwen-cli ' +
    '(~/.qwen/oauth_creds.json), copilot (~/.copilot/credentials.json or GH_TOKEN), clawdbot (an old ' +
    'Clawdbot/OpenClaw/Moltbot state dir: each agents/<id>/agent store is imported into agent <id> ' +
    'here; a legacy auth.json is migrated in place first), openclaw (an OpenClaw 2026.4+ state dir, ' +
    '$OPENCLAW_STATE_DIR or ~/.openclaw: the SQLite stores of every agent with their order and ' +
    'usage state, and its config as claw.json when claw has none; OpenClaw must be stopped). ' +
    '[path] replaces the default location. ' +
    'Existing profiles are never silently overwritten: API keys, newer credentials and identical ' +
    'ones are skipped and reported. The source files are never changed (except that legacy ' +
    'migration).',
  positionals: [{ name: 'path', description: 'Source file (or, for clawdbot, state dir).' }],
  options: {
    from: {
      type: 'string',
      value: 'source',
      description: `Where to import from: ${SOURCE_IDS.join(', ')}.`,
    },
    'dry-run': { type: 'boolean', description: 'Report what would be imported; write nothing.' },
    'allow-newer-schema': {
      type: 'boolean',
      description: 'openclaw: read databases of a newer OpenClaw than this claw knows.',
    },
    ...AGENT_OPTION,
    json: OUTPUT_OPTIONS['json']!,
  },
  examples: [
    'claw import --from claude-cli',
    'claw import --from codex-cli ~/backup/codex-auth.json --dry-run',
    'claw import --from clawdbot ~/.clawdbot',
    'claw import --from openclaw ~/.openclaw --dry-run',
  ],
  async run(context, args) {
    outputMode(args)
    const source = requireSource(stringOption(args, 'from'))
    const dryRun = flag(args, 'dry-run')
    const rawPath = args.positionals[0]
    await context.config()
    if (source === OPENCLAW) {
      const done = await importOpenClaw(context, {
        rawDir: rawPath,
        agentId: stringOption(args, 'agent') === undefined ? undefined : context.agentId,
        dryRun,
        allowNewerSchema: flag(args, 'allow-newer-schema'),
      })
      if (flag(args, 'json')) context.out.json({ source, ...done.result, config: done.config })
      else printOpenClawImport(context, done)
      return
    }
    const info = EXTERNAL_CLI_SOURCES.find((entry) => entry.id === source)!
    let path: string
    let agents: AgentImport[]
    let legacy = { migrated: [] as string[], pending: [] as string[] }
    if (source === 'clawdbot') {
      const agentFlag = stringOption(args, 'agent') === undefined ? undefined : context.agentId
      const result = await importClawdbot(context, rawPath, agentFlag, dryRun)
      path = result.path
      agents = result.agents
      legacy = { migrated: result.legacyMigrated, pending: result.legacyPending }
    } else {
      const done = await importInto(context, source, context.agentId, {
        path: rawPath,
        dryRun,
      }).catch(sourceError)
      path = done.path
      agents = [done.result]
    }
    if (flag(args, 'json')) {
      context.out.json({
        source,
        path,
        dryRun,
        agents,
        legacyMigrated: legacy.migrated,
        legacyPending: legacy.pending,
      })
      return
    }
    printHuman(context, info.label, path, agents, dryRun, legacy)
  },
}
