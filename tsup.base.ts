import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Options } from 'tsup'

/** Shared tsup settings: ESM only, declarations, source maps, dependencies left external. */
export const baseConfig: Options = {
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  minify: false,
}

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number]

/** `import text from './file?raw'` bundles the file's text, as Vite does in tests. */
export const rawTextPlugin: EsbuildPlugin = {
  name: 'raw-text',
  setup(build) {
    build.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: new URL(args.path.slice(0, -'?raw'.length), `file://${args.resolveDir}/`).pathname,
      namespace: 'raw-text',
    }))
    build.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
    }))
  },
}

const workspaceEntries: Record<string, string> = {
  '@claw/model-catalog': 'model-catalog/src/index.ts',
  '@claw/model-catalog/schemas': 'model-catalog/src/schemas.ts',
  '@claw/auth-profiles': 'auth-profiles/src/index.ts',
  '@claw/auth-profiles/schemas': 'auth-profiles/src/schemas.ts',
  '@claw/auth-profiles/redis': 'auth-profiles/src/redis/index.ts',
  '@claw/failover': 'failover/src/index.ts',
}

/**
 * Resolves the workspace packages to their TypeScript sources, so an application bundle (the CLI)
 * is split per source module and loads only the modules a command uses.
 */
export const workspaceSourcesPlugin: EsbuildPlugin = {
  name: 'workspace-sources',
  setup(build) {
    build.onResolve({ filter: /^@claw\// }, (args) => {
      const entry = workspaceEntries[args.path]
      if (!entry) return undefined
      return { path: fileURLToPath(new URL(`./packages/${entry}`, import.meta.url)) }
    })
  },
}
