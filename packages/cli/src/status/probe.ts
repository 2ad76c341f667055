// `models status --probe`: one real, bounded call per credential (per-target timeout, a
// concurrency limit, a few output tokens), classified into stable reason codes. Probes never record
// anything: no cooldowns, no usage, no last-good.
import {
  maskSecretsInText,
  redactSecretsInText,
  resolveApiKeyForProvider,
  resolveEnvApiKey,
  type AuthStoreBackend,
  type OAuthRefreshSettings,
} from '@claw/auth-profiles'
import { createModelCatalog, getProvider, modelKey, type ModelCatalog } from '@claw/model-catalog'
import { configuredProvider } from './auth-overview.js'
import { compareText } from '../text.js'
import { buildRequest, stringHeaders } from './probe-request.js'
import type {
  AuthProbeSummary,
  ProbeResult,
  ProbeStatus,
  ProbeUsageWindow,
} from './probe-summary.js'
import {
  buildTargets,
  missingCredentialError,
  type ProbeTarget,
  type ProbeTargetOptions,
} from './probe-targets.js'

export interface RunProbesOptions extends ProbeTargetOptions {
  readonly agentDir: string
  /** The fleet backend (`state.backend: 'redis'`): refreshed OAuth tokens are saved through it. */
  readonly backend?: AuthStoreBackend | undefined
  readonly fetch: typeof fetch
  /** Refresh settings for expiring OAuth profiles (`auth.oauth.<provider>` applied). */
  readonly oauth: OAuthRefreshSettings
  /** Called as each probe finishes (for progress on a terminal). */
  readonly onProgress?: ((done: number, total: number, result: ProbeResult) => void) | undefined
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
