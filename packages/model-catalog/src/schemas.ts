// The zod schemas of the config slices this package owns. This module is its own entry point
// (`@claw/model-catalog/schemas`) and is loaded on demand by the validating functions, because
// importing zod costs tens of milliseconds that an application should only pay when it validates.
import { z } from 'zod'
import { formatConfigPath, joinConfigPath } from './config-path.js'
import type { ConfigIssue } from './errors.js'

const nonNegative = z.number().finite().nonnegative()
const positiveInteger = z.number().int().positive()

/**
 * A reference to a secret held elsewhere (`env`, `file` or `exec` source), accepted wherever a
 * config field may hold a credential.
 *
 * @public
 */
export const secretRefSchema = z.strictObject({
  source: z.enum(['env', 'file', 'exec']),
  provider: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'must match ^[a-z][a-z0-9_-]{0,63}$'),
  id: z.string().min(1),
})

/** @public */
export const modelCompatSchema = z.strictObject({
  supportsStore: z.boolean().optional(),
  supportsDeveloperRole: z.boolean().optional(),
  supportsReasoningEffort: z.boolean().optional(),
  supportsUsageInStreaming: z.boolean().optional(),
  maxTokensField: z.enum(['max_completion_tokens', 'max_tokens']).optional(),
})

/** @public */
export const modelCostSchema = z.strictObject({
  input: nonNegative.optional(),
  output: nonNegative.optional(),
  cacheRead: nonNegative.optional(),
  cacheWrite: nonNegative.optional(),
})

const headersSchema = z.record(z.string(), z.union([z.string(), secretRefSchema]))

/**
 * One user-defined model under `models.providers.<id>.models[]`. Missing fields take the
 * built-in entry's values when the model is known, else documented defaults.
 *
 * @public
 */
export const modelDefinitionSchema = z.strictObject({
  id: z.string().trim().min(1),
  name: z.string().optional(),
  api: z.string().min(1).optional(),
  reasoning: z.boolean().optional(),
  toolCall: z.boolean().optional(),
  input: z.array(z.enum(['text', 'image'])).optional(),
  cost: modelCostSchema.optional(),
  contextWindow: positiveInteger.optional(),
  maxTokens: positiveInteger.optional(),
  headers: headersSchema.optional(),
  compat: modelCompatSchema.optional(),
})

/**
 * A provider entry under `models.providers.<id>`. `apiKey` is an env var name, `${VAR}`, a
 * literal key, or a SecretRef. `baseUrl` may be omitted for providers claw already knows.
 *
 * @public
 */
export const modelProviderConfigSchema = z.strictObject({
  baseUrl: z.string().min(1).optional(),
  apiKey: z.union([z.string(), secretRefSchema]).optional(),
  auth: z.enum(['api-key', 'aws-sdk', 'oauth', 'token']).optional(),
  api: z.string().min(1).optional(),
  headers: headersSchema.optional(),
  authHeader: z.boolean().optional(),
  models: z.array(modelDefinitionSchema).optional(),
})

/** The `models` config slice. @public */
export const modelsConfigSchema = z.strictObject({
  mode: z.enum(['merge', 'replace']).optional(),
  providers: z.record(z.string().min(1), modelProviderConfigSchema).optional(),
  bedrockDiscovery: z
    .strictObject({
      enabled: z.boolean().optional(),
      region: z.string().optional(),
      providerFilter: z.array(z.string()).optional(),
      refreshInterval: z.number().nonnegative().optional(),
      defaultContextWindow: positiveInteger.optional(),
      defaultMaxTokens: positiveInteger.optional(),
    })
    .optional(),
})

/** `"<ref>"` or `{ primary?, fallbacks? }`. @public */
export const agentModelConfigSchema = z.union([
  z.string(),
  z.strictObject({
    primary: z.string().optional(),
    fallbacks: z.array(z.string()).optional(),
  }),
])

/** One entry of `agents.defaults.models` (allowlist, alias and per-model params). @public */
export const agentModelEntrySchema = z.looseObject({
  alias: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
})

/** The parts of `agents.defaults` this package reads; other keys pass through untouched. @public */
export const agentDefaultsConfigSchema = z.looseObject({
  model: agentModelConfigSchema.optional(),
  imageModel: agentModelConfigSchema.optional(),
  models: z.record(z.string(), agentModelEntrySchema).optional(),
  cliBackends: z.record(z.string(), z.unknown()).optional(),
  thinkingDefault: z.string().optional(),
})

/** One entry of `agents.list`. @public */
export const agentListEntrySchema = z.looseObject({
  id: z.string().trim().min(1),
  agentDir: z.string().optional(),
  model: agentModelConfigSchema.optional(),
})

/** The `agents` config slice. @public */
export const agentsConfigSchema = z.looseObject({
  defaults: agentDefaultsConfigSchema.optional(),
  list: z.array(agentListEntrySchema).optional(),
})

/**
 * The config slices this package owns (`models.*` and `agents.*`). Other top-level keys pass
 * through, so the same object can be the whole `claw.json`.
 *
 * @public
 */
export const catalogConfigSchema = z.looseObject({
  models: modelsConfigSchema.optional(),
  agents: agentsConfigSchema.optional(),
})

/** @public */
export type SecretRef = z.infer<typeof secretRefSchema>
/** @public */
export type ModelCompat = z.infer<typeof modelCompatSchema>
/** @public */
export type ModelDefinitionConfig = z.infer<typeof modelDefinitionSchema>
/** @public */
export type ModelProviderConfig = z.infer<typeof modelProviderConfigSchema>
/** @public */
export type ModelsConfig = z.infer<typeof modelsConfigSchema>
/** @public */
export type AgentModelConfig = z.infer<typeof agentModelConfigSchema>
/** @public */
export type AgentDefaultsConfig = z.infer<typeof agentDefaultsConfigSchema>
/** @public */
export type AgentListEntry = z.infer<typeof agentListEntrySchema>
/** @public */
export type CatalogConfig = z.infer<typeof catalogConfigSchema>

/**
 * Turns zod issues into config issues: paths formatted as config paths (optionally under
 * `pathPrefix`), one issue per unknown key, no values.
 *
 * @public
 */
export function zodConfigIssues(error: z.ZodError, pathPrefix?: string): ConfigIssue[] {
  return error.issues.flatMap(issueMessage).map((issue) => ({
    path: joinConfigPath(pathPrefix, issue.path),
    message: issue.message,
  }))
}

function issueMessage(issue: z.core.$ZodIssue): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: formatConfigPath([...issue.path, key]),
      message: 'unknown field',
    }))
  }
  return [{ path: formatConfigPath(issue.path), message: issue.message }]
}

/** The `models.json` document (`{ providers }`), as generated by `buildModelsJson`. @public */
export const modelsJsonSchema = z.looseObject({
  providers: z.record(z.string().min(1), modelProviderConfigSchema).optional(),
})

/** @public */
export type ModelsJsonDocument = z.infer<typeof modelsJsonSchema>
