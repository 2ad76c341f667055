// Consumer check: the published packages as a user's strict TypeScript project sees them.
//
// 1. Installs the packed tarballs with npm into a fresh temporary project (`strict`,
//    `exactOptionalPropertyTypes`, `skipLibCheck: false`) and type-checks, under
//    `moduleResolution` `nodenext` and `bundler`, with the repository's TypeScript and with the
//    newest TypeScript on the registry:
//    - a generated module importing every public entry and subpath of every published package
//      (read from each package.json `exports`, so new packages and subpaths are covered),
//    - a small host app (scripts/consumer-check/host-app.ts),
//    - every TypeScript code block of every Markdown file (see readme-snippets.mjs; a block not
//      meant to compile is tagged `no-compile`). Errors are reported at their README line.
// 2. Copies examples/host-app-testing out of the repository, points its `workspace:`
//    dependencies at the tarballs, installs it with npm, type-checks it and runs its tests.
//
//   node scripts/check-consumer.mjs [--packs <dir>]   tarballs from <dir> (packed there if missing)
import { execFile } from 'node:child_process'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { packPackages, publishedPackages } from './pack-packages.mjs'
import { typescriptSnippets } from './readme-snippets.mjs'

const root = new URL('..', import.meta.url).pathname
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const work = mkdtempSync(join(tmpdir(), 'claw-consumer-'))
const packsFlag = process.argv.indexOf('--packs')
const packs = packsFlag === -1 ? join(work, 'packs') : resolve(process.argv[packsFlag + 1])
const npmEnv = { ...process.env, npm_config_loglevel: 'error', npm_config_fund: 'false' }
let failures = 0

function fail(message) {
  failures += 1
  console.log(`FAIL  ${message}`)
}

function writeJson(path, value) {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`)
}

/** Seconds since `start`, for the log. */
function since(start) {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`
}

/** Runs a command; resolves with its exit status and output (never rejects on a failure). */
function run(command, args, cwd) {
  return new Promise((resolvePromise) => {
    execFile(command, args, { cwd, env: npmEnv, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolvePromise({ status: error ? (error.code ?? 1) : 0, output: `${stdout}${stderr}` })
    })
  })
}

async function npmInstall(cwd, args, label) {
  const start = performance.now()
  const result = await run('npm', ['install', '--no-audit', '--prefer-offline', ...args], cwd)
  if (result.status !== 0) throw new Error(`npm install (${label}) failed\n${result.output}`)
  console.log(`ok    npm install: ${label} (${since(start)})`)
}

/** Runs `jobs` (functions returning promises) at most `limit` at a time: CI has 2 cores. */
async function pool(jobs, limit) {
  const queue = [...jobs]
  const worker = async () => {
    while (queue.length > 0) await queue.shift()()
  }
  await Promise.all(Array.from({ length: limit }, worker))
}

