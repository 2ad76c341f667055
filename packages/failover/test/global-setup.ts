// Vitest global setup of the failover project: the process tests run scripts against the built
// packages, so dist must not be older than the sources.
import { ensureBuilt } from '../../../test-support/ensure-built.ts'

export default function setup(): void {
  ensureBuilt('failover global setup', ['model-catalog', 'auth-profiles', 'failover'])
}
