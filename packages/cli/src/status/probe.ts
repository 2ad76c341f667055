// `models status --probe`: one real, bounded call per credential (per-target timeout, a
// concurrency limit, a few output tokens), classified into stable reason codes. Probes never record
// anything: no cooldowns, no usage, no last-good.
import {
  evaluateProfileEligibility,
  listProfilesForProvider,
  maskSecretsInText,
  redactSecretsInText,
  resolveApiKeyForProvider,
  resolveAuthProfileOrder,
  resolveEnvApiKey,
  resolveExplicitOrder,
  type AuthProfileStore,
  type AuthStoreBackend,
  type ClawConfig,
  type OAuthRefreshSettings,
  type ProfileEligibilityCode,
} from '@claw/auth-profiles'
import {
  createModelCatalog,
  getProvider,
  modelKey,
  parseModelRef,
  type ModelCatalog,
} from '@claw/model-catalog'
import { configuredProvider, profileDisplayLabel, providerHasAuth } from './auth-overview.js'
import { compareText } from '../text.js'
import type {
  AuthProbeSummary,
  ProbeOptions,
  ProbeResult,
  ProbeStatus,
  ProbeUsageWindow,
} from './probe-summary.js'

type Env = Readonly<Record<string, string | undefined>>

export const PROBE_PROMPT = 'Reply with OK. Do not use tools.'
const LEGACY_MISSING_LINE = 'Auth profile credentials are missing or expired.'

interface ProbeTarget {
  readonly provider: string
  readonly model: { readonly provider: string; readonly model: string }
  readonly profileId?: string
  readonly label: string
  readonly source: 'profile' | 'env' | 'models.json'
  readonly mode?: string
}

export interface RunProbesOptions {
  readonly providers: readonly string[]
  /** Resolved `provider/model` keys of the configured models, in preference order. */
  readonly candidateKeys: readonly string[]
  readonly store: AuthProfileStore
  readonly config: ClawConfig
  readonly env: Env
  readonly agentDir: string
  /** The fleet backend (`state.backend: 'redis'`): refreshed OAuth tokens are saved through it. */
  readonly backend?: AuthStoreBackend | undefined
  readonly fetch: typeof fetch
  /** Refresh settings for expiring OAuth profiles (`auth.oauth.<provider>` applied). */
  readonly oauth: OAuthRefreshSettings
  readonly now: () => number
  readonly options: ProbeOptions
  /** Called as each probe finishes (for progress on a terminal). */
  readonly onProgress?: ((done: number, total: number, result: ProbeResult) => void) | undefined
}

const MISSING_REASONS: Partial<Record<ProfileEligibilityCode, string>> = {
  expired: 'token credentials are expired.',
  invalid_expires: 'token expires must be a positive Unix ms timestamp.',
  missing_credential: 'no inline credential or SecretRef is configured.',
  unresolved_ref: 'configured SecretRef could not be resolved.',
  needs_reauth: 'the last OAuth refresh failed for good; log in again.',
}

function missingCredentialError(code: string): string {
  const reason = MISSING_REASONS[code as ProfileEligibilityCode]
  return reason
    ? `${LEGACY_MISSING_LINE}\n↳ Auth reason [${code}]: ${reason}`
    : `${LEGACY_MISSING_LINE}\n↳ Auth reason [ineligible_profile]: profile is incompatible with provider config.`
}

function eligibilityReasonCode(code: ProfileEligibilityCode): string {
  return code in MISSING_REASONS ? code : 'ineligible_profile'
}

function selectModel(provider: string, candidateKeys: readonly string[], catalog: ModelCatalog) {
  for (const key of candidateKeys) {
    const ref = parseModelRef(key, { defaultProvider: provider })
    if (ref?.provider === provider) return ref
  }
  const first = catalog.list({ provider })[0]
  return first ? { provider: first.provider, model: first.id } : undefined
}

