// Vitest global setup of the cli project: commands run as child processes of dist/bin.js, so the
// CLI and the libraries it bundles against must be built and fresh.
import { ensureBuilt } from '../../../test-support/ensure-built.ts'

export default function setup(): void {
  // A private build under test (see test/helpers/claw.ts) is the caller's to keep fresh.
  if (process.env['CLAW_CLI_BIN']) return
  ensureBuilt('cli global setup', ['model-catalog', 'auth-profiles', 'failover', 'cli'])
}
