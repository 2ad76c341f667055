// What the store loader leaves out of a store or cleans up: diagnostics for the caller, and the
// members (with their exact text) that a write must put back unchanged.
import { formatConfigPath } from '@claw/model-catalog'
import { pathKey, scanJson } from './json-scan.js'

/**
 * Something the loader noticed and handled without failing: an entry it ignores (kept in the file
 * unchanged, never used), a store written by a newer version, a file readable by others.
 *
 * @public
 */
export interface StoreDiagnostic {
  readonly code:
    | 'ignored_profile'
    | 'ignored_entry'
    | 'ignored_field'
    | 'unsupported_version'
    | 'insecure_permissions'
    | 'legacy_import'
  /** Absolute path of the file (for a Redis credential backend, its `redis:` location). */
  readonly file: string
  /** JSON path inside the file, e.g. `profiles["x"]`. */
  readonly path: string
  /** Why, in words; never a value from the file. */
  readonly message: string
  /** For `ignored_profile`: the id of the profile entry (escape it before printing). */
  readonly profileId?: string
}

/**
 * Members of one object of a stored file that claw does not use as they are, remembered with
 * their exact text so a write puts them back unchanged.
 *
 * @internal
 */
export interface KeptObject {
  /** The object's keys in file order. */
  readonly order: readonly string[]
  /** Members left out of the loaded store (unusable), by key: their text in the file. */
  readonly ignored: ReadonlyMap<string, string>
  /**
   * Members the loader cleaned up (an order list with blank ids, say), by key: the JSON of the
   * cleaned value and the text in the file, which is written back while the value is unchanged.
   */
  readonly cleaned: ReadonlyMap<string, { readonly json: string; readonly text: string }>
}

/** The kept members of a stored file, by `pathKey` of the object holding them. @internal */
export type KeptEntries = ReadonlyMap<string, KeptObject>

export const KEPT = 'kept unchanged in the file, not used'

/**
 * Collects what the loader leaves out of the store or cleans up, as diagnostics and as the paths a
 * write must put back from the file's text.
 */
export class Findings {
  readonly diagnostics: StoreDiagnostic[] = []
  /** Paths (object keys) of members left out, and of members cleaned up with their clean value. */
  readonly ignored: string[][] = []
  readonly cleaned: { path: string[]; value: unknown }[] = []

  constructor(readonly file: string) {}

  /** A member the store leaves out: reported, and kept in the file. */
  ignore(
    path: string[],
    code: 'ignored_profile' | 'ignored_entry' | 'ignored_field',
    reason: string,
  ): void {
    this.ignored.push(path)
    this.diagnostics.push({
      code,
      file: this.file,
      path: formatConfigPath(path),
      message: `${reason}; ${KEPT}`,
      ...(code === 'ignored_profile' ? { profileId: path[1] } : {}),
    })
  }

  /** A member the store uses in a cleaned-up form: its text is kept while the value is unchanged. */
  clean(path: string[], value: unknown): void {
    this.cleaned.push({ path, value })
  }
}

/** The members of `findings` to keep, with their text, from a scan of the file. */
export function keptEntries(text: string, findings: Findings): KeptEntries {
  const kept = new Map<string, KeptObject>()
  if (findings.ignored.length === 0 && findings.cleaned.length === 0) return kept
  const parents = new Set(
    [...findings.ignored, ...findings.cleaned.map((entry) => entry.path)].map((path) =>
      pathKey(path.slice(0, -1)),
    ),
  )
  const { members } = scanJson(text, { objects: parents })
  const objectFor = (path: readonly string[]) => {
    const key = pathKey(path.slice(0, -1))
    let object = kept.get(key)
    if (!object) {
      const list = members.get(key) ?? []
      object = { order: list.map((member) => member.key), ignored: new Map(), cleaned: new Map() }
      kept.set(key, object)
    }
    return { object, member: members.get(key)?.find((entry) => entry.key === path.at(-1)) }
  }
  for (const path of findings.ignored) {
    const { object, member } = objectFor(path)
    if (member)
      (object.ignored as Map<string, string>).set(member.key, text.slice(member.start, member.end))
  }
  for (const { path, value } of findings.cleaned) {
    const { object, member } = objectFor(path)
    if (!member) continue
    const text_ = text.slice(member.start, member.end)
    if (value === undefined) (object.ignored as Map<string, string>).set(member.key, text_)
    else
      (object.cleaned as Map<string, { json: string; text: string }>).set(member.key, {
        json: JSON.stringify(value),
        text: text_,
      })
  }
  return kept
}
