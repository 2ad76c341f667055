// `claw models scan`: the models providers actually serve (OpenRouter's list with free, tool and
// image flags; the OpenAI-compatible `/models` of configured providers such as Ollama), optionally
// probed with bounded concurrency and a timeout.
import { resolveApiKeyForProvider } from '@claw/auth-profiles'
import { getProvider, normalizeProviderId } from '@claw/model-catalog'
import {
  AGENT_OPTION,
  OUTPUT_OPTIONS,
  flag,
  listOption,
  outputMode,
  positiveNumberOption,
  type CommandSpec,
  type ParsedArgs,
} from '../command.js'
import type { Context } from '../context.js'
import { usageError } from '../errors.js'
import { EXIT_CODES } from '../exit-codes.js'
import { multiSelect } from '../prompts/prompt.js'
import { addScannedModels, findScanned, scannedKey } from '../scan/add-models.js'
import {
  listProviderModels,
  mapBounded,
  probeModel,
  type ProbeOutcome,
  type ProviderEndpoint,
  type ScannedModel,
} from '../scan/provider-models.js'
import { safe } from '../text.js'

async function endpointFor(
  context: Context,
  provider: string,
  timeoutMs: number,
): Promise<ProviderEndpoint | undefined> {
  const config = await context.config()
  const configured = Object.entries(config.models?.providers ?? {}).find(
    ([id]) => normalizeProviderId(id) === provider,
  )?.[1]
  const baseUrl = configured?.baseUrl ?? getProvider(provider)?.baseUrl
  if (!baseUrl) return undefined
  // A list needs no key at OpenRouter or a local server: a missing credential is not an error.
  const apiKey = await resolveApiKeyForProvider({
    provider,
    store: await context.storeHandle(),
    config,
    env: context.env,
    now: context.now,
    fetch: context.io.fetch,
    oauth: await context.refreshSettings(),
  }).then(
    (resolved) => resolved.apiKey,
    () => undefined,
  )
  return { provider, baseUrl, apiKey, fetch: context.io.fetch, timeoutMs }
}

/** What `--add` and `--alias` ask for, checked against the list before anything is written. */
function requestedAdditions(
  models: readonly ScannedModel[],
  args: ParsedArgs,
  mode: string,
): { models: ScannedModel[]; aliases: { alias: string; model: ScannedModel }[] } {
  const aliases = listOption(args, 'alias').map((raw) => {
    const split = raw.indexOf('=')
    if (split <= 0 || split === raw.length - 1) {
      throw usageError(
        `--alias takes <name>=<model> (e.g. --alias fast=openrouter/some-model), not ${safe(raw)}.`,
      )
    }
    return {
      alias: raw.slice(0, split).trim(),
      model: findScanned(models, raw.slice(split + 1).trim()),
    }
  })
  const added = listOption(args, 'add').map((wanted) => findScanned(models, wanted))
  if ((added.length > 0 || aliases.length > 0) && mode === 'json') {
    throw usageError('--add and --alias print what they change: use them without --json.')
  }
  return { models: [...new Set([...added, ...aliases.map((entry) => entry.model)])], aliases }
}

async function addModels(
  context: Context,
  additions: ReturnType<typeof requestedAdditions>,
): Promise<void> {
  await addScannedModels(context, additions.models)
  if (additions.aliases.length === 0) return
  // Through `claw models aliases add`: one place checks an alias and the model it points to.
  const { aliasCommands } = await import('./models-aliases.js')
  for (const { alias, model } of additions.aliases) {
    await aliasCommands.add.run(context, { options: {}, positionals: [alias, scannedKey(model)] })
  }
}

/** On a terminal, offers the listed models to add (nothing ticked adds nothing). */
async function offerToAdd(context: Context, models: readonly ListedModel[]): Promise<void> {
  if (context.io.stdin.isTTY !== true || context.io.stdout.isTTY !== true) return
  const picked = await multiSelect(
    context.io,
    'Add models to the config?',
    models.map((model) => ({ label: scannedKey(model), value: model, hint: flags(model) })),
  )
  await addScannedModels(context, picked)
  if (picked.length > 0) {
    context.out.line('Give one an alias with `claw models aliases add <alias> <provider>/<model>`.')
  }
}

/** A listed model, with its probe's outcome once probed. */
type ListedModel = ScannedModel & { probe?: ProbeOutcome }

/** What the list says about a model after its key: free, tools, image, and how its probe went. */
function flags(model: ListedModel): string {
  const probe = model.probe
    ? model.probe.ok
      ? `ok ${model.probe.latencyMs}ms`
      : `failed (${model.probe.error})`
    : undefined
  return [model.free && 'free', model.tools && 'tools', model.image && 'image', probe]
    .filter(Boolean)
    .join(' ')
}

