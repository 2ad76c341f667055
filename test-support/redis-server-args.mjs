// The one redis-server command line of the tests (test-support/redis-server.ts) and the benchmark
// (bench/lib/redis-server.mjs): a private unix socket in `dir`, no TCP port, persistence off.
// Plain JS so the benchmark (which runs without a TypeScript loader) can import it too.

/**
 * @param {string} dir the server's directory
 * @param {string} socketPath the unix socket to listen on
 * @returns {string[]}
 */
export function redisServerArgs(dir, socketPath) {
  return [
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
  ]
}
