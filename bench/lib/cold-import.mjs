// The cold-start row every package suite reports: `import(<package>)` in a fresh node process
// against a bare `node -e ''`, interleaved, with a ratio target (≤ 2× unless the suite sets a
// tighter one).

import { atMost } from './context.mjs'
import { spawnTimed } from './measure.mjs'

/**
 * @param {{ pick: (full: number, quick: number) => number, log: (message: string) => void, repoRoot: string }} ctx the bench context
 * @param {string} url file URL of the built package entry
 * @param {string} label the package's short name, shown as `import(<label>)`
 * @param {number} [limit] the largest allowed import / bare node ratio
 */
export function coldImportRows(ctx, url, label, limit = 2) {
  const runs = ctx.pick(21, 5)
  ctx.log(`cold import: ${runs} interleaved runs per command`)
  const [bare, pkg] = spawnTimed(
    [
      { label: 'bare', args: ['-e', ''] },
      { label, args: ['--input-type=module', '-e', `await import(${JSON.stringify(url)})`] },
    ],
    { runs, warmup: 1, cwd: ctx.repoRoot },
  )
  const note = `median of ${runs}`
  return [
    { name: 'cold start', metric: "node -e ''", value: bare.median, unit: 'ms', note },
    { name: 'cold start', metric: `import(${label})`, value: pkg.median, unit: 'ms', note },
    atMost(
      {
        name: 'cold start',
        metric: 'import / bare node',
        value: pkg.median / bare.median,
        unit: '×',
      },
      limit,
      'ratio',
    ),
  ]
}
