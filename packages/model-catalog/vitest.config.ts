import { defineProject } from 'vitest/config'
import { workspaceAliases } from '../../vitest.shared.ts'

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'model-catalog',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    restoreMocks: true,
    unstubEnvs: true,
    unstubGlobals: true,
  },
})
