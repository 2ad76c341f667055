// Vitest global setups of the projects whose tests run the BUILT packages (dist/) in child
// processes: make sure dist is not older than the sources. When any `dist/index.js` is missing or
// older than a file under its package's `src/` (tests excluded) or `data/`, the packages are
// rebuilt once, synchronously, before any test starts.
import { execFileSync } from 'node:child_process'
import { accessSync, constants, readdirSync, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('../', import.meta.url))

/** Newest mtime (ms) of the files under `dir`, skipping tests; 0 when `dir` does not exist. */
function newestSourceMtime(dir: string): number {
  let newest = 0
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path))
    else if (entry.isFile() && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs)
    }
  }
  return newest
}

/** Why `packages/<name>/dist` needs a rebuild, or `undefined` when it is fresh. */
function staleReason(name: string): string | undefined {
  const packageDir = join(repoRoot, 'packages', name)
  let built: number
  try {
    built = statSync(join(packageDir, 'dist', 'index.js')).mtimeMs
  } catch {
    return `${name}: dist/index.js is missing`
  }
  const sources = Math.max(
    newestSourceMtime(join(packageDir, 'src')),
    newestSourceMtime(join(packageDir, 'data')),
  )
  return sources > built ? `${name}: sources are newer than dist/index.js` : undefined
}

function findPnpm(): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, 'pnpm')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // Not in this PATH entry.
    }
  }
  return join(repoRoot, '.tools', 'node_modules', '.bin', 'pnpm')
}

/**
 * Rebuilds the given workspace packages (e.g. `['model-catalog', 'auth-profiles']`) once,
 * synchronously, when any `dist/index.js` is missing or older than its sources. `label` names the
 * caller in the log line.
 */
export function ensureBuilt(label: string, packages: readonly string[]): void {
  const reasons = packages.map(staleReason).filter((reason) => reason !== undefined)
  if (reasons.length === 0) return
  console.log(`[${label}] rebuilding dist (${reasons.join('; ')})`)
  execFileSync(
    findPnpm(),
    [...packages.flatMap((name) => ['--filter', `@claw/${name}`]), 'run', 'build'],
    { cwd: repoRoot, stdio: 'inherit' },
  )
}
