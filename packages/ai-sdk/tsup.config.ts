import { defineConfig } from 'tsup'
import { baseConfig } from '../../tsup.base.ts'
import { packageEntries } from '../../package-entries.ts'

// The AI SDK 7 needs Node >= 22, and so does this package.
export default defineConfig({
  ...baseConfig,
  entry: packageEntries(import.meta.url),
  target: 'node22',
})
