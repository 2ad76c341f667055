import { createStyles, type Styles } from './text.js'

/** A stream the CLI writes to. */
export interface OutputStream {
  write(chunk: string): unknown
  readonly isTTY?: boolean | undefined
}

/** A stream the CLI reads secrets and answers from. */
export type InputStream = NodeJS.ReadableStream & {
  readonly isTTY?: boolean | undefined
  setRawMode?: ((mode: boolean) => unknown) | undefined
}

/**
 * Everything a command may touch of the outside world. `bin.ts` builds it from `process`; tests
 * pass their own.
 */
export interface CliIo {
  readonly stdout: OutputStream
  readonly stderr: OutputStream
  readonly stdin: InputStream
  readonly env: Readonly<Record<string, string | undefined>>
  readonly now: () => number
  /** Home directory (for `~` in paths and external CLI files). */
  readonly homeDir: string
  /** `fetch` for OAuth and probes. */
  readonly fetch: typeof fetch
}

/** Output helpers bound to a command's streams. */
export class Output {
  readonly styles: Styles
  readonly stdoutIsTTY: boolean

  constructor(private readonly io: CliIo) {
    this.stdoutIsTTY = io.stdout.isTTY === true
    this.styles = createStyles({ isTTY: this.stdoutIsTTY, env: io.env })
  }

  /** Writes lines to stdout. */
  line(...lines: string[]): void {
    this.io.stdout.write(`${lines.join('\n')}\n`)
  }

  /** Writes a `--json` document: `{ schemaVersion, ...payload }`, pretty-printed. */
  json(payload: Record<string, unknown>): void {
    this.io.stdout.write(
      `${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, ...payload }, null, 2)}\n`,
    )
  }

  /** Writes a notice or warning to stderr (never part of the machine-readable output). */
  warn(message: string): void {
    this.io.stderr.write(`${message}\n`)
  }
}

/**
 * The version of every `--json` document's shape (`schemaVersion`). Additive changes keep it;
 * renames or removals bump it.
 *
 * @public
 */
export const JSON_SCHEMA_VERSION = 1
