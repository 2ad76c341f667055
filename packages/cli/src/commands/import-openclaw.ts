// `claw import --from openclaw [dir]`: an OpenClaw 2026.4+ state dir (SQLite) into claw's stores,
// per agent, plus its config as claw.json when claw has none yet. The OpenClaw dir is only read.
import { join, relative, resolve, sep } from 'node:path'
import { isAuthProfilesError } from '@claw/auth-profiles'
import {
  importOpenClawState,
  mapOpenClawConfig,
  OPENCLAW_CONFIG_FILENAMES,
  type OpenClawImportResult,
} from '@claw/auth-profiles/openclaw'
import { readRawConfig } from '../config-file.js'
import type { Context } from '../context.js'
import { CliError } from '../errors.js'
import { safe } from '../text.js'

/** What happened to claw's config. */
export interface OpenClawConfigOutcome {
  /** The OpenClaw config file read, when there was one. */
  readonly source: string | undefined
  /** `written`: claw had no config and it was created; `kept`: claw's config exists. */
  readonly action: 'written' | 'would_write' | 'kept' | 'none'
  readonly path: string
  readonly notes: readonly string[]
}

export interface OpenClawImport {
  readonly result: OpenClawImportResult
  readonly config: OpenClawConfigOutcome
}

export interface OpenClawImportOptions {
  readonly rawDir: string | undefined
  readonly agentId: string | undefined
  readonly dryRun: boolean
  readonly allowNewerSchema: boolean
}

/** The OpenClaw state dir: the argument, else `$OPENCLAW_STATE_DIR`, else `~/.openclaw`. */
export function openClawStateDir(context: Context, raw: string | undefined): string {
  const value = raw ?? context.env['OPENCLAW_STATE_DIR']?.trim() ?? ''
  const path = value === '' ? join(context.io.homeDir, '.openclaw') : value
  const expanded =
    path === '~'
      ? context.io.homeDir
      : path.startsWith('~/')
        ? join(context.io.homeDir, path.slice(2))
        : path
  return resolve(expanded)
}

function inside(child: string, parent: string): boolean {
  const path = relative(parent, child)
  return path === '' || (!path.startsWith(`..${sep}`) && path !== '..' && !path.startsWith(sep))
}

async function readOpenClawConfig(
  stateDir: string,
): Promise<{ path: string; raw: Record<string, unknown> } | undefined> {
  for (const name of OPENCLAW_CONFIG_FILENAMES) {
    const path = join(stateDir, name)
    const raw = await readRawConfig(path)
    if (raw !== undefined) return { path, raw }
  }
  return undefined
}

async function importConfig(
  context: Context,
  stateDir: string,
  result: OpenClawImportResult,
  dryRun: boolean,
): Promise<OpenClawConfigOutcome> {
  const loaded = await context.loadConfig()
  const found = await readOpenClawConfig(stateDir)
  if (!found) return { source: undefined, action: 'none', path: loaded.path, notes: [] }
  const { config, notes } = mapOpenClawConfig(found.raw, { renamed: result.renamed })
  if (Object.keys(config).length === 0) {
    return { source: found.path, action: 'none', path: loaded.path, notes }
  }
  if (loaded.exists) return { source: found.path, action: 'kept', path: loaded.path, notes }
  if (dryRun) return { source: found.path, action: 'would_write', path: loaded.path, notes }
  await context.updateConfig((raw) => Object.assign(raw, structuredClone(config)))
  return { source: found.path, action: 'written', path: loaded.path, notes }
}

/**
 * Imports the OpenClaw state dir into the agents of this claw state dir (the agent with the same
 * id; `--agent` limits it to one). Refuses when claw's own state dir is the OpenClaw dir or inside
 * it: claw never writes there.
 */
