import { EXIT_CODES, type ExitCode } from './exit-codes.js'

/**
 * An error the CLI reports as one line on stderr (no stack unless `--debug`) and turns into an
 * exit code. Messages never contain secrets.
 *
 * @public
 */
export class CliError extends Error {
  override readonly name = 'CliError'
  readonly exitCode: ExitCode

  constructor(message: string, options: { exitCode?: ExitCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.exitCode = options.exitCode ?? EXIT_CODES.error
  }
}

/** An error in the command line itself (unknown flag, missing argument, bad value). */
export function usageError(message: string): CliError {
  return new CliError(message)
}

/** An unreadable or invalid config file or credential store (exit 78). */
export function invalidStateError(message: string, cause?: unknown): CliError {
  return new CliError(message, { exitCode: EXIT_CODES.invalidState, cause })
}

const INVALID_STATE_CODES = new Set([
  'ERR_INVALID_CONFIG',
  'ERR_UNSAFE_KEY',
  'ERR_ENV_VAR_UNSET',
  'ERR_STORE_INVALID',
  'ERR_STORE_UNSUPPORTED_VERSION',
  'ERR_STORE_NOT_REGULAR_FILE',
  'ERR_STORE_SYMLINK',
  'ERR_STORE_TOO_LARGE',
  'ERR_STORE_READ',
  'ERR_FLEET_EMPTY',
])

/** The exit code for anything thrown by a command. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && INVALID_STATE_CODES.has(code)) return EXIT_CODES.invalidState
  return EXIT_CODES.error
}

/** The one-line message for anything thrown by a command (library errors are secret-free). */
export function messageFor(error: unknown): string {
  if (error instanceof Error) return error.message || error.name
  return String(error)
}
