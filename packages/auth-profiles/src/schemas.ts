// Zod schemas for the credential store and the `auth.*` / `secrets.*` config slices. This module is
// its own entry point (`@claw/auth-profiles/schemas`) and is loaded on demand, because importing zod
// costs tens of milliseconds that an application should only pay when it validates.
import { formatConfigPath } from '@claw/model-catalog'
import {
  secretRefSchema as catalogSecretRefSchema,
  zodConfigIssues,
} from '@claw/model-catalog/schemas'
import { z } from 'zod'
import type { AuthProfilesIssue } from './errors.js'
import { checkOAuthEndpointUrl } from './oauth/endpoint-url.js'
import {
  MAX_SECRET_MAX_BYTES,
  MAX_SECRET_TIMEOUT_MS,
} from './credentials/secret-refs/secret-limits.js'
import type { AuthProfileFailureReason } from './types.js'
import { AUTH_PROFILE_FAILURE_REASONS } from './types.js'

/** A SecretRef (`{ source, provider, id }`); the same schema as the catalog's config slices. @public */
export const secretRefSchema = catalogSecretRefSchema

const common = {
  provider: z.string().trim().min(1, 'must be a non-empty string'),
  email: z.string().optional(),
  generation: z.number().int().nonnegative().optional(),
  status: z.literal('needs_reauth').optional(),
}

/** An `api_key` profile. Unknown fields are kept (written back unchanged). @public */
export const apiKeyCredentialSchema = z.looseObject({
  type: z.literal('api_key'),
  ...common,
  key: z.string().optional(),
  keyRef: secretRefSchema.optional(),
  metadata: z.record(z.string(), z.string()).optional(),
})

/** A `token` profile. @public */
export const tokenCredentialSchema = z.looseObject({
  type: z.literal('token'),
  ...common,
  token: z.string().optional(),
  tokenRef: secretRefSchema.optional(),
  expires: z.number().optional(),
})

/** An `oauth` profile. SecretRefs are not allowed: OAuth credentials are rewritten on refresh. @public */
export const oauthCredentialSchema = z
  .looseObject({
    type: z.literal('oauth'),
    ...common,
    access: z.string(),
    refresh: z.string(),
    expires: z.number(),
    accountId: z.string().optional(),
    projectId: z.string().optional(),
    enterpriseUrl: z.string().optional(),
    clientId: z.string().optional(),
  })
  .superRefine((value, context) => {
    for (const field of ['keyRef', 'tokenRef'] as const) {
      if (field in value) {
        context.addIssue({
          code: 'custom',
          path: [field],
          message:
            'SecretRefs are not allowed on OAuth profiles (their tokens are rewritten on refresh)',
        })
      }
    }
  })

/** Any credential, discriminated by `type`. @public */
export const authProfileCredentialSchema = z.discriminatedUnion('type', [
  apiKeyCredentialSchema,
  tokenCredentialSchema,
  oauthCredentialSchema,
])

const failureReasonSchema = z.enum(
  AUTH_PROFILE_FAILURE_REASONS as [AuthProfileFailureReason, ...AuthProfileFailureReason[]],
)
const timestamp = z.number().finite().nonnegative()

/** Usage and cooldown state of one profile. @public */
export const profileUsageStatsSchema = z.looseObject({
  lastUsed: timestamp.optional(),
  cooldownUntil: timestamp.optional(),
  cooldownReason: failureReasonSchema.optional(),
  cooldownModel: z.string().optional(),
  modelCooldowns: z
    .record(
      z.string(),
      z.looseObject({
        until: timestamp,
        reason: failureReasonSchema,
        errorCount: z.number().int().nonnegative().optional(),
      }),
    )
    .optional(),
  disabledUntil: timestamp.optional(),
  disabledReason: failureReasonSchema.optional(),
  errorCount: z.number().int().nonnegative().optional(),
  failureCounts: z.partialRecord(failureReasonSchema, z.number().int().nonnegative()).optional(),
  lastFailureAt: timestamp.optional(),
  refreshFailedAt: timestamp.optional(),
})

