import { defineConfig } from 'tsup'
import { baseConfig } from '../../tsup.base.ts'

export default defineConfig({
  ...baseConfig,
  entry: {
    index: 'src/index.ts',
    schemas: 'src/schemas.ts',
    'redis/index': 'src/redis/index.ts',
    'openclaw/index': 'src/openclaw/index.ts',
    'testing/index': 'src/testing/index.ts',
  },
})
