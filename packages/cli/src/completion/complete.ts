// `claw completion __complete -- <words…>`: the candidates for the last word, from the command
// registry (command words), the command's spec (flags, positional names) and, for values, the
// user's state (provider ids, profile ids, agents, model keys and aliases).
import { COMMON_OPTIONS, type CommandSpec, type OptionSpec } from '../command.js'
import { COMMANDS, type CommandEntry } from '../registry.js'

/** What a value may be, by the flag or positional that takes it. */
export type ValueKind = 'provider' | 'profile' | 'agent' | 'model' | 'shell'

/** Looks up the values of one kind (from config and stores; an error means no candidates). */
export type ValueSource = (kind: ValueKind) => Promise<readonly string[]>

const VALUE_KINDS: Readonly<Record<string, ValueKind>> = {
  provider: 'provider',
  'profile-id': 'profile',
  profile: 'profile',
  profileId: 'profile',
  profileIds: 'profile',
  agent: 'agent',
  id: 'agent',
  model: 'model',
  fallback: 'model',
  shell: 'shell',
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.every((word, index) => path[index] === word)
}

/** The command words at the start of `words` and the entry they name (if they name a leaf). */
function matchCommand(words: readonly string[]): {
  readonly path: string[]
  readonly entry: CommandEntry | undefined
  readonly rest: readonly string[]
} {
  const path: string[] = []
  for (const word of words) {
    const next = [...path, word]
    if (!COMMANDS.some((entry) => startsWith(entry.path, next))) break
    path.push(word)
    const entry = COMMANDS.find((candidate) => candidate.path.join(' ') === path.join(' '))
    if (entry) return { path, entry, rest: words.slice(path.length) }
  }
  return { path, entry: undefined, rest: words.slice(path.length) }
}

/** The value kind of the positional that `rest` (arguments before the current word) leaves next. */
function positionalKind(
  spec: CommandSpec,
  options: Readonly<Record<string, OptionSpec>>,
  rest: readonly string[],
): ValueKind | undefined {
  let count = 0
  for (let index = 0; index < rest.length; index += 1) {
    const word = rest[index]!
    if (!word.startsWith('-')) count += 1
    else if (!word.includes('=') && options[word.replace(/^--?/, '')]?.type === 'string') index += 1
  }
  const positionals = spec.positionals ?? []
  const positional =
    positionals[count] ?? (positionals.at(-1)?.variadic ? positionals.at(-1) : undefined)
  return positional ? VALUE_KINDS[positional.name] : undefined
}

/**
 * The candidates for the last of `words` (the word being completed, possibly empty), filtered by
 * what it starts with. `values` is asked only when a value of some kind is wanted.
 */
export async function completeWords(
  words: readonly string[],
  values: ValueSource,
): Promise<string[]> {
  const current = words.at(-1) ?? ''
  const before = words.slice(0, -1)
  const { path, entry, rest } = matchCommand(before)
  const matching = (candidates: Iterable<string>): string[] =>
    [...new Set(candidates)].filter((candidate) => candidate.startsWith(current))
  if (!entry) {
    if (rest.length > 0) return []
    if (current.startsWith('-')) return matching(['--help'])
    return matching(
      COMMANDS.filter((candidate) => startsWith(candidate.path, path)).map(
        (candidate) => candidate.path[path.length]!,
      ),
    )
  }
  const spec = await entry.load()
  const options = { ...spec.options, ...COMMON_OPTIONS }
  if (current.startsWith('-')) return matching(Object.keys(options).map((name) => `--${name}`))
  const previous = rest.at(-1)
  if (previous?.startsWith('--') && !previous.includes('=')) {
    const name = previous.slice(2)
    if (options[name]?.type === 'string') {
      const kind = VALUE_KINDS[name]
      return kind ? matching(await values(kind)) : []
    }
  }
  const kind = positionalKind(spec, options, rest)
  return kind ? matching(await values(kind)) : []
}
