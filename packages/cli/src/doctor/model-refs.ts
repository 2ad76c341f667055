// Model references in the config that resolve to nothing: a provider nobody knows (error: no
// request to it can succeed) or a model the catalog does not list (warning: it may be newer than
// the catalog). Aliases are followed; bare ids resolve the way requests resolve them.
import {
  buildModelAliasIndex,
  DEFAULT_PROVIDER,
  formatConfigPath,
  modelKey,
  resolveModelRefFromString,
  type AgentModelConfig,
} from '@claw/model-catalog'
import { createModelRefChecker } from '../model-config/ref-check.js'
import { safe } from '../text.js'
import type { DoctorCheck, Finding } from './types.js'

interface ConfiguredRef {
  readonly path: (string | number)[]
  readonly raw: string
}

function slotRefs(path: (string | number)[], slot: AgentModelConfig | undefined): ConfiguredRef[] {
  if (typeof slot === 'string') return slot.trim() === '' ? [] : [{ path, raw: slot }]
  if (!slot) return []
  return [
    ...(slot.primary?.trim() ? [{ path: [...path, 'primary'], raw: slot.primary }] : []),
    ...(slot.fallbacks ?? []).map((raw, index) => ({
      path: [...path, 'fallbacks', index],
      raw,
    })),
  ]
}

export const modelRefsCheck: DoctorCheck = {
  area: 'model-refs',
  title: 'Model references',
  okMessage: 'Every configured model reference names a known provider and model.',
  run(state) {
    const config = state.config
    if (!config) return []
    const defaults = config.agents?.defaults
    const refs: ConfiguredRef[] = [
      ...slotRefs(['agents', 'defaults', 'model'], defaults?.model),
      ...slotRefs(['agents', 'defaults', 'imageModel'], defaults?.imageModel),
      ...Object.keys(defaults?.models ?? {}).map((key) => ({
        path: ['agents', 'defaults', 'models', key],
        raw: key,
      })),
      ...(config.agents?.list ?? []).flatMap((agent, index) =>
        slotRefs(['agents', 'list', index, 'model'], agent.model),
      ),
    ]
    if (refs.length === 0) return []
    const checker = createModelRefChecker({ config })
    const aliasIndex = buildModelAliasIndex({ config, defaultProvider: DEFAULT_PROVIDER })
    const findings: Finding[] = []
    for (const ref of refs) {
      const resolved = resolveModelRefFromString(ref.raw, {
        defaultProvider: DEFAULT_PROVIDER,
        aliasIndex,
      })
      if (!resolved) continue // the config check reports what does not parse
      const key = modelKey(resolved.ref)
      const found = checker.inspect(key)
      const where = `${formatConfigPath(ref.path)}: ${safe(ref.raw)}${
        resolved.alias === undefined && key === ref.raw ? '' : ` (${safe(key)})`
      }`
      if (!found.providerKnown) {
        findings.push({
          id: 'model-refs.unknown_provider',
          severity: 'error',
          message: `${where} names an unknown provider "${safe(found.provider)}"${
            found.suggestion ? ` (did you mean ${safe(found.suggestion)}?)` : ''
          }; requests to it cannot succeed.`,
          fix: `Correct it in ${state.configPath}, or declare the provider under models.providers.`,
          file: state.configPath,
        })
      } else if (!found.modelKnown) {
        findings.push({
          id: 'model-refs.unknown_model',
          severity: 'warning',
          message: `${where}: ${safe(found.provider)} has no model "${safe(found.model)}" in the catalog${
            found.suggestion ? ` (did you mean ${safe(found.suggestion)}?)` : ''
          }.`,
          fix: 'If the model is newer than the catalog, declare it under models.providers.<id>.models; `claw models scan` lists what a provider serves.',
          file: state.configPath,
        })
      }
    }
    return findings
  },
}
