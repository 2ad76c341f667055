// H6 (reliability.md §4.1): the canary scanner. A secret counts as leaked when the text contains
// the whole secret, its base64 or URL-encoded form, or any 12-character piece of its random part.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'

/** The random part of a canary: what follows the last `-` (all of it when there is none). */
function randomPart(secret: string): string {
  const index = secret.lastIndexOf('-')
  return index === -1 ? secret : secret.slice(index + 1)
}

function needles(secret: string): string[] {
  const random = randomPart(secret)
  const pieces: string[] = []
  for (let start = 0; start + 12 <= random.length; start += 1) {
    pieces.push(random.slice(start, start + 12))
  }
  return [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    encodeURIComponent(secret),
    ...pieces,
  ]
}

/** Each hit as `<where>: <secret kind> (<needle length> chars)`, never the secret itself. */
export function findCanaries(
  text: string,
  secrets: readonly string[],
  where: string,
): readonly string[] {
  const hits: string[] = []
  for (const secret of secrets) {
    const needle = needles(secret).find((candidate) => text.includes(candidate))
    if (needle !== undefined) {
      hits.push(`${where}: ${secret.slice(0, 3)}… (${needle.length}-character match)`)
    }
  }
  return hits
}

/** Every regular file under `root` except those named in `skipNames`, with its contents. */
export function filesUnder(
  root: string,
  skipNames: readonly string[],
): readonly { readonly path: string; readonly text: string }[] {
  const found: { path: string; text: string }[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile() && !skipNames.includes(basename(path))) {
        found.push({ path, text: statSync(path).size > 0 ? readFileSync(path, 'latin1') : '' })
      }
    }
  }
  walk(root)
  return found
}

/** Canary hits in every file under `root` except the stores themselves. */
export function findCanariesInFiles(
  root: string,
  secrets: readonly string[],
  skipNames: readonly string[] = ['auth-profiles.json'],
): readonly string[] {
  return filesUnder(root, skipNames).flatMap((file) => findCanaries(file.text, secrets, file.path))
}
