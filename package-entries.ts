import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The package entry map is each package's `package.json` `exports`: every entry names its
 * TypeScript source under this condition next to its built files, e.g.
 * `"./redis": { "@claw/source": "./src/fleet/index.ts", "types": …, "import": … }`.
 * Nothing else lists entries: tsup builds each package's entries from it (below), vitest aliases
 * the workspace packages to their sources from it (vitest.shared.ts), the CLI's bundle and the
 * root tsconfig (`customConditions`) resolve through it. Consumers never set the condition, so the
 * published packages resolve to `dist/` as before.
 */
export const SOURCE_CONDITION = '@claw/source'

const packagesDir = new URL('./packages/', import.meta.url)

interface Manifest {
  readonly name: string
  readonly exports?: Record<string, string | Record<string, string>>
}

function readManifest(dir: URL): Manifest {
  return JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as Manifest
}

/** `[subpath, source (relative to the package), built file (relative)]` of each entry. */
function entriesOf(manifest: Manifest): [string, string, string][] {
  const entries: [string, string, string][] = []
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (typeof target === 'string') continue
    const source = target[SOURCE_CONDITION]
    const built = target.import ?? target.default
    if (source === undefined || built === undefined) {
      throw new Error(
        `${manifest.name}: exports["${subpath}"] needs "${SOURCE_CONDITION}" and "import"`,
      )
    }
    entries.push([subpath, source, built])
  }
  return entries
}

/**
 * tsup's `entry` for the package in `packageDir` (its tsup config's `import.meta.url` works):
 * output name (`redis/index`) → source (`src/fleet/index.ts`).
 */
export function packageEntries(packageDir: string | URL): Record<string, string> {
  const dir = new URL('./', packageDir)
  const entry: Record<string, string> = {}
  for (const [, source, built] of entriesOf(readManifest(dir))) {
    entry[built.replace(/^\.\/dist\//, '').replace(/\.js$/, '')] = source.replace(/^\.\//, '')
  }
  return entry
}

/** Every workspace package's public specifiers (`@claw/auth-profiles/redis`) → absolute source path. */
export function workspaceSources(): Map<string, string> {
  const sources = new Map<string, string>()
  for (const entry of readdirSync(packagesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const dir = new URL(`./${entry.name}/`, packagesDir)
    const manifest = readManifest(dir)
    for (const [subpath, source] of entriesOf(manifest)) {
      const specifier = subpath === '.' ? manifest.name : `${manifest.name}${subpath.slice(1)}`
      sources.set(specifier, fileURLToPath(new URL(source, dir)))
    }
  }
  return sources
}
