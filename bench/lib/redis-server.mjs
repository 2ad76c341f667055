// A private redis-server for benchmarks: the same logic as test-support/redis-server.ts (unix
// socket in a temp dir, no TCP port, persistence off), in plain JS. Returns undefined when
// redis-server is not installed, so a suite can skip its Redis rows with a note.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export async function startBenchRedis() {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'claw-bench-redis-'))
  const socketPath = join(dir, 'redis.sock')
  const child = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--unixsocket',
      socketPath,
      '--unixsocketperm',
      '700',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: 'ignore' },
  )
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
