import { defineConfig } from 'tsup'
import { baseConfig, rawTextPlugin } from '../../tsup.base.ts'
import { packageEntries } from '../../package-entries.ts'

export default defineConfig({
  ...baseConfig,
  entry: packageEntries(import.meta.url),
  esbuildPlugins: [rawTextPlugin],
})
