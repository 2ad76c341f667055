import { formatCommandHelp, parseCommandArgs } from './command.js'
import { Context } from './context.js'
import { exitCodeFor, messageFor, usageError } from './errors.js'
import { EXIT_CODES } from './exit-codes.js'
import type { CliIo } from './io.js'
import { COMMANDS, type CommandEntry } from './registry.js'
import { maskArgvSecret } from './argv-secret.js'
import { escapeControl, safe } from './text.js'
import { cliVersion } from './version.js'

interface Route {
  readonly entry: CommandEntry | undefined
  /** The words that matched (a group when `entry` is undefined). */
  readonly path: readonly string[]
  readonly rest: readonly string[]
}

function findRoute(argv: readonly string[]): Route {
  const words: string[] = []
  for (const token of argv) {
    if (token.startsWith('-')) break
    words.push(token)
  }
  let best: CommandEntry | undefined
  for (const entry of COMMANDS) {
    const matches = entry.path.every((word, index) => words[index] === word)
    if (matches && entry.path.length > (best?.path.length ?? 0)) best = entry
  }
  if (best) return { entry: best, path: best.path, rest: argv.slice(best.path.length) }
  // The longest prefix that names a group of commands.
  let depth = 0
  while (
    depth < words.length &&
    COMMANDS.some((entry) => startsWith(entry.path, words.slice(0, depth + 1)))
  ) {
    depth += 1
  }
  return { entry: undefined, path: words.slice(0, depth), rest: argv.slice(depth) }
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.every((word, index) => path[index] === word)
}

/** Help for `claw`, `claw models`, `claw models auth`, … : the commands under that prefix. */
function groupHelp(prefix: readonly string[]): string {
  const entries = COMMANDS.filter((entry) => startsWith(entry.path, prefix))
  const width = Math.max(...entries.map((entry) => entry.path.join(' ').length)) + 2
  const lines = [
    `Usage: claw ${[...prefix, '<command>'].join(' ')} [options]`,
    '',
    ...(prefix.length === 0 ? ['Credentials, model catalog and failover for LLM agents.', ''] : []),
    'Commands:',
    ...entries.map((entry) => `  ${entry.path.join(' ').padEnd(width)}${entry.summary}`),
    '',
    'Global options:',
    '  -h, --help     Help for any command (claw <command> --help)',
    '  -v, --version  Print the version',
    '',
    'Environment: CLAW_STATE_DIR (default ~/.claw), CLAW_CONFIG_PATH, NO_COLOR.',
  ]
  return lines.join('\n')
}

// `claw models` alone is `claw models status`; the reference's `--status-json`/`--status-plain`
// are its `--json`/`--plain`.
function rewriteBareModels(argv: readonly string[]): readonly string[] {
  if (argv[0] !== 'models') return argv
  const next = argv[1]
  if (next !== undefined && !next.startsWith('-')) return argv
  if (argv.includes('--help') || argv.includes('-h')) return argv
  return [
    'models',
    'status',
    ...argv
      .slice(1)
      .map((token) =>
        token === '--status-json' ? '--json' : token === '--status-plain' ? '--plain' : token,
      ),
  ]
}

/**
 * Runs one `claw` invocation and returns its exit code. Never throws: errors become one message
 * on stderr (with the stack under `--debug`) and an exit code.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug')
  try {
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
      io.stdout.write(`${cliVersion()}\n`)
      return EXIT_CODES.ok
    }
    const route = findRoute(rewriteBareModels(argv))
    if (!route.entry) {
      const first = route.rest[0]
      if (first === undefined || first === '--help' || first === '-h') {
        io.stdout.write(`${groupHelp(route.path)}\n`)
        return EXIT_CODES.ok
      }
      const unknown = first
      throw usageError(
        unknown.startsWith('-')
          ? `Unknown option for claw${route.path.length ? ` ${route.path.join(' ')}` : ''}: ${safe(maskArgvSecret(unknown))}. See claw ${[...route.path, '--help'].join(' ')}.`
          : `Unknown command: claw ${[...route.path, safe(maskArgvSecret(unknown))].join(' ')}. See claw ${[...route.path, '--help'].join(' ')}.`,
      )
    }
    const spec = await route.entry.load()
    const args = parseCommandArgs(spec, route.rest)
    if (args.options['help']) {
      io.stdout.write(`${formatCommandHelp(route.path, spec)}\n`)
      return EXIT_CODES.ok
    }
    const context = new Context(io, args)
    try {
      return (await spec.run(context, args)) ?? EXIT_CODES.ok
    } finally {
      await context.close()
    }
  } catch (error) {
    io.stderr.write(`${escapeControl(messageFor(error))}\n`)
    if (debug && error instanceof Error && error.stack) {
      io.stderr.write(`${escapeControl(error.stack)}\n`)
    }
    return exitCodeFor(error)
  }
}
