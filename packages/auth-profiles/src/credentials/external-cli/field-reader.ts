// Field checks of a source's JSON: messages describe the expected shape and the JSON type found,
// never a value.
import type { BigIntStats } from 'node:fs'
import { formatConfigPath } from '@claw/model-catalog'
import type { AuthProfilesIssue } from '../../errors.js'
import type { AuthProfileCredential } from '../../types.js'
import { invalidFile } from './read-source-file.js'

type Json = Record<string, unknown>

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

export class FieldReader {
  readonly issues: AuthProfilesIssue[] = []

  private issue(segments: readonly PropertyKey[], message: string): void {
    this.issues.push({ path: formatConfigPath(segments), message })
  }

  /** A string field; `null`, `""` and absence count as missing. */
  string(
    object: Json,
    key: string,
    segments: readonly PropertyKey[],
    required: boolean,
  ): string | undefined {
    const value = object[key]
    if (value === undefined || value === null || value === '') {
      if (required) this.issue([...segments, key], 'is required (a non-empty string)')
      return undefined
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.issue([...segments, key], `must be a non-empty string (found ${jsonKind(value)})`)
      return undefined
    }
    return value
  }

  /** A positive finite number (epoch milliseconds). */
  epochMs(object: Json, key: string, segments: readonly PropertyKey[]): number | undefined {
    const value = object[key]
    if (value === undefined || value === null) {
      this.issue([...segments, key], 'is required (a positive number of epoch milliseconds)')
      return undefined
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      this.issue(
        [...segments, key],
        typeof value === 'number'
          ? 'must be a positive number of epoch milliseconds'
          : `must be a positive number of epoch milliseconds (found ${jsonKind(value)})`,
      )
      return undefined
    }
    return value
  }

  /** An optional RFC 3339 timestamp, as epoch milliseconds. */
  timestamp(object: Json, key: string, segments: readonly PropertyKey[]): number | undefined {
    const value = object[key]
    if (value === undefined || value === null) return undefined
    const parsed =
      typeof value === 'string' &&
      /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value)
        ? Date.parse(value.replace(' ', 'T'))
        : Number.NaN
    if (!Number.isFinite(parsed)) {
      this.issue([...segments, key], `must be an RFC 3339 timestamp (found ${jsonKind(value)})`)
      return undefined
    }
    return parsed
  }

  /** An object field; `null` and absence give `undefined` without an issue. */
  object(object: Json, key: string, segments: readonly PropertyKey[]): Json | undefined | false {
    const value = object[key]
    if (value === undefined || value === null) return undefined
    if (!isRecord(value)) {
      this.issue([...segments, key], `must be an object (found ${jsonKind(value)})`)
      return false
    }
    return value
  }

  root(value: unknown): Json | undefined {
    if (isRecord(value)) return value
    this.issue([], `must be a JSON object (found ${jsonKind(value)})`)
    return undefined
  }
}

export interface ParseContext {
  readonly path: string
  readonly label: string
  readonly stats: BigIntStats
}

export type Profiles = Record<string, AuthProfileCredential>

export function finish(reader: FieldReader, context: ParseContext, profiles: Profiles): Profiles {
  if (reader.issues.length > 0) throw invalidFile(context.label, context.path, reader.issues)
  return profiles
}
