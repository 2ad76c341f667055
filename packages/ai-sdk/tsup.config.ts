import { defineConfig } from 'tsup'
import { baseConfig } from '../../tsup.base.ts'

// The AI SDK 7 needs Node >= 22, and so does this package.
export default defineConfig({ ...baseConfig, target: 'node22' })
