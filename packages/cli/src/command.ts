import { parseArgs } from 'node:util'
import type { Context } from './context.js'
import { CliError, usageError } from './errors.js'
import type { ExitCode } from './exit-codes.js'
import type { CliIo } from './io.js'

/** One `--flag` of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean'
  readonly description: string
  /** Name of the value in help (`--provider <id>`). */
  readonly value?: string
  readonly short?: string
  /** Repeatable; values are collected in order (comma-separated lists are split by the command). */
  readonly multiple?: boolean
}

/** One positional argument. */
export interface PositionalSpec {
  readonly name: string
  readonly description: string
  readonly required?: boolean
  /** Takes every remaining argument. */
  readonly variadic?: boolean
}

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>

/** What a command receives after parsing. */
export interface ParsedArgs {
  readonly options: OptionValues
  readonly positionals: readonly string[]
}

/** What a command's help and argument parsing read. */
export interface CommandDescription {
  readonly summary: string
  /** Longer help text, printed after the usage line. */
  readonly description?: string
  readonly positionals?: readonly PositionalSpec[]
  readonly options?: Readonly<Record<string, OptionSpec>>
  readonly examples?: readonly string[]
}

/**
 * A leaf command: its flags, arguments and behaviour. `run` gets a {@link Context} (config and
 * stores on demand); `runWithoutContext` is for commands that need neither (`completion`), so
 * they load no library.
 */
export type CommandSpec = CommandDescription &
  (
    | {
        /** Returns the exit code (default 0). */
        run(context: Context, args: ParsedArgs): Promise<ExitCode | void>
        readonly runWithoutContext?: undefined
      }
    | {
        runWithoutContext(io: CliIo, args: ParsedArgs): Promise<ExitCode | void>
        readonly run?: undefined
      }
  )

/** Flags every command accepts. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: 'boolean', short: 'h', description: 'Show help for this command.' },
  debug: { type: 'boolean', description: 'Print stack traces of errors.' },
}

/** `--agent <id>`, for commands that read or write an agent's credential store. */
export const AGENT_OPTION: Readonly<Record<string, OptionSpec>> = {
  agent: {
    type: 'string',
    value: 'id',
    description: 'Agent whose credential store to use (default: main).',
  },
}

/** `--json` / `--plain`, mutually exclusive. */
export const OUTPUT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', description: 'Machine-readable JSON (see the README for the schema).' },
  plain: { type: 'boolean', description: 'Plain text, one item per line.' },
}

/** An unknown `--flag`; `runCli` adds the nearest known flag as a suggestion. */
export class UnknownOptionError extends CliError {
  constructor(
    message: string,
    /** The flag as Node reported it (`--provdier`; never a value). */
    readonly option: string,
    /** The command's flag names, without dashes. */
    readonly known: readonly string[],
  ) {
    super(message)
  }
}

/** Parses `argv` against a command's spec; unknown flags and missing arguments are usage errors. */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = { ...COMMON_OPTIONS, ...spec.options }
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(options).map(([name, option]) => [
          name,
          {
            type: option.type,
            ...(option.short ? { short: option.short } : {}),
            ...(option.multiple ? { multiple: true } : {}),
          },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    })
  } catch (error) {
    const message = parseErrorMessage(error)
    const unknown = /^Unknown option '(-[^']*)'/.exec(message)?.[1]
    if ((error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
      throw new UnknownOptionError(`Unknown option '${unknown}'.`, unknown, Object.keys(options))
    }
    throw usageError(message)
  }
  const values = parsed.values as OptionValues
  if (values['help']) return { options: values, positionals: parsed.positionals }
  const positionals = parsed.positionals
  const specs = spec.positionals ?? []
  const variadic = specs.at(-1)?.variadic === true
  if (!variadic && positionals.length > specs.length) {
    throw usageError(`Unexpected argument: ${positionals[specs.length]!}`)
  }
  specs.forEach((positional, index) => {
    if (positional.required && positionals[index] === undefined) {
      throw usageError(`Missing argument <${positional.name}>.`)
    }
  })
  return { options: values, positionals }
}

function parseErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  // Node's messages end with a hint about `--` that does not apply here.
  return message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '.')
}

/** Reads a string flag (the last one when repeated). */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name]
  if (Array.isArray(value)) {
    const last = value.at(-1)
    return typeof last === 'string' ? last : undefined
  }
  return typeof value === 'string' ? value : undefined
}

/** Reads a repeatable string flag, splitting comma-separated values and dropping blanks. */
export function listOption(args: ParsedArgs, name: string): string[] {
  const value = args.options[name]
  const raw = Array.isArray(value) ? value : value === undefined ? [] : [value]
  return raw
    .filter((item): item is string => typeof item === 'string')
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

/** Reads a boolean flag. */
export function flag(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true
}

/** `--json` and `--plain` are exclusive (OpenClaw's message). */
export function outputMode(args: ParsedArgs): 'json' | 'plain' | 'human' {
  const json = flag(args, 'json')
  const plain = flag(args, 'plain')
  if (json && plain) throw usageError('Choose either --json or --plain, not both.')
  return json ? 'json' : plain ? 'plain' : 'human'
}

/** Parses a positive integer flag, with OpenClaw's message on bad input. */
export function positiveNumberOption(
  args: ParsedArgs,
  name: string,
  fallback: number,
  message: string,
): number {
  const raw = stringOption(args, name)
  if (raw === undefined) return fallback
  const value = Number(raw.trim())
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) throw usageError(message)
  return value
}
