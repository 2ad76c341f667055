import type { CommandSpec } from './command.js'

/** The sections of the root help. */
export type CommandGroup = 'models' | 'auth' | 'state' | 'setup'

export const COMMAND_GROUPS: readonly { readonly id: CommandGroup; readonly title: string }[] = [
  { id: 'models', title: 'Models' },
  { id: 'auth', title: 'Credentials' },
  { id: 'state', title: 'State and health' },
  { id: 'setup', title: 'Setup' },
]

/** One leaf command: its words, one-line summary (for group help) and lazy loader. */
export interface CommandEntry {
  readonly path: readonly string[]
  readonly summary: string
  readonly group: CommandGroup
  /**
   * Set for a command whose spec has `runWithoutContext`: `claw` then does not load the Context
   * module, which it otherwise loads next to the command's.
   */
  readonly withoutContext?: true
  load(): Promise<CommandSpec>
}

/**
 * Families of commands that differ only in their last word, shown as one line in the root help
 * (`models aliases list|add|remove`).
 */
export const COMMAND_FAMILIES: Readonly<Record<string, string>> = {
  'models aliases': 'List, add or remove model aliases.',
  'models fallbacks': 'List, add to, remove from or clear the model fallback list.',
  'models image-fallbacks': 'List, add to, remove from or clear the image model fallback list.',
  'models auth order': "Show, set or clear a provider's profile order override.",
  agents: 'Add, list or remove isolated agents with their own credential stores.',
}

