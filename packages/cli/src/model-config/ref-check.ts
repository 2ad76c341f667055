// Checking a model reference before it is written to the config: the provider must be one claw
// knows (the registry, the built-in catalog, `models.providers`, the agent's models.json); an
// unknown model of a known provider is only a warning (new models appear before catalogs know
// them) unless `--strict`; and a bare model id resolves against the provider the user is working
// with, or the one provider that serves it — and says which, instead of silently becoming
// `anthropic/…`.
import { readCheckedFile } from '@claw/auth-profiles'
import {
  buildModelAliasIndex,
  CLI_BACKEND_PROVIDERS,
  createModelCatalog,
  DEFAULT_PROVIDER,
  modelKey,
  normalizeModelId,
  normalizeProviderId,
  parseModelRef,
  parseModelsJson,
  resolveModelRefFromString,
  type CatalogConfig,
  type ModelCatalog,
  type ModelsJsonDocument,
} from '@claw/model-catalog'
import { join } from 'node:path'
import type { OptionSpec } from '../command.js'
import type { Context } from '../context.js'
import { usageError } from '../errors.js'
import { closestMatch } from '../suggest.js'
import { safe } from '../text.js'

/** What a key refers to. */
export interface RefInspection {
  readonly provider: string
  readonly model: string
  readonly providerKnown: boolean
  readonly modelKnown: boolean
  /** The nearest known provider (unknown provider) or model id of the provider (unknown model). */
  readonly suggestion?: string
}

/** Where a bare model id was resolved, for the note that says so. */
export interface ResolveRefOptions {
  /** The provider the user is working with (`onboard`'s pick): bare ids resolve against it. */
  readonly provider?: string | undefined
  /** Refuse an unknown model instead of warning. */
  readonly strict?: boolean
  /** Receives warnings and notes (stderr). */
  readonly warn: (message: string) => void
}

export interface ModelRefChecker {
  /** Classifies a `provider/model` key (no alias resolution). */
  inspect(key: string): RefInspection
  /**
   * The canonical key for what the user typed (an alias, `provider/model` or a bare id), checked.
   * Throws a usage error for an unparseable ref, an unknown provider, an unresolvable bare id, or
   * (with `strict`) an unknown model.
   */
  resolve(raw: string, options: ResolveRefOptions): string
}

export interface ModelRefCheckerOptions {
  readonly config: CatalogConfig
  readonly modelsJson?: ModelsJsonDocument | undefined
}

/** The providers of the configured default model, `auth.profiles` and `models.providers`. */
function providersInUse(config: CatalogConfig & { auth?: unknown }): {
  readonly defaultProvider: string | undefined
  readonly credentialed: ReadonlySet<string>
} {
  const slot = config.agents?.defaults?.model
  const primary = typeof slot === 'string' ? slot : slot?.primary
  const defaultProvider =
    primary?.includes('/') === true
      ? parseModelRef(primary, { defaultProvider: DEFAULT_PROVIDER })?.provider
      : undefined
  const credentialed = new Set<string>()
  const profiles = (
    config.auth as { profiles?: Record<string, { provider?: unknown }> } | undefined
  )?.profiles
  for (const entry of Object.values(profiles ?? {})) {
    if (typeof entry.provider === 'string') credentialed.add(normalizeProviderId(entry.provider))
  }
  for (const id of Object.keys(config.models?.providers ?? {})) {
    credentialed.add(normalizeProviderId(id))
  }
  return { defaultProvider, credentialed }
}

