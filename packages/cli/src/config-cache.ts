// Remembers which config documents passed validation, so commands on an unchanged config do not
// load the schemas (and zod) again: validation is most of a short command's start-up time.
//
// The cache is `$XDG_CACHE_HOME/claw/validated-config.json` (default `~/.cache/claw/…`), outside
// the state dir so read-only commands leave the state dir untouched. It maps config paths to a
// SHA-256 of the CLI version and the document after `${VAR}` substitution (so a changed file, a
// changed variable or a new claw version all validate again); it holds no config values, is
// written 0600, and is best effort: when it cannot be read or written, validation simply runs.
import { isAbsolute, join } from 'node:path'
import { readCheckedFile, writePrivateFileAtomic } from '@claw/auth-profiles'

/** Entries kept: one per config path (state dir), the most recently validated last. */
const MAX_ENTRIES = 16
/** Sixteen entries take about 2 KB; anything much larger is not this cache. */
const MAX_CACHE_BYTES = 64 * 1024

export interface ConfigValidationCache {
  /** True when this exact document (at this path) validated before. */
  has(path: string, document: unknown): Promise<boolean>
  /** Records a document that just validated. */
  add(path: string, document: unknown): Promise<void>
}

async function digest(version: string, document: unknown): Promise<string> {
  // Loaded here rather than at the top: commands without a config file never load node:crypto.
  const { createHash } = await import('node:crypto')
  return createHash('sha256')
    .update(`${version}\0${JSON.stringify(document)}`)
    .digest('hex')
}

async function readEntries(file: string): Promise<Record<string, string>> {
  try {
    const read = await readCheckedFile(file, {
      label: 'Config validation cache',
      maxBytes: MAX_CACHE_BYTES,
      owner: 'self',
    })
    if (!read) return {}
    const parsed: unknown = JSON.parse(read.text)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {}
    return Object.fromEntries(
      Object.entries(parsed).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    )
  } catch {
    return {}
  }
}

/** `$XDG_CACHE_HOME/claw/validated-config.json`, else `~/.cache/claw/validated-config.json`. */
export function configCacheFile(
  homeDir: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const xdg = env['XDG_CACHE_HOME']?.trim()
  const base = xdg && isAbsolute(xdg) ? xdg : join(homeDir, '.cache')
  return join(base, 'claw', 'validated-config.json')
}

/** The validation cache in `file`, keyed by the running CLI's `version`. */
export function createConfigValidationCache(
  file: string,
  version: string,
  env: Readonly<Record<string, string | undefined>>,
): ConfigValidationCache {
  return {
    async has(path, document) {
      const entries = await readEntries(file)
      return entries[path] === (await digest(version, document))
    },
    async add(path, document) {
      try {
        const entries = await readEntries(file)
        delete entries[path]
        const kept = Object.entries(entries).slice(-(MAX_ENTRIES - 1))
        kept.push([path, await digest(version, document)])
        await writePrivateFileAtomic(file, `${JSON.stringify(Object.fromEntries(kept))}\n`, { env })
      } catch {
        // A read-only state dir only costs the next command a validation.
      }
    },
  }
}