export const scanCommand: CommandSpec = {
  summary:
    'List the models providers serve (OpenRouter, OpenAI-compatible /models); --probe tries them.',
  description:
    'Scans --provider (repeatable), else every provider in models.providers, else openrouter. ' +
    "OpenRouter's list says which models are free and which take tools or images. --probe sends " +
    'each listed model a one-token chat request, --concurrency at a time, each given --timeout ' +
    'milliseconds; a failed probe makes the command exit 3. On a terminal, the list is followed ' +
    'by an offer to add models to the config (Space ticks, Enter adds, Esc cancels); elsewhere ' +
    '--add and --alias say which: they go under models.providers.<provider>.models with what the ' +
    'provider said about them, and an alias as `claw models aliases add` adds it.',
  options: {
    provider: {
      type: 'string',
      value: 'id',
      multiple: true,
      description: 'Provider to scan (default: models.providers, else openrouter).',
    },
    free: { type: 'boolean', description: 'Only models that cost nothing.' },
    tools: { type: 'boolean', description: 'Only models that take tool definitions.' },
    probe: { type: 'boolean', description: 'Send each model a one-token request.' },
    concurrency: { type: 'string', value: 'n', description: 'Probes at a time (default 4).' },
    timeout: {
      type: 'string',
      value: 'ms',
      description: 'Per request, in milliseconds (default 15000).',
    },
    add: {
      type: 'string',
      value: 'model,…',
      multiple: true,
      description: 'Add these listed models (provider/id, or an id) to models.providers.',
    },
    alias: {
      type: 'string',
      value: 'name=model',
      multiple: true,
      description: 'Add a listed model (as --add does) and give it this alias.',
    },
    ...OUTPUT_OPTIONS,
    ...AGENT_OPTION,
  },
  examples: [
    'claw models scan --provider openrouter --free --tools',
    'claw models scan --provider ollama --probe --json',
    'claw models scan --provider ollama --add llama3.3 --alias local=ollama/qwen3',
  ],
  async run(context, args) {
    const mode = outputMode(args)
    const timeoutMs = positiveNumberOption(
      args,
      'timeout',
      15_000,
      'Invalid --timeout: expected milliseconds > 0.',
    )
    const concurrency = Math.floor(
      positiveNumberOption(args, 'concurrency', 4, 'Invalid --concurrency: expected a number > 0.'),
    )
    const config = await context.config()
    const asked = listOption(args, 'provider').map(normalizeProviderId)
    const providers =
      asked.length > 0
        ? asked
        : Object.keys(config.models?.providers ?? {}).map(normalizeProviderId)
    if (providers.length === 0) providers.push('openrouter')

    const models: ListedModel[] = []
    const errors: string[] = []
    for (const provider of [...new Set(providers)]) {
      const endpoint = await endpointFor(context, provider, timeoutMs)
      if (!endpoint) {
        errors.push(`${provider}: no base URL (declare it under models.providers).`)
        continue
      }
      let listed: ScannedModel[]
      try {
        listed = (await listProviderModels(endpoint)).filter(
          (model) =>
            (!flag(args, 'free') || model.free === true) &&
            (!flag(args, 'tools') || model.tools === true),
        )
      } catch (error) {
        errors.push((error as Error).message)
        continue
      }
      if (!flag(args, 'probe')) {
        models.push(...listed)
        continue
      }
      const showProgress = context.io.stderr.isTTY === true && mode !== 'json'
      let done = 0
      const probes = await mapBounded(listed, concurrency, async (model) => {
        const outcome = await probeModel(endpoint, model.id, context.now)
        done += 1
        if (showProgress) context.io.stderr.write(`\rProbing ${provider}: ${done}/${listed.length}`)
        return outcome
      })
      if (showProgress) context.io.stderr.write('\n')
      listed.forEach((model, index) => models.push({ ...model, probe: probes[index]! }))
    }
    for (const error of errors) context.out.warn(`Warning: ${safe(error)}`)
    const failed = models.some((model) => model.probe && !model.probe.ok)
    const additions = requestedAdditions(models, args, mode)
    if (mode === 'json') {
      context.out.json({ models, errors })
    } else if (mode === 'plain') {
      context.out.line(...models.map((model) => `${model.provider}/${model.id}`))
    } else {
      const width = Math.max(
        0,
        ...models.map((model) => model.provider.length + model.id.length + 1),
      )
      context.out.line(
        ...models.map((model) => {
          return `${safe(scannedKey(model)).padEnd(width)}  ${flags(model)}`.trimEnd()
        }),
        `${models.length} model${models.length === 1 ? '' : 's'}.`,
      )
    }
    if (additions.models.length > 0) await addModels(context, additions)
    else if (mode === 'human' && models.length > 0) await offerToAdd(context, models)
    if (failed) return EXIT_CODES.probeFailed
    return errors.length > 0 && models.length === 0 ? EXIT_CODES.error : EXIT_CODES.ok
  },
}