/** A checker over the catalog as this config and models.json extend it. */
export function createModelRefChecker(options: ModelRefCheckerOptions): ModelRefChecker {
  const { config } = options
  const catalog: ModelCatalog = createModelCatalog({
    config,
    ...(options.modelsJson ? { modelsJson: options.modelsJson } : {}),
  })
  const providerIds = catalog.providers().map((provider) => provider.id)
  const known = new Set(providerIds)
  // CLI backends (`claude-cli/…`) run a local program: any model id is theirs to judge.
  const cliBackends = new Set(
    [...CLI_BACKEND_PROVIDERS, ...Object.keys(config.agents?.defaults?.cliBackends ?? {})].map(
      normalizeProviderId,
    ),
  )
  const aliasIndex = buildModelAliasIndex({ config, defaultProvider: DEFAULT_PROVIDER })

  const inspect = (key: string): RefInspection => {
    const ref = parseModelRef(key, { defaultProvider: DEFAULT_PROVIDER })
    const provider = ref?.provider ?? key
    const model = ref?.model ?? ''
    if (!known.has(provider) && !cliBackends.has(provider)) {
      const suggestion = closestMatch(provider, providerIds)
      return {
        provider,
        model,
        providerKnown: false,
        modelKnown: false,
        ...(suggestion ? { suggestion } : {}),
      }
    }
    if (cliBackends.has(provider) || catalog.find({ provider, model })) {
      return { provider, model, providerKnown: true, modelKnown: true }
    }
    const suggestion = closestMatch(
      model,
      catalog.list({ provider }).map((entry) => entry.id),
    )
    return {
      provider,
      model,
      providerKnown: true,
      modelKnown: false,
      ...(suggestion ? { suggestion } : {}),
    }
  }

  /** The providers whose catalog entries include this bare id. */
  const servedBy = (id: string): string[] =>
    providerIds.filter((provider) =>
      catalog.find({ provider, model: normalizeModelId(provider, id) }),
    )

  const resolveBare = (raw: string, options: ResolveRefOptions): string => {
    const id = raw.trim()
    const pick = (provider: string, why: string): string => {
      const key = modelKey(provider, normalizeModelId(provider, id))
      options.warn(`Note: "${safe(id)}" resolved to ${safe(key)} (${why}).`)
      return key
    }
    const context =
      options.provider === undefined ? undefined : normalizeProviderId(options.provider)
    const providers = servedBy(id)
    if (context !== undefined && (providers.length === 0 || providers.includes(context))) {
      return pick(context, 'the provider you are setting up')
    }
    if (providers.length === 1) {
      return pick(providers[0]!, 'the only provider in the catalog that serves it')
    }
    if (providers.length === 0) {
      const all = catalog.list().map((entry) => entry.id)
      const near = closestMatch(id, all)
      const nearKey =
        near === undefined ? undefined : catalog.list().find((m) => m.id === near)?.key
      throw usageError(
        `Unknown model "${safe(id)}": no provider in the catalog serves it. Write it as <provider>/${safe(id)}${
          nearKey ? `, or did you mean ${safe(nearKey)}?` : '.'
        }`,
      )
    }
    const inUse = providersInUse(config)
    if (inUse.defaultProvider !== undefined && providers.includes(inUse.defaultProvider)) {
      return pick(inUse.defaultProvider, 'the provider of your default model')
    }
    const credentialed = providers.filter((provider) => inUse.credentialed.has(provider))
    if (credentialed.length === 1) {
      return pick(credentialed[0]!, 'the provider you have credentials for')
    }
    throw usageError(
      `"${safe(id)}" is served by several providers (${providers.join(', ')}): write it as <provider>/${safe(id)}, e.g. ${safe(modelKey(providers[0]!, id))}.`,
    )
  }

  const resolve = (raw: string, options: ResolveRefOptions): string => {
    const trimmed = raw.trim()
    const aliased = trimmed.includes('/')
      ? undefined
      : resolveModelRefFromString(trimmed, { defaultProvider: DEFAULT_PROVIDER, aliasIndex })
    let key: string
    if (aliased?.alias !== undefined) key = modelKey(aliased.ref)
    else if (trimmed.includes('/')) {
      const ref = parseModelRef(trimmed, { defaultProvider: DEFAULT_PROVIDER })
      if (!ref) throw usageError(`Invalid model reference: ${safe(raw)}`)
      key = modelKey(ref)
    } else {
      if (!parseModelRef(trimmed, { defaultProvider: DEFAULT_PROVIDER })) {
        throw usageError(`Invalid model reference: ${safe(raw)}`)
      }
      key = resolveBare(trimmed, options)
    }
    const found = inspect(key)
    if (!found.providerKnown) {
      throw usageError(
        `Unknown provider "${safe(found.provider)}" in ${safe(key)}.${
          found.suggestion ? ` Did you mean ${safe(found.suggestion)}?` : ''
        } Custom providers are declared under models.providers.`,
      )
    }
    if (!found.modelKnown) {
      const hint = found.suggestion ? ` (did you mean ${safe(found.suggestion)}?)` : ''
      if (options.strict) {
        throw usageError(
          `Unknown model: ${safe(found.provider)} has no model "${safe(found.model)}" in the catalog${hint}.`,
        )
      }
      options.warn(
        `Warning: ${safe(found.provider)} has no model "${safe(found.model)}" in the catalog${hint}; saved anyway (--strict refuses). \`claw models scan\` lists what a provider serves.`,
      )
    }
    return key
  }

  return { inspect, resolve }
}

/** A generated models.json is a few KB; anything much larger is not one. */
const MODELS_JSON_MAX_BYTES = 4 * 1024 * 1024

/**
 * A checker for a command: the config it runs with and the selected agent's `models.json` (when
 * it exists and is valid; doctor reports it otherwise).
 */
export async function createCommandRefChecker(context: Context): Promise<ModelRefChecker> {
  const config = await context.config()
  let modelsJson: ModelsJsonDocument | undefined
  try {
    // Checked open: a FIFO or a device at this path must not hang a command that only writes a ref.
    const file = await readCheckedFile(join(await context.agentDir(), 'models.json'), {
      label: 'Generated file',
      maxBytes: MODELS_JSON_MAX_BYTES,
      followSymlinks: true,
    })
    modelsJson = file && (await parseModelsJson(JSON.parse(file.text) as unknown))
  } catch {
    modelsJson = undefined
  }
  return createModelRefChecker({ config, modelsJson })
}

/** The help sentence of the commands that write a model ref. */
export const REF_CHECK_HELP =
  'An unknown provider is an error; a model the catalog does not know is a warning (an error ' +
  'with --strict). A bare model id resolves to the one provider that serves it (or the ' +
  'provider of the default model, or the one you have credentials for) and says so.'

/** `--strict`, for the commands that write a model ref. */
export const STRICT_OPTION: Readonly<Record<string, OptionSpec>> = {
  strict: {
    type: 'boolean',
    description: 'Refuse a model the catalog does not know (default: warn and save).',
  },
}
