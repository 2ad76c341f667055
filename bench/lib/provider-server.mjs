// The fake model provider of @claw/failover/testing (built dist), in a child process: the client
// side measured by a suite then has the event loop to itself, and the server's work shows in both
// sides of a comparison alike (the HTTP round trip on loopback).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'

import { benchEnv } from './measure.mjs'

/**
 * Starts the server with `behaviours` (`{ [key]: 'ok' | 'rateLimit' | [name, ...args] }`, an array
 * being a call of `behave[name](...args)`) and resolves to `{ url, stop }`.
 */
export async function startBenchProviderServer(ctx, behaviours) {
  const testingUrl = ctx.distUrl('failover').replace(/\/index\.js$/, '/testing/index.js')
  const script = `
    const { behave, startProviderServer } = await import(${JSON.stringify(testingUrl)})
    const server = await startProviderServer()
    const behaviours = ${JSON.stringify(behaviours)}
    for (const [key, kind] of Object.entries(behaviours)) {
      // A string is a shorthand; an array is a call: ['rateLimit', retryHint, options].
      server.setBehaviour(key, Array.isArray(kind) ? behave[kind[0]](...kind.slice(1)) : kind === 'rateLimit' ? behave.rateLimit({ format: 'seconds', seconds: 1 }) : behave.ok())
    }
    console.log(JSON.stringify({ url: server.url }))
    process.stdin.resume()
    process.stdin.on('end', () => server.close().then(() => process.exit(0)))
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: benchEnv(),
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout })
  const [line] = await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the provider server exited with ${code} before it listened`)
    }),
  ])
  lines.close()
  const { url } = JSON.parse(line)
  return {
    url,
    async stop() {
      const exited = once(child, 'exit')
      child.stdin.end()
      await exited
    },
  }
}
