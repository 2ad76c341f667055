// The model `onboard` and `login --set-default` recommend for a provider, and setting it as the
// default model (`agents.defaults.model.primary`, fallbacks kept).
import type { Context } from '../context.js'
import { createModelResolver } from '../model-config/model-target.js'
import { createCommandRefChecker } from '../model-config/ref-check.js'
import {
  agentDefaults,
  ensureModelEntry,
  modelEntries,
  updateModelSlot,
} from '../model-config/raw-config.js'

/** Hand-picked defaults (the seeds' recommendations); other providers get their first catalog model. */
const RECOMMENDED: Readonly<Record<string, string>> = {
  anthropic: 'anthropic/claude-opus-4-5',
  openai: 'openai/gpt-5.2',
  'openai-codex': 'openai-codex/gpt-5.2',
  openrouter: 'openrouter/openrouter/auto',
  google: 'google/gemini-2.5-pro',
  'google-gemini-cli': 'google-gemini-cli/gemini-2.5-pro',
  'github-copilot': 'github-copilot/claude-sonnet-4',
  'qwen-portal': 'qwen-portal/coder-model',
}

/** The recommended default model key for a provider, or `undefined` when the catalog has none. */
export async function recommendedModel(provider: string): Promise<string | undefined> {
  const picked = RECOMMENDED[provider]
  if (picked) return picked
  const { createModelCatalog } = await import('@claw/model-catalog')
  return createModelCatalog({}).list({ provider })[0]?.key
}

/** The configured default model (raw, as written), if any. */
export async function configuredDefaultModel(context: Context): Promise<string | undefined> {
  const config = await context.config()
  const slot = config.agents?.defaults?.model
  const primary = typeof slot === 'string' ? slot : slot?.primary
  return primary?.trim() ? primary.trim() : undefined
}

/**
 * Sets `agents.defaults.model.primary` to the canonical key of `raw` (aliases resolved, fallbacks
 * kept) and ensures an `agents.defaults.models` entry. The ref is checked like `claw models set`
 * does; a bare model id resolves against `provider` (the one being set up) when given.
 */
export async function setDefaultModel(
  context: Context,
  raw: string,
  provider?: string,
): Promise<string> {
  const resolver = createModelResolver(await context.config())
  const checker = await createCommandRefChecker(context)
  const key = checker.resolve(raw, { provider, warn: (message) => context.out.warn(message) })
  await context.updateConfig((document) => {
    const defaults = agentDefaults(document)
    updateModelSlot(defaults, 'model', { primary: key })
    ensureModelEntry(modelEntries(defaults), key, resolver.entryKeyOf)
  })
  return key
}
