// Vitest global setup of the cli project: commands run as child processes of dist/bin.js, so the
// CLI and the libraries it bundles against must be built and fresh.
import { ensureBuilt } from '../../../test-support/ensure-built.ts'

export default function setup(): void {
  ensureBuilt('cli global setup', ['model-catalog', 'auth-profiles', 'failover', 'cli'])
}
