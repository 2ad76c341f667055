// An OAuthRuntime for adapter tests: the real fetch (bounded), the real clock, a given env, and
// plain http allowed (the servers are on loopback).
import { createBoundedFetch } from '../../src/oauth/http.js'
import type { OAuthRuntime } from '../../src/oauth/types.js'

export function testRuntime(
  options: { env?: Record<string, string>; signal?: AbortSignal } = {},
): OAuthRuntime {
  return {
    fetch: createBoundedFetch((input, init) => fetch(input, init), {
      timeoutMs: 5_000,
      ...(options.signal ? { signal: options.signal } : {}),
    }),
    now: () => Date.now(),
    env: options.env ?? {},
    signal: options.signal,
    allowInsecureRequests: true,
  }
}
