// The one request a probe sends: a few output tokens of a fixed prompt, in the wire format of the
// provider's API kind.

export const PROBE_PROMPT = 'Reply with OK. Do not use tools.'

export interface ProbeRequest {
  readonly url: string
  readonly init: RequestInit
}

/** The one-shot request for an API kind, or undefined when the kind cannot be probed. */
export function buildRequest(
  api: string,
  baseUrl: string,
  model: string,
  credential: { readonly apiKey: string; readonly mode: string },
  maxTokens: number,
  headers: Readonly<Record<string, string>>,
): ProbeRequest | undefined {
  const base = baseUrl.replace(/\/+$/, '')
  const json = { 'content-type': 'application/json', ...headers }
  switch (api) {
    case 'openai-completions':
    case 'openai-responses':
    case 'github-copilot':
    case 'mistral-conversations':
      return {
        url: `${base}/chat/completions`,
        init: {
          method: 'POST',
          headers: { ...json, authorization: `Bearer ${credential.apiKey}` },
          body: JSON.stringify({
            model,
            max_tokens: maxTokens,
            messages: [{ role: 'user', content: PROBE_PROMPT }],
          }),
        },
      }
    case 'anthropic-messages': {
      const bearer = credential.mode !== 'api-key'
      return {
        url: `${base.endsWith('/v1') ? base : `${base}/v1`}/messages`,
        init: {
          method: 'POST',
          headers: {
            ...json,
            'anthropic-version': '2023-06-01',
            ...(bearer
              ? {
                  authorization: `Bearer ${credential.apiKey}`,
                  'anthropic-beta': 'oauth-2025-04-20',
                }
              : { 'x-api-key': credential.apiKey }),
          },
          body: JSON.stringify({
            model,
            max_tokens: maxTokens,
            messages: [{ role: 'user', content: PROBE_PROMPT }],
          }),
        },
      }
    }
    case 'google-generative-ai':
      return {
        url: `${base}/models/${encodeURIComponent(model)}:generateContent`,
        init: {
          method: 'POST',
          headers: { ...json, 'x-goog-api-key': credential.apiKey },
          body: JSON.stringify({
            contents: [{ role: 'user', parts: [{ text: PROBE_PROMPT }] }],
            generationConfig: { maxOutputTokens: maxTokens },
          }),
        },
      }
    default:
      return undefined
  }
}

/** Static headers from the registry and config (SecretRef-valued headers are not sent on probes). */
export function stringHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  )
}