// Commands load on demand so `claw models status --json` pays only for what it runs.
export const COMMANDS: readonly CommandEntry[] = [
  {
    path: ['models', 'status'],
    group: 'models' as const,
    summary: 'Default and fallback models, aliases, and the auth overview per provider.',
    load: async () => (await import('./commands/models-status.js')).statusCommand,
  },
  {
    path: ['models', 'list'],
    group: 'models' as const,
    summary: 'List configured models, or the whole catalog with --all.',
    load: async () => (await import('./commands/models-list.js')).listCommand,
  },
  {
    path: ['models', 'scan'],
    group: 'models' as const,
    summary:
      'List the models providers serve (OpenRouter, OpenAI-compatible /models); --probe tries them.',
    load: async () => (await import('./commands/models-scan.js')).scanCommand,
  },
  {
    path: ['models', 'set'],
    group: 'models' as const,
    summary: 'Set the default model.',
    load: async () => (await import('./commands/models-set.js')).setCommand,
  },
  {
    path: ['models', 'set-image'],
    group: 'models' as const,
    summary: 'Set the default image model.',
    load: async () => (await import('./commands/models-set.js')).setImageCommand,
  },
  ...(['list', 'add', 'remove'] as const).map((action) => ({
    path: ['models', 'aliases', action],
    group: 'models' as const,
    summary: {
      list: 'List model aliases.',
      add: 'Add a model alias.',
      remove: 'Remove a model alias.',
    }[action],
    load: async () => (await import('./commands/models-aliases.js')).aliasCommands[action],
  })),
  ...(['fallbacks', 'image-fallbacks'] as const).flatMap((kind) =>
    (['list', 'add', 'remove', 'clear'] as const).map((action) => ({
      path: ['models', kind, action],
      group: 'models' as const,
      summary: `${{ list: 'List', add: 'Add to', remove: 'Remove from', clear: 'Clear' }[action]} the ${kind === 'fallbacks' ? 'model' : 'image model'} fallback list.`,
      load: async () =>
        (await import('./commands/models-fallbacks.js')).fallbackCommands[kind][action],
    })),
  ),
  {
    path: ['models', 'auth', 'add'],
    group: 'auth' as const,
    summary: 'Add a credential: pick a provider and how to authenticate (interactive).',
    load: async () => (await import('./commands/auth-add.js')).authAddCommand,
  },
  {
    path: ['models', 'auth', 'paste-api-key'],
    group: 'auth' as const,
    summary: 'Store an API key (read from stdin or a hidden prompt).',
    load: async () => (await import('./commands/auth-paste.js')).pasteApiKeyCommand,
  },
  {
    path: ['models', 'auth', 'paste-token'],
    group: 'auth' as const,
    summary: 'Store a static token (read from stdin or a hidden prompt).',
    load: async () => (await import('./commands/auth-paste.js')).pasteTokenCommand,
  },
  {
    path: ['models', 'auth', 'setup-token'],
    group: 'auth' as const,
    summary: 'Store an Anthropic setup token (from `claude setup-token`).',
    load: async () => (await import('./commands/auth-paste.js')).setupTokenCommand,
  },
  {
    path: ['models', 'auth', 'login'],
    group: 'auth' as const,
    summary: 'Log in to a provider with OAuth (browser, paste or device flow).',
    load: async () => (await import('./commands/auth-login.js')).loginCommand,
  },
  {
    path: ['models', 'auth', 'login-github-copilot'],
    group: 'auth' as const,
    summary: 'Log in to GitHub Copilot with the device flow.',
    load: async () => (await import('./commands/auth-login.js')).loginCopilotCommand,
  },
  {
    path: ['models', 'auth', 'token'],
    group: 'auth' as const,
    summary: 'Print the credential a profile or provider resolves to, for another program.',
    load: async () => (await import('./commands/auth-token.js')).tokenCommand,
  },
  {
    path: ['models', 'auth', 'list'],
    group: 'auth' as const,
    summary: 'List stored auth profiles (secrets masked).',
    load: async () => (await import('./commands/auth-profiles.js')).authListCommand,
  },
  {
    path: ['models', 'auth', 'logout'],
    group: 'auth' as const,
    summary: 'Remove an auth profile (and revoke nothing remotely).',
    load: async () => (await import('./commands/auth-profiles.js')).logoutCommand,
  },
  {
    path: ['models', 'auth', 'clear-cooldown'],
    group: 'auth' as const,
    summary: 'Clear the cooldown or disabled state of a profile.',
    load: async () => (await import('./commands/auth-profiles.js')).clearCooldownCommand,
  },
  ...(['get', 'set', 'clear'] as const).map((action) => ({
    path: ['models', 'auth', 'order', action],
    group: 'auth' as const,
    summary: {
      get: "Show an agent's profile order override for a provider.",
      set: 'Lock rotation for a provider to these profiles, in this order.',
      clear: 'Remove the profile order override for a provider.',
    }[action],
    load: async () => (await import('./commands/auth-order.js')).orderCommands[action],
  })),
  {
    path: ['doctor'],
    group: 'state' as const,
    summary: 'Check config, credential stores, permissions and tokens; --fix repairs what is safe.',
    load: async () => (await import('./commands/doctor.js')).doctorCommand,
  },
  {
    path: ['route'],
    group: 'models' as const,
    summary: 'Show which model and credential a request would use now, and why.',
    load: async () => (await import('./commands/route.js')).routeCommand,
  },
  {
    path: ['onboard'],
    group: 'setup' as const,
    summary: 'Set up credentials and a default model (interactive, or with flags).',
    load: async () => (await import('./commands/onboard.js')).onboardCommand,
  },
  ...(['add', 'list', 'remove'] as const).map((action) => ({
    path: ['agents', action],
    group: 'state' as const,
    summary: {
      add: 'Add an isolated agent with its own credential store.',
      list: 'List agents.',
      remove: 'Remove an agent from the config (its files are kept).',
    }[action],
    load: async () => (await import('./commands/agents.js')).agentCommands[action],
  })),
  {
    path: ['completion'],
    group: 'setup' as const,
    withoutContext: true,
    summary: 'Print the shell completion script for bash, zsh or fish.',
    load: async () => (await import('./commands/completion.js')).completionCommand,
  },
  {
    path: ['import'],
    group: 'setup' as const,
    summary: 'Import credentials from Claude Code, Codex, Qwen or an old Clawdbot state dir.',
    load: async () => (await import('./commands/import.js')).importCommand,
  },
]
