// Errors shaped the way provider SDKs and Node's network stack throw them, and the action the
// failover policy should take for each reason, for the classifier's tests.
import { FAILOVER_POLICY } from '../../src/policy.js'
import type { FailoverReason } from '../../src/reasons.js'

export function httpError(status: number | string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { status }, extra)
}

export function named(name: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { name }, extra)
}

export function coded(code: string, message = 'network error'): Error {
  return Object.assign(new Error(message), { code })
}

export const anthropicBody = (type: string, message: string) => ({
  type: 'error',
  error: { type, message },
})

export const openAiBody = (error: { type?: string; code?: string | null; message: string }) => ({
  error: { param: null, ...error },
})

export const googleBody = (
  code: number,
  status: string,
  message: string,
  details: object[] = [],
) => ({
  error: { code, status, message, details },
})

/** An error the way the Anthropic SDK builds it: `<status> <json>` as the message, body as `error`. */
export function anthropicSdkError(
  status: number | undefined,
  type: string,
  message: string,
): Error {
  const body = anthropicBody(type, message)
  const text = `${status ?? ''} ${JSON.stringify(body)}`.trim()
  return Object.assign(
    new Error(text),
    status === undefined ? { error: body } : { status, error: body },
  )
}

/**
 * The next action the policy asks for, written out independently of `FAILOVER_POLICY`, so
 * each classification case also checks what failover then does with it.
 */
export const EXPECTED_ACTION: Readonly<Record<FailoverReason | 'null', string>> = {
  auth: 'mark profile, next profile',
  auth_permanent: 'mark profile, next profile',
  billing: 'mark profile, next profile',
  rate_limit: 'mark model, next profile',
  overloaded: 'mark profile, next profile',
  model_not_found: 'next model',
  context_overflow: 'surface',
  format: 'surface',
  timeout: 'retry once, mark model, next profile',
  server_error: 'retry once, mark profile, next profile',
  unknown: 'mark profile, next profile',
  null: 'surface',
}

/** What failover does with a classified failure (`null`: not failover-worthy, rethrown). */
export function actionFor(reason: FailoverReason | null): string {
  if (reason === null) return 'surface'
  const policy = FAILOVER_POLICY[reason]
  return [
    policy.retrySameCredential > 0
      ? `retry ${policy.retrySameCredential === 1 ? 'once' : 'twice'}`
      : '',
    policy.mark ? `mark ${policy.scope}` : '',
    policy.next === 'surface' ? 'surface' : `next ${policy.next}`,
  ]
    .filter(Boolean)
    .join(', ')
}
