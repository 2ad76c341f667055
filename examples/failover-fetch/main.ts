// Failover around a plain `fetch` to an OpenAI-compatible endpoint.
//
//   pnpm --filter @claw-examples/failover-fetch start
//     offline: starts a local fake provider where profile openai:a is rate-limited (429,
//     Retry-After: 30) and openai:b answers, so the trace shows the rotation
//   OPENAI_API_KEYS=sk-…,sk-… pnpm --filter @claw-examples/failover-fetch start https://api.openai.com/v1 gpt-5-mini
//     a real endpoint, with the provider's keys from the environment
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createMemoryAuthStore } from '@claw/auth-profiles'
import {
  FailoverSummaryError,
  runWithFailover,
  type FailoverCallContext,
  type FailoverTraceEntry,
} from '@claw/failover'

/** A non-2xx answer. Failover classifies it from `status` and the body, and reads `headers` for Retry-After. */
class HttpError extends Error {
  override readonly name = 'HttpError'
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body}`)
  }
}

/** The model call: one chat completion with the credential failover picked. */
async function chat(
  baseUrl: string,
  { model, apiKey, signal }: FailoverCallContext,
): Promise<string> {
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey ?? ''}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model,
      messages: [{ role: 'user', content: 'Say hello in five words.' }],
    }),
    signal: signal ?? null,
  })
  const text = await response.text()
  if (!response.ok) throw new HttpError(response.status, response.headers, text)
  const body = JSON.parse(text) as { choices: { message: { content: string } }[] }
  return body.choices[0]?.message.content ?? ''
}

/** A fake provider: the `limited` key gets 429 with Retry-After: 30, the `ok` key an answer. */
async function startFakeProvider(keys: { limited: string; ok: string }) {
  const server = createServer((request, response) => {
    const key = request.headers.authorization?.replace(/^Bearer /, '')
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      response
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify(body))
    request.resume().on('end', () => {
      if (key === keys.ok) {
        reply(200, {
          choices: [{ message: { role: 'assistant', content: 'Hello from the fake provider!' } }],
        })
      } else if (key === keys.limited) {
        reply(
          429,
          { error: { message: 'Rate limit reached', code: 'rate_limit_exceeded' } },
          { 'retry-after': '30' },
        )
      } else {
        reply(401, { error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } })
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

function printTrace(trace: readonly FailoverTraceEntry[]): void {
  console.log('\ntrace')
  for (const entry of trace) {
    const reason = entry.reason ? ` (${entry.reason})` : ''
    console.log(
      `  ${entry.outcome.padEnd(9)} ${entry.provider}/${entry.model} ${entry.credential ?? ''}${reason}: ${entry.detail}`,
    )
  }
}

const [endpoint, model = 'gpt-5-mini'] = process.argv.slice(2)
const fake = endpoint
  ? undefined
  : await startFakeProvider({ limited: 'sk-example-limited-0001', ok: 'sk-example-ok-0002' })
const baseUrl = endpoint ?? fake?.baseUrl ?? ''
// Offline: two stored profiles. With an endpoint: no store, so the provider's env keys are used.
const store = fake
  ? createMemoryAuthStore({
      version: 1,
      profiles: {
        'openai:a': { type: 'api_key', provider: 'openai', key: 'sk-example-limited-0001' },
        'openai:b': { type: 'api_key', provider: 'openai', key: 'sk-example-ok-0002' },
      },
    })
  : undefined
if (fake)
  console.log(`No endpoint given: using a fake provider at ${baseUrl} (openai:a is rate-limited).`)

try {
  const outcome = await runWithFailover({
    provider: 'openai',
    model,
    fallbacksOverride: [],
    store,
    run: (context) => chat(baseUrl, context),
  })
  console.log(`\nresult   ${outcome.result}`)
  console.log(`via      ${outcome.provider}/${outcome.model}, ${outcome.profileId ?? 'an env key'}`)
  console.log(`failed   ${outcome.attempts.length} attempt(s) before that`)
  printTrace(outcome.trace)
} catch (error) {
  if (!FailoverSummaryError.isInstance(error)) throw error
  console.error(error.message)
  if (error.retryAfterMs !== undefined)
    console.error(`retry in ${Math.ceil(error.retryAfterMs / 1000)} s`)
  printTrace(error.trace)
  process.exitCode = 1
} finally {
  await fake?.close()
}
