// Why a ref did not resolve, while it is being resolved: the sources throw or return a `Failure`
// and the resolver turns it into the public `ERR_SECRET_REF` error once the ref is known.
import type { SecretRef } from '../../types.js'

/**
 * A failure reason inside secret-refs. `reason` never contains a secret; it becomes part of the
 * public error's message once the ref is known.
 */
export class Failure extends Error {
  readonly reason: string
  readonly details: { readonly cause?: unknown; readonly path?: string }

  constructor(reason: string, details: { readonly cause?: unknown; readonly path?: string } = {}) {
    super(reason)
    this.reason = reason
    this.details = details
  }
}

/** Code of an fs/spawn error (`ENOENT`, …), never its message. */
export function errnoCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' ? code : 'unknown error'
}

/** Unexpected errors are reduced to their code: their message may quote content. */
export function asFailure(error: unknown): Failure {
  return error instanceof Failure ? error : new Failure(`unexpected error (${errnoCode(error)})`)
}

export function abortFailure(signal: AbortSignal): Failure {
  const reason: unknown = signal.reason
  return new Failure('the operation was aborted', reason === undefined ? {} : { cause: reason })
}

/** A provider limit: a whole number from 1 to `max`, or `fallback` when unset. */
export function limit(value: unknown, fallback: number, field: string, max: number): number {
  if (value === undefined) return fallback
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= max) {
    return value
  }
  throw new Failure(`the provider's ${field} must be a whole number from 1 to ${max}`)
}

/** Trims a resolved value; an empty value counts as unresolved. */
export function nonEmpty(value: string, what: string): string {
  const trimmed = value.trim()
  if (trimmed === '') throw new Failure(`${what} is empty`)
  return trimmed
}

export interface Pending {
  readonly ref: SecretRef
  readonly key: string
}

export type Outcome = { readonly value: string } | { readonly failure: Failure }