function buildTargets(run: RunProbesOptions, catalog: ModelCatalog) {
  const { store, config, env, options } = run
  const filterKey = options.provider?.trim()
    ? parseModelRef(`${options.provider.trim()}/_`, { defaultProvider: '' })?.provider
    : undefined
  const profileFilter = new Set(options.profileIds)
  const targets: ProbeTarget[] = []
  const results: ProbeResult[] = []
  for (const provider of run.providers) {
    if (filterKey && provider !== filterKey) continue
    const model = selectModel(provider, run.candidateKeys, catalog)
    const modelLabel = model ? modelKey(model) : undefined
    const explicitOrder = resolveExplicitOrder(store, provider, config)
    const allowed =
      explicitOrder && explicitOrder.length > 0
        ? new Set(resolveAuthProfileOrder({ store, provider, config, now: run.now }))
        : undefined
    const profileIds = listProfilesForProvider(store, provider).filter(
      (id) => profileFilter.size === 0 || profileFilter.has(id),
    )
    for (const profileId of profileIds) {
      const label = profileDisplayLabel(store, config, profileId)
      const base = {
        provider,
        ...(modelLabel ? { model: modelLabel } : {}),
        profileId,
        label,
        source: 'profile' as const,
        mode: store.profiles[profileId]!.type,
      }
      if (explicitOrder && !explicitOrder.includes(profileId)) {
        results.push({
          ...base,
          status: 'unknown',
          reasonCode: 'excluded_by_auth_order',
          error: 'Excluded by auth.order for this provider.',
        })
      } else if (allowed && !allowed.has(profileId)) {
        const code = eligibilityReasonCode(
          evaluateProfileEligibility({ store, profileId, provider, config, now: run.now }).code,
        )
        results.push({
          ...base,
          status: 'unknown',
          reasonCode: code,
          error: missingCredentialError(code),
        })
      } else if (!model) {
        results.push(noModel(base))
      } else {
        targets.push({ ...base, model })
      }
    }
    if (profileIds.length > 0 || profileFilter.size > 0) continue
    if (!providerHasAuth(provider, { version: 1, profiles: {} }, config, env)) continue
    const envKey = resolveEnvApiKey(provider, { env })
    const source = envKey ? ('env' as const) : ('models.json' as const)
    const base = {
      provider,
      label: source,
      source,
      mode: envKey?.mode === 'oauth' ? 'oauth' : 'api_key',
    }
    if (!model) results.push(noModel(base))
    else targets.push({ ...base, model })
  }
  return { targets, results }
}

function noModel(base: Omit<ProbeResult, 'status'>): ProbeResult {
  const { model: _model, ...rest } = base
  return {
    ...rest,
    status: 'no_model',
    reasonCode: 'no_model',
    error: 'No model available for probe',
  }
}

/** OpenClaw's mapping of failover reasons to probe statuses. */
function statusForReason(reason: string | undefined): ProbeStatus {
  switch (reason) {
    case 'auth':
    case 'auth_permanent':
      return 'auth'
    case 'rate_limit':
    case 'overloaded':
      return 'rate_limit'
    case 'billing':
      return 'billing'
    case 'timeout':
      return 'timeout'
    case 'format':
      return 'format'
    default:
      return 'unknown'
  }
}

interface ProbeRequest {
  readonly url: string
  readonly init: RequestInit
}

