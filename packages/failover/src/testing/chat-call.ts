import type { FetchFunction } from '@claw/auth-profiles'
import type { FailoverCallContext } from '../run.js'
import { resolveFetch } from '../runtime.js'

/**
 * A `run` for `runWithFailover` that sends a one-message OpenAI Chat Completions request to
 * `endpoint` (e.g. the fake provider's `server.endpoint`) with the key the run chose, and resolves
 * to the response body. A non-2xx answer throws an error carrying `status` and the response
 * `headers`, so the run classifies it as it would an SDK's (Retry-After included). `fetch` defaults
 * to the global one.
 *
 * @public
 */
export function chatCompletionsCall(
  endpoint: string,
  options: { readonly fetch?: FetchFunction | undefined } = {},
): (context: FailoverCallContext) => Promise<string> {
  const send = resolveFetch(options)
  return async (context) => {
    const response = await send(endpoint, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${context.apiKey ?? ''}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ model: context.model, messages: [{ role: 'user', content: 'Hi' }] }),
      ...(context.signal ? { signal: context.signal } : {}),
    })
    const text = await response.text()
    if (!response.ok) {
      throw Object.assign(new Error(`provider answered ${response.status}`), {
        status: response.status,
        headers: Object.fromEntries(response.headers),
      })
    }
    return text
  }
}
