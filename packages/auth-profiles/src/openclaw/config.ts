// The part of an OpenClaw config (`openclaw.json`, or `clawdbot.json` after `openclaw doctor`)
// that claw has a home for: the default model and its fallbacks, the model entries (aliases and
// the allowlist), `auth.profiles` metadata and `auth.order`, and the agent ids. Everything else
// (plugins, skills, channels, gateway, wizard state, absolute workspace paths) stays behind.
import { findUnsafeKeys, normalizeProviderId } from '@claw/model-catalog'
import { checkAgentId, DEFAULT_AGENT_ID } from '../ids.js'

/** The config file names OpenClaw reads, in its order (it keeps a legacy name after migrating). @public */
export const OPENCLAW_CONFIG_FILENAMES: readonly string[] = Object.freeze([
  'openclaw.json',
  'clawdbot.json',
  'moltbot.json',
])

/** The claw config an OpenClaw config translates to (a plain object, `claw.json` shape). @public */
export interface OpenClawConfigMapping {
  readonly config: Record<string, unknown>
  /** What was translated or left out, one line each (never a secret). */
  readonly notes: readonly string[]
}

/** @public */
export interface MapOpenClawConfigOptions {
  /** Profile ids the store import renamed (`OpenClawImportResult.renamed`). */
  readonly renamed?: Readonly<Record<string, string>> | undefined
}

type Json = Record<string, unknown>

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function strings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((entry): entry is string => typeof entry === 'string')
    : []
}

/**
 * Translates an OpenClaw config to claw's keys. A model OpenClaw runs through its Codex runtime
 * (`agents.defaults.models["openai/<m>"].agentRuntime.id = "codex"`, the ChatGPT sign-in route) is
 * `openai-codex/<m>` in claw, as is every ref to it; `modelPolicy.allow` entries join the
 * allowlist (`agents.defaults.models`); ChatGPT OAuth profiles follow the store import's renames
 * (`auth.profiles`, `auth.order`). Values are copied as written (`${VAR}` references intact).
 *
 * @example
 * ```ts
 * const { config, notes } = mapOpenClawConfig(JSON.parse(text), { renamed: result.renamed })
 * ```
 * @public
 */
export function mapOpenClawConfig(
  raw: unknown,
  options: MapOpenClawConfigOptions = {},
): OpenClawConfigMapping {
  const notes: string[] = []
  if (!isRecord(raw) || findUnsafeKeys(raw).length > 0) return { config: {}, notes }
  const renamed = options.renamed ?? {}
  const agents = isRecord(raw['agents']) ? raw['agents'] : {}
  const defaults = isRecord(agents['defaults']) ? agents['defaults'] : {}
  const models = isRecord(defaults['models']) ? defaults['models'] : {}

  const codexRefs = new Set(
    Object.entries(models)
      .filter(
        ([ref, entry]) =>
          isRecord(entry) &&
          isRecord(entry['agentRuntime']) &&
          entry['agentRuntime']['id'] === 'codex' &&
          normalizeProviderId(ref.split('/')[0] ?? '') === 'openai',
      )
      .map(([ref]) => ref),
  )
  const mapRef = (ref: string): string =>
    codexRefs.has(ref) ? `openai-codex/${ref.slice(ref.indexOf('/') + 1)}` : ref
  for (const ref of codexRefs) {
    notes.push(
      `${ref} runs through OpenClaw's Codex runtime (ChatGPT sign-in): it is ${mapRef(ref)} in claw.`,
    )
  }

  const defaultsOut: Json = {}
  const model = defaults['model']
  if (typeof model === 'string') defaultsOut['model'] = mapRef(model)
  else if (isRecord(model)) {
    const out: Json = {}
    if (typeof model['primary'] === 'string') out['primary'] = mapRef(model['primary'])
    if (Array.isArray(model['fallbacks']))
      out['fallbacks'] = strings(model['fallbacks']).map(mapRef)
    if (Object.keys(out).length > 0) defaultsOut['model'] = out
  }
  const modelsOut: Json = {}
  for (const [ref, entry] of Object.entries(models)) {
    const out: Json = {}
    if (isRecord(entry) && typeof entry['alias'] === 'string') out['alias'] = entry['alias']
    if (isRecord(entry) && isRecord(entry['params'])) out['params'] = entry['params']
    modelsOut[mapRef(ref)] = out
  }
  const policy = isRecord(defaults['modelPolicy']) ? defaults['modelPolicy'] : {}
  for (const ref of strings(policy['allow'])) {
    if (!Object.hasOwn(modelsOut, mapRef(ref))) modelsOut[mapRef(ref)] = {}
  }
  if (Object.keys(modelsOut).length > 0) defaultsOut['models'] = modelsOut

  const agentsOut: Json = {}
  if (Object.keys(defaultsOut).length > 0) agentsOut['defaults'] = defaultsOut
  const entries = isRecord(agents['entries']) ? agents['entries'] : {}
  const ids = Object.keys(entries).filter((id) => checkAgentId(id) === undefined)
  if (ids.some((id) => id !== DEFAULT_AGENT_ID)) {
    agentsOut['list'] = ids.map((id) => ({ id }))
    notes.push(
      `agents ${ids.join(', ')}: their stores live under claw's state dir (OpenClaw's agentDir and workspace paths are not copied).`,
    )
  }

  const auth = isRecord(raw['auth']) ? raw['auth'] : {}
  const authOut: Json = {}
  if (isRecord(auth['profiles'])) {
    const profiles: Json = {}
    for (const [id, entry] of Object.entries(auth['profiles'])) {
      if (!isRecord(entry)) continue
      const target = renamed[id] ?? id
      const out: Json = {}
      if (typeof entry['provider'] === 'string') {
        out['provider'] = renamed[id] === undefined ? entry['provider'] : target.split(':')[0]
      }
      if (typeof entry['mode'] === 'string') out['mode'] = entry['mode']
      if (typeof entry['email'] === 'string') out['email'] = entry['email']
      profiles[target] = out
    }
    if (Object.keys(profiles).length > 0) authOut['profiles'] = profiles
  }
  if (isRecord(auth['order'])) {
    const order: Record<string, string[]> = {}
    for (const [provider, list] of Object.entries(auth['order'])) {
      const ids = strings(list)
      const moved = ids.filter((id) => renamed[id] !== undefined)
      const stay = ids.filter((id) => renamed[id] === undefined)
      if (stay.length > 0) order[provider] = stay
      for (const id of moved) {
        const target = renamed[id]!
        const provider = target.split(':')[0]!
        order[provider] = [...(order[provider] ?? []), target]
      }
    }
    if (Object.keys(order).length > 0) authOut['order'] = order
  }
  const config: Json = {}
  if (Object.keys(agentsOut).length > 0) config['agents'] = agentsOut
  if (Object.keys(authOut).length > 0) config['auth'] = authOut
  return { config, notes }
}
