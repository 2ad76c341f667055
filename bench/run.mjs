#!/usr/bin/env node
// The project benchmark: `pnpm bench [suite-filter] [--quick] [--json] [--strict]`.
// Runs every bench/suites/*.mjs, prints a table per suite and a target summary, and writes all
// rows to .bench-results/latest.json. See bench/README.md.

import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { basename, join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'

import {
  MissingBuildError,
  checkBuilt,
  createContext,
  repoRoot,
  resultsDir,
  suitesDir,
} from './lib/context.mjs'
import { formatTable, formatValue } from './lib/measure.mjs'

const usage = `usage: pnpm bench [suite-filter] [--quick] [--json] [--strict]

  suite-filter  only run suites whose name (or file name) contains this text
  --quick       fewer iterations, for CI smoke runs (< 20 s in total)
  --json        print the results as JSON on stdout instead of tables
  --strict      exit 1 when a target is missed (targets are only reported otherwise)
  --help        show this help`

function parseArgs(argv) {
  const options = { quick: false, json: false, strict: false, help: false, filter: undefined }
  for (const arg of argv) {
    if (arg === '--quick') options.quick = true
    else if (arg === '--json') options.json = true
    else if (arg === '--strict') options.strict = true
    else if (arg === '--help' || arg === '-h') options.help = true
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`)
    else if (options.filter === undefined) options.filter = arg
    else
      throw new Error(`only one suite filter is supported (got "${options.filter}" and "${arg}")`)
  }
  return options
}

async function loadSuites() {
  const files = readdirSync(suitesDir)
    .filter((file) => file.endsWith('.mjs'))
    .sort()
  const suites = []
  for (const file of files) {
    const path = join(suitesDir, file)
    const module = await import(pathToFileURL(path).href)
    if (typeof module.name !== 'string' || typeof module.run !== 'function') {
      throw new Error(`${relative(repoRoot, path)} must export \`name\` and \`async run(ctx)\``)
    }
    suites.push({
      name: module.name,
      file: relative(repoRoot, path),
      packages: Array.isArray(module.packages) ? module.packages : [],
      run: module.run,
    })
  }
  return suites
}

function matches(suite, filter) {
  if (filter === undefined) return true
  const needle = filter.toLowerCase()
  return (
    suite.name.toLowerCase().includes(needle) ||
    basename(suite.file, '.mjs').toLowerCase().includes(needle)
  )
}

/** Checks a suite's rows and fills in `suite`. Throws on rows that break the contract. */
function normalizeRows(suite, rows) {
  if (!Array.isArray(rows)) throw new Error(`suite ${suite.name}: run() must return an array`)
  return rows.map((row, index) => {
    const where = `suite ${suite.name}, row ${index}`
    if (typeof row !== 'object' || row === null) throw new Error(`${where}: not an object`)
    for (const key of ['name', 'metric', 'unit']) {
      if (typeof row[key] !== 'string') throw new Error(`${where}: \`${key}\` must be a string`)
    }
    if (typeof row.value !== 'number') throw new Error(`${where}: \`value\` must be a number`)
    if (row.target !== undefined && typeof row.ok !== 'boolean') {
      throw new Error(`${where}: a row with a target needs a boolean \`ok\``)
    }
    return { suite: suite.name, ...row }
  })
}

function printMissingBuild(error) {
  console.error(`bench: ${relative(repoRoot, error.file)} not found`)
  console.error('run pnpm build first')
}

