// A real Redis Cluster for tests and the benchmark: `masters` redis-server processes with
// `--cluster-enabled yes` on loopback TCP ports (cluster nodes announce TCP addresses, so no unix
// sockets here), each in its own temp dir with persistence off, joined by
// `redis-cli --cluster create … --cluster-yes`. Plain JS so the benchmark (which runs without a
// TypeScript loader) can use it too.
//
// Ports: a random port in [10000, 16000) per node whose port and cluster-bus port (+10000) are
// free, below the kernel's ephemeral range; a node that still loses a race for its port (another
// test file started a server on it meanwhile) exits at once and is started again on another port.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const HOST = '127.0.0.1'
/** How long a node's failure goes unnoticed by the others; generous, so load never fakes one. */
const NODE_TIMEOUT_MS = 3_000

/** @param {number} port */
function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, HOST, () => server.close(() => resolve(true)))
  })
}

async function pickPort(taken) {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * 6_000)
    if (taken.has(port) || taken.has(port + 10_000)) continue
    if ((await portFree(port)) && (await portFree(port + 10_000))) return port
  }
}

/**
 * @param {string} dir
 * @param {number} port
 * @returns {string[]}
 */
export function redisClusterNodeArgs(dir, port) {
  return [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    String(NODE_TIMEOUT_MS),
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--loglevel',
    'warning',
  ]
}

function redisCli(port, args) {
  return spawnSync('redis-cli', ['-h', HOST, '-p', String(port), ...args], { encoding: 'utf8' })
}

/** @param {import('node:child_process').ChildProcess} child */
function exited(child) {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()))
}

async function waitFor(check, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`redis cluster: timed out waiting for ${what}`)
    await sleep(20)
  }
}

/**
 * Starts a Redis Cluster of `masters` masters (no replicas) and waits until every node reports
 * `cluster_state:ok`.
 *
 * @param {{ masters?: number, timeoutMs?: number }} [options]
 */
export async function startRedisCluster(options = {}) {
  const count = options.masters ?? 3
  const timeoutMs = options.timeoutMs ?? 20_000
  const taken = new Set()
  /** @type {{ port: number, dir: string, child: import('node:child_process').ChildProcess | undefined }[]} */
  const nodes = []
  const live = () => nodes.filter((node) => node.child !== undefined)

  const pingable = (node) => redisCli(node.port, ['PING']).stdout?.trim() === 'PONG'

  /** Starts (or restarts) `node` on its port; false when the port was lost to another process. */
  async function launch(node) {
    const child = spawn('redis-server', redisClusterNodeArgs(node.dir, node.port), {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    child.stderr?.resume()
    node.child = child
    const deadline = Date.now() + timeoutMs
    while (!pingable(node)) {
      if (child.exitCode !== null || child.signalCode !== null) {
        node.child = undefined
        return false
      }
      if (Date.now() > deadline) throw new Error(`redis cluster: node ${node.port} did not start`)
      await sleep(20)
    }
    return true
  }

  const killAll = () => {
    for (const node of nodes) node.child?.kill('SIGKILL')
  }
  process.once('exit', killAll)

  const clusterOk = () =>
    live().every((node) => {
      const info = redisCli(node.port, ['CLUSTER', 'INFO']).stdout ?? ''
      return (
        info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${nodes.length}`)
      )
    })

  const cluster = {
    host: HOST,
    /** `redis://127.0.0.1:<port>` of every master, in slot order. */
    get urls() {
      return nodes.map((node) => `redis://${HOST}:${node.port}`)
    },
    get ports() {
      return nodes.map((node) => node.port)
    },
    /** `redis-cli -c` (following redirects) against the first live node; returns stdout. */
    cli(args) {
      const node = live()[0]
      if (!node) throw new Error('redis cluster: no node is running')
      const result = redisCli(node.port, ['-c', ...args])
      if (result.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${result.stderr}`)
      return result.stdout
    },
    /** `redis-cli` against node `index` (no redirects). */
    nodeCli(index, args) {
      const result = redisCli(nodes[index].port, args)
      if (result.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${result.stderr}`)
      return result.stdout
    },
    /** The index of the master that serves `key`'s hash slot. */
    nodeOf(key) {
      const slot = Number(cluster.cli(['CLUSTER', 'KEYSLOT', key]).trim())
      const lines = cluster.cli(['CLUSTER', 'NODES']).split('\n').filter(Boolean)
      for (const line of lines) {
        const fields = line.split(' ')
        const port = Number(fields[1].split('@')[0].split(':').pop())
        for (const range of fields.slice(8)) {
          const [from, to = from] = range.split('-').map(Number)
          if (slot >= from && slot <= to) return nodes.findIndex((node) => node.port === port)
        }
      }
      throw new Error(`redis cluster: no node serves slot ${slot}`)
    },
    /** Every key of every live master. */
    keys() {
      return live().flatMap((node) =>
        (redisCli(node.port, ['--scan']).stdout ?? '').split('\n').filter(Boolean),
      )
    },
    /** FLUSHALL on every live master. */
    flushAll() {
      for (const node of live()) redisCli(node.port, ['FLUSHALL'])
    },
    /** Kills master `index` at once (SIGKILL), as a crash would. */
    async kill(index) {
      const node = nodes[index]
      const child = node.child
      if (!child) return
      node.child = undefined
      child.kill('SIGKILL')
      await exited(child)
    },
    /** Starts master `index` again (same port and dir: it rejoins with its slots, empty). */
    async start(index) {
      const node = nodes[index]
      if (node.child) return
      if (!(await launch(node))) throw new Error(`redis cluster: port ${node.port} was taken`)
      await waitFor(clusterOk, 'cluster_state:ok after a restart', timeoutMs)
    },
    /** Waits until every live node reports `cluster_state:ok`. */
    async ready() {
      await waitFor(clusterOk, 'cluster_state:ok', timeoutMs)
    },
    /** Stops every node and removes their dirs. */
    async dispose() {
      process.off('exit', killAll)
      await Promise.all(
        nodes.map(async (node) => {
          const child = node.child
          node.child = undefined
          if (child) {
            child.kill('SIGTERM')
            await exited(child)
          }
          rmSync(node.dir, { recursive: true, force: true })
        }),
      )
    },
  }

  try {
    for (let index = 0; index < count; index += 1) {
      const node = {
        port: 0,
        dir: mkdtempSync(join(tmpdir(), 'claw-redis-cluster-')),
        child: undefined,
      }
      nodes.push(node)
      for (let attempt = 1; ; attempt += 1) {
        node.port = await pickPort(taken)
        if (await launch(node)) break
        if (attempt === 5) throw new Error('redis cluster: no free port after 5 attempts')
      }
      taken.add(node.port)
      taken.add(node.port + 10_000)
    }
    const created = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `${HOST}:${node.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: timeoutMs },
    )
    if (created.status !== 0) {
      throw new Error(`redis-cli --cluster create failed: ${created.stderr || created.stdout}`)
    }
    await cluster.ready()
  } catch (error) {
    await cluster.dispose()
    throw error
  }
  return cluster
}
