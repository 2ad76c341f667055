// A process never exits in the middle of a failover: the wait between two attempts keeps the
// event loop alive. Real child processes run the BUILT packages, as an ESM script with top-level
// await and as a CommonJS script (require(esm)), against a closed loopback port with a fallback
// model; each must finish the run and print its result.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const dist = (name: string) =>
  fileURLToPath(new URL(`../../${name}/dist/index.js`, import.meta.url))

let dir: string
let closedPort: number

/** A loopback port nothing listens on: bound once, then closed. */
async function findClosedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'claw-exit-'))
  closedPort = await findClosedPort()
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** The run both scripts make: openai on the closed port first, then the anthropic fallback. */
function runOptions(): string {
  return `{
    store: createMemoryAuthStore({
      version: 1,
      profiles: {
        'openai:a': { type: 'api_key', provider: 'openai', key: 'sk-exit-test-a' },
        'anthropic:b': { type: 'api_key', provider: 'anthropic', key: 'sk-ant-exit-test-b' },
      },
    }),
    env: {},
    provider: 'openai',
    model: 'gpt-5.2',
    fallbacksOverride: ['anthropic/claude-sonnet-4-5'],
    run: async ({ provider, signal }) => {
      if (provider === 'openai') {
        const response = await fetch('http://127.0.0.1:${closedPort}/v1/chat/completions', {
          method: 'POST',
          signal,
        })
        return response.text()
      }
      return 'answered by ' + provider
    },
  }`
}

const report = `(outcome) => {
  console.log(JSON.stringify({
    result: outcome.result,
    attempts: outcome.attempts.map((attempt) => attempt.reason),
  }))
}`

function runScript(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file],
      { env: { PATH: process.env['PATH'] ?? '' }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? null) : 0
        resolve({ code: typeof code === 'number' ? code : null, stdout, stderr })
      },
    )
  })
}

describe('a failover whose first model is unreachable', () => {
  it('completes in an ESM script with top-level await', async () => {
    const file = join(dir, 'run.mjs')
    writeFileSync(
      file,
      `import { createMemoryAuthStore } from ${JSON.stringify(dist('auth-profiles'))}
import { runWithFailover } from ${JSON.stringify(dist('failover'))}
const outcome = await runWithFailover(${runOptions()})
;(${report})(outcome)
`,
    )
    const { code, stdout, stderr } = await runScript(file)
    expect(stderr).not.toContain('unsettled top-level await')
    expect({ code, output: JSON.parse(stdout || 'null') as unknown }).toEqual({
      code: 0,
      output: { result: 'answered by anthropic', attempts: ['server_error', 'server_error'] },
    })
  })

  it('completes in a CommonJS script (require of the ESM packages)', async () => {
    const file = join(dir, 'run.cjs')
    writeFileSync(
      file,
      `const { createMemoryAuthStore } = require(${JSON.stringify(dist('auth-profiles'))})
const { runWithFailover } = require(${JSON.stringify(dist('failover'))})
runWithFailover(${runOptions()}).then(${report}, (error) => {
  console.error(error)
  process.exitCode = 1
})
`,
    )
    const { code, stdout } = await runScript(file)
    expect({ code, output: JSON.parse(stdout || 'null') as unknown }).toEqual({
      code: 0,
      output: { result: 'answered by anthropic', attempts: ['server_error', 'server_error'] },
    })
  })
})
