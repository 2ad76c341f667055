import {
  AGENT_OPTION,
  flag,
  listOption,
  OUTPUT_OPTIONS,
  outputMode,
  positiveNumberOption,
  stringOption,
  type CommandSpec,
} from '../command.js'
import { usageError } from '../errors.js'
import { safe } from '../text.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'
import { summarizeModelConfig } from '../status/model-config.js'
import { renderStatus, type StateSummary } from '../status/render-status.js'
import type { Context } from '../context.js'
import { buildAuthStatus } from '../status/status-report.js'
import { alertsJson } from '../credential-alerts-json.js'

/** `file`, or the fleet's prefix and connection status (read after the store was loaded). */
async function stateSummary(context: Context): Promise<StateSummary> {
  const fleet = await context.fleet()
  return fleet
    ? { backend: 'redis', prefix: fleet.prefix, status: fleet.status() }
    : { backend: 'file' }
}

/**
 * The exit code: `--check`'s (or 0), raised to 3 when a probe failed. A missing or expired
 * credential (1) says more than a failed probe, which says more than an expiring one (2).
 */
function statusExitCode(check: ExitCode, probeFailed: boolean): ExitCode {
  if (!probeFailed || check === EXIT_CODES.error) return check
  return EXIT_CODES.probeFailed
}

export const statusCommand: CommandSpec = {
  summary: 'Default and fallback models, aliases, and the auth overview per provider.',
  description: [
    'Shows the configured models and, per provider, which credentials exist (stored profiles,',
    'env vars, config keys; secrets masked), cooldowns, and OAuth/token expiry.',
    '',
    '--check exit codes: 1 when an OAuth/token credential is expired or has no expiry, or a',
    'provider in use (default, fallbacks, image models) has no auth at all; 2 when one expires',
    'within 24 h; 0 otherwise. --probe makes one real, small call per credential (nothing is',
    'recorded: no cooldowns, no usage).',
  ].join('\n'),
  options: {
    ...OUTPUT_OPTIONS,
    check: { type: 'boolean', description: 'Exit 1 if expired/missing, 2 if expiring (24 h).' },
    probe: { type: 'boolean', description: 'Make a real, bounded call per credential.' },
    'probe-provider': { type: 'string', value: 'id', description: 'Probe only this provider.' },
    'probe-profile': {
      type: 'string',
      value: 'id',
      multiple: true,
      description: 'Probe only these profiles (comma-separated allowed).',
    },
    'probe-timeout': {
      type: 'string',
      value: 'ms',
      description: 'Timeout per probe (default 8000).',
    },
    'probe-concurrency': {
      type: 'string',
      value: 'n',
      description: 'Probes at once (default 2).',
    },
    'probe-max-tokens': {
      type: 'string',
      value: 'n',
      description: 'Output token limit per probe (default 8).',
    },
    ...AGENT_OPTION,
  },
  examples: [
    'claw models status',
    'claw models status --json',
    'claw models status --check || echo "credentials need attention"',
    'claw models status --probe --probe-provider openai',
  ],
  async run(context, args) {
    const mode = outputMode(args)
    const probe = flag(args, 'probe')
    if (probe && mode === 'plain') throw usageError('--probe cannot be used with --plain output.')
    const probeOptions = {
      ...(stringOption(args, 'probe-provider')?.trim()
        ? { provider: stringOption(args, 'probe-provider')!.trim() }
        : {}),
      profileIds: listOption(args, 'probe-profile'),
      timeoutMs: positiveNumberOption(
        args,
        'probe-timeout',
        8000,
        '--probe-timeout must be a positive number (ms).',
      ),
      concurrency: positiveNumberOption(
        args,
        'probe-concurrency',
        2,
        '--probe-concurrency must be > 0.',
      ),
      maxTokens: positiveNumberOption(
        args,
        'probe-max-tokens',
        8,
        '--probe-max-tokens must be > 0.',
      ),
    }
    const loaded = await context.loadConfig()
    const config = loaded.config
    const explicitAgent = stringOption(args, 'agent')?.trim() ? context.agentId : undefined
    const agentDir = await context.agentDir()
    const storePath = await context.storePath()
    const store = await context.loadStore()
    const state = await stateSummary(context)
    const models = summarizeModelConfig(config, explicitAgent, (message) =>
      context.out.warn(`Warning: ${message}`),
    )
    const now = context.now()
    const { auth, checkCode, providers } = buildAuthStatus({
      models,
      store,
      config,
      env: context.env,
      storePath,
      storeDiagnostics: context.loadedStoreDiagnostics(),
      now,
    })
    let probeFailed = false
    if (probe) {
      const { runAuthProbes } = await import('../status/probe.js')
      const { isFailedProbe } = await import('../status/probe-summary.js')
      const target = await context.storeTarget()
      const { createTerminalProgress } = await import('../auth/spinner.js')
      const progress = createTerminalProgress(context.io)
      progress.update('Probing credentials…')
      auth.probes = await runAuthProbes({
        oauth: await context.refreshSettings(),
        ...('backend' in target ? { backend: target.backend } : {}),
        providers,
        candidateKeys: models.candidateKeys,
        store,
        config,
        env: context.env,
        agentDir,
        fetch: context.io.fetch,
        now: context.now,
        options: probeOptions,
        onProgress: (done, total, result) =>
          progress.update(`Probed ${done}/${total}: ${result.label} ${result.status}`),
      }).finally(() => progress.stop())
      probeFailed = auth.probes.results.some(isFailedProbe)
    }
    const exitCode = statusExitCode(flag(args, 'check') ? checkCode : EXIT_CODES.ok, probeFailed)
    if (mode === 'json') {
      context.out.json({
        configPath: loaded.path,
        ...(explicitAgent ? { agentId: explicitAgent } : {}),
        agentDir,
        defaultModel: models.defaultModel,
        resolvedDefault: models.resolvedDefault,
        fallbacks: models.fallbacks,
        imageModel: models.imageModel,
        imageFallbacks: models.imageFallbacks,
        ...(models.modelConfig ? { modelConfig: models.modelConfig } : {}),
        aliases: models.aliases,
        allowed: models.allowed,
        auth,
        state,
        alerts: alertsJson([{ agentId: context.agentId, store }], now),
      })
    } else if (mode === 'plain') {
      context.out.line(safe(models.resolvedDefault))
    } else {
      context.out.line(
        ...renderStatus({
          configPath: loaded.path,
          agentDir,
          models,
          auth,
          state,
          homeDir: context.io.homeDir,
          styles: context.out.styles,
        }),
      )
    }
    return exitCode
  },
}
