import type { Context } from '../context.js'
import { safe } from '../text.js'

/** OpenClaw's "config updated" line (scripts match it): `Updated <path>` (`~` for the home directory). */
export function configUpdatedLine(context: Context, path: string): string {
  const home = context.io.homeDir.replace(/\/+$/, '')
  const shown = home !== '' && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path
  return `Updated ${safe(shown)}`
}