/** The one-shot request for an API kind, or undefined when the kind cannot be probed. */
function buildRequest(
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

async function resolveCredential(run: RunProbesOptions, target: ProbeTarget) {
  if (target.source === 'env') {
    const key = resolveEnvApiKey(target.provider, { env: run.env })
    return key ? { apiKey: key.apiKey, mode: key.mode } : undefined
  }
  const resolved = await resolveApiKeyForProvider({
    provider: target.provider,
    // The env/models.json target resolves against no profiles; a profile target uses only it.
    store: target.profileId ? (run.backend ?? run.store) : { version: 1, profiles: {} },
    config: run.config,
    env: run.env,
    now: run.now,
    agentDir: run.agentDir,
    fetch: run.fetch,
    oauth: run.oauth,
    ...(target.profileId ? { profileId: target.profileId } : {}),
  })
  return resolved.apiKey
    ? { apiKey: resolved.apiKey, mode: resolved.mode, baseUrl: resolved.baseUrl }
    : undefined
}

async function probeTarget(
  run: RunProbesOptions,
  target: ProbeTarget,
  catalog: ModelCatalog,
): Promise<ProbeResult> {
  const started = run.now()
  const modelLabel = modelKey(target.model)
  const { model: _model, ...rest } = target
  const result = (
    status: ProbeStatus,
    extra: { reasonCode?: string; error?: string; usage?: readonly ProbeUsageWindow[] } = {},
  ) => ({
    ...rest,
    model: modelLabel,
    status,
    ...extra,
    latencyMs: Math.max(0, run.now() - started),
  })
  let secret: string | undefined
  try {
    const credential = await resolveCredential(run, target)
    if (!credential) {
      return result('unknown', {
        reasonCode: 'missing_credential',
        error: missingCredentialError('missing_credential'),
      })
    }
    secret = credential.apiKey
    const entry = catalog.find(target.model)
    const configured = configuredProvider(run.config, target.provider)?.entry
    const info = getProvider(target.provider)
    const api = entry?.api ?? configured?.api ?? info?.api ?? 'openai-completions'
    const baseUrl =
      ('baseUrl' in credential && credential.baseUrl) ||
      configured?.baseUrl ||
      entry?.baseUrl ||
      info?.baseUrl ||
      ''
    const request = buildRequest(
      api,
      baseUrl,
      target.model.model,
      credential,
      run.options.maxTokens,
      stringHeaders({ ...info?.headers, ...configured?.headers, ...entry?.headers }),
    )
    if (!request || baseUrl === '') {
      return result('unsupported', {
        reasonCode: 'unsupported_api',
        error: `Probing ${api} APIs is not supported.`,
      })
    }
    const response = await run.fetch(request.url, {
      ...request.init,
      signal: AbortSignal.timeout(run.options.timeoutMs),
    })
    const body = await response.text()
    const { describeFailoverError, parseUsageLimitHeaders } = await import('@claw/failover')
    const windows = parseUsageLimitHeaders(response.headers, { now: run.now })?.windows
    const usage = windows ? { usage: windows } : {}
    if (response.ok) return result('ok', usage)
    const failure = Object.assign(new Error(body.slice(0, 2000) || `HTTP ${response.status}`), {
      status: response.status,
      headers: response.headers,
    })
    const described = describeFailoverError(failure)
    return result(statusForReason(described.reason), {
      reasonCode: described.reason ?? 'unknown',
      error: clean(described.message, secret),
      ...usage,
    })
  } catch (error) {
    const { describeFailoverError } = await import('@claw/failover')
    const code = (error as { code?: unknown }).code
    if (code === 'ERR_SECRET_REF') {
      // The ref's error says why (a command claw refuses to run names the file and the rule);
      // its messages never carry a resolved value.
      return result('unknown', {
        reasonCode: 'unresolved_ref',
        error: `${missingCredentialError('unresolved_ref')}\n↳ ${clean((error as Error).message, secret)}`,
      })
    }
    if (typeof code === 'string' && code.startsWith('ERR_') && code !== 'ERR_ABORTED') {
      const reauth = code === 'ERR_REAUTH_REQUIRED'
      return result(reauth ? 'auth' : 'unknown', {
        reasonCode: reauth ? 'needs_reauth' : 'missing_credential',
        error: clean((error as Error).message, secret),
      })
    }
    const described = describeFailoverError(error)
    return result(statusForReason(described.reason), {
      reasonCode: described.reason ?? 'unknown',
      error: clean(described.message || String(error), secret),
    })
  }
}

/** Static headers from the registry and config (SecretRef-valued headers are not sent on probes). */
function stringHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  )
}

function clean(message: string, secret: string | undefined): string {
  const redacted = redactSecretsInText(message)
  return (secret ? maskSecretsInText(redacted, [secret]) : redacted).trim()
}

/** Builds the targets and probes them, `concurrency` at a time. */
export async function runAuthProbes(run: RunProbesOptions): Promise<AuthProbeSummary> {
  const startedAt = run.now()
  const catalog = createModelCatalog({ config: run.config })
  const plan = buildTargets(run, catalog)
  const results: ProbeResult[] = new Array<ProbeResult>(plan.targets.length)
  let cursor = 0
  let done = 0
  const worker = async (): Promise<void> => {
    while (cursor < plan.targets.length) {
      const index = cursor++
      const result = await probeTarget(run, plan.targets[index]!, catalog)
      results[index] = result
      done += 1
      run.onProgress?.(done, plan.targets.length, result)
    }
  }
  const workers = Math.max(1, Math.min(plan.targets.length, Math.floor(run.options.concurrency)))
  await Promise.all(Array.from({ length: workers }, () => worker()))
  const finishedAt = run.now()
  return {
    startedAt,
    finishedAt,
    durationMs: finishedAt - startedAt,
    totalTargets: plan.targets.length,
    options: run.options,
    results: sortResults([...plan.results, ...results]),
  }
}

function sortResults(results: readonly ProbeResult[]): ProbeResult[] {
  return [...results].sort(
    (a, b) => compareText(a.provider, b.provider) || compareText(a.label, b.label),
  )
}
