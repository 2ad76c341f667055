// A private redis-server for benchmarks, started with the tests' command line
// (test-support/redis-server-args.mjs: unix socket in a temp dir, no TCP port, persistence off).
// Returns undefined when redis-server is not installed, so a suite can skip its Redis rows.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

import { redisServerArgs } from '../../test-support/redis-server-args.mjs'

export async function startBenchRedis() {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'claw-bench-redis-'))
  const socketPath = join(dir, 'redis.sock')
  const child = spawn('redis-server', redisServerArgs(dir, socketPath), { stdio: 'ignore' })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 5_000
  for (;;) {
    const ping = existsSync(socketPath)
      ? spawnSync('redis-cli', ['-s', socketPath, 'PING'], { encoding: 'utf8' })
      : undefined
    if (ping?.status === 0 && ping.stdout.trim() === 'PONG') break
    if (Date.now() > deadline) {
      await stop()
      throw new Error('redis-server did not answer PING within 5 s')
    }
    await sleep(10)
  }
  return { url: `unix://${socketPath}`, socketPath, stop }
}