export async function importOpenClaw(
  context: Context,
  options: OpenClawImportOptions,
): Promise<OpenClawImport> {
  const stateDir = openClawStateDir(context, options.rawDir)
  const clawDir = resolve(context.stateDir)
  if (inside(clawDir, stateDir)) {
    throw new CliError(
      `claw's state dir ${safe(clawDir)} is the OpenClaw dir ${safe(stateDir)} (or inside it), and claw never writes to an OpenClaw dir. Use another claw state dir (CLAW_STATE_DIR, default ~/.claw) and import again.`,
    )
  }
  let result: OpenClawImportResult
  try {
    result = await importOpenClawState({
      stateDir,
      target: (agentId) => context.storeTarget(agentId),
      agentId: options.agentId,
      dryRun: options.dryRun,
      allowNewerSchema: options.allowNewerSchema,
      env: context.env,
    })
  } catch (error) {
    if (isAuthProfilesError(error) && error.code === 'ERR_NO_CREDENTIALS') {
      throw new CliError(error.message, { cause: error })
    }
    throw error
  }
  const config = await importConfig(context, stateDir, result, options.dryRun)
  return { result, config }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

/** The human report: per agent what was imported, kept and why, then the config. */
export function printOpenClawImport(context: Context, done: OpenClawImport): void {
  const { result, config } = done
  const verb = result.dryRun ? 'Would import' : 'Imported'
  context.out.line(
    `OpenClaw ${safe(result.appVersion ?? '(unknown version)')} state dir ${safe(result.stateDir)} (schema ${result.schemaVersion}, read with ${result.reader}).`,
  )
  const wasId = new Map(Object.entries(result.renamed).map(([from, to]) => [to, from]))
  for (const agent of result.agents) {
    const into = `agent ${safe(agent.agentId)}`
    const changes =
      agent.imported.length +
      agent.usageImported.length +
      agent.orderImported.length +
      agent.lastGoodImported.length
    if (changes === 0) {
      context.out.line(`Nothing new for ${into}.`)
    } else if (agent.imported.length > 0) {
      context.out.line(
        `${verb} ${plural(agent.imported.length, 'profile')} into ${into}:`,
        ...agent.imported.map((id) => {
          const was = wasId.get(id)
          return was === undefined
            ? `- ${safe(id)}`
            : `- ${safe(id)} (was ${safe(was)}: ChatGPT sign-in is provider openai-codex in claw)`
        }),
      )
    }
    if (agent.usageImported.length > 0) {
      context.out.line(
        `${result.dryRun ? 'Would take' : 'Took'} usage state (cooldowns, counters, last use) for ${agent.usageImported.map(safe).join(', ')}.`,
      )
    }
    const routing = [
      ...agent.orderImported.map((provider) => `order for ${safe(provider)}`),
      ...agent.lastGoodImported.map((provider) => `last good for ${safe(provider)}`),
    ]
    if (routing.length > 0) {
      context.out.line(`${result.dryRun ? 'Would take' : 'Took'} ${routing.join(', ')}.`)
    }
    const kept = agent.skipped.filter((skip) => skip.reason !== 'identical')
    const same = agent.skipped.length - kept.length
    if (same > 0) context.out.line(`Already up to date: ${plural(same, 'profile')}.`)
    if (kept.length > 0) {
      context.out.line(
        `Kept claw's version of ${plural(kept.length, 'profile')}:`,
        ...kept.map((skip) => `- ${safe(skip.message)}`),
      )
    }
    if (agent.conflicts.length > 0) {
      context.out.line(
        'Kept claw\u2019s routing state:',
        ...agent.conflicts.map((conflict) => `- ${safe(conflict.message)}`),
      )
    }
  }
  switch (config.action) {
    case 'written':
      context.out.line(`Wrote ${safe(config.path)} from ${safe(config.source ?? '')}.`)
      break
    case 'would_write':
      context.out.line(`Would write ${safe(config.path)} from ${safe(config.source ?? '')}.`)
      break
    case 'kept':
      context.out.line(
        `${safe(config.path)} exists: OpenClaw's model and auth settings in ${safe(config.source ?? '')} were not copied.`,
      )
      break
    case 'none':
      break
  }
  for (const note of config.action === 'kept' ? [] : config.notes)
    context.out.line(`Note: ${safe(note)}`)
  if (!result.dryRun && result.agents.some((agent) => agent.imported.length > 0)) {
    context.out.line(
      'Stop OpenClaw before using these credentials with claw: both refreshing the same OAuth tokens would log each other out.',
    )
  }
}
