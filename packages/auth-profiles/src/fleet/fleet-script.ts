// Lua scripts of fleet mode, sent by SHA-1 (EVALSHA): the script text crosses the network only
// when a Redis node does not know it yet (first use, restart, SCRIPT FLUSH, a new cluster node),
// which it tells with a NOSCRIPT reply; EVAL then runs it and caches it on that node.
//
// Every key a script touches is passed in KEYS (a cluster routes the call by them and checks they
// share one hash slot); ARGV carries values only.
import { createHash } from 'node:crypto'

/** A Lua script and its SHA-1. @internal */
export interface FleetScript {
  readonly source: string
  readonly sha1: string
}

/** The script `source`, with its SHA-1 for EVALSHA. @internal */
export function defineFleetScript(source: string): FleetScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') }
}

/** The part of a node-redis client (single or cluster) that runs scripts. @internal */
export interface ScriptRunner {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
}

function isNoScript(error: unknown): boolean {
  const message = (error as { message?: unknown } | undefined)?.message
  return typeof message === 'string' && message.startsWith('NOSCRIPT')
}

/**
 * Runs `script` with EVALSHA, and with EVAL (which also loads it) when the node answers NOSCRIPT.
 *
 * @internal
 */
export async function evalFleetScript(
  client: ScriptRunner,
  script: FleetScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  const options = { keys: [...keys], arguments: [...args] }
  try {
    return await client.evalSha(script.sha1, options)
  } catch (error) {
    if (!isNoScript(error)) throw error
    return client.eval(script.source, options)
  }
}
