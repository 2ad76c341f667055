import { readdirSync } from 'node:fs'
import { defineConfig } from 'vitest/config'
import { workspaceAliases } from './vitest.shared.ts'

// The root test configuration that `pnpm test` runs (`vitest run --config vitest.workspace.ts`).
// Vitest 4 removed workspace files, so this is an ordinary root config that declares the test
// projects with `test.projects`; every package has its own `vitest.config.ts`.
// Under CI a JSON report per run (`.test-results/vitest-<label>.json`) lets `.ci/run` print the
// real totals.
const label = process.env.CLAW_TEST_LABEL ?? 'local'

// The examples' own configs know nothing of this repository (they run when copied out of it);
// here they run against the packages' sources, like the packages' tests.
const examples = readdirSync(new URL('./examples/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => `examples/${entry.name}`)
  .filter((dir) => readdirSync(new URL(`./${dir}/`, import.meta.url)).includes('vitest.config.ts'))
  .map((dir) => ({
    extends: `./${dir}/vitest.config.ts`,
    root: `./${dir}`,
    resolve: { alias: workspaceAliases },
  }))

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', ...examples],
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: `.test-results/vitest-${label}.json` },
  },
})
