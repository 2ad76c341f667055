import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { realpathSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Options } from 'tsup'
import {
  barrelImportsPlugin,
  baseConfig,
  rawTextPlugin,
  workspaceSourcesPlugin,
} from '../../tsup.base.ts'
import { packageEntries } from '../../package-entries.ts'

// `bin.ts` is the `claw` executable (its shebang is kept); `index.ts` exposes `runCli`.
// The CLI is an application, so the workspace libraries (from their sources), zod and json5 are
// bundled in: one module graph instead of hundreds of files makes `claw` start faster (zod alone
// loads ~2× faster as one chunk), and code splitting per source module keeps each command's code,
// and the schemas, in chunks loaded on use.
// Dependencies with their own runtime files or CommonJS internals stay external (see
// package.json `dependencies`).
const BUNDLED = ['zod', 'json5']

// sql.js (the OpenClaw importer's SQLite on Node without a usable node:sqlite) ships ~30 MB of
// alternative builds; the CLI needs one: its Node loader and the .wasm it reads. Both are copied
// into dist/ as they are (the loader is CommonJS and finds the .wasm next to itself through
// `__dirname`, which an ESM bundle would not have), and the importer's `import('sql.js')` is
// pointed at the copy, so sql.js is a build-time dependency only.
const SQL_JS_LOADER = './sql-wasm.cjs'

const packageDir = (name: string) =>
  realpathSync(fileURLToPath(new URL(`./node_modules/${name}`, import.meta.url)))

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number]

/** The license text a package ships (`LICENSE`, `LICENSE.md`, …). */
async function licenseOf(dir: string): Promise<string> {
  const file = (await readdir(dir)).find((name) => /^licen[cs]e(\.|$)/i.test(name))
  if (!file) throw new Error(`${dir}: no LICENSE file to copy into THIRD_PARTY_NOTICES.md`)
  return (await readFile(join(dir, file), 'utf8')).trim()
}

/** Copies sql.js's Node build into `outDir` and writes the notices of the code shipped there. */
async function shipThirdParty(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true })
  const sqlJs = packageDir('sql.js')
  await copyFile(join(sqlJs, 'dist', 'sql-wasm.js'), join(outDir, SQL_JS_LOADER))
  await copyFile(join(sqlJs, 'dist', 'sql-wasm.wasm'), join(outDir, 'sql-wasm.wasm'))
  const sections = []
  for (const name of [...BUNDLED, 'sql.js']) {
    const dir = packageDir(name)
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      version: string
      license: string
    }
    sections.push(
      `## ${name} ${manifest.version} (${manifest.license})\n\n\`\`\`text\n${await licenseOf(dir)}\n\`\`\`\n`,
    )
  }
  await writeFile(
    join(outDir, 'THIRD_PARTY_NOTICES.md'),
    `# Third-party notices\n\n@claw/cli ships code of these packages in dist/: zod and json5 bundled into its chunks, sql.js as dist/sql-wasm.cjs and dist/sql-wasm.wasm (SQLite compiled to WebAssembly; SQLite itself is in the public domain).\n\n${sections.join('\n')}`,
  )
}

const thirdPartyPlugin: EsbuildPlugin = {
  name: 'third-party',
  setup(build) {
    // Every chunk is written to the output dir itself, so the copy is `./` from any of them.
    build.onResolve({ filter: /^sql\.js$/ }, () => ({ path: SQL_JS_LOADER, external: true }))
    build.onEnd(async (result) => {
      const outDir = build.initialOptions.outdir
      if (result.errors.length === 0 && outDir) await shipThirdParty(outDir)
    })
  },
}

export default defineConfig({
  ...baseConfig,
  // `bin` is the executable named by package.json `bin`, not an export.
  entry: { ...packageEntries(import.meta.url), bin: 'src/bin.ts' },
  noExternal: [/^@claw\//, ...BUNDLED],
  external: ['jose', 'openid-client', 'proper-lockfile', 'keyv', '@keyv/redis'],
  esbuildPlugins: [workspaceSourcesPlugin, barrelImportsPlugin, rawTextPlugin, thirdPartyPlugin],
})
