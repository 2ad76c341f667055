// The human view of `models status`: model settings, the auth overview per provider, missing
// auth, OAuth/token expiry and probe results. Every value from files goes through `safe()`.
import type { AuthHealthStatus } from '@claw/auth-profiles'
import { renderIgnoredEntries } from '../auth/ignored-entries.js'
import { formatRemainingShort } from '../format-remaining.js'
import type { Styles } from '../text.js'
import { renderTable, safe } from '../text.js'
import { missingAuthHint } from './auth-overview.js'
import type { ModelConfigSummary } from './model-config.js'
import {
  describeProbeSummary,
  describeUsageWindows,
  formatMs,
  type AuthProbeSummary,
} from './probe-summary.js'
import type { AuthStatusReport } from './status-report.js'

/**
 * Where routing state lives (`state` in `models status --json`): `file`, or the fleet's Redis with
 * its key prefix and whether it is in use (`connected`) or unreachable (`degraded`: local state).
 */
export interface StateSummary {
  readonly backend: 'file' | 'redis'
  readonly prefix?: string
  readonly status?: 'connected' | 'degraded' | 'closed'
}

export interface StatusView {
  readonly configPath: string
  readonly agentDir: string
  readonly models: ModelConfigSummary
  readonly auth: AuthStatusReport
  readonly state: StateSummary
  readonly homeDir: string
  readonly styles: Styles
}

/** `~/…` for paths under the home directory. */
export function shortenHome(path: string, homeDir: string): string {
  if (homeDir && homeDir !== '/' && (path === homeDir || path.startsWith(`${homeDir}/`))) {
    return `~${path.slice(homeDir.length)}`
  }
  return path
}

export function renderStatus(view: StatusView): string[] {
  const { models, auth, styles: s } = view
  const label = (text: string) => s.cyan(text.padEnd(14))
  const field = (name: string, value: string) => `${label(name)}: ${value}`
  const source = (name: string, from: 'agent' | 'defaults' | undefined) =>
    from ? `${name} (${from})` : name
  const list = (values: readonly string[]) => (values.length ? values.map(safe).join(', ') : '-')
  const path = (value: string) => safe(shortenHome(value, view.homeDir))
  const displayDefault =
    models.defaultModel !== models.resolvedDefault
      ? `${models.resolvedDefault} (from ${models.defaultModel})`
      : models.resolvedDefault
  const aliases = Object.entries(models.aliases)
  const lines = [
    field('Config', path(view.configPath)),
    field('Agent dir', path(view.agentDir)),
    field(source('Default', models.modelConfig?.defaultSource), s.green(safe(displayDefault))),
    field(
      source(`Fallbacks (${models.fallbacks.length})`, models.modelConfig?.fallbacksSource),
      list(models.fallbacks),
    ),
    field('Image model', models.imageModel ? safe(models.imageModel) : '-'),
    field(`Image fallbacks (${models.imageFallbacks.length})`, list(models.imageFallbacks)),
    field(
      `Aliases (${aliases.length})`,
      aliases.length ? aliases.map(([a, key]) => `${safe(a)} -> ${safe(key)}`).join(', ') : '-',
    ),
    field(
      `Configured models (${models.allowed.length})`,
      models.allowed.length ? list(models.allowed) : 'all',
    ),
    '',
    s.bold('Auth overview'),
    field('Auth store', path(auth.storePath)),
    field(
      'State',
      view.state.backend === 'redis'
        ? `redis (${safe(view.state.prefix ?? '')}, ${view.state.status ?? 'connected'})`
        : 'file',
    ),
    field(
      'Shell env',
      `${auth.shellEnvFallback.enabled ? 'on' : 'off'}${
        auth.shellEnvFallback.appliedKeys.length
          ? ` (applied: ${auth.shellEnvFallback.appliedKeys.join(', ')})`
          : ''
      }`,
    ),
    field(
      `Providers w/ OAuth/tokens (${auth.providersWithOAuth.length})`,
      list(auth.providersWithOAuth),
    ),
  ]
  for (const entry of auth.providers) {
    const bits = [`effective=${entry.effective.kind}:${path(entry.effective.detail)}`]
    if (entry.profiles.count > 0) {
      bits.push(
        `profiles=${entry.profiles.count} (oauth=${entry.profiles.oauth}, token=${entry.profiles.token}, api_key=${entry.profiles.apiKey})`,
      )
      if (entry.profiles.labels.length) bits.push(entry.profiles.labels.map(safe).join(', '))
    }
    if (entry.env) bits.push(`env=${safe(entry.env.value)} | source=${safe(entry.env.source)}`)
    if (entry.modelsJson) {
      bits.push(
        `models.json=${safe(entry.modelsJson.value)} | source=${safe(entry.modelsJson.source)}`,
      )
    }
    lines.push(`- ${s.bold(safe(entry.provider))} ${bits.join(' | ')}`)
  }
  const ignored = renderIgnoredEntries(auth.ignoredEntries, s)
  if (ignored.length > 0) lines.push('', ...ignored)
  if (auth.missingProvidersInUse.length) {
    lines.push('', s.bold('Missing auth'))
    for (const provider of auth.missingProvidersInUse) {
      lines.push(`- ${s.bold(safe(provider))} ${missingAuthHint(provider)}`)
    }
  }
  lines.push('', s.bold('OAuth/token status'))
  const expiring = auth.oauth.profiles.filter(
    (profile) => profile.type === 'oauth' || profile.type === 'token',
  )
  if (expiring.length === 0) lines.push(s.dim('- none'))
  let provider: string | undefined
  for (const profile of expiring) {
    if (profile.provider !== provider) {
      provider = profile.provider
      lines.push(`- ${s.bold(safe(provider))}`)
    }
    const expiry =
      profile.status === 'static'
        ? ''
        : profile.expiresAt !== undefined
          ? ` expires in ${formatRemainingShort(profile.remainingMs)}`
          : profile.renewal === 'exchange'
            ? ' (refreshed by exchange)'
            : ' expires unknown'
    const reauth = profile.needsReauth ? ' (needs re-auth)' : ''
    lines.push(
      `  - ${s.cyan(safe(profile.label))} ${statusText(profile.status, s)}${expiry}${reauth}`,
    )
  }
  if (auth.probes) lines.push('', s.bold('Auth probes'), ...renderProbes(auth.probes, s))
  return lines
}

