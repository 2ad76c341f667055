import { AUTH_PROFILE_FAILURE_REASONS, type AuthProfileFailureReason } from '@claw/auth-profiles'

/**
 * Why a model call failed, as far as failover is concerned. OpenClaw's
 * `auth | format | rate_limit | billing | timeout | unknown`, plus `overloaded`,
 * `model_not_found`, `context_overflow`, `auth_permanent` and `server_error`: every reason a
 * profile can be marked failed for ({@link AuthProfileFailureReason}), plus `context_overflow`,
 * which is the request's fault and never recorded against a credential.
 *
 * @public
 */
export type FailoverReason = AuthProfileFailureReason | 'context_overflow'

/** Every reason, in a stable order (the profile failure reasons, then `context_overflow`). @public */
export const FAILOVER_REASONS: readonly FailoverReason[] = Object.freeze([
  ...AUTH_PROFILE_FAILURE_REASONS,
  'context_overflow',
])

const statusByReason: Readonly<Partial<Record<FailoverReason, number>>> = Object.freeze({
  billing: 402,
  rate_limit: 429,
  auth: 401,
  auth_permanent: 401,
  timeout: 408,
  format: 400,
  overloaded: 529,
  model_not_found: 404,
  context_overflow: 413,
  server_error: 500,
})

/**
 * The HTTP status that goes with a reason (as OpenClaw reports them: billing 402, rate_limit
 * 429, auth 401, timeout 408, format 400; plus overloaded 529, model_not_found 404, context_overflow 413,
 * server_error 500). `unknown` has none.
 *
 * @public
 */
export function resolveFailoverStatus(reason: FailoverReason): number | undefined {
  return statusByReason[reason]
}
