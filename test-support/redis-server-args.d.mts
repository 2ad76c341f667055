/** The redis-server arguments for a private unix socket in `dir`, no TCP port, persistence off. */
export function redisServerArgs(dir: string, socketPath: string): string[]
