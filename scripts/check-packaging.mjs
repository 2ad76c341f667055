// Packaging checks for every published package: publint (strict) and Are The Types Wrong
// (ESM-only profile, since the packages ship ESM only and CommonJS callers use require(esm)).
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const packagesDir = join(root, 'packages')
let failures = 0
for (const name of readdirSync(packagesDir).sort()) {
  const dir = join(packagesDir, name)
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  if (manifest.private) continue
  for (const [label, command, args] of [
    ['publint', 'pnpm', ['exec', 'publint', '--strict', dir]],
    ['attw', 'pnpm', ['exec', 'attw', '--pack', dir, '--profile', 'esm-only', '--format', 'ascii']],
  ]) {
    try {
      execFileSync(command, args, { cwd: root, stdio: 'pipe', encoding: 'utf8' })
      console.log(`ok    ${label} ${manifest.name}`)
    } catch (error) {
      failures += 1
      console.log(`FAIL  ${label} ${manifest.name}\n${error.stdout ?? ''}${error.stderr ?? ''}`)
    }
  }
}
process.exit(failures === 0 ? 0 : 1)
