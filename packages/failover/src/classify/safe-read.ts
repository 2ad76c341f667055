// Readers that never throw on hostile values (getters, proxies, odd shapes).

export type UnknownRecord = Readonly<Record<string, unknown>>

export function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function read(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined
  try {
    return (value as UnknownRecord)[key]
  } catch {
    return undefined
  }
}

export function readString(value: unknown, key: string): string | undefined {
  const found = read(value, key)
  return typeof found === 'string' ? found : undefined
}

/** Only this much of a message is classified: error pages can be huge, and the signal is early. */
export const MAX_CLASSIFIED_CHARS = 20_000

export function stringifyBounded(value: unknown): string {
  try {
    const text = JSON.stringify(value)
    return typeof text === 'string' ? text.slice(0, MAX_CLASSIFIED_CHARS) : ''
  } catch {
    return ''
  }
}

/** The error's message, else its name, else the value as JSON or text (never throws). */
export function rawMessage(err: unknown): string {
  if (typeof err === 'string') return err
  if (typeof err === 'object' && err !== null) {
    const message = readString(err, 'message')
    if (message !== undefined && message !== '') return message
    const name = readString(err, 'name')
    if (name !== undefined && name !== '') return name
    if (!(err instanceof Error)) {
      const json = stringifyBounded(err)
      if (json !== '' && json !== '{}') return json
    }
  }
  try {
    return String(err)
  } catch {
    return 'Unknown error'
  }
}

/** The error's message, or the value itself when it is a string. */
export function readMessage(err: unknown): string | undefined {
  if (typeof err === 'string') return err
  return readString(err, 'message')
}