function statusText(status: AuthHealthStatus, s: Styles): string {
  switch (status) {
    case 'ok':
      return s.green('ok')
    case 'static':
      return s.dim('static')
    case 'expiring':
      return s.yellow('expiring')
    case 'missing':
      return s.yellow('unknown')
    default:
      return s.red('expired')
  }
}

function renderProbes(summary: AuthProbeSummary, s: Styles): string[] {
  if (summary.results.length === 0) return [s.dim('- none'), describeProbeSummary(summary)]
  const rows = summary.results.map((result) => [
    safe(result.model ?? `${result.provider}/-`),
    `${safe(result.label)}${result.mode ? ` (${result.mode})` : ''}`,
    `${result.status} · ${formatMs(result.latencyMs)}`,
  ])
  const table = renderTable(
    [
      { header: 'Model', width: 18 },
      { header: 'Profile', width: 24 },
      { header: 'Status', width: 12 },
    ],
    rows,
  ).split('\n')
  const out = [table[0]!]
  summary.results.forEach((result, index) => {
    const colour = (text: string) =>
      result.status === 'ok'
        ? s.green(text)
        : result.status === 'auth'
          ? s.red(text)
          : s.yellow(text)
    out.push(colour(table[index + 1]!))
    if (result.usage?.length) {
      out.push(
        s.dim(
          `    ↳ ${safe(describeUsageWindows(result.usage, summary.finishedAt, formatRemainingShort))}`,
        ),
      )
    }
    for (const detail of (result.error ?? '').split('\n').filter((line) => line.trim() !== '')) {
      out.push(s.dim(`    ${detail.startsWith('↳') ? '' : '↳ '}${safe(detail)}`))
    }
  })
  out.push(s.dim(describeProbeSummary(summary)))
  return out
}
