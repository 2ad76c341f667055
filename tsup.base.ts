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
