import { defineConfig } from 'vitest/config'

// The root test configuration that `pnpm test` runs (`vitest run --config vitest.workspace.ts`).
// Vitest 4 removed workspace files, so this is an ordinary root config that declares the test
// projects with `test.projects`; every package has its own `vitest.config.ts`.
// Under CI a JSON report per run (`.test-results/vitest-<label>.json`) lets `.ci/run` print the
// real totals.
const label = process.env.CLAW_TEST_LABEL ?? 'local'

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts'],
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: `.test-results/vitest-${label}.json` },
  },
})
