import type { Context } from '../context.js'
import { safe } from '../text.js'

/** The reference's "config updated" line: `Updated <path>` (`~` for the home directory). */
export function configUpdatedLine(context: Context, path: string): string {
  const home = context.io.homeDir.replace(/\/+$/, '')
  const shown = home !== '' && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path
  return `Updated ${safe(shown)}`
}
