// Packaging checks for every published package, on the tarballs `pnpm pack` makes: publint
// (strict) and Are The Types Wrong (ESM-only profile, since the packages ship ESM only and
// CommonJS callers use require(esm)). Every tarball ships the repository's LICENSE and a README,
// names the repository (with its directory), homepage and issue tracker, and holds no source map
// whose sources do not ship; its runtime dependencies run on its oldest Node (check-engines.mjs).
//
//   node scripts/check-packaging.mjs [--packs <dir>]   tarballs from <dir> (packed there if missing)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { checkEngines } from './check-engines.mjs'
import { packPackages, publishedPackages } from './pack-packages.mjs'

const root = new URL('..', import.meta.url).pathname
const work = mkdtempSync(join(tmpdir(), 'claw-packaging-'))
const packsFlag = process.argv.indexOf('--packs')
const packs = packsFlag === -1 ? join(work, 'packs') : resolve(process.argv[packsFlag + 1])
let failures = 0

function report(label, name, run) {
  try {
    run()
    console.log(`ok    ${label} ${name}`)
  } catch (error) {
    failures += 1
    console.log(`FAIL  ${label} ${name}\n${error.stdout ?? ''}${error.stderr ?? error.message}`)
  }
}

const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const license = readFileSync(join(root, 'LICENSE'), 'utf8')

/** What a published package.json must say besides its code: where it lives, and its license. */
function checkMetadata(manifest, dir) {
  const problems = []
  const directory = dir.slice(root.length).replace(/\/$/, '')
  if (manifest.license !== rootManifest.license)
    problems.push(`license is not ${rootManifest.license}`)
  if (manifest.repository?.url !== rootManifest.repository.url)
    problems.push(`repository.url is not ${rootManifest.repository.url}`)
  if (manifest.repository?.directory !== directory)
    problems.push(`repository.directory is not ${directory}`)
  if (!manifest.homepage?.startsWith(rootManifest.homepage))
    problems.push(`homepage is not under ${rootManifest.homepage}`)
  if (manifest.bugs?.url !== rootManifest.bugs.url)
    problems.push(`bugs.url is not ${rootManifest.bugs.url}`)
  if (problems.length > 0) throw new Error(problems.join('\n'))
}

try {
  const tarballs = packPackages(packs)
  for (const { name, dir, manifest } of publishedPackages()) {
    const tarball = tarballs.get(name)
    report('metadata (repository, homepage, bugs, license) of', name, () =>
      checkMetadata(manifest, dir),
    )
    report('engines of the runtime dependencies of', name, () => checkEngines(dir))
    report('LICENSE and README in', name, () => {
      const shipped = execFileSync('tar', ['-xzOf', tarball, 'package/LICENSE'], {
        encoding: 'utf8',
      })
      if (shipped !== license)
        throw new Error('package/LICENSE differs from the repository LICENSE')
      execFileSync('tar', ['-tzf', tarball, 'package/README.md'], { stdio: 'pipe' })
    })
    report('publint', name, () =>
      execFileSync('pnpm', ['exec', 'publint', 'run', '--strict', tarball], {
        cwd: root,
        stdio: 'pipe',
      }),
    )
    report('attw', name, () =>
      execFileSync(
        'pnpm',
        ['exec', 'attw', tarball, '--profile', 'esm-only', '--format', 'ascii'],
        { cwd: root, stdio: 'pipe' },
      ),
    )
    report('no dangling source maps in', name, () => {
      const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n')
      const maps = files.filter((file) => file.endsWith('.map'))
      const sources = files.some((file) => file.startsWith('package/src/'))
      if (maps.length > 0 && !sources) {
        throw new Error(`${maps.length} source maps point at sources the tarball does not ship`)
      }
    })
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
process.exit(failures === 0 ? 0 : 1)
