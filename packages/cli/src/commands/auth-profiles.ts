// `claw models auth list | logout | clear-cooldown`: the stored profiles of an agent.
import {
  assertProfileId,
  clearAuthProfileCooldown,
  loadAuthProfileStore,
  updateAuthProfileStore,
  type AuthProfileStore,
} from '@claw/auth-profiles'
import { logoutOAuthProfile } from '@claw/auth-profiles/oauth'
import { removeProfileFromConfig } from '../auth/config-edits.js'
import {
  ignoredEntriesNote,
  ignoredEntryViews,
  renderIgnoredEntries,
} from '../auth/ignored-entries.js'
import { configuredOAuthProviders } from '../auth/oauth-settings.js'
import { buildProfileViews, expiryText, stateText, type ProfileView } from '../auth/profile-view.js'
import { requireProviderOption } from '../auth/provider-id.js'
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
import { configUpdatedLine } from '../model-config/config-updated.js'
import { renderTable, safe } from '../text.js'

function requireProfileId(raw: string): string {
  try {
    assertProfileId(raw)
  } catch (error) {
    throw usageError((error as Error).message)
  }
  return raw
}

/** The agent's store view (read-through included) and dir; an error when it lacks `profileId`. */
async function storeWithProfile(
  context: Context,
  profileId: string,
): Promise<{ store: AuthProfileStore; agentDir: string }> {
  const agentDir = await context.agentDir()
  const store = await context.loadStore()
  if (!Object.hasOwn(store.profiles, profileId)) {
    const ignored = ignoredEntryViews(context.loadedStoreDiagnostics()).find(
      (entry) => entry.profileId === profileId,
    )
    if (ignored) {
      throw new CliError(
        `Auth profile "${safe(profileId)}" is in ${safe(ignored.file)}, but claw cannot use it (${safe(ignored.reason)}); edit the file to change or remove it.`,
      )
    }
    throw new CliError(`Auth profile "${safe(profileId)}" not found in ${safe(agentDir)}.`)
  }
  return { store, agentDir }
}

function renderHuman(context: Context, views: readonly ProfileView[], storePath: string): void {
  const { styles } = context.out
  if (views.length === 0) {
    context.out.line(`No auth profiles in ${safe(storePath)}.`)
    context.out.line(
      'Add one with `claw models auth paste-api-key --provider <id>` or `claw models auth login --provider <id>`.',
    )
    return
  }
  if (context.out.stdoutIsTTY) {
    const rows = views.map((view) => [
      safe(view.profileId),
      view.type,
      safe(view.credential),
      view.email ? safe(view.email) : '-',
      expiryText(view),
      stateText(view),
    ])
    const table = renderTable(
      [
        { header: 'Profile' },
        { header: 'Type' },
        { header: 'Credential' },
        { header: 'Email' },
        { header: 'Expiry' },
        { header: 'State' },
      ],
      rows,
    ).split('\n')
    context.out.line(styles.bold(table[0]!), ...table.slice(1))
    context.out.line(styles.dim(`Store: ${safe(storePath)}`))
    return
  }
  context.out.line(`Auth profiles (${views.length}) in ${safe(storePath)}:`)
  for (const view of views) {
    const parts = [
      `${safe(view.profileId)} (${safe(view.provider)}/${view.type})`,
      `${safe(view.credential)}${view.email ? ` [${safe(view.email)}]` : ''}`,
      expiryText(view),
      stateText(view),
    ]
    context.out.line(`- ${parts.join(' | ')}`)
  }
}

export const authListCommand: CommandSpec = {
  summary: 'List stored auth profiles (secrets masked).',
  description:
    "Every profile in the agent's auth-profiles.json (for a sub-agent: including those read " +
    'through from the main agent) with its type, masked credential, email, expiry and cooldown ' +
    'or disabled state. Secrets are never printed.',
  options: {
    provider: { type: 'string', value: 'id', description: 'Only this provider’s profiles.' },
    ...AGENT_OPTION,
    ...OUTPUT_OPTIONS,
  },
  examples: ['claw models auth list', 'claw models auth list --agent work --json'],
  async run(context, args) {
    const mode = outputMode(args)
    const rawProvider = stringOption(args, 'provider')
    const provider = rawProvider === undefined ? undefined : requireProviderOption(rawProvider)
    const config = await context.config()
    const agentDir = await context.agentDir()
    const storePath = await context.storePath()
    const store = await context.loadStore()
    const views = buildProfileViews(store, config, context.now(), provider)
    const ignored = ignoredEntryViews(context.loadedStoreDiagnostics())
    if (mode === 'json') {
      context.out.json({
        agentId: context.agentId,
        agentDir,
        authStorePath: storePath,
        profiles: views,
        ignored,
      })
      return
    }
    if (mode === 'plain') {
      for (const view of views) context.out.line(safe(view.profileId))
      const note = ignoredEntriesNote(ignored)
      if (note) context.out.warn(note)
      return
    }
    renderHuman(context, views, storePath)
    const lines = renderIgnoredEntries(ignored, context.out.styles)
    if (lines.length > 0) context.out.line('', ...lines)
  },
}

