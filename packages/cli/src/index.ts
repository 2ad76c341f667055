// @claw/cli is used through its `claw` binary; this entry exposes the runner for embedding the
// command line in another program and for tests.
export { runCli } from './main.js'
export { cliVersion } from './version.js'
export type { CliIo, InputStream, OutputStream } from './io.js'
export { JSON_SCHEMA_VERSION } from './io.js'
export { EXIT_CODES } from './exit-codes.js'
export type { ExitCode } from './exit-codes.js'
export { CliError } from './errors.js'
