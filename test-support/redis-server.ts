// A real `redis-server` for tests, started by the test itself on a private unix socket in a temp
// dir (no TCP port, nothing shared with other runs), with persistence off. `.ci/run` and
// `scripts/dev.sh` install redis-server with apt-get when it is missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { redisServerArgs } from './redis-server-args.mjs'

export interface RedisServer {
  /** `unix:///…/redis.sock` — the URL clients connect with (without the password, if any). */
  readonly url: string
  /** The password the server requires (`requirepass`), if it was started with one. */
  readonly password: string | undefined
  readonly socketPath: string
  /** Stops the server (SIGTERM) and waits for it to exit; the socket disappears. */
  stop(): Promise<void>
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>
  /** Starts it again on the same socket (empty: persistence is off). */
  start(): Promise<void>
  /** Runs `redis-cli` against the server and returns its stdout (e.g. `['FLUSHALL']`). */
  cli(args: readonly string[]): string
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>
}

/** Throws a clear error when redis-server is not installed. */
export function requireRedisServer(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'redis-server is not installed: the fleet tests start a real one. Install it with `apt-get install redis-server` (`.ci/run` and `scripts/dev.sh` do this when they run as root).',
    )
  }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`redis-server: timed out waiting for ${what}`)
    await sleep(10)
  }
}

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** Require this password (`requirepass`): clients without it get NOAUTH. */
  readonly requirepass?: string
}

/** Starts a redis-server on a unix socket in a new temp dir. */
export async function startRedisServer(
  options: StartRedisServerOptions = {},
): Promise<RedisServer> {
  requireRedisServer()
  const dir = mkdtempSync(join(tmpdir(), 'claw-redis-'))
  const socketPath = join(dir, 'redis.sock')
  const password = options.requirepass
  // The password reaches redis-cli through its environment, never its command line.
  const cliEnv = password === undefined ? process.env : { ...process.env, REDISCLI_AUTH: password }
  let child: ChildProcess | undefined

  const cli = (args: readonly string[]): string => {
    const result = spawnSync('redis-cli', ['-s', socketPath, ...args], {
      encoding: 'utf8',
      env: cliEnv,
    })
    if (result.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${result.stderr}`)
    return result.stdout
  }
  const ping = (): boolean => {
    if (!existsSync(socketPath)) return false
    const result = spawnSync('redis-cli', ['-s', socketPath, 'PING'], {
      encoding: 'utf8',
      env: cliEnv,
    })
    return result.status === 0 && result.stdout.trim() === 'PONG'
  }
  const exited = (process: ChildProcess): Promise<void> =>
    process.exitCode !== null || process.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => process.once('exit', () => resolve()))

  const server: RedisServer = {
    url: `unix://${socketPath}`,
    password,
    socketPath,
    async start() {
      // A password goes in through stdin (redis-server reads a config file named `-`), so it never
      // shows in `ps`.
      const args = redisServerArgs(dir, socketPath)
      child = spawn('redis-server', password === undefined ? args : ['-', ...args], {
        stdio: [password === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
      })
      if (password !== undefined) child.stdin?.end(`requirepass "${password}"\n`)
      await waitFor(ping, 'the socket to answer PING')
    },
    async stop() {
      if (!child) return
      const current = child
      child = undefined
      current.kill('SIGTERM')
      await exited(current)
      await waitFor(() => !existsSync(socketPath), 'the socket to go away').catch(() => {
        rmSync(socketPath, { force: true })
      })
    },
    async kill() {
      if (!child) return
      const current = child
      child = undefined
      current.kill('SIGKILL')
      await exited(current)
      rmSync(socketPath, { force: true })
    },
    cli,
    async dispose() {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  await server.start()
  return server
}
