import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Options } from 'tsup'
import { workspaceSources } from './package-entries.ts'

/**
 * Shared tsup settings: ESM only, declarations, dependencies left external. No source maps: the
 * published tarballs do not ship the sources they would point at (and readable, unminified
 * output makes stack traces usable without them).
 */
export const baseConfig: Options = {
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: false,
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

/**
 * Resolves the workspace packages to their TypeScript sources (the `@claw/source` condition of
 * their `exports`, see package-entries.ts), so an application bundle (the CLI) is split per
 * source module and loads only the modules a command uses.
 */
export const workspaceSourcesPlugin: EsbuildPlugin = {
  name: 'workspace-sources',
  setup(build) {
    const sources = workspaceSources()
    build.onResolve({ filter: /^@claw\// }, (args) => {
      const path = sources.get(args.path)
      return path === undefined ? undefined : { path }
    })
  },
}

const BARREL_FILES = new Set(['@claw/model-catalog', '@claw/auth-profiles', '@claw/failover'])

/** name exported by a barrel → the absolute path of the source module that defines it */
function readBarrel(specifier: string, text: string, barrelPath: string): Map<string, string> {
  const exports = new Map<string, string>()
  const statement = /^export\s+(type\s+)?\{([^}]*)\}\s*from\s*'(\.[^']+)'/gm
  for (const match of text.matchAll(statement)) {
    if (match[1]) continue
    const target = fileURLToPath(new URL(match[3]!.replace(/\.js$/, '.ts'), `file://${barrelPath}`))
    for (const raw of match[2]!.split(',')) {
      const item = raw.trim()
      if (item === '' || item.startsWith('type ')) continue
      const [imported, exported = imported] = item.split(/\s+as\s+/)
      exports.set(exported!, imported === exported ? target : `${target}#${imported}`)
    }
  }
  // A barrel is expected to re-export only; anything else would be missed by the rewrite below.
  const rest = text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/^export\s+(type\s+)?\{[^}]*\}\s*from\s*'[^']+'\s*;?/gm, '')
  if (rest.trim() !== '')
    throw new Error(
      `${specifier}: index.ts must only re-export (found: ${rest.trim().slice(0, 60)})`,
    )
  return exports
}

/**
 * Rewrites `import { a, b } from '@claw/<package>'` into imports from the source modules that
 * define `a` and `b`. esbuild assigns whole files to chunks by following every import of a live
 * file, so an import of a package's index would put every module of the package that any command
 * uses into the chunk graph of every command (the status command would load the OAuth login
 * flows and the catalog data). With the barrel resolved at build time each command's chunks hold
 * the modules it uses. Kept for a measured win (bench row `cli › claw start completion / bare node`):
 * `claw completion bash` loads 11 files / 32 KB with it and 29 files / 460 KB without.
 */
export const barrelImportsPlugin: EsbuildPlugin = {
  name: 'barrel-imports',
  setup(build) {
    const barrels = new Map<string, Map<string, string>>()
    const barrelPaths = new Set<string>()
    async function exportsOf(specifier: string): Promise<Map<string, string>> {
      let exports = barrels.get(specifier)
      if (!exports) {
        const path = workspaceSources().get(specifier)!
        barrelPaths.add(path)
        exports = readBarrel(specifier, await readFile(path, 'utf8'), path)
        barrels.set(specifier, exports)
      }
      return exports
    }
    const importStatement = /^import\s+\{([^}]*)\}\s*from\s*'(@claw\/[a-z-]+)'\s*;?/gm
    build.onLoad({ filter: /\/packages\/[^/]+\/src\/.*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8')
      if (!text.includes("from '@claw/") || barrelPaths.has(args.path)) return undefined
      const wanted = new Set<string>()
      for (const match of text.matchAll(importStatement)) {
        if (BARREL_FILES.has(match[2]!)) wanted.add(match[2]!)
      }
      if (wanted.size === 0) return undefined
      const tables = new Map<string, Map<string, string>>()
      for (const specifier of wanted) tables.set(specifier, await exportsOf(specifier))
      const contents = text.replace(
        importStatement,
        (statement, list: string, specifier: string) => {
          const table = tables.get(specifier)
          if (!table) return statement
          const byFile = new Map<string, string[]>()
          for (const raw of list.split(',')) {
            const item = raw.trim()
            if (item === '' || item.startsWith('type ')) continue
            const [imported, local = imported] = item.split(/\s+as\s+/)
            const source = table.get(imported!)
            if (!source) throw new Error(`${args.path}: ${specifier} does not export ${imported}`)
            const [file, original = imported] = source.split('#')
            const names = byFile.get(file!) ?? []
            names.push(original === local ? original! : `${original} as ${local}`)
            byFile.set(file!, names)
          }
          const rewritten = [...byFile]
            .map(([file, names]) => `import { ${names.join(', ')} } from ${JSON.stringify(file)};`)
            .join(' ')
          // Same number of lines, so the rest of the file keeps its line numbers.
          return rewritten + '\n'.repeat(statement.split('\n').length - 1)
        },
      )
      return { contents, loader: 'ts' }
    })
  },
}
