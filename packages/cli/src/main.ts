import {
  parseCommandArgs,
  UnknownOptionError,
  type CommandSpec,
  type ParsedArgs,
} from './command.js'
import { exitCodeFor, messageFor, usageError } from './errors.js'
import { EXIT_CODES } from './exit-codes.js'
import type { CliIo } from './io.js'
import { COMMANDS, type CommandEntry } from './registry.js'
import { maskArgvSecretsInOutput } from './argv-secret.js'
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

/** `Unknown command: claw models stauts. Did you mean `claw models status`? See …` */
async function unknownCommandMessage(path: readonly string[], word: string): Promise<string> {
  const { closestMatch, didYouMean } = await import('./suggest.js')
  const under = COMMANDS.filter((entry) => startsWith(entry.path, path))
  const next = closestMatch(word, [...new Set(under.map((entry) => entry.path[path.length]!))])
  // Else a word from deeper down: `claw status` → `claw models status`.
  const suggested =
    next === undefined
      ? under.find((entry) =>
          entry.path
            .slice(path.length + 1)
            .some((deeper) => deeper === word || closestMatch(word, [deeper]) !== undefined),
        )?.path
      : [...path, next]
  const shown = [...path, safe(word)].join(' ')
  return `Unknown command: claw ${shown}.${didYouMean(
    suggested && `\`claw ${suggested.join(' ')}\``,
  )} See claw ${[...path, '--help'].join(' ')}.`
}

/** Parses a command's arguments; an unknown flag gets the nearest known one as a suggestion. */
async function parseWithSuggestions(
  spec: CommandSpec,
  argv: readonly string[],
): Promise<ParsedArgs> {
  try {
    return parseCommandArgs(spec, argv)
  } catch (error) {
    if (!(error instanceof UnknownOptionError) || !error.option.startsWith('--')) throw error
    const { closestMatch, didYouMean } = await import('./suggest.js')
    const match = closestMatch(error.option.slice(2), error.known)
    throw usageError(`${error.message}${didYouMean(match && `--${match}`)}`)
  }
}

// `claw models` alone is `claw models status`; OpenClaw's `--status-json`/`--status-plain`
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
 * on stderr (with the stack under `--debug`) and an exit code. Arguments that look like secrets
 * are masked in everything written, whichever command or message repeats them.
 */
export async function runCli(argv: readonly string[], rawIo: CliIo): Promise<number> {
  const io = maskArgvSecretsInOutput(rawIo, argv)
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
        const { groupHelp } = await import('./help.js')
        io.stdout.write(`${groupHelp(route.path)}\n`)
        return EXIT_CODES.ok
      }
      const unknown = first
      throw usageError(
        unknown.startsWith('-')
          ? `Unknown option for claw${route.path.length ? ` ${route.path.join(' ')}` : ''}: ${safe(unknown)}. See claw ${[...route.path, '--help'].join(' ')}.`
          : await unknownCommandMessage(route.path, unknown),
      )
    }
    // The Context module loads next to the command's rather than after it: one round of module
    // loading less before the command runs (bench row `claw start status / bare node`).
    const contextModule = route.entry.withoutContext ? undefined : import('./context.js')
    const spec = await route.entry.load()
    const args = await parseWithSuggestions(spec, route.rest)
    if (args.options['help']) {
      const { formatCommandHelp } = await import('./help.js')
      io.stdout.write(`${formatCommandHelp(route.path, spec)}\n`)
      return EXIT_CODES.ok
    }
    if (spec.runWithoutContext) return (await spec.runWithoutContext(io, args)) ?? EXIT_CODES.ok
    // Not imported at the top: `claw --help`, `--version` and `completion` never need it.
    const { Context } = await (contextModule ?? import('./context.js'))
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
