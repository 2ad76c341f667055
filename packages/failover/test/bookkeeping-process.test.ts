// What a run records through the file store survives the process as promised: a success's
// bookkeeping (written behind) reaches the file when the script exits normally, and a failure's
// cooldown is on disk before the call returns, so a SIGKILL right after loses nothing and another
// process skips the profile at once. Real child processes run the BUILT packages.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openAuthStore, upsertAuthProfile, type AuthProfileStore } from '@claw/auth-profiles'

const dist = (name: string) =>
  fileURLToPath(new URL(`../../${name}/dist/index.js`, import.meta.url))

let root: string
let agentDir: string
const children: ChildProcess[] = []

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'claw-bookkeeping-'))
  agentDir = join(root, 'agent')
  const store = openAuthStore({ agentDir })
  for (const id of ['openai:a', 'openai:b']) {
    await upsertAuthProfile({
      store,
      profileId: id,
      credential: { type: 'api_key', provider: 'openai', key: `sk-bookkeeping-${id.slice(-1)}` },
    })
  }
})

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  rmSync(root, { recursive: true, force: true })
})

function readStore(): AuthProfileStore {
  return JSON.parse(readFileSync(join(agentDir, 'auth-profiles.json'), 'utf8')) as AuthProfileStore
}

/** An ESM script importing the built packages; `body` sees `agentDir`, `runWithFailover`, … */
function script(name: string, body: string): string {
  const file = join(root, name)
  writeFileSync(
    file,
    `import { flushAuthStores, openAuthStore } from ${JSON.stringify(dist('auth-profiles'))}
import { runWithFailover } from ${JSON.stringify(dist('failover'))}
const agentDir = ${JSON.stringify(agentDir)}
const base = { agentDir, env: {}, provider: 'openai', model: 'gpt-5.2', fallbacksOverride: [] }
const rateLimited = Object.assign(new Error('429 Too Many Requests'), { status: 429 })
${body}
`,
  )
  return file
}

interface Child {
  readonly process: ChildProcess
  /** Resolves with the first stdout line. */
  readonly firstLine: Promise<string>
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>
}

function start(file: string): Child {
  const child = spawn(process.execPath, [file], {
    env: { PATH: process.env['PATH'] ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const end = stdout.indexOf('\n')
      if (end >= 0) resolve(stdout.slice(0, end))
    })
    child.on('exit', () => reject(new Error(`exited before a line: ${stderr}`)))
  })
  firstLine.catch(() => undefined)
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  )
  return { process: child, firstLine, exited }
}

describe('a script that runs through the file store', () => {
  it('writes its successes when it exits normally, and nothing keeps it alive', async () => {
    const file = script(
      'successes.mjs',
      `const started = Date.now()
for (let i = 0; i < 50; i += 1) await runWithFailover({ ...base, run: () => Promise.resolve('ok') })
console.log(JSON.stringify({ started, resources: process.getActiveResourcesInfo() }))`,
    )
    const { code, stdout, stderr } = await start(file).exited
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    const { started, resources } = JSON.parse(stdout) as { started: number; resources: string[] }
    // The write-behind timer does not hold the event loop (the exit writes instead).
    expect(resources).not.toContain('Timeout')
    const stored = readStore()
    expect(stored.usageStats?.['openai:a']?.lastUsed).toBeGreaterThanOrEqual(started)
    expect(stored.usageStats?.['openai:b']?.lastUsed).toBeGreaterThanOrEqual(started)
    expect(stored.lastGood).toEqual({ openai: expect.stringMatching(/^openai:[ab]$/) as string })
  })

  it('writes its successes before process.exit() when it calls flushAuthStores()', async () => {
    const file = script(
      'exit.mjs',
      `await runWithFailover({ ...base, run: () => Promise.resolve('ok') })
await flushAuthStores()
process.exit(0)`,
    )
    const { code } = await start(file).exited
    expect(code).toBe(0)
    expect(readStore().usageStats?.['openai:a']?.lastUsed).toBeTypeOf('number')
  })
})

/** A script whose run rate-limits openai:a (openai:b answers), prints, then stays alive. */
function failThenWait(): Child {
  return start(
    script(
      'fail.mjs',
      `await runWithFailover({
  ...base,
  run: ({ profileId }) => (profileId === 'openai:a' ? Promise.reject(rateLimited) : Promise.resolve('ok')),
})
console.log('recorded')
setInterval(() => undefined, 60_000)`,
    ),
  )
}

describe('a failure recorded through the file store', () => {
  it('is on disk when the process is killed with SIGKILL right after', async () => {
    const child = failThenWait()
    expect(await child.firstLine).toBe('recorded')
    child.process.kill('SIGKILL')
    expect((await child.exited).code).toBe(null)
    const cooldown = readStore().usageStats?.['openai:a']?.modelCooldowns?.['gpt-5.2']
    expect(cooldown?.reason).toBe('rate_limit')
    expect(cooldown?.until).toBeGreaterThan(Date.now())
  })

  it('is seen at once by another process, which skips the profile', async () => {
    const failing = failThenWait()
    expect(await failing.firstLine).toBe('recorded')
    const other = start(
      script(
        'other.mjs',
        `const called = []
await runWithFailover({ ...base, run: ({ profileId }) => { called.push(profileId); return Promise.resolve('ok') } })
console.log(JSON.stringify(called))`,
      ),
    )
    const { code, stdout } = await other.exited
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual(['openai:b'])
  })
})