/** `import * as` every public entry: `exports` keys with types, except `./package.json`. */
function entriesModule() {
  const lines = []
  const names = []
  for (const { name, manifest } of publishedPackages()) {
    for (const [subpath, target] of Object.entries(manifest.exports ?? { '.': manifest.types })) {
      if (subpath === './package.json' || subpath.includes('*')) continue
      if (typeof target === 'object' && target !== null && !('types' in target)) continue
      const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`
      const local = `entry${names.length}`
      lines.push(`import * as ${local} from '${specifier}'`)
      names.push(local)
    }
  }
  lines.push('', `export const entries: readonly object[] = [${names.join(', ')}]`, '')
  return { text: lines.join('\n'), count: names.length }
}

const compilerOptions = {
  target: 'ES2022',
  lib: ['ES2023'],
  types: ['node'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  noEmit: true,
}

const resolutions = {
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
}

/** tsc output with snippet files mapped back to their Markdown file and line. */
function mapSnippetErrors(output, snippetFiles) {
  return output.replace(
    /snippets(?:-sdk)?\/(snippet-\d+)\.ts\((\d+),(\d+)\)/g,
    (match, id, line, column) => {
      const snippet = snippetFiles.get(id)
      return snippet ? `${snippet.file}:${snippet.line + Number(line) - 1}:${column}` : match
    },
  )
}

/** A check that runs a command: ok when it exits 0, else its output (mapped) is the failure. */
function check(label, command, args, cwd, mapOutput = (output) => output) {
  return async () => {
    const start = performance.now()
    const result = await run(command, args, cwd)
    if (result.status === 0) console.log(`ok    ${label} (${since(start)})`)
    else fail(`${label}\n${mapOutput(result.output)}`)
  }
}

/** The package a module specifier names (`@ai-sdk/openai/internal` → `@ai-sdk/openai`). */
function packageOf(specifier) {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/** The packages a snippet imports besides claw's own and Node's (the AI SDK, the official SDKs, …). */
function foreignImports(code) {
  const names = []
  for (const [, specifier] of code.matchAll(/\bfrom\s+'([^'.][^']*)'/g)) {
    if (!specifier.startsWith('@claw/') && !specifier.startsWith('node:'))
      names.push(packageOf(specifier))
  }
  return names
}

/**
 * The packages README snippets import besides claw's own, at the version range the repository
 * uses them with (any package's or example's manifest).
 */
function snippetDependencies(snippets) {
  const ranges = new Map()
  for (const base of ['packages', 'examples']) {
    for (const entry of readdirSync(join(root, base))) {
      let manifest
      try {
        manifest = JSON.parse(readFileSync(join(root, base, entry, 'package.json'), 'utf8'))
      } catch {
        continue
      }
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
        for (const [name, range] of Object.entries(manifest[field] ?? {}))
          if (!range.startsWith('workspace:') && !ranges.has(name)) ranges.set(name, range)
      }
    }
  }
  const wanted = new Set()
  for (const { code } of snippets) {
    for (const name of foreignImports(code))
      if (ranges.has(name)) wanted.add(`${name}@${ranges.get(name)}`)
  }
  return [...wanted].sort()
}

/** `name@range` of every optional peer dependency of a published package (other than ours). */
function optionalPeers() {
  const peers = new Map()
  for (const { manifest } of publishedPackages()) {
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
      if (manifest.peerDependenciesMeta?.[name]?.optional && !name.startsWith('@claw/'))
        peers.set(name, range)
    }
  }
  return [...peers].map(([name, range]) => `${name}@${range}`)
}

/** The consumer project: installs, writes the sources, and returns its type-check jobs. */
async function consumerProject(tarballs) {
  const dir = join(work, 'consumer')
  mkdirSync(join(dir, 'src'), { recursive: true })
  mkdirSync(join(dir, 'snippets'))
  mkdirSync(join(dir, 'snippets-sdk'))
  writeJson(join(dir, 'package.json'), { name: 'claw-consumer', private: true, type: 'module' })
  const typesNode = rootManifest.devDependencies['@types/node']
  const snippets = typescriptSnippets(root)
  // The AI SDK's declarations (under @claw/ai-sdk's) import json-schema's types: a strict
  // consumer (`skipLibCheck: false`) installs them, as it would for the AI SDK on its own. The
  // project imports every subpath, so it also has the optional peers those need (npm leaves
  // optional peers out), as a user of e.g. `@claw/failover/telemetry` would.
  const extra = [
    ...new Set([...snippetDependencies(snippets), '@types/json-schema', ...optionalPeers()]),
  ]
  await npmInstall(
    dir,
    [...tarballs.values(), ...extra, 'typescript@latest', `@types/node@${typesNode}`],
    `${[...tarballs.keys(), ...extra].join(' ')} typescript@latest into a fresh project`,
  )

  const entries = entriesModule()
  writeFileSync(join(dir, 'src/entries.ts'), entries.text)
  cpSync(join(root, 'scripts/consumer-check/host-app.ts'), join(dir, 'src/host-app.ts'))
  const snippetFiles = new Map()
  for (const [index, snippet] of snippets.entries()) {
    const id = `snippet-${index}`
    snippetFiles.set(id, snippet)
    // Snippets that use another SDK compile in a project set up for it (DOM types, its own
    // declarations not re-checked); claw's declarations are checked strictly by the entries.
    const folder = foreignImports(snippet.code).length > 0 ? 'snippets-sdk' : 'snippets'
    writeFileSync(join(dir, folder, `${id}.ts`), `${snippet.code}\nexport {}\n`)
  }
  console.log(
    `ok    ${entries.count} public entries, the host app and ${snippetFiles.size} README snippets`,
  )
  for (const [name, options] of Object.entries(resolutions)) {
    writeJson(join(dir, `tsconfig.${name}.json`), {
      compilerOptions: { ...compilerOptions, ...options },
      include: ['src', 'snippets'],
    })
  }
  writeJson(join(dir, 'tsconfig.sdk-snippets.json'), {
    compilerOptions: {
      ...compilerOptions,
      ...resolutions.nodenext,
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      skipLibCheck: true,
    },
    include: ['snippets-sdk'],
  })

  const versionOf = (packageDir) =>
    JSON.parse(readFileSync(join(packageDir, 'typescript/package.json'), 'utf8')).version
  const compilers = [
    [`${versionOf(join(root, 'node_modules'))} (repository)`, join(root, 'node_modules')],
    [`${versionOf(join(dir, 'node_modules'))} (latest)`, join(dir, 'node_modules')],
  ]
  return [
    ...compilers.flatMap(([version, modules]) =>
      Object.keys(resolutions).map((name) =>
        check(
          `tsc ${version} ${name}`,
          process.execPath,
          [join(modules, 'typescript/bin/tsc'), '-p', `tsconfig.${name}.json`],
          dir,
          (output) => mapSnippetErrors(output, snippetFiles),
        ),
      ),
    ),
    check(
      `tsc ${compilers[0][0]} nodenext, README snippets that use other SDKs`,
      process.execPath,
      [join(compilers[0][1], 'typescript/bin/tsc'), '-p', 'tsconfig.sdk-snippets.json'],
      dir,
      (output) => mapSnippetErrors(output, snippetFiles),
    ),
  ]
}

/**
 * examples/host-app-testing as a user who copies it gets it: its own package.json, no repository
 * around it. Installs it and returns its type-check and test jobs.
 */
async function standaloneExample(tarballs) {
  const dir = join(work, 'host-app-testing')
  cpSync(join(root, 'examples/host-app-testing'), dir, {
    recursive: true,
    filter: (source) => !source.includes('node_modules'),
  })
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  // A user depends on published versions; here they are the tarballs, also for the packages'
  // own dependencies on each other.
  const local = (name) => `file:${tarballs.get(name)}`
  for (const field of ['dependencies', 'devDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (range.startsWith('workspace:')) manifest[field][name] = local(name)
    }
  }
  manifest.overrides = Object.fromEntries([...tarballs.keys()].map((name) => [name, local(name)]))
  writeJson(join(dir, 'package.json'), manifest)
  await npmInstall(dir, [], 'examples/host-app-testing on its own (tarballs)')
  return [
    check(
      'examples/host-app-testing type-checks out of the repository',
      'npm',
      ['run', 'typecheck'],
      dir,
    ),
    check('examples/host-app-testing tests pass out of the repository', 'npm', ['test'], dir),
  ]
}

const started = performance.now()
try {
  const tarballs = packPackages(packs)
  const jobs = await Promise.all([consumerProject(tarballs), standaloneExample(tarballs)])
  await pool(jobs.flat(), 2)
} catch (error) {
  fail(error.message)
} finally {
  rmSync(work, { recursive: true, force: true })
}
console.log(`${failures === 0 ? 'ok' : 'FAIL'}  consumer check in ${since(started)}`)
process.exit(failures === 0 ? 0 : 1)
