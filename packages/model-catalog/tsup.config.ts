import { readFile } from 'node:fs/promises'
import { defineConfig } from 'tsup'
import { baseConfig } from '../../tsup.base.ts'

export default defineConfig({
  ...baseConfig,
  entry: ['src/index.ts', 'src/schemas.ts'],
  esbuildPlugins: [
    {
      // `import text from './file?raw'` bundles the file's text, as Vite does in tests.
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
    },
  ],
})
