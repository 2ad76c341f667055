// `claw models auth order get | set | clear --provider <id>`: an agent's per-provider profile order
// override in its auth-profiles.json (`order.<provider>`), which locks rotation to that list.
import { updateAuthProfileStore, type AuthProfileStore } from '@claw/auth-profiles'
import { normalizeProviderId } from '@claw/model-catalog'
import { requireProviderOption } from '../auth/provider-id.js'
import {
  AGENT_OPTION,
  OUTPUT_OPTIONS,
  outputMode,
  stringOption,
  type CommandSpec,
  type OptionSpec,
} from '../command.js'
import type { Context } from '../context.js'
import { CliError, usageError } from '../errors.js'
import { safe } from '../text.js'

const PROVIDER_OPTION: Readonly<Record<string, OptionSpec>> = {
  provider: { type: 'string', value: 'id', description: 'Provider id (required).' },
}

/** The key of `store.order` for a provider: exact first, then any key that normalises to it. */
function orderKey(store: AuthProfileStore, provider: string): string | undefined {
  const order = store.order ?? {}
  if (Object.hasOwn(order, provider)) return provider
  return Object.keys(order).find((key) => normalizeProviderId(key) === provider)
}

async function target(context: Context, provider: string) {
  return {
    provider,
    agentDir: await context.agentDir(),
    authStorePath: await context.storePath(),
  }
}

function lockError(error: unknown): never {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ERR_LOCK_TIMEOUT' || code === 'ERR_LOCK_COMPROMISED') {
    throw new CliError('Failed to update auth-profiles.json (lock busy?).', { cause: error })
  }
  throw error
}

function printOrder(
  context: Context,
  where: { agentDir: string; authStorePath: string; provider: string },
  order: readonly string[] | null,
): void {
  context.out.line(
    `Agent: ${safe(context.agentId)}`,
    `Provider: ${safe(where.provider)}`,
    `Auth file: ${safe(where.authStorePath)}`,
    `Order override: ${order && order.length > 0 ? order.map(safe).join(', ') : '(none)'}`,
  )
}

const getCommand: CommandSpec = {
  summary: "Show an agent's profile order override for a provider.",
  description:
    "Reads only the agent's store override (auth-profiles.json `order.<provider>`), not config " +
    'auth.order.',
  options: { ...PROVIDER_OPTION, ...AGENT_OPTION, ...OUTPUT_OPTIONS },
  examples: ['claw models auth order get --provider anthropic --json'],
  async run(context, args) {
    const mode = outputMode(args)
    const where = await target(context, requireProviderOption(stringOption(args, 'provider')))
    const store = await context.loadStore()
    const key = orderKey(store, where.provider)
    const order = key === undefined ? null : [...(store.order?.[key] ?? [])]
    if (mode === 'json') {
      context.out.json({
        agentId: context.agentId,
        agentDir: where.agentDir,
        provider: where.provider,
        authStorePath: where.authStorePath,
        order,
      })
      return
    }
    printOrder(context, where, order)
  },
}

const setCommand: CommandSpec = {
  summary: 'Lock rotation for a provider to these profiles, in this order.',
  description:
    'Stores the trimmed, de-duplicated list under the normalised provider id in the agent’s ' +
    'auth-profiles.json (a locked write). Only these profiles are used for the provider, in this ' +
    'order, until `claw models auth order clear`.',
  positionals: [{ name: 'profileIds', description: 'Profile ids, in order.', variadic: true }],
  options: { ...PROVIDER_OPTION, ...AGENT_OPTION },
  examples: ['claw models auth order set --provider anthropic anthropic:work anthropic:default'],
  async run(context, args) {
    const where = await target(context, requireProviderOption(stringOption(args, 'provider')))
    const ids = [
      ...new Set(
        args.positionals
          .flatMap((id) => id.split(','))
          .map((id) => id.trim())
          .filter((id) => id !== ''),
      ),
    ]
    if (ids.length === 0) throw usageError('Missing profile ids. Provide one or more profile ids.')
    // Validate against the current view first (clear errors without taking the lock).
    const current = await context.loadStore()
    checkIds(current, ids, where)
    try {
      await updateAuthProfileStore(
        { ...(await context.storeTarget()), env: context.env },
        (store) => {
          checkIds(store, ids, where)
          const key = orderKey(store, where.provider)
          const order = { ...store.order }
          if (key !== undefined && key !== where.provider) delete order[key]
          order[where.provider] = ids
          store.order = order
        },
      )
    } catch (error) {
      if (error instanceof CliError) throw error
      lockError(error)
    }
    printOrder(context, where, ids)
  },
}

function checkIds(
  store: AuthProfileStore,
  ids: readonly string[],
  where: { agentDir: string; provider: string },
): void {
  for (const id of ids) {
    const profile = Object.hasOwn(store.profiles, id) ? store.profiles[id] : undefined
    if (!profile)
      throw new CliError(`Auth profile "${safe(id)}" not found in ${safe(where.agentDir)}.`)
    const provider = normalizeProviderId(profile.provider)
    if (provider !== where.provider) {
      throw new CliError(
        `Auth profile "${safe(id)}" is for ${safe(provider)}, not ${safe(where.provider)}.`,
      )
    }
  }
}

const clearCommand: CommandSpec = {
  summary: 'Remove the profile order override for a provider.',
  description:
    "Deletes the provider's entry from the agent's auth-profiles.json `order` (and `order` " +
    'itself when it becomes empty). Config auth.order is not touched.',
  options: { ...PROVIDER_OPTION, ...AGENT_OPTION },
  examples: ['claw models auth order clear --provider anthropic'],
  async run(context, args) {
    const where = await target(context, requireProviderOption(stringOption(args, 'provider')))
    try {
      await updateAuthProfileStore(
        { ...(await context.storeTarget()), env: context.env },
        (store) => {
          const key = orderKey(store, where.provider)
          if (key === undefined || !store.order) return
          const order = { ...store.order }
          delete order[key]
          if (Object.keys(order).length > 0) store.order = order
          else delete store.order
        },
      )
    } catch (error) {
      lockError(error)
    }
    context.out.line('Cleared per-agent order override.')
  },
}

export const orderCommands = { get: getCommand, set: setCommand, clear: clearCommand }