/** The whole store, as written. @public */
export const authProfileStoreSchema = z.looseObject({
  version: z.literal(1),
  profiles: z.record(z.string(), authProfileCredentialSchema),
  order: z.record(z.string(), z.array(z.string())).optional(),
  lastGood: z.record(z.string(), z.string()).optional(),
  usageStats: z.record(z.string(), profileUsageStatsSchema).optional(),
})

const profileModeSchema = z.enum(['api_key', 'oauth', 'token', 'aws-sdk'])

const oauthEndpointUrl = z.string().superRefine((value, context) => {
  const problem = checkOAuthEndpointUrl(value)
  if (problem) context.addIssue({ code: 'custom', message: problem })
})

/**
 * One `auth.oauth.<provider>` entry: endpoint and client overrides for a built-in OAuth login, or a
 * generic OpenID Connect provider (see `createOAuthProvidersFromConfig`). Endpoints must be https
 * (plain http only on a loopback host).
 *
 * @public
 */
export const oauthProviderConfigSchema = z.strictObject({
  issuer: oauthEndpointUrl.optional(),
  authorizationEndpoint: oauthEndpointUrl.optional(),
  tokenEndpoint: oauthEndpointUrl.optional(),
  deviceAuthorizationEndpoint: oauthEndpointUrl.optional(),
  revocationEndpoint: oauthEndpointUrl.optional(),
  userinfoEndpoint: oauthEndpointUrl.optional(),
  clientId: z.string().trim().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  redirectUri: z
    .string()
    .regex(/^https?:\/\//i, 'must be an absolute http(s) URL')
    .optional(),
  scopes: z.array(z.string().trim().min(1)).optional(),
  displayName: z.string().trim().min(1).optional(),
  githubHost: z.string().trim().min(1).optional(),
})

/** The `auth` config slice. @public */
export const authConfigSchema = z.looseObject({
  profiles: z
    .record(
      z.string().min(1),
      z.looseObject({
        provider: z.string().trim().min(1),
        mode: profileModeSchema,
        email: z.string().optional(),
      }),
    )
    .optional(),
  order: z.record(z.string().min(1), z.array(z.string())).optional(),
  /** OAuth endpoint/client overrides and generic OIDC providers, by provider id. */
  oauth: z.record(z.string().min(1), oauthProviderConfigSchema).optional(),
  cooldowns: z
    .looseObject({
      billingBackoffHours: z.number().optional(),
      billingBackoffHoursByProvider: z.record(z.string(), z.number()).optional(),
      billingMaxHours: z.number().optional(),
      failureWindowHours: z.number().optional(),
      cooldownBypassProviders: z.array(z.string()).optional(),
    })
    .optional(),
})

const positiveMs = z.number().int().positive()
const secretTimeoutMs = positiveMs.max(
  MAX_SECRET_TIMEOUT_MS,
  `must be at most ${MAX_SECRET_TIMEOUT_MS} (10 minutes)`,
)
const secretMaxBytes = positiveMs.max(
  MAX_SECRET_MAX_BYTES,
  `must be at most ${MAX_SECRET_MAX_BYTES} (16 MiB)`,
)

/** One `secrets.providers.<alias>` entry. @public */
export const secretProviderConfigSchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('env'), allowlist: z.array(z.string()).optional() }),
  z.strictObject({
    source: z.literal('file'),
    path: z.string().min(1),
    mode: z.enum(['json', 'singleValue']).optional(),
    timeoutMs: secretTimeoutMs.optional(),
    maxBytes: secretMaxBytes.optional(),
    /** Accept a file other users can read or another user owns (e.g. a root-owned 0644 mount). */
    allowInsecurePermissions: z.boolean().optional(),
  }),
  z.strictObject({
    source: z.literal('exec'),
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    passEnv: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    timeoutMs: secretTimeoutMs.optional(),
    maxOutputBytes: secretMaxBytes.optional(),
    jsonOnly: z.boolean().optional(),
    /**
     * Run a command that another user owns or can change (or that sits in such a directory). Off
     * by default: the command and its directories must be owned by the current user or root and
     * not writable by group or others (OpenSSH's StrictModes).
     */
    allowInsecurePermissions: z.boolean().optional(),
  }),
])

