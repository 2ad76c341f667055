// SecretRef resolution: turns `{ source, provider, id }` references into secret values by reading
// an environment variable, a file or the output of a command. Every failure is an
// `AuthProfilesError` with code `ERR_SECRET_REF`; messages name the provider alias, source and id
// (never the value), and causes are only attached when they cannot contain the secret (an fs or
// spawn error, an abort reason) — never a JSON parse error or anything that saw file or output
// content.
export {
  DEFAULT_SECRET_MAX_BYTES,
  DEFAULT_SECRET_TIMEOUT_MS,
  MAX_SECRET_MAX_BYTES,
  MAX_SECRET_TIMEOUT_MS,
} from './secret-limits.js'
export { checkSecretExecCommand } from './exec-command.js'
export { SECRET_EXEC_PROTOCOL_VERSION } from './exec-protocol.js'
export {
  DEFAULT_SECRET_PROVIDER,
  resolveSecretRef,
  resolveSecretRefs,
  SECRET_PROVIDER_CONCURRENCY,
  type ResolveSecretRefOptions,
  type ResolveSecretRefsResult,
} from './resolve-secret-refs.js'
export { secretRefKey, SINGLE_VALUE_SECRET_ID, validateSecretRef } from './secret-ref.js'
