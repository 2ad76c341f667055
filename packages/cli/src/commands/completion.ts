// `claw completion bash|zsh|fish`: the shell completion script, and the hidden
// `claw completion __complete -- <words…>` the script calls for candidates.
import { usageError } from '../errors.js'
import type { CommandSpec } from '../command.js'
import type { CliIo } from '../io.js'
import { safe } from '../text.js'
import { completeWords, type ValueKind, type ValueSource } from '../completion/complete.js'
import {
  COMPLETE_WORD,
  COMPLETION_SHELLS,
  completionScript,
  type CompletionShell,
} from '../completion/scripts.js'

const INSTALL = [
  'bash:  claw completion bash > ~/.local/share/bash-completion/completions/claw',
  '       (or add `source <(claw completion bash)` to ~/.bashrc)',
  'zsh:   claw completion zsh > "${fpath[1]}/_claw"   (then start a new shell)',
  '       (or add `source <(claw completion zsh)` to ~/.zshrc, after compinit)',
  'fish:  claw completion fish > ~/.config/fish/completions/claw.fish',
]

/** Values from the config and the credential store of the agent the typed words name. */
function stateValues(io: CliIo, words: readonly string[]): ValueSource {
  const agentAt = words.indexOf('--agent')
  const agent = agentAt >= 0 ? words[agentAt + 1] : undefined
  return async (kind: ValueKind) => {
    if (kind === 'shell') return COMPLETION_SHELLS
    // Loaded only when a value is wanted: command words and flags need no library.
    const { Context } = await import('../context.js')
    const context = new Context(io, { options: agent ? { agent } : {}, positionals: [] })
    try {
      const config = await context.config()
      switch (kind) {
        case 'provider': {
          const { listProviders } = await import('@claw/model-catalog')
          return [
            ...listProviders().map((provider) => provider.id),
            ...Object.keys(config.models?.providers ?? {}),
          ]
        }
        case 'profile':
          return Object.keys((await context.loadStore()).profiles)
        case 'agent':
          return ['main', ...(config.agents?.list ?? []).map((entry) => entry.id)]
        case 'model': {
          const models = config.agents?.defaults?.models ?? {}
          return [
            ...Object.values(models).flatMap((entry) =>
              typeof entry?.alias === 'string' ? [entry.alias] : [],
            ),
            ...Object.keys(models),
          ]
        }
      }
    } finally {
      await context.close()
    }
  }
}

export const completionCommand: CommandSpec = {
  summary: 'Print the shell completion script for bash, zsh or fish.',
  description:
    'The script completes commands, flags, provider ids, profile ids, agents, configured models ' +
    'and aliases, asking claw for them as you type (so it never goes stale). Install it once:\n\n' +
    INSTALL.map((line) => `  ${line}`).join('\n'),
  positionals: [
    { name: 'shell', description: 'bash, zsh or fish.', required: true },
    { name: 'words', description: 'Used by the installed script.', variadic: true },
  ],
  examples: ['claw completion bash > ~/.local/share/bash-completion/completions/claw'],
  async runWithoutContext(io, args) {
    const [shell, ...words] = args.positionals
    if (shell === COMPLETE_WORD) {
      // A completion must never print an error into the user's command line.
      const candidates = await completeWords(words, stateValues(io, words)).catch(() => [])
      if (candidates.length > 0) io.stdout.write(`${candidates.join('\n')}\n`)
      return
    }
    if (!COMPLETION_SHELLS.includes(shell as CompletionShell)) {
      throw usageError(
        `Unknown shell "${safe(shell ?? '')}". claw writes completion scripts for bash, zsh and fish.`,
      )
    }
    if (words.length > 0) throw usageError(`Unexpected argument: ${safe(words[0]!)}`)
    io.stdout.write(completionScript(shell as CompletionShell))
  },
}
