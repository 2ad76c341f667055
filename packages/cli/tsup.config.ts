import { defineConfig } from 'tsup'
import { baseConfig } from '../../tsup.base.ts'

// `bin.ts` is the `claw` executable (its shebang is kept); `index.ts` exposes `runCli`.
export default defineConfig({ ...baseConfig, entry: ['src/index.ts', 'src/bin.ts'] })
