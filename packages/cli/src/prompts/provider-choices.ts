// The provider and model lists the interactive commands (`onboard`, `models auth add`) pick from:
// every provider claw knows plus those declared under `models.providers`, and a provider's catalog
// models with the current and recommended ones first.
import type { ClawConfig } from '@claw/auth-profiles'
import { createModelCatalog, listProviders, normalizeProviderId } from '@claw/model-catalog'
import type { Choice } from './prompt.js'

/** Known providers (registry order, then catalog-only), then providers only config declares. */
export function providerChoices(config: ClawConfig): Choice<string>[] {
  const choices: Choice<string>[] = listProviders().map((provider) => ({
    label: provider.id,
    value: provider.id,
    hint: provider.displayName,
  }))
  const known = new Set(choices.map((choice) => choice.value))
  for (const raw of Object.keys(config.models?.providers ?? {})) {
    const id = normalizeProviderId(raw)
    if (known.has(id)) continue
    known.add(id)
    choices.push({ label: id, value: id, hint: '(models.providers)' })
  }
  return choices
}

/**
 * A provider's catalog models as choices: `current` and `recommended` first (marked), then the
 * rest of the catalog's models of `provider` in catalog order.
 */
export function modelChoices(
  config: ClawConfig,
  provider: string | undefined,
  marked: { readonly current?: string | undefined; readonly recommended?: string | undefined },
): Choice<string>[] {
  const choices: Choice<string>[] = []
  const add = (key: string | undefined, hint?: string): void => {
    if (key === undefined || choices.some((choice) => choice.value === key)) return
    choices.push({ label: key, value: key, ...(hint === undefined ? {} : { hint }) })
  }
  add(marked.current, '(current)')
  add(marked.recommended, '(recommended)')
  if (provider !== undefined) {
    for (const model of createModelCatalog({ config }).list({ provider })) add(model.key)
  }
  return choices
}
