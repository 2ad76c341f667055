// A small scanner over JSON (or JSON5) text that `JSON.parse` (or JSON5) has already accepted. It
// finds what the parsers hide: keys written twice in one object (the parsers keep the last one
// silently) and where each member of chosen objects sits in the text (so an entry claw does not
// understand can be written back exactly as it was read). Iterative, so hostile nesting cannot
// overflow the stack; it never copies a value out of the text.

/** One member of a scanned object: its key and where its value sits in the text. @internal */
export interface JsonMember {
  readonly key: string
  /** Offsets of the value's first character and one past its last. */
  readonly start: number
  readonly end: number
}

/** What {@link scanJson} found. @internal */
export interface JsonScan {
  /** The path of each key that appears again in the same object (at its second appearance). */
  readonly duplicates: readonly (readonly (string | number)[])[]
  /** The members, in text order, of the objects whose {@link pathKey} was asked for. */
  readonly members: ReadonlyMap<string, readonly JsonMember[]>
}

/** Options of {@link scanJson}. @internal */
export interface ScanJsonOptions {
  /** The text is JSON5 (comments, single quotes, unquoted keys, trailing commas). */
  readonly json5?: boolean
  /** Objects whose members to record, by {@link pathKey} of their path. */
  readonly objects?: ReadonlySet<string>
}

/** The map key of a path of object keys and array indices. @internal */
export function pathKey(path: readonly (string | number)[]): string {
  return JSON.stringify(path)
}

interface Frame {
  readonly kind: 'object' | 'array'
  readonly path: readonly (string | number)[]
  readonly keys: Set<string> | undefined
  readonly members: JsonMember[] | undefined
  /** Arrays: the next element's index. Objects: unused. */
  index: number
  /** Objects: the key of the member whose value comes next. */
  key: string | undefined
  /** Where the value of this container started (for its own member record in the parent). */
  readonly start: number
}

const LINE_TERMINATOR = /[\n\r\u2028\u2029]/

function isSpace(char: string): boolean {
  const code = char.charCodeAt(0)
  if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) return true
  return (code > 0x7f || code === 0x0b || code === 0x0c) && (code === 0xfeff || /\s/.test(char))
}

/** Index after the whitespace and (JSON5) comments at `index`. */
function skipSpace(text: string, index: number, json5: boolean): number {
  let i = index
  while (i < text.length) {
    const char = text[i]!
    if (isSpace(char)) {
      i += 1
    } else if (json5 && char === '/' && text[i + 1] === '/') {
      i += 2
      while (i < text.length && !LINE_TERMINATOR.test(text[i]!)) i += 1
    } else if (json5 && char === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2)
      i = close === -1 ? text.length : close + 2
    } else {
      break
    }
  }
  return i
}

/** Index one past the closing quote of the string starting at `index`. */
function stringEnd(text: string, index: number): number {
  const quote = text[index]!
  let from = index + 1
  for (;;) {
    const close = text.indexOf(quote, from)
    if (close === -1) return text.length
    let backslashes = 0
    while (text[close - 1 - backslashes] === '\\') backslashes += 1
    if (backslashes % 2 === 0) return close + 1
    from = close + 1
  }
}

/** Index one past a number, literal or (JSON5) identifier starting at `index`. */
function scalarEnd(text: string, index: number, json5: boolean): number {
  let i = index
  while (i < text.length) {
    const char = text[i]!
    if (
      char === ',' ||
      char === ':' ||
      char === ']' ||
      char === '}' ||
      char === '[' ||
      char === '{'
    )
      break
    if (char === '"' || char === "'" || isSpace(char)) break
    if (json5 && char === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) break
    i += 1
  }
  return i
}

const SIMPLE_ESCAPES: Record<string, string> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '0': '\0',
}

