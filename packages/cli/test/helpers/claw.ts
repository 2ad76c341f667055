// Runs the BUILT `claw` (dist/bin.js) as a real child process against a temp state dir, the way a
// user or a script would. Every run's output is kept so a test can scan all of it for canaries.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findCanaries, findCanariesInFiles } from '@claw/auth-profiles/testing'

/**
 * The `claw` under test: the built dist/bin.js, or `CLAW_CLI_BIN` (a private build, e.g.
 * `tsup --out-dir .dist-mine`, so parallel work does not race on one dist/).
 */
export const CLAW_BIN =
  process.env['CLAW_CLI_BIN'] ?? fileURLToPath(new URL('../../dist/bin.js', import.meta.url))

export interface ClawResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunClawOptions {
  /** Written to stdin, then stdin is closed (default: closed empty stdin). */
  readonly stdin?: string
  /** Extra environment variables (merged over the sandbox's). */
  readonly env?: Record<string, string | undefined>
  readonly timeoutMs?: number
}

/** A temp HOME + state dir; runs `claw` inside it and remembers every output for canary scans. */
export class ClawSandbox {
  readonly root: string
  readonly home: string
  readonly stateDir: string
  readonly outputs: string[] = []
  /** The arguments of each run, in the order of `outputs`. */
  readonly commands: string[] = []

  constructor(prefix = 'claw-cli-') {
    this.root = mkdtempSync(join(tmpdir(), prefix))
    this.home = join(this.root, 'home')
    this.stateDir = join(this.root, 'state')
    mkdirSync(this.home, { recursive: true })
  }

  /** The environment every run gets: no inherited provider keys, no colour, no TTY. */
  baseEnv(): Record<string, string> {
    return {
      PATH: process.env['PATH'] ?? '',
      HOME: this.home,
      CLAW_STATE_DIR: this.stateDir,
      LANG: 'C.UTF-8',
    }
  }

  /** Writes `<state>/claw.json` (an object is serialised as JSON, a string written as is). */
  writeConfig(config: unknown, name = 'claw.json'): string {
    mkdirSync(this.stateDir, { recursive: true, mode: 0o700 })
    const path = join(this.stateDir, name)
    writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2), {
      mode: 0o600,
    })
    return path
  }

  /** Path of an agent's dir (`<state>/agents/<id>/agent`). */
  agentDir(agentId = 'main'): string {
    return join(this.stateDir, 'agents', agentId, 'agent')
  }

  /** Writes an agent's `auth-profiles.json`. */
  writeStore(store: unknown, agentId = 'main'): string {
    const dir = this.agentDir(agentId)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const path = join(dir, 'auth-profiles.json')
    writeFileSync(path, typeof store === 'string' ? store : JSON.stringify(store, null, 2), {
      mode: 0o600,
    })
    return path
  }

  /** Runs `claw <args>` and resolves with its exit code and output. */
  async run(args: readonly string[], options: RunClawOptions = {}): Promise<ClawResult> {
    const result = await runClaw(args, { ...options, env: { ...this.baseEnv(), ...options.env } })
    // Only what claw printed: the command line is the test's input, not output.
    this.outputs.push(`${result.stdout}\n${result.stderr}`)
    this.commands.push(args.join(' '))
    return result
  }

  /** Canary hits in every output so far and every file under the sandbox except the stores. */
  leaks(secrets: readonly string[]): readonly string[] {
    return [
      ...this.outputs.flatMap((output, index) =>
        findCanaries(output, secrets, `output of #${index}`),
      ),
      ...findCanariesInFiles(this.root, secrets),
    ]
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true })
  }
}

/** Spawns `node dist/bin.js <args>` with exactly `options.env`. */
export function runClaw(
  args: readonly string[],
  options: RunClawOptions = {},
): Promise<ClawResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLAW_BIN, ...args], {
      env: options.env ?? { PATH: process.env['PATH'] ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `claw ${args.join(' ')} did not exit within ${options.timeoutMs ?? 30_000} ms\n${stdout}\n${stderr}`,
        ),
      )
    }, options.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(options.stdin ?? '')
  })
}

/** Parses a `--json` output, failing with the output when it is not JSON. */
export function parseJsonOutput<T = Record<string, unknown>>(result: ClawResult): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
  }
}
