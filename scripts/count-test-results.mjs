// Sums the vitest JSON reports in a directory and prints "<passed> <failed> <skipped>".
// A suite that failed to load counts as one failed test, so a broken file is never invisible.
// Skipped tests are the conditional ones (`it.skipIf`, e.g. packages that need a newer Node than
// the run's): counted, so a run that skipped them says so.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.argv[2] ?? '.test-results'
let passed = 0
let failed = 0
let skipped = 0
let files = []
try {
  files = readdirSync(dir).filter((name) => name.endsWith('.json'))
} catch {
  files = []
}
for (const name of files) {
  const report = JSON.parse(readFileSync(join(dir, name), 'utf8'))
  passed += report.numPassedTests ?? 0
  failed += report.numFailedTests ?? 0
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  for (const suite of report.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed += 1
  }
}
console.log(`${passed} ${failed} ${skipped}`)
