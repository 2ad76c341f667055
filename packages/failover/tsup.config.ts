import { defineConfig } from 'tsup'
import { baseConfig } from '../../tsup.base.ts'
import { packageEntries } from '../../package-entries.ts'

export default defineConfig({
  ...baseConfig,
  entry: packageEntries(import.meta.url),
})
