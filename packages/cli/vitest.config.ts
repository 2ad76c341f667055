import { defineProject } from 'vitest/config'
import { workspaceAliases } from '../../vitest.shared.ts'

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'cli',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Commands run as real child processes of the BUILT `claw` (dist/bin.js), which the global
    // setup rebuilds when it is older than the sources.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    restoreMocks: true,
    unstubEnvs: true,
    unstubGlobals: true,
  },
})
