// Paths, build checks and the `ctx` object handed to every suite's `run(ctx)`.

import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const repoRoot = resolve(benchDir, '..')
export const suitesDir = join(benchDir, 'suites')
export const resultsDir = join(repoRoot, '.bench-results')

/** Thrown when a package's build output is missing; `run.mjs` turns it into exit code 1. */
export class MissingBuildError extends Error {
  constructor(packageName, file) {
    super(`${file} is missing: run pnpm build first`)
    this.name = 'MissingBuildError'
    this.packageName = packageName
    this.file = file
  }
}

/** Absolute path of `packages/<name>/dist/index.js` (not checked). */
export function distFile(packageName) {
  return join(repoRoot, 'packages', packageName, 'dist', 'index.js')
}

/** Unit tests live next to the sources but are not part of the build. */
const isTestFile = (file) => /\.(test|spec)\.[cm]?[jt]sx?$/.test(file)

/** Newest modification time (ms) of any non-test file below `dir`, or 0. */
function newestMtime(dir) {
  let newest = 0
  if (!existsSync(dir)) return newest
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      newest = Math.max(newest, newestMtime(path))
    } else if (entry.isFile() && !isTestFile(entry.name)) {
      newest = Math.max(newest, statSync(path).mtimeMs)
    }
  }
  return newest
}

/**
 * Checks that the built packages exist. Throws {@link MissingBuildError} for a missing dist;
 * returns warnings for dists older than their `src/` (stale builds still run).
 */
export function checkBuilt(packageNames) {
  const warnings = []
  for (const name of packageNames) {
    const file = distFile(name)
    if (!existsSync(file)) throw new MissingBuildError(name, file)
    const srcNewest = newestMtime(join(repoRoot, 'packages', name, 'src'))
    if (srcNewest > statSync(file).mtimeMs) {
      warnings.push(
        `packages/${name}/src is newer than its dist: results may be stale (pnpm build)`,
      )
    }
  }
  return warnings
}

/**
 * Row helper for "lower is better" targets: adds `target` ("p99 ≤ 50 µs") and `ok`.
 *
 * @param {object} row a result row without target
 * @param {number} limit the largest value that still meets the target
 * @param {string} [label] what is compared, e.g. "p99" (defaults to the row's metric)
 */
export function atMost(row, limit, label = row.metric) {
  return { ...row, target: `${label} ≤ ${limit} ${row.unit}`.trim(), ok: row.value <= limit }
}

/**
 * Creates the context passed to `suite.run(ctx)`.
 *
 * - `quick`: true with `--quick` (CI smoke runs); use `ctx.pick(full, quick)` for counts.
 * - `repoRoot`: absolute path of the monorepo.
 * - `dist(name)`: absolute path of `packages/<name>/dist/index.js`; throws MissingBuildError.
 * - `distUrl(name)`: the same as a `file:` URL string, for `import()` and child scripts.
 * - `log(message)`: progress output on stderr (keeps stdout clean for `--json`).
 */
export function createContext({ quick, log }) {
  const dist = (name) => {
    const file = distFile(name)
    if (!existsSync(file)) throw new MissingBuildError(name, file)
    return file
  }
  return {
    quick,
    repoRoot,
    pick: (full, quickValue) => (quick ? quickValue : full),
    dist,
    distUrl: (name) => pathToFileURL(dist(name)).href,
    log,
  }
}
