// The canary leak scanner: did a secret (a canary from `canarySecret()`) end up somewhere it must
// not — output, logs, errors, events, files? A secret counts as leaked when the text holds the
// whole secret, its base64, base64url or URL-encoded form, or any 12-character piece of its
// random part (a truncated or masked-too-little secret is still a leak).
import { lstatSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { inspect } from 'node:util'

/** The shortest piece of a secret's random part that counts as a leak. */
const PIECE_LENGTH = 12

/** The random part of a canary: what follows the last `-` (all of it when there is none). */
function randomPart(secret: string): string {
  const index = secret.lastIndexOf('-')
  return index === -1 ? secret : secret.slice(index + 1)
}

function needles(secret: string): string[] {
  const random = randomPart(secret)
  const pieces: string[] = []
  for (let start = 0; start + PIECE_LENGTH <= random.length; start += 1) {
    pieces.push(random.slice(start, start + PIECE_LENGTH))
  }
  return [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    encodeURIComponent(secret),
    ...pieces,
  ]
}

/** Everything a value holds, as text: the string itself, bytes, or a deep inspection. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1')
  // Non-enumerable properties (an error's message, stack and cause), getters, every element and
  // every character: nothing is cut short. JSON adds what `toJSON()` methods expose.
  const inspected = inspect(value, {
    depth: Infinity,
    showHidden: true,
    getters: true,
    maxArrayLength: Infinity,
    maxStringLength: Infinity,
    breakLength: Infinity,
  })
  let json = ''
  try {
    json = JSON.stringify(value) ?? ''
  } catch {
    // Circular or BigInt values: the inspection above covers them.
  }
  return `${inspected}\n${json}`
}

/**
 * Where `secrets` leaked into `value`: a string, bytes, or any value (an error with its cause
 * chain, an event, a trace, a response), searched deeply. Each hit reads
 * `<where>: <first 3 characters of the secret>… (<n>-character match)`, never the secret itself;
 * an empty list means no leak.
 *
 * @example
 * ```ts
 * expect(findCanaries(error, [key], 'error')).toEqual([])
 * ```
 * @public
 */
export function findCanaries(
  value: unknown,
  secrets: readonly string[],
  where = 'value',
): readonly string[] {
  const text = textOf(value)
  const hits: string[] = []
  for (const secret of secrets) {
    const needle = needles(secret).find((candidate) => text.includes(candidate))
    if (needle !== undefined) {
      hits.push(`${where}: ${secret.slice(0, 3)}… (${needle.length}-character match)`)
    }
  }
  return hits
}

/** Options of {@link findCanariesInFiles}. @public */
export interface FindCanariesInFilesOptions {
  /**
   * File names not searched: where the secrets belong. Default `['auth-profiles.json']` (the
   * credential store); pass `[]` to search everything.
   */
  readonly skipNames?: readonly string[]
}

/**
 * Where `secrets` leaked into a file, or into any file under a directory (recursively), except
 * the files named in `skipNames` (symbolic links are not followed). Hits are as in
 * {@link findCanaries}, `where` being the path.
 *
 * @public
 */
export function findCanariesInFiles(
  path: string,
  secrets: readonly string[],
  options: FindCanariesInFilesOptions = {},
): readonly string[] {
  const skipNames = options.skipNames ?? ['auth-profiles.json']
  const hits: string[] = []
  const visit = (current: string): void => {
    const stats = lstatSync(current)
    if (stats.isDirectory()) {
      for (const entry of readdirSync(current)) visit(join(current, entry))
    } else if (stats.isFile() && !skipNames.includes(basename(current))) {
      hits.push(...findCanaries(readFileSync(current), secrets, current))
    }
  }
  visit(path)
  return hits
}