/** The value of a key token: a quoted string or a JSON5 identifier, escapes decoded. */
function decodeKey(token: string): string {
  const quoted = token.startsWith('"') || token.startsWith("'")
  const body = quoted ? token.slice(1, -1) : token
  if (!body.includes('\\')) return body
  let out = ''
  for (let i = 0; i < body.length; i += 1) {
    const char = body[i]!
    if (char !== '\\') {
      out += char
      continue
    }
    const next = body[i + 1] ?? ''
    i += 1
    if (next === 'u') {
      out += String.fromCharCode(Number.parseInt(body.slice(i + 1, i + 5), 16))
      i += 4
    } else if (next === 'x') {
      out += String.fromCharCode(Number.parseInt(body.slice(i + 1, i + 3), 16))
      i += 2
    } else if (next === '\r' && body[i + 1] === '\n') {
      // A JSON5 line continuation (CRLF): nothing.
      i += 1
    } else if (LINE_TERMINATOR.test(next)) {
      // A JSON5 line continuation: nothing.
    } else {
      out += SIMPLE_ESCAPES[next] ?? next
    }
  }
  return out
}

/**
 * Scans text that already parsed as JSON (or JSON5) for duplicate keys and, for the objects named
 * in `objects`, the position of each member's value.
 *
 * @internal
 */
export function scanJson(text: string, options: ScanJsonOptions = {}): JsonScan {
  const json5 = options.json5 === true
  const wanted = options.objects
  const duplicates: (string | number)[][] = []
  const members = new Map<string, JsonMember[]>()
  const stack: Frame[] = []

  /** Records a value that spans `start`..`end` as the current member of the top frame. */
  const finishValue = (start: number, end: number): void => {
    const top = stack[stack.length - 1]
    if (!top) return
    if (top.kind === 'array') {
      top.index += 1
      return
    }
    if (top.key !== undefined) top.members?.push({ key: top.key, start, end })
    top.key = undefined
  }

  const open = (kind: 'object' | 'array', start: number): void => {
    const parent = stack[stack.length - 1]
    const path = parent
      ? [...parent.path, parent.kind === 'array' ? parent.index : (parent.key ?? '')]
      : []
    let recorded: JsonMember[] | undefined
    if (kind === 'object' && wanted?.has(pathKey(path))) {
      recorded = []
      members.set(pathKey(path), recorded)
    }
    stack.push({
      kind,
      path,
      keys: kind === 'object' ? new Set() : undefined,
      members: recorded,
      index: 0,
      key: undefined,
      start,
    })
  }

  let i = skipSpace(text, 0, json5)
  while (i < text.length) {
    const char = text[i]!
    const top = stack[stack.length - 1]
    if (char === '{' || char === '[') {
      open(char === '{' ? 'object' : 'array', i)
      i += 1
    } else if (char === '}' || char === ']') {
      const frame = stack.pop()
      i += 1
      if (frame) finishValue(frame.start, i)
    } else if (char === ',' || char === ':') {
      i += 1
    } else {
      const end =
        char === '"' || char === "'"
          ? stringEnd(text, i)
          : Math.max(i + 1, scalarEnd(text, i, json5))
      if (top?.kind === 'object' && top.key === undefined) {
        // A key: the next token after it is ':'.
        const key = decodeKey(text.slice(i, end))
        if (top.keys?.has(key)) duplicates.push([...top.path, key])
        top.keys?.add(key)
        top.key = key
      } else {
        finishValue(i, end)
      }
      i = end
    }
    i = skipSpace(text, i, json5)
  }
  return { duplicates, members }
}

/**
 * The paths of keys written more than once in one object of a JSON (or, with `json5`, JSON5) text
 * that its parser accepted: `JSON.parse` and JSON5 silently keep the last value, so a config or
 * store with a repeated key would lose the earlier one on the next write. Call it after the text
 * parsed; the result for text that does not parse is unspecified.
 *
 * @example
 * ```ts
 * findDuplicateJsonKeys('{"a": {"b": 1, "b": 2}}') // [['a', 'b']]
 * ```
 * @public
 */
export function findDuplicateJsonKeys(
  text: string,
  options: { readonly json5?: boolean } = {},
): readonly (readonly (string | number)[])[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  return scanJson(body, { json5: options.json5 === true }).duplicates
}
