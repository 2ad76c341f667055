// Every published package's runtime dependencies (dependencies and peers, transitively) must run
// on the oldest Node the package supports: the minimum of its `engines.node` has to satisfy each
// dependency's `engines.node`. pnpm does not enforce engines here (`engine-strict` is off, so the
// workspace installs on Node 20 although @claw/ai-sdk needs Node 22); this check, run by
// check-packaging.mjs, keeps the promise each package makes in its own `engines`.
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import semver from 'semver'

function readManifest(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
}

/** The directory of `name` as Node resolves it from `fromDir` (real path), or undefined. */
function resolvePackageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate)
    if (dirname(dir) === dir) return undefined
  }
}

/** Runtime dependencies of a manifest: dependencies, then peers (optional ones when installed). */
function runtimeDependencies(manifest) {
  return [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]
}

/** `{ manifest, chain }` of every installed package below `dir`'s runtime dependencies. */
function closure(dir) {
  const seen = new Map()
  const queue = runtimeDependencies(readManifest(dir)).map((name) => ({
    name,
    from: dir,
    path: [],
  }))
  while (queue.length > 0) {
    const { name, from, path } = queue.shift()
    const found = resolvePackageDir(name, from)
    if (found === undefined || seen.has(found)) continue
    const manifest = readManifest(found)
    const chain = [...path, `${manifest.name}@${manifest.version}`]
    seen.set(found, { manifest, chain })
    for (const next of runtimeDependencies(manifest))
      queue.push({ name: next, from: found, path: chain })
  }
  return [...seen.values()]
}

/**
 * Throws, listing each offending dependency chain, when a runtime dependency of the package in
 * `dir` needs a newer Node than the oldest its `engines.node` allows.
 */
export function checkEngines(dir) {
  const manifest = readManifest(dir)
  const range = manifest.engines?.node
  const oldest = range === undefined ? null : semver.minVersion(range)
  if (oldest === null) throw new Error('no engines.node range')
  const problems = closure(dir)
    .filter(({ manifest: dep }) => {
      const wanted = dep.engines?.node
      return wanted !== undefined && !semver.satisfies(oldest, wanted)
    })
    .map(({ manifest: dep, chain }) => `  ${chain.join(' > ')} needs node ${dep.engines.node}`)
  if (problems.length > 0)
    throw new Error(`supports node ${oldest.version}, but:\n${problems.join('\n')}`)
}
