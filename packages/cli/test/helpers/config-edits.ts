// Shared by the tests of the config-writing model commands (`models set`, `aliases`, `fallbacks`).
import { readFileSync } from 'node:fs'
import JSON5 from 'json5'

/** The config as written (JSON5, like claw reads it). */
export const readConfig = (path: string): unknown => JSON5.parse(readFileSync(path, 'utf8'))

/** The line a command prints after it wrote the config. */
export const updated = (path: string) => `Updated ${path}`

// zai/glm-4.7 is newer than the built-in catalog: written, with a warning.
export const GLM_47_WARNING =
  'Warning: zai has no model "glm-4.7" in the catalog (did you mean glm-4.5?); saved anyway (--strict refuses). `claw models scan` lists what a provider serves.\n'