async function main() {
  let options
  try {
    options = parseArgs(process.argv.slice(2))
  } catch (error) {
    console.error(`bench: ${error.message}\n\n${usage}`)
    return 1
  }
  if (options.help) {
    console.log(usage)
    return 0
  }

  const allSuites = await loadSuites()
  const suites = allSuites.filter((suite) => matches(suite, options.filter))
  if (suites.length === 0) {
    const names = allSuites.map((suite) => suite.name).join(', ') || '(none)'
    console.error(`bench: no suite matches "${options.filter}"; suites: ${names}`)
    return 1
  }

  try {
    const warnings = checkBuilt([...new Set(suites.flatMap((suite) => suite.packages))])
    for (const warning of warnings) console.error(`bench: warning: ${warning}`)
  } catch (error) {
    if (error instanceof MissingBuildError) {
      printMissingBuild(error)
      return 1
    }
    throw error
  }

  const out = options.json ? () => {} : (text = '') => console.log(text)
  const log = (message) => console.error(`  … ${message}`)
  const ctx = createContext({ quick: options.quick, log })
  const started = performance.now()
  const results = []
  const suiteReports = []

  out(
    `claw bench — node ${process.version}, ${process.platform}/${process.arch}, ` +
      `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'unknown cpu'}` +
      (options.quick ? ' (quick)' : ''),
  )
  for (const suite of suites) {
    const suiteStarted = performance.now()
    console.error(`bench: running ${suite.name} (${suite.file})`)
    try {
      const rows = normalizeRows(suite, await suite.run(ctx))
      const durationMs = performance.now() - suiteStarted
      results.push(...rows)
      suiteReports.push({ name: suite.name, file: suite.file, durationMs, rows: rows.length })
      out(`\n## ${suite.name} (${(durationMs / 1000).toFixed(1)} s)\n`)
      out(formatTable(rows))
    } catch (error) {
      if (error instanceof MissingBuildError) {
        printMissingBuild(error)
        return 1
      }
      const durationMs = performance.now() - suiteStarted
      suiteReports.push({
        name: suite.name,
        file: suite.file,
        durationMs,
        rows: 0,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      })
      console.error(`\nbench: suite ${suite.name} failed:`)
      console.error(error)
    }
  }

  const withTarget = results.filter((row) => row.target !== undefined)
  const missed = withTarget.filter((row) => !row.ok)
  const failedSuites = suiteReports.filter((report) => report.error !== undefined)
  const durationMs = performance.now() - started
  const summary = {
    targets: withTarget.length,
    met: withTarget.length - missed.length,
    missed: missed.length,
    withoutTarget: results.length - withTarget.length,
    failedSuites: failedSuites.length,
  }
  const report = {
    version: 1,
    createdAt: new Date().toISOString(),
    durationMs,
    options: { quick: options.quick, strict: options.strict, filter: options.filter ?? null },
    environment: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpu: cpus()[0]?.model?.trim() ?? null,
      cpuCount: cpus().length,
      totalMemoryMB: Math.round(totalmem() / 2 ** 20),
    },
    suites: suiteReports,
    summary,
    results,
  }
  mkdirSync(resultsDir, { recursive: true })
  const resultsFile = join(resultsDir, 'latest.json')
  writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`)

  if (options.json) {
    console.log(JSON.stringify(report, null, 2))
  } else {
    out(
      `\nSummary: ${summary.met} of ${summary.targets} targets met, ${summary.missed} missed` +
        ` (${summary.withoutTarget} ${summary.withoutTarget === 1 ? 'row' : 'rows'} without target)` +
        (failedSuites.length > 0 ? `, ${failedSuites.length} suite(s) FAILED` : '') +
        ` in ${(durationMs / 1000).toFixed(1)} s`,
    )
    for (const row of missed) {
      out(
        `  MISSED  ${row.suite} › ${row.name} ${row.metric} = ${formatValue(row.value)} ${row.unit}` +
          ` (target ${row.target})`,
      )
    }
    for (const failed of failedSuites) out(`  FAILED  suite ${failed.name} (${failed.file})`)
    out(`Results written to ${relative(repoRoot, resultsFile)}`)
  }

  if (failedSuites.length > 0) return 1
  if (options.strict && missed.length > 0) {
    console.error(`bench: --strict: ${missed.length} target(s) missed`)
    return 1
  }
  return 0
}

process.exitCode = await main()
