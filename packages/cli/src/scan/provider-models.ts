// What a provider actually serves: its OpenAI-compatible `GET <baseUrl>/models` list (OpenRouter's
// adds pricing, supported parameters and input modalities), and an optional one-token probe of
// each model with bounded concurrency and a timeout.

/** One model a provider lists. `null` where the provider does not say. */
export interface ScannedModel {
  readonly provider: string
  readonly id: string
  /** Zero prompt and completion price (OpenRouter's `pricing`). */
  readonly free: boolean | null
  /** Accepts tool definitions (`supported_parameters` has `tools`). */
  readonly tools: boolean | null
  /** Accepts images (`architecture.input_modalities` has `image`). */
  readonly image: boolean | null
  readonly contextWindow: number | null
}

export interface ProbeOutcome {
  readonly ok: boolean
  /** HTTP status, when there was a response. */
  readonly status: number | null
  readonly error: string | null
  readonly latencyMs: number
}

export interface ProviderEndpoint {
  readonly provider: string
  readonly baseUrl: string
  readonly apiKey: string | undefined
  readonly fetch: typeof fetch
  readonly timeoutMs: number
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

function headers(endpoint: ProviderEndpoint): Record<string, string> {
  return endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}
}

function url(endpoint: ProviderEndpoint, path: string): string {
  return `${endpoint.baseUrl.replace(/\/+$/, '')}${path}`
}

function readModel(provider: string, raw: unknown): ScannedModel | undefined {
  const entry = record(raw)
  const id = entry?.['id']
  if (!entry || typeof id !== 'string' || id === '') return undefined
  const pricing = record(entry['pricing'])
  const parameters = entry['supported_parameters']
  const modalities = record(entry['architecture'])?.['input_modalities']
  const context = entry['context_length']
  return {
    provider,
    id,
    free: pricing
      ? Number(pricing['prompt'] ?? NaN) === 0 && Number(pricing['completion'] ?? NaN) === 0
      : null,
    tools: Array.isArray(parameters) ? parameters.includes('tools') : null,
    image: Array.isArray(modalities) ? modalities.includes('image') : null,
    contextWindow: typeof context === 'number' && Number.isFinite(context) ? context : null,
  }
}

/** The models `GET <baseUrl>/models` lists. Throws an Error naming the provider on failure. */
export async function listProviderModels(endpoint: ProviderEndpoint): Promise<ScannedModel[]> {
  let response: Response
  try {
    response = await endpoint.fetch(url(endpoint, '/models'), {
      headers: headers(endpoint),
      signal: AbortSignal.timeout(endpoint.timeoutMs),
    })
  } catch (error) {
    throw new Error(
      `${endpoint.provider}: the model list could not be fetched (${describe(error)}).`,
    )
  }
  if (!response.ok) {
    throw new Error(`${endpoint.provider}: the model list answered HTTP ${response.status}.`)
  }
  const body = record(await response.json().catch(() => undefined))
  const data = body?.['data'] ?? body?.['models']
  if (!Array.isArray(data)) throw new Error(`${endpoint.provider}: the model list is not a list.`)
  return data.flatMap((raw) => readModel(endpoint.provider, raw) ?? [])
}

function describe(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return 'timed out'
  }
  const cause = record((error as { cause?: unknown } | null)?.cause)?.['code']
  return typeof cause === 'string' ? cause : 'network error'
}

/** One chat completion of at most one token: does the model answer with this credential? */
export async function probeModel(
  endpoint: ProviderEndpoint,
  model: string,
  now: () => number,
): Promise<ProbeOutcome> {
  const started = now()
  try {
    const response = await endpoint.fetch(url(endpoint, '/chat/completions'), {
      method: 'POST',
      headers: { ...headers(endpoint), 'content-type': 'application/json' },
      body: JSON.stringify({
        model,
        messages: [{ role: 'user', content: 'Reply with OK.' }],
        max_tokens: 1,
      }),
      signal: AbortSignal.timeout(endpoint.timeoutMs),
    })
    await response.body?.cancel()
    return {
      ok: response.ok,
      status: response.status,
      error: response.ok ? null : `HTTP ${response.status}`,
      latencyMs: now() - started,
    }
  } catch (error) {
    return { ok: false, status: null, error: describe(error), latencyMs: now() - started }
  }
}

/** Runs `work` over `items` with at most `limit` at a time, keeping the order of results. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next
      next += 1
      results[index] = await work(items[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
