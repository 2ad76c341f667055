import { defineConfig } from 'tsup'
import {
  barrelImportsPlugin,
  baseConfig,
  rawTextPlugin,
  workspaceSourcesPlugin,
} from '../../tsup.base.ts'

// `bin.ts` is the `claw` executable (its shebang is kept); `index.ts` exposes `runCli`.
// The CLI is an application, so the workspace libraries (from their sources), zod and json5 are
// bundled in: one module graph instead of hundreds of files makes `claw` start faster (zod alone
// loads ~2× faster as one chunk), and code splitting per source module keeps each command's code,
// and the schemas, in chunks loaded on use.
// Dependencies with their own runtime files or CommonJS internals stay external (see
// package.json `dependencies`).
export default defineConfig({
  ...baseConfig,
  entry: ['src/index.ts', 'src/bin.ts'],
  noExternal: [/^@claw\//, 'zod', 'json5'],
  external: ['jose', 'openid-client', 'proper-lockfile', 'keyv', '@keyv/redis', 'sql.js'],
  esbuildPlugins: [workspaceSourcesPlugin, barrelImportsPlugin, rawTextPlugin],
})
