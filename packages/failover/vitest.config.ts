import { defineProject } from 'vitest/config'
import { workspaceAliases } from '../../vitest.shared.ts'

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'failover',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The process tests (test/process-exit.test.ts) run scripts against the built dist/, which
    // the global setup rebuilds when it is older than the sources.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    restoreMocks: true,
    unstubEnvs: true,
    unstubGlobals: true,
  },
})
