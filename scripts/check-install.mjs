// Install check for the CLI as users get it: `pnpm pack` every published package, install the
// tarballs with `npm install -g` into a clean temporary prefix, then run the installed `claw`:
// `--version` must print the package version, `models status --json` must answer for a temp
// state dir holding one API-key profile (masked in the output), and `import --from openclaw
// --dry-run` must read a copy of an OpenClaw fixture with sql.js (the reader Node 20 uses; forced
// on newer Node), which only works if the sql.js files the CLI ships in dist/ are found. The
// installed size is printed and must stay under a budget.
//
//   node scripts/check-install.mjs [--packs <dir>]   tarballs from <dir> (packed there if missing)
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { tsImport } from 'tsx/esm/api'
import { packPackages } from './pack-packages.mjs'

const root = new URL('..', import.meta.url).pathname
const work = mkdtempSync(join(tmpdir(), 'claw-install-'))
const packsFlag = process.argv.indexOf('--packs')
const packs = packsFlag === -1 ? join(work, 'packs') : resolve(process.argv[packsFlag + 1])
const prefix = join(work, 'prefix')
const stateDir = join(work, 'state')
// What `npm install -g @claw/cli` may put on disk (about 13 MiB, 8.6 of it node-redis for fleet
// mode). A dependency that ships tens of MB of files claw does not use
// should be a decision, not a surprise.
const SIZE_BUDGET_MIB = 16

/** Disk usage of a file tree in MiB, as `du` counts it. */
function diskMiB(path) {
  return Number(execFileSync('du', ['-sk', path], { encoding: 'utf8' }).split('\t')[0]) / 1024
}

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
  const mib = diskMiB(cliDir)
  const largest = readdirSync(join(cliDir, 'node_modules'))
    .flatMap((name) =>
      name.startsWith('@')
        ? readdirSync(join(cliDir, 'node_modules', name)).map((inner) => `${name}/${inner}`)
        : [name],
    )
    .map((name) => ({ name, mib: diskMiB(join(cliDir, 'node_modules', name)) }))
    .sort((a, b) => b.mib - a.mib)
    .slice(0, 3)
    .map(({ name, mib }) => `${name} ${mib.toFixed(1)}`)
  const size = `installed size of @claw/cli with its dependencies: ${mib.toFixed(1)} MiB (largest: ${largest.join(', ')})`
  if (mib > SIZE_BUDGET_MIB) fail(`${size}, over the ${SIZE_BUDGET_MIB} MiB budget`)
  else console.log(`ok    ${size}`)

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
  const status = runJson(claw, ['models', 'status', '--json'], env)
  const document = status.document
  if (status.status !== 0 || document?.schemaVersion !== 1) {
    fail(`claw models status --json exited ${status.status}: ${status.stderr.trim()}`)
  } else if (`${status.stdout}${status.stderr}`.includes(canary)) {
    fail('claw models status --json printed the stored API key')
  } else {
    console.log(`ok    claw models status --json (resolved default ${document.resolvedDefault})`)
  }

  await checkOpenClawImport(claw, env)
} catch (error) {
  fail(`${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`)
} finally {
  rmSync(work, { recursive: true, force: true })
}

/** Runs the installed `claw`; `document` is its stdout as JSON (undefined when it is not JSON). */
function runJson(claw, args, env) {
  const result = spawnSync(claw, args, { env, encoding: 'utf8' })
  try {
    return { ...result, document: JSON.parse(result.stdout) }
  } catch {
    return { ...result, document: undefined }
  }
}

/**
 * `claw import --from openclaw --dry-run --json` on a copy of the `fresh` fixture, read with
 * sql.js: on a Node whose node:sqlite loads, `--no-experimental-sqlite` takes it away.
 */
async function checkOpenClawImport(claw, env) {
  const fixtures = await tsImport('../test-support/openclaw-fixtures.ts', import.meta.url)
  const expected = fixtures.openClawExpected('fresh')
  const hasNodeSqlite = await import('node:sqlite').then(
    () => true,
    () => false,
  )
  const copy = fixtures.copyOpenClawFixture('fresh')
  try {
    const result = runJson(
      claw,
      ['import', '--from', 'openclaw', copy.dir, '--dry-run', '--json'],
      {
        ...env,
        ...(hasNodeSqlite ? { NODE_OPTIONS: '--no-experimental-sqlite' } : {}),
      },
    )
    const want = Object.entries(expected.agents)
      .map(([id, agent]) => `${id} ${Object.keys(agent.store.profiles).length}`)
      .join(', ')
    const got = result.document?.agents
      .map((agent) => `${agent.agentId} ${agent.imported.length}`)
      .join(', ')
    const output = `${result.stdout}${result.stderr}`
    if (result.status !== 0 || result.document === undefined) {
      fail(`claw import --from openclaw --dry-run exited ${result.status}: ${result.stderr.trim()}`)
    } else if (result.document.reader !== 'sql.js') {
      fail(
        `claw import --from openclaw read the fixture with ${result.document.reader}, not sql.js`,
      )
    } else if (got !== want) {
      fail(`claw import --from openclaw --dry-run would import ${got} profiles, expected ${want}`)
    } else if (fixtures.openClawSecrets(expected).some((secret) => output.includes(secret))) {
      fail('claw import --from openclaw --dry-run printed a stored secret')
    } else {
      console.log(
        `ok    claw import --from openclaw --dry-run (read with sql.js; profiles: ${got})`,
      )
    }
  } finally {
    copy.dispose()
  }
}
