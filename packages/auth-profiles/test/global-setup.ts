// Vitest global setup of the auth-profiles project: the multi-process tests run workers against
// the built package, so dist must not be older than the sources.
import { ensureBuilt } from '../../../test-support/ensure-built.ts'

export default function setup(): void {
  ensureBuilt('auth-profiles global setup', ['model-catalog', 'auth-profiles'])
}
