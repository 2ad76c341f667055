// Install check for the CLI as users get it: `pnpm pack` every published package, install the
// tarballs with `npm install -g` into a clean temporary prefix, then run the installed `claw`:
// `--version` must print the package version and `models status --json` must answer for a temp
// state dir holding one API-key profile (masked in the output). Prints the installed size.
//
//   node scripts/check-install.mjs [--packs <dir>]   tarballs from <dir> (packed there if missing)
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { packPackages } from './pack-packages.mjs'

const root = new URL('..', import.meta.url).pathname
const work = mkdtempSync(join(tmpdir(), 'claw-install-'))
const packsFlag = process.argv.indexOf('--packs')
const packs = packsFlag === -1 ? join(work, 'packs') : resolve(process.argv[packsFlag + 1])
const prefix = join(work, 'prefix')
const stateDir = join(work, 'state')

function fail(message) {
  console.log(`FAIL  install: ${message}`)
  process.exitCode = 1
}

try {
  const packed = packPackages(packs)
  execFileSync(
    'npm',
    ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', ...packed.values()],
    { stdio: 'pipe', env: { ...process.env, npm_config_loglevel: 'error' } },
  )
  console.log(`ok    npm install -g ${[...packed.keys()].join(' ')} (clean prefix)`)
  // A global install gives each package its own dependency tree, so this is what
  // `npm install -g @claw/cli` alone puts on disk.
  const cliDir = join(prefix, 'lib', 'node_modules', '@claw', 'cli')
  const kib = Number(execFileSync('du', ['-sk', cliDir], { encoding: 'utf8' }).split('\t')[0])
  console.log(
    `info  installed size of @claw/cli with its dependencies: ${(kib / 1024).toFixed(1)} MiB`,
  )

  const claw = join(prefix, 'bin', 'claw')
  const env = { PATH: process.env.PATH, HOME: work, CLAW_STATE_DIR: stateDir, NO_COLOR: '1' }
  const expected = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')).version
  const version = spawnSync(claw, ['--version'], { env, encoding: 'utf8' })
  if (version.status !== 0 || version.stdout.trim() !== expected) {
    fail(
      `claw --version printed ${JSON.stringify(version.stdout.trim())} (exit ${version.status}), expected ${expected}`,
    )
  } else console.log(`ok    claw --version → ${expected}`)

  const canary = `sk-install-check-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`
  const agentDir = join(stateDir, 'agents', 'main', 'agent')
  mkdirSync(agentDir, { recursive: true, mode: 0o700 })
  writeFileSync(
    join(agentDir, 'auth-profiles.json'),
    JSON.stringify({
      version: 1,
      profiles: { 'openai:default': { type: 'api_key', provider: 'openai', key: canary } },
    }),
    { mode: 0o600 },
  )
  writeFileSync(
    join(stateDir, 'claw.json'),
    JSON.stringify({ agents: { defaults: { model: { primary: 'openai/gpt-5.2' } } } }),
    { mode: 0o600 },
  )
  const status = spawnSync(claw, ['models', 'status', '--json'], { env, encoding: 'utf8' })
  let document
  try {
    document = JSON.parse(status.stdout)
  } catch {
    document = undefined
  }
  if (status.status !== 0 || document?.schemaVersion !== 1) {
    fail(`claw models status --json exited ${status.status}: ${status.stderr.trim()}`)
  } else if (`${status.stdout}${status.stderr}`.includes(canary)) {
    fail('claw models status --json printed the stored API key')
  } else {
    console.log(`ok    claw models status --json (resolved default ${document.resolvedDefault})`)
  }
} catch (error) {
  fail(`${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
