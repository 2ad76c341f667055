import type { CommandSpec } from './command.js'

/** One leaf command: its words, one-line summary (for group help) and lazy loader. */
export interface CommandEntry {
  readonly path: readonly string[]
  readonly summary: string
  load(): Promise<CommandSpec>
}

// Commands load on demand so `claw models status --json` pays only for what it runs.
export const COMMANDS: readonly CommandEntry[] = [
  {
    path: ['models', 'status'],
    summary: 'Default and fallback models, aliases, and the auth overview per provider.',
    load: async () => (await import('./commands/models-status.js')).statusCommand,
  },
  {
    path: ['models', 'list'],
    summary: 'List configured models, or the whole catalog with --all.',
    load: async () => (await import('./commands/models-list.js')).listCommand,
  },
  {
    path: ['models', 'set'],
    summary: 'Set the default model.',
    load: async () => (await import('./commands/models-set.js')).setCommand,
  },
  {
    path: ['models', 'set-image'],
    summary: 'Set the default image model.',
    load: async () => (await import('./commands/models-set.js')).setImageCommand,
  },
  ...(['list', 'add', 'remove'] as const).map((action) => ({
    path: ['models', 'aliases', action],
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
      summary: `${{ list: 'List', add: 'Add to', remove: 'Remove from', clear: 'Clear' }[action]} the ${kind === 'fallbacks' ? 'model' : 'image model'} fallback list.`,
      load: async () =>
        (await import('./commands/models-fallbacks.js')).fallbackCommands[kind][action],
    })),
  ),
  {
    path: ['models', 'auth', 'paste-api-key'],
    summary: 'Store an API key (read from stdin or a hidden prompt).',
    load: async () => (await import('./commands/auth-paste.js')).pasteApiKeyCommand,
  },
  {
    path: ['models', 'auth', 'paste-token'],
    summary: 'Store a static token (read from stdin or a hidden prompt).',
    load: async () => (await import('./commands/auth-paste.js')).pasteTokenCommand,
  },
  {
    path: ['models', 'auth', 'setup-token'],
    summary: 'Store an Anthropic setup token (from `claude setup-token`).',
    load: async () => (await import('./commands/auth-paste.js')).setupTokenCommand,
  },
  {
    path: ['models', 'auth', 'login'],
    summary: 'Log in to a provider with OAuth (browser, paste or device flow).',
    load: async () => (await import('./commands/auth-login.js')).loginCommand,
  },
  {
    path: ['models', 'auth', 'login-github-copilot'],
    summary: 'Log in to GitHub Copilot with the device flow.',
    load: async () => (await import('./commands/auth-login.js')).loginCopilotCommand,
  },
  {
    path: ['models', 'auth', 'list'],
    summary: 'List stored auth profiles (secrets masked).',
    load: async () => (await import('./commands/auth-profiles.js')).authListCommand,
  },
  {
    path: ['models', 'auth', 'logout'],
    summary: 'Remove an auth profile (and revoke nothing remotely).',
    load: async () => (await import('./commands/auth-profiles.js')).logoutCommand,
  },
  {
    path: ['models', 'auth', 'clear-cooldown'],
    summary: 'Clear the cooldown or disabled state of a profile.',
    load: async () => (await import('./commands/auth-profiles.js')).clearCooldownCommand,
  },
  ...(['get', 'set', 'clear'] as const).map((action) => ({
    path: ['models', 'auth', 'order', action],
    summary: {
      get: "Show an agent's profile order override for a provider.",
      set: 'Lock rotation for a provider to these profiles, in this order.',
      clear: 'Remove the profile order override for a provider.',
    }[action],
    load: async () => (await import('./commands/auth-order.js')).orderCommands[action],
  })),
  {
    path: ['doctor'],
    summary: 'Check config, credential stores, permissions and tokens; --fix repairs what is safe.',
    load: async () => (await import('./commands/doctor.js')).doctorCommand,
  },
  {
    path: ['route'],
    summary: 'Show which model and credential a request would use now, and why.',
    load: async () => (await import('./commands/route.js')).routeCommand,
  },
  {
    path: ['onboard'],
    summary: 'Set up credentials and a default model (interactive, or with flags).',
    load: async () => (await import('./commands/onboard.js')).onboardCommand,
  },
  ...(['add', 'list', 'remove'] as const).map((action) => ({
    path: ['agents', action],
    summary: {
      add: 'Add an isolated agent with its own credential store.',
      list: 'List agents.',
      remove: 'Remove an agent from the config (its files are kept).',
    }[action],
    load: async () => (await import('./commands/agents.js')).agentCommands[action],
  })),
  {
    path: ['import'],
    summary: 'Import credentials from Claude Code, Codex, Qwen or an old Clawdbot state dir.',
    load: async () => (await import('./commands/import.js')).importCommand,
  },
]