export const logoutCommand: CommandSpec = {
  summary: 'Remove an auth profile (and revoke nothing remotely).',
  description:
    "Removes the profile from the agent's store (with its usage stats, order entries and " +
    'last-good marks) and from config auth.profiles / auth.order. Nothing is revoked at the ' +
    'provider unless --revoke is given (OAuth profiles whose login supports revocation).',
  positionals: [{ name: 'profileId', description: 'The profile to remove.', required: true }],
  options: {
    revoke: {
      type: 'boolean',
      description: 'Also revoke an OAuth token at the provider (when its login supports it).',
    },
    ...AGENT_OPTION,
    json: OUTPUT_OPTIONS['json']!,
  },
  examples: [
    'claw models auth logout openai:default',
    'claw models auth logout anthropic:work --agent work',
  ],
  async run(context, args) {
    const profileId = requireProfileId(args.positionals[0]!)
    const config = await context.config()
    const { store, agentDir } = await storeWithProfile(context, profileId)
    const target = await context.storeTarget()
    // Sub-agents read the main agent's file store through; credentials kept in Redis are per agent.
    const own =
      config.state?.credentials === 'redis'
        ? store
        : await loadAuthProfileStore({ agentDir, mainAgentDir: null, env: context.env })
    if (!Object.hasOwn(own.profiles, profileId)) {
      throw new CliError(
        `Auth profile "${safe(profileId)}" belongs to the main agent (this agent reads it through); remove it with \`claw models auth logout ${safe(profileId)} --agent main\`.`,
      )
    }
    const { providers, allowInsecureRequests } = configuredOAuthProviders(config)
    const result = await logoutOAuthProfile({
      ...target,
      env: context.env,
      now: context.now,
      fetch: context.io.fetch,
      providers,
      allowInsecureRequests,
      profileId,
      revoke: flag(args, 'revoke'),
    })
    const loaded = await context.loadConfig()
    let configUpdated = false
    if (removeProfileFromConfig(structuredClone(loaded.raw), profileId)) {
      await context.updateConfig((raw) => void removeProfileFromConfig(raw, profileId))
      configUpdated = true
    }
    if (flag(args, 'json')) {
      context.out.json({
        profileId,
        removed: result.removed,
        revoked: result.revoked,
        configUpdated,
      })
      return
    }
    context.out.line(
      `Removed auth profile ${safe(profileId)}${result.revoked ? ' (token revoked at the provider)' : ''}.`,
    )
    if (configUpdated) context.out.line(configUpdatedLine(context, loaded.path))
  },
}

export const clearCooldownCommand: CommandSpec = {
  summary: 'Clear the cooldown or disabled state of a profile.',
  description:
    'Clears the profile-wide and model-scoped cooldowns and resets the error count. A billing or ' +
    'auth disable stays unless --all is given (top up credits or fix the key first).',
  positionals: [{ name: 'profileId', description: 'The profile to clear.', required: true }],
  options: {
    all: { type: 'boolean', description: 'Also clear a disabled state (billing, auth).' },
    ...AGENT_OPTION,
    json: OUTPUT_OPTIONS['json']!,
  },
  examples: [
    'claw models auth clear-cooldown openai:default',
    'claw models auth clear-cooldown anthropic:work --all',
  ],
  async run(context, args) {
    const profileId = requireProfileId(args.positionals[0]!)
    await storeWithProfile(context, profileId)
    const store = await context.storeHandle()
    const result = await clearAuthProfileCooldown({ store, profileId, now: context.now })
    if (result.error) throw result.error
    let clearedDisable = false
    if (flag(args, 'all')) {
      const update = await updateAuthProfileStore({ store }, (fresh) => {
        const stats = fresh.usageStats?.[profileId]
        if (!fresh.usageStats || !stats || stats.disabledUntil === undefined) return false
        const {
          disabledUntil: _until,
          disabledReason: _reason,
          failureCounts: _counts,
          ...rest
        } = stats
        fresh.usageStats = { ...fresh.usageStats, [profileId]: rest }
        return true
      })
      clearedDisable = update.result
    }
    const after = await context.loadStore()
    const view = buildProfileViews(after, await context.config(), context.now()).find(
      (entry) => entry.profileId === profileId,
    )
    const cleared = result.changed || clearedDisable
    if (flag(args, 'json')) {
      context.out.json({ profileId, cleared, state: view?.unusable ?? null })
      return
    }
    context.out.line(
      cleared
        ? `Cleared cooldown for ${safe(profileId)}.`
        : `${safe(profileId)} has no cooldown to clear.`,
    )
    if (view?.unusable) {
      context.out.line(`Still ${stateText(view)} (use --all to clear a disabled state).`)
    }
  },
}
