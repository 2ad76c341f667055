// Entries of a credential store that claw cannot use (an unknown credential type, an id claw
// refuses, malformed routing entries): the store keeps them unchanged and never routes to them;
// `models auth list`, `models status` and `doctor` say they exist and why they are ignored. Only
// the file, the JSON path and the reason are shown: never a value from the entry.
import type { StoreDiagnostic } from '@claw/auth-profiles'
import { safe, type Styles } from '../text.js'

/** One ignored entry, as `--json` output shows it. */
export interface IgnoredEntryView {
  /** The store file (for a Redis credential backend, its `redis:` location). */
  readonly file: string
  /** JSON path in the file, e.g. `profiles["aws:sso"]`. */
  readonly path: string
  readonly kind: 'profile' | 'entry' | 'field'
  /** Why claw does not use it (the entry itself is kept in the file as it is). */
  readonly reason: string
  readonly profileId?: string
}

const KINDS = {
  ignored_profile: 'profile',
  ignored_entry: 'entry',
  ignored_field: 'field',
} as const

/** The ignored entries among a load's diagnostics. */
export function ignoredEntryViews(diagnostics: readonly StoreDiagnostic[]): IgnoredEntryView[] {
  return diagnostics.flatMap((diagnostic) => {
    const kind = KINDS[diagnostic.code as keyof typeof KINDS]
    if (kind === undefined) return []
    return [
      {
        file: diagnostic.file,
        path: diagnostic.path,
        kind,
        reason: diagnostic.message,
        ...(diagnostic.profileId === undefined ? {} : { profileId: diagnostic.profileId }),
      },
    ]
  })
}

/** A heading and one line per ignored entry; nothing when there are none. */
export function renderIgnoredEntries(views: readonly IgnoredEntryView[], styles: Styles): string[] {
  if (views.length === 0) return []
  return [
    styles.bold(
      `Ignored store entries (${views.length}): kept in the file as they are, never used`,
    ),
    ...views.map((view) => `- ${safe(view.path)} in ${safe(view.file)}: ${safe(view.reason)}`),
  ]
}

/** One line for stderr when the output itself has no room for them (plain output). */
export function ignoredEntriesNote(views: readonly IgnoredEntryView[]): string | undefined {
  if (views.length === 0) return undefined
  return `Note: ${views.length} store ${views.length === 1 ? 'entry is' : 'entries are'} ignored (claw cannot use ${views.length === 1 ? 'it' : 'them'}; kept unchanged). See \`claw models auth list\`.`
}
