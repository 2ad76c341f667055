// Packs every published package (each `packages/*` whose package.json is not private) with
// `pnpm pack`, as `pnpm publish` would: `workspace:` ranges become versions, `files` applies.
//
//   node scripts/pack-packages.mjs <dir>   packs into <dir> (CI packs once; the install and
//                                          consumer checks take the tarballs from there)
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = new URL('..', import.meta.url).pathname

/** Every published package: `{ name, dir, manifest }`, in directory order. */
export function publishedPackages() {
  const found = []
  for (const entry of readdirSync(join(root, 'packages')).sort()) {
    const dir = join(root, 'packages', entry)
    let manifest
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    } catch {
      continue
    }
    if (!manifest.private) found.push({ name: manifest.name, dir, manifest })
  }
  return found
}

/** The tarball file name `pnpm pack` gives a package (`@claw/cli@1.2.3` → `claw-cli-1.2.3.tgz`). */
function tarballName(manifest) {
  return `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`
}

/**
 * The tarballs of every published package, by package name. When `dir` already holds a package's
 * tarball (packed earlier in the same CI run) it is reused; otherwise the package is packed there.
 */
export function packPackages(dir) {
  mkdirSync(dir, { recursive: true })
  const present = new Set(readdirSync(dir))
  const tarballs = new Map()
  for (const { name, dir: packageDir, manifest } of publishedPackages()) {
    const file = tarballName(manifest)
    if (!present.has(file)) {
      execFileSync('pnpm', ['pack', '--pack-destination', dir], { cwd: packageDir, stdio: 'pipe' })
    }
    tarballs.set(name, join(dir, file))
  }
  return tarballs
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const dir = process.argv[2]
  if (!dir) {
    console.error('usage: node scripts/pack-packages.mjs <dir>')
    process.exit(2)
  }
  for (const [name, file] of packPackages(resolve(dir)))
    console.log(`ok    pnpm pack ${name} → ${file}`)
}
