import { defineConfig } from 'tsup'
import { baseConfig, rawTextPlugin } from '../../tsup.base.ts'

export default defineConfig({
  ...baseConfig,
  entry: ['src/index.ts', 'src/schemas.ts'],
  esbuildPlugins: [rawTextPlugin],
})