/** The `secrets` config slice. @public */
export const secretsConfigSchema = z.looseObject({
  providers: z
    .record(z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/), secretProviderConfigSchema)
    .optional(),
})

/** URL schemes `state.url` accepts. */
const REDIS_URL_SCHEME = /^(?:redis|rediss|unix):\/\/\S+$/i
/** URL schemes of Redis Cluster nodes (they announce TCP addresses: no unix sockets). */
const CLUSTER_NODE_URL_SCHEME = /^(?:redis|rediss):\/\/\S+$/i

/**
 * The `state` config slice: where routing state (and optionally credentials) live. `backend:
 * 'redis'` turns on fleet mode (`@claw/auth-profiles/redis`). Errors name the path, never the
 * value: `url` may carry a password.
 *
 * @public
 */
export const stateConfigSchema = z
  .strictObject({
    /** `file` (default): each host's `auth-profiles.json`. `redis`: shared routing state. */
    backend: z.enum(['file', 'redis']).optional(),
    /**
     * One Redis: `redis://…`, `rediss://…` or `unix:///path/redis.sock`; usually `${REDIS_URL}`.
     * A Redis Cluster: a list of some of its nodes' `redis://` / `rediss://` URLs (a list, even of
     * one URL, means a cluster).
     */
    url: z
      .union([
        z.string().regex(REDIS_URL_SCHEME, 'must be a redis://, rediss:// or unix:// URL'),
        z
          .array(
            z
              .string()
              .regex(
                CLUSTER_NODE_URL_SCHEME,
                'must be a redis:// or rediss:// URL (cluster nodes listen on TCP)',
              ),
          )
          .min(1, 'must list at least one cluster node'),
      ])
      .optional(),
    /** Key prefix, applied once to every key. Default `claw:`. */
    prefix: z
      .string()
      .regex(/^[\w.:@/-]{1,64}$/, 'must be 1-64 letters, digits or _ . : @ / -')
      .optional(),
    /** `file` (default): credentials stay in each host's store. `redis`: encrypted in Redis. */
    credentials: z.enum(['file', 'redis']).optional(),
    /** The AES-256-GCM key for credentials in Redis; default the `CLAW_STATE_KEY` variable. */
    encryptionKey: secretRefSchema.optional(),
    /** Max age (ms) of the routing-state snapshot a load may serve. Default 100. */
    freshnessMs: positiveMs.optional(),
    /** A Redis command slower than this (ms) counts as an outage. Default 250. */
    commandTimeoutMs: positiveMs.optional(),
  })
  .superRefine((value, context) => {
    if (value.backend === 'redis' && value.url === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'is required when state.backend is "redis" (e.g. "${REDIS_URL}")',
      })
    }
    if (value.backend !== 'redis' && value.credentials === 'redis') {
      context.addIssue({
        code: 'custom',
        path: ['credentials'],
        message: '"redis" needs state.backend "redis"',
      })
    }
  })

/** The config slices this package owns; other keys pass through. @public */
export const authProfilesConfigSchema = z.looseObject({
  auth: authConfigSchema.optional(),
  secrets: secretsConfigSchema.optional(),
  state: stateConfigSchema.optional(),
})

/** @public */
export type AuthConfig = z.infer<typeof authConfigSchema>
/** @public */
export type SecretProviderConfig = z.infer<typeof secretProviderConfigSchema>
/** @public */
export type SecretsConfig = z.infer<typeof secretsConfigSchema>
/** The `state` config slice (defaults: backend `file`, prefix `claw:`, credentials `file`). @public */
export type StateConfig = z.infer<typeof stateConfigSchema>
/** @public */
export type AuthProfilesConfig = z.infer<typeof authProfilesConfigSchema>

/** Zod issues as path-named issues under `prefix` (values never included). @internal */
export function zodIssues(
  error: z.ZodError,
  prefix: readonly PropertyKey[] = [],
): AuthProfilesIssue[] {
  return zodConfigIssues(error, prefix.length > 0 ? formatConfigPath(prefix) : undefined)
}
